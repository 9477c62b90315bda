"""Problems from a list (督查、审计、评估反馈的问题清单, Excel or CSV): every row checked, then all rows written or none.

The lookups (regions, households, projects, owner accounts) are one query each over the whole file; the problems
are inserted in one statement and their audit rows in one more. Errors name the Excel row, the column and the
reason in Chinese; with any error nothing is written (the caller writes the error workbook).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from fupin.audit.services import append, build_entry, snapshot
from fupin.core import excel
from fupin.core.excel import ErrorList
from fupin.jobs.imports import ImportResult
from fupin.projects.models import Project
from fupin.regions.models import Level, Region
from fupin.registry.models import Household

from . import access, services
from .models import Category, Item, Problem, SourceKind, Status
from .tables import IMPORT_COLUMNS

HEADERS = [name for name, _required, _help in IMPORT_COLUMNS]
REQUIRED = [name for name, required, _help in IMPORT_COLUMNS if required]
MAX_ROWS = 5000


def template_rows() -> list[tuple[str, str, str, str]]:
    """(列名, 必填, 说明, 可填写的值) for the import page and the template's 说明."""
    values = {"问题来源": "、".join(map(str, SourceKind.labels)), "问题类别": "、".join(map(str, Category.labels))}
    return [(name, "必填" if required else "", help_text, values.get(name, ""))
            for name, required, help_text in IMPORT_COLUMNS]


def template_bytes() -> bytes:
    """The template: the columns to fill, and a 说明 sheet with each column and every 问题细项 by category."""
    buffer = io.BytesIO()
    with excel.XlsxStream(buffer) as out:
        out.add_sheet("问题清单", [excel.Col(name, excel.TEXT, 16) for name in HEADERS])
        notes = [list(row) for row in template_rows()]
        notes += [["问题细项", "", str(Category(item.category).label), str(item.label)] for item in Item]
        out.write_note_sheet("说明", ["列名", "必填", "说明", "可填写的值"], notes, [14, 8, 40, 50])
    return buffer.getvalue()


def _label_map(choices) -> dict[str, str]:
    """Label or code → code, so a list may say 精准识别 or identify."""
    return {**{str(label): value for value, label in choices}, **{value: value for value, _label in choices}}


SOURCES = _label_map(SourceKind.choices)
CATEGORIES = _label_map(Category.choices)
ITEMS = _label_map(Item.choices)


def _date(text: str) -> dt.date | None:
    text = text.strip().replace("/", "-").replace(".", "-")
    for pattern in ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y年%m月%d日"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def import_problems(path, *, acting_user, channel, filename: str | None = None) -> ImportResult:
    """Check every row of the file, then record all its problems in one transaction, or none."""
    if not access.may_write(acting_user):
        raise PermissionDenied("当前账号只能查看问题台账，不能导入")
    try:
        sheet = excel.read(Path(path), filename=filename)
    except excel.SpreadsheetError as exc:
        raise ValidationError(str(exc)) from exc
    errors = ErrorList()
    columns, _ignored = excel.match_columns(sheet.header, {name: name for name in HEADERS}, errors, sheet.header_row,
                                            required=REQUIRED)
    result = ImportResult(written="新增 {problems} 个问题", counts={"problems": 0})
    if errors:
        return result.refused(errors)
    rows = []
    for row in sheet.rows:
        rows.append({name: row[index] for name, index in columns.items()} | {"_row": row.number})
        if len(rows) > MAX_ROWS:
            raise ValidationError(f"一次最多导入 {MAX_ROWS} 行，请分批导入")
    problems = _check(rows, errors, acting_user)
    if not rows:
        errors.add(None, "", "文件中没有问题行")
    if errors:
        return result.refused(errors)
    result.counts["problems"] = len(_write(problems, acting_user=acting_user, channel=channel))
    return result


def _lookups(rows, acting_user):
    def values(name):
        return {r.get(name, "").strip() for r in rows if r.get(name, "").strip()}

    regions = Region.objects.all() if acting_user is None else Region.objects.visible_to(acting_user)
    households = Household.objects.all() if acting_user is None else Household.objects.visible_to(acting_user)
    projects = Project.objects.all() if acting_user is None else Project.objects.visible_to(acting_user)
    project_ids = [int(v) for v in values("项目编号") if v.isdigit()]
    return (
        {r.code: r for r in regions.filter(code__in=values("区划代码"))},
        {h.number: h for h in households.filter(number__in=values("户编号"))},
        {p.pk: p for p in projects.filter(pk__in=project_ids)},
        {u.username: u for u in get_user_model().objects.filter(username__in=values("责任人账号"), is_active=True)},
    )


def _check(rows, errors: ErrorList, acting_user) -> list[Problem]:
    regions, households, projects, owners = _lookups(rows, acting_user)
    deadline_days: dict[tuple[str, str], dt.date] = {}
    today = timezone.localdate()
    problems = []
    for r in rows:
        number = r["_row"]

        def bad(column, reason, number=number):
            errors.add(number, column, reason)

        def text(name, limit, r=r):
            value = r.get(name, "").strip()
            if len(value) > limit:
                bad(name, f"不能超过{limit}个字")
            return value[:limit]

        source = SOURCES.get(r.get("问题来源", "").strip())
        if source is None:
            bad("问题来源", f"应为{'、'.join(str(label) for label in SourceKind.labels)}之一")
        category = CATEGORIES.get(r.get("问题类别", "").strip())
        if category is None:
            bad("问题类别", f"应为{'、'.join(str(label) for label in Category.labels)}之一")
        item = ""
        if r.get("问题细项", "").strip():
            item = ITEMS.get(r["问题细项"].strip())
            if item is None:
                bad("问题细项", "不是已列出的问题细项（见模板“说明”页）")
                item = ""
            elif category and Item(item).category != category:
                bad("问题细项", f"“{Item(item).label}”不属于{Category(category).label}")
        code = r.get("区划代码", "").strip()
        region = regions.get(code)
        if not code:
            bad("区划代码", "必填")
        elif region is None:
            bad("区划代码", f"区划代码{code}不存在或不在当前账号的管辖范围内")
        elif region.level < Level.COUNTY:
            bad("区划代码", "问题应落实到县、乡镇或村")
        elif not access.may_change(acting_user, code):
            bad("区划代码", "不在当前账号的管辖范围内")
        household = None
        if r.get("户编号", "").strip():
            household = households.get(r["户编号"].strip())
            if household is None:
                bad("户编号", f"户编号{r['户编号'].strip()}不存在或不在当前账号的管辖范围内")
            elif region is not None and not household.village_id.startswith(region.prefix):
                bad("户编号", f"该户不在{region.name}")
        project = None
        if r.get("项目编号", "").strip():
            key = r["项目编号"].strip()
            project = projects.get(int(key)) if key.isdigit() else None
            if project is None:
                bad("项目编号", f"项目编号{key}不存在或不在当前账号的管辖范围内")
            elif region is not None and not project.region_id.startswith(region.prefix):
                bad("项目编号", f"项目“{project.name}”不在{region.name}")
        owner = None
        if r.get("责任人账号", "").strip():
            owner = owners.get(r["责任人账号"].strip())
            if owner is None:
                bad("责任人账号", f"账号{r['责任人账号'].strip()}不存在或已停用")
            elif region is not None and (owner.region_id is None or not code.startswith(owner.scope_prefix)):
                bad("责任人账号", f"账号{owner.username}不管辖{region.name}")
        description = text("问题描述", 2000)
        if not description:
            bad("问题描述", "必填")
        unit = text("责任单位", 100)
        if not unit:
            bad("责任单位", "必填")
        deadline = None
        if r.get("整改时限", "").strip():
            deadline = _date(r["整改时限"])
            if deadline is None:
                bad("整改时限", "日期格式应为 YYYY-MM-DD")
        elif category and region is not None:
            key = (category, code)
            if key not in deadline_days:
                try:
                    deadline_days[key] = services.default_deadline(category, code, today)
                except ValidationError as exc:
                    bad("整改时限", exc.messages[0])
                    continue
            deadline = deadline_days[key]
        problems.append(Problem(
            source_kind=source or "", source_reference=text("来源依据", 300), region=region, household=household,
            project=project, category=category or "", item=item, description=description, responsible_unit=unit,
            owner=owner, owner_name=text("责任人姓名", 50) or (owner.full_name or owner.username if owner else ""),
            deadline=deadline, measures=text("整改措施", 2000), status=Status.PENDING,
            created_by=acting_user if acting_user is not None and acting_user.is_authenticated else None,
        ))
    return problems


@transaction.atomic
def _write(problems: list[Problem], *, acting_user, channel) -> list[Problem]:
    try:
        created = Problem.objects.bulk_create(problems)
    except IntegrityError as exc:
        raise ValidationError("导入失败：数据与已有问题冲突，未导入任何数据") from exc
    append([build_entry(p, before=None, after=snapshot(p), acting_user=acting_user, channel=channel,
                        note="导入问题清单") for p in created])
    return created
