"""驻村工作队队员 from a workbook: one row a member (村代码, 姓名, 派出单位, 职务, 联系电话, 任期); a village without a team
in post gets one. The whole file goes through the team services row by row inside one transaction: any error (named
by row, column and reason) rolls everything back, so the file is written whole or not at all."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from fupin.core import excel
from fupin.jobs.imports import ImportResult
from fupin.regions.models import Level, Region

from . import teams
from .models import TeamMember, TeamRole, WorkTeam

COLUMNS = {"村代码": "village", "工作队名称": "team", "牵头派出单位": "lead_unit", "姓名": "name", "派出单位": "unit",
           "职务": "role", "联系电话": "phone", "任期开始": "term_start", "任期结束": "term_end"}
REQUIRED = ("村代码", "姓名", "派出单位", "任期开始", "任期结束")
ROLES = {str(label): value for value, label in TeamRole.choices}
FIELD_COLUMN = {field: header for header, field in COLUMNS.items()}
TEMPLATE = [excel.Col(header, excel.TEXT, 16) for header in COLUMNS]


class _Refused(Exception):
    """Rolls the transaction back when any row failed."""


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.replace("/", "-").replace(".", "-")[:10])
    except ValueError:
        return None


def import_members(path, *, acting_user, channel, filename: str | None = None) -> ImportResult:
    result = ImportResult("新增工作队 {teams} 个、队员 {members} 人", {"teams": 0, "members": 0})
    errors = excel.ErrorList()
    try:
        sheet = excel.read(path, filename=filename)
    except excel.SpreadsheetError as exc:
        errors.add(None, "", str(exc))
        return result.refused(errors)
    found, result.ignored_columns = excel.match_columns(sheet.header, COLUMNS, errors, sheet.header_row,
                                                        required=REQUIRED)
    if errors:
        return result.refused(errors)
    try:
        with transaction.atomic():
            _write(sheet, found, result, errors, acting_user, channel)
            if errors:
                raise _Refused
    except _Refused:
        result.counts = {"teams": 0, "members": 0}
        return result.refused(errors)
    return result


def _write(sheet, found, result, errors, acting_user, channel) -> None:
    villages = {}
    for row in sheet.rows:
        cells = {COLUMNS[header]: row[index] for header, index in found.items()}
        if not any(cells.values()):
            continue
        code = cells["village"]
        village = villages.get(code) or Region.objects.filter(code=code, level=Level.VILLAGE).first()
        if village is None:
            errors.add(row.number, "村代码", f"没有村级区划“{code}”")
            continue
        villages[code] = village
        start, end = _date(cells["term_start"]), _date(cells["term_end"])
        for header, value, parsed in (("任期开始", cells["term_start"], start), ("任期结束", cells["term_end"], end)):
            if parsed is None:
                errors.add(row.number, header, f"“{value}”不是日期（如 2026-03-01）")
        role = ROLES.get(cells.get("role") or str(TeamRole.MEMBER.label))
        if role is None:
            errors.add(row.number, "职务", f"职务应为{'、'.join(ROLES)}之一")
        if start is None or end is None or role is None:
            continue
        try:
            with transaction.atomic():
                team = WorkTeam.objects.filter(village=village, active=True).first()
                if team is None:
                    team = teams.save_team(WorkTeam(
                        village=village, name=cells.get("team") or f"{village.name}驻村工作队",
                        lead_unit=cells.get("lead_unit") or cells["unit"], start=start),
                        acting_user=acting_user, channel=channel)
                    result.counts["teams"] += 1
                teams.save_member(TeamMember(team=team, name=cells["name"], unit=cells["unit"], role=role,
                                             phone=cells.get("phone", ""), term_start=start, term_end=end),
                                  acting_user=acting_user, channel=channel)
                result.counts["members"] += 1
        except PermissionDenied as exc:
            errors.add(row.number, "村代码", str(exc))
        except ValidationError as exc:
            for field, messages in (exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]):
                for message in messages:
                    errors.add(row.number, FIELD_COLUMN.get(field, ""), message)
