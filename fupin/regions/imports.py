"""Region tree import (行政区划导入): 代码, 名称, 级别, 上级代码, 贫困村, 出列年度 (城乡分类代码, 有效 optional).

Each row creates a region or updates the one with that code. The whole file is checked first with the rules of
``regions.services.region_errors`` (12-digit code, level consistent with the code, parent one level up, poor
village only at village level), plus: a code twice in the file, a parent neither in the database nor in the file,
the importing account's right and scope. Any error and nothing is written. Otherwise everything is written in one
transaction, parents before children, with an audit row for each created or changed region.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db import transaction

from fupin.audit.models import AuditLog
from fupin.audit.services import build_entry, snapshot
from fupin.core import excel
from fupin.jobs.imports import ImportResult

from .models import PREFIX_LENGTH, Level, Region, parent_code
from .services import ensure_can_edit, region_errors
from .tables import COLUMNS

REQUIRED = ("代码", "名称")
ALIASES = {"区划代码": "代码", "统计用区划代码": "代码", "区划名称": "名称", "层级": "级别", "上级区划代码": "上级代码",
           "是否贫困村": "贫困村", "出列年份": "出列年度"}
LEVEL_WORDS = {
    **{label: value for value, label in Level.choices},
    **{str(value): value for value in Level.values},
    "省级": Level.PROVINCE, "市级": Level.CITY, "地级": Level.CITY, "县级": Level.COUNTY, "区": Level.COUNTY,
    "乡": Level.TOWNSHIP, "镇": Level.TOWNSHIP, "街道": Level.TOWNSHIP, "乡级": Level.TOWNSHIP, "村级": Level.VILLAGE,
    "社区": Level.VILLAGE, "居委会": Level.VILLAGE, "村委会": Level.VILLAGE,
}
FIELDS = {c.header: c.field for c in COLUMNS}
BATCH = 1000


def level_from_code(code: str) -> int:
    """The level whose segment is the last non-zero one (410481100201 → 村)."""
    for level in (Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY, Level.CITY):
        if code[PREFIX_LENGTH[level - 1]:PREFIX_LENGTH[level]].strip("0"):
            return level
    return Level.PROVINCE


def import_regions(path, *, acting_user, channel, progress: Callable | None = None,
                   filename: str | None = None) -> ImportResult:
    """Check the whole file, then create or update every row, all or nothing. ``acting_user`` None = system."""
    progress = progress or (lambda *a, **k: None)
    errors = excel.ErrorList()
    result = ImportResult("新增 {created} 个、修改 {updated} 个、未变 {unchanged} 个区划",
                          {"created": 0, "updated": 0, "unchanged": 0})
    try:
        sheet = excel.read(path, filename=filename)
    except excel.SpreadsheetError as exc:
        errors.add(None, "", str(exc))
        return result.refused(errors)
    if acting_user is not None and not acting_user.can_administer:
        errors.add(None, "", "只有系统管理员可以导入行政区划")
        return result.refused(errors)
    found, result.ignored_columns = excel.match_columns(
        sheet.header, FIELDS, errors, sheet.header_row, required=REQUIRED, aliases=ALIASES
    )
    if errors:
        return result.refused(errors)

    rows = _parse(sheet, found, errors, progress)
    in_file = {region.code for _, region, _ in rows}
    existing = Region.objects.in_bulk(list(in_file))
    parents = set()
    for _, region, _ in rows:
        if region.level > Level.PROVINCE:
            parents |= {region.parent_id, parent_code(region.code, region.level)}
    parents -= in_file
    known = in_file | set(Region.objects.filter(code__in=parents).values_list("code", flat=True))
    changes = []
    for row_number, region, given in rows:
        for fld, message in region_errors(region, known).items():
            errors.add(row_number, _header(fld), message)
        if acting_user is not None:
            try:
                ensure_can_edit(acting_user, region.code)
            except PermissionDenied as exc:
                errors.add(row_number, "代码", f"{region.code}：{exc}")
        old = existing.get(region.code)
        if old is None:
            changes.append((None, region))
            continue
        for fld in ("name", "level", "parent_id", "is_poor_village", "exit_year", "urban_rural_code", "active"):
            if fld not in given:
                setattr(region, fld, getattr(old, fld))
        before, after = snapshot(old), snapshot(region)
        if before == after:
            result.counts["unchanged"] += 1
        else:
            changes.append((before, region))
    if errors:
        return result.refused(errors)
    result.counts["created"], result.counts["updated"] = _write(changes, acting_user, channel, progress)
    return result


def _header(fld: str) -> str:
    headers = {f: h for h, f in FIELDS.items()} | {"parent": "上级代码"}
    return headers.get(fld, fld)


def _parse(sheet, found: dict[str, int], errors: excel.ErrorList, progress) -> list[tuple[int, Region, set]]:
    """Each row as (row number, unsaved Region, the fields the file supplied — an update keeps the others)."""
    rows, first_row = [], {}
    for done, row in enumerate(sheet.rows, 1):
        if done % 1000 == 0:
            progress(done, sheet.total, f"正在校验第 {row.number} 行")
        cells = {header: row[index] for header, index in found.items()}
        code = cells["代码"]
        if not (len(code) == 12 and code.isdigit()):
            errors.add(row.number, "代码", f"区划代码“{code}”应为12位数字" if code else "区划代码不能为空")
            continue
        if code in first_row:
            errors.add(row.number, "代码", f"区划代码 {code} 与第 {first_row[code]} 行重复")
            continue
        first_row[code] = row.number
        region = Region(code=code, name=cells["名称"])
        given = {"name", "level", "parent_id"}
        if not region.name:
            errors.add(row.number, "名称", "名称不能为空")
        elif len(region.name) > Region._meta.get_field("name").max_length:
            errors.add(row.number, "名称", "名称过长")
        level = cells.get("级别", "")
        region.level = LEVEL_WORDS.get(level) if level else level_from_code(code)
        if region.level is None:
            errors.add(row.number, "级别", f"“{level}”不是有效的级别（省、市、县、乡镇、村，或 1-5）")
            continue
        parent = cells.get("上级代码", "")
        region.parent_id = parent or (parent_code(code, region.level) if region.level > Level.PROVINCE else None)
        for header, fld in (("贫困村", "is_poor_village"), ("有效", "active")):
            text = cells.get(header, "")
            if text:
                value = excel.parse_bool(text)
                if value is None:
                    errors.add(row.number, header, f"“{text}”应填写“是”或“否”")
                else:
                    setattr(region, fld, value)
                    given.add(fld)
        text = cells.get("出列年度", "")
        if text:
            if text.isdigit() and 1980 <= int(text) <= 2100:
                region.exit_year = int(text)
                given.add("exit_year")
            else:
                errors.add(row.number, "出列年度", f"“{text}”不是有效的年份")
        text = cells.get("城乡分类代码", "")
        if text:
            if len(text) == 3 and text.isdigit():
                region.urban_rural_code = text
                given.add("urban_rural_code")
            else:
                errors.add(row.number, "城乡分类代码", f"“{text}”应为3位数字")
        rows.append((row.number, region, given))
    return rows


def _write(changes, acting_user, channel, progress) -> tuple[int, int]:
    creates = sorted((r for before, r in changes if before is None), key=lambda r: (r.level, r.code))
    updates = [(before, r) for before, r in changes if before is not None]
    total = len(changes)
    with transaction.atomic():
        progress(0, total, "正在写入", force=True)
        done = 0
        for start in range(0, len(creates), BATCH):
            chunk = creates[start:start + BATCH]
            Region.objects.bulk_create(chunk)
            done += len(chunk)
            progress(done, total)
        fields = ["name", "level", "parent_id", "is_poor_village", "exit_year", "urban_rural_code", "active"]
        Region.objects.bulk_update([r for _, r in updates], [f.removesuffix("_id") for f in fields], batch_size=BATCH)
        entries = [
            build_entry(r, before=before, after=snapshot(r), acting_user=acting_user, channel=channel,
                        region_code=r.code)
            for before, r in changes
        ]
        AuditLog.objects.bulk_create(entries, batch_size=BATCH)
        progress(total, total, force=True)
    return len(creates), len(updates)
