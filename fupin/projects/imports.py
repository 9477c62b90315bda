"""项目库导入: one project per row, entered into the library (入库) with the importing account as its author.

The whole file is checked first — columns, years, codes, amounts, dates, labels of 类别 and 资金来源, the region
(a village or township in the account's scope), duplicates within the file and against the library, and the rules
of ``services.save_project`` — and every error names its row, column and reason. Any error and nothing is written;
otherwise all rows are written in one transaction, each with its audit row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from fupin.core import excel
from fupin.core.scope import in_scope
from fupin.jobs.imports import ImportResult
from fupin.regions.models import Level, Region

from . import services
from .access import may_change_money
from .models import PlannedSource, Project, ProjectKind

# Header → model field; (header, required, help) for the template and the import page.
COLUMNS = [
    ("年度", "year", True, "四位年份，如 2026"),
    ("实施地点代码", "region", True, "村或乡镇的12位区划代码"),
    ("项目名称", "name", True, ""),
    ("项目类别", "kind", True, "、".join(map(str, ProjectKind.labels))),
    ("计划投资（元）", "planned_amount", True, "元，可带两位小数"),
    ("计划资金来源", "fund_source", False, "、".join(map(str, PlannedSource.labels)) + "；留空为财政专项扶贫资金"),
    ("实施单位", "implementing_unit", True, ""),
    ("计划开工", "planned_start", False, "日期，如 2026-03-01"),
    ("计划完工", "planned_end", False, "日期"),
    ("建设规模", "scale", False, "如：硬化道路3.2公里"),
    ("建设内容", "content", False, ""),
    ("带贫机制", "benefit_mechanism", False, "务工、分红、租金、订单收购等"),
    ("预计受益户数", "expected_households", False, "整数"),
    ("预计受益人数", "expected_people", False, "整数"),
    ("其中脱贫户", "expected_poor_households", False, "整数"),
    ("其中监测户", "expected_monitored_households", False, "整数"),
]
HEADERS = {header: field for header, field, _, _ in COLUMNS}
FIELD_HEADERS = {field: header for header, field, _, _ in COLUMNS}
REQUIRED = [header for header, _, required, _ in COLUMNS if required]
ALIASES = {"项目年度": "年度", "区划代码": "实施地点代码", "地点代码": "实施地点代码", "类别": "项目类别",
           "计划投资": "计划投资（元）", "投资金额（元）": "计划投资（元）", "资金来源": "计划资金来源", "规模": "建设规模"}
KINDS = {str(label): value for value, label in ProjectKind.choices}
SOURCES = {str(label): value for value, label in PlannedSource.choices}
INTEGERS = ("expected_households", "expected_people", "expected_poor_households", "expected_monitored_households")
DATES = ("planned_start", "planned_end")


def template_rows() -> list[tuple[str, str, str, str]]:
    """(列名, 必填, 说明, 可填写的值) for the import page and the template's 说明."""
    return [(header, "必填" if required else "", help_, "") for header, _, required, help_ in COLUMNS]


def template_bytes() -> bytes:
    return excel.to_bytes([excel.Col(header, excel.TEXT, 16) for header, *_ in COLUMNS], [], "项目库")


def _date(text: str) -> dt.date | None:
    text = text.strip().replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _parse_row(row: excel.Row, found: dict, errors: excel.ErrorList) -> Project | None:
    cells = {header: row[index] for header, index in found.items()}
    values, bad = {}, False

    def fail(header, reason):
        nonlocal bad
        bad = True
        errors.add(row.number, header, reason)

    for header in REQUIRED:
        if not cells.get(header, ""):
            fail(header, f"“{header}”不能为空")
    if bad:
        return None
    year = cells["年度"]
    if year.isdigit() and 2000 <= int(float(year)) <= 2100:
        values["year"] = int(year)
    else:
        fail("年度", f"“{year}”不是有效的四位年份")
    values["region_id"] = cells["实施地点代码"]
    values["name"] = cells["项目名称"]
    values["kind"] = KINDS.get(cells["项目类别"])
    if values["kind"] is None:
        fail("项目类别", f"“{cells['项目类别']}”不是有效的项目类别（{'、'.join(KINDS)}）")
    try:
        values["planned_amount"] = Decimal(cells["计划投资（元）"].replace(",", "")).quantize(Decimal("0.01"))
    except InvalidOperation:
        fail("计划投资（元）", f"“{cells['计划投资（元）']}”不是金额")
    source = cells.get("计划资金来源", "")
    values["fund_source"] = SOURCES.get(source) if source else PlannedSource.SPECIAL
    if values["fund_source"] is None:
        fail("计划资金来源", f"“{source}”不是有效的资金来源（{'、'.join(SOURCES)}）")
    values["implementing_unit"] = cells["实施单位"]
    for field in DATES:
        header = FIELD_HEADERS[field]
        text = cells.get(header, "")
        if text:
            values[field] = _date(text)
            if values[field] is None:
                fail(header, f"“{text}”不是日期（如 2026-03-01）")
    for field in INTEGERS:
        header = FIELD_HEADERS[field]
        text = cells.get(header, "")
        if text:
            if text.replace(".0", "").isdigit():
                values[field] = int(float(text))
            else:
                fail(header, f"“{text}”应为非负整数")
    for field in ("scale", "content", "benefit_mechanism"):
        values[field] = cells.get(FIELD_HEADERS[field], "")
    return None if bad else Project(**values)


def import_projects(path, *, acting_user, channel, progress: Callable | None = None,
                    filename: str | None = None) -> ImportResult:
    """Check the whole file, then enter every row into the library, all or nothing."""
    progress = progress or (lambda *a, **k: None)
    errors = excel.ErrorList()
    result = ImportResult("新增入库 {created} 个项目", {"created": 0})
    if acting_user is not None and not may_change_money(acting_user):
        errors.add(None, "", "当前账号只能查看项目，不能导入")
        return result.refused(errors)
    try:
        sheet = excel.read(path, filename=filename)
    except excel.SpreadsheetError as exc:
        errors.add(None, "", str(exc))
        return result.refused(errors)
    found, result.ignored_columns = excel.match_columns(sheet.header, HEADERS, errors, sheet.header_row,
                                                        required=REQUIRED, aliases=ALIASES)
    if errors:
        return result.refused(errors)
    rows: list[tuple[int, Project]] = []
    for done, row in enumerate(sheet.rows, 1):
        if done % 500 == 0:
            progress(done, sheet.total, f"正在校验第 {row.number} 行")
        if not any(row.cells):
            continue
        project = _parse_row(row, found, errors)
        if project is not None:
            rows.append((row.number, project))
    _check(rows, errors, acting_user)
    if errors:
        return result.refused(errors)
    if not rows:
        errors.add(None, "", "文件中没有项目")
        return result.refused(errors)
    with transaction.atomic():
        for done, (_, project) in enumerate(rows, 1):
            project.library_reason = "项目库导入"
            services.save_project(project, acting_user=acting_user, channel=channel)
            if done % 200 == 0:
                progress(done, len(rows), "正在写入")
    result.counts["created"] = len(rows)
    return result


def _check(rows: list[tuple[int, Project]], errors: excel.ErrorList, acting_user) -> None:
    codes = {p.region_id for _, p in rows}
    regions = Region.objects.in_bulk(list(codes))
    existing = set(Project.objects.filter(region_id__in=codes).values_list("year", "region_id", "name"))
    first: dict[tuple, int] = {}
    for number, project in rows:
        region = regions.get(project.region_id)
        if region is None or region.level not in (Level.TOWNSHIP, Level.VILLAGE):
            errors.add(number, "实施地点代码", f"“{project.region_id}”不是村或乡镇的区划代码")
            continue
        if acting_user is not None and not in_scope(acting_user, region.code):
            errors.add(number, "实施地点代码", f"{region.name}不在当前账号的管辖范围内")
            continue
        key = (project.year, project.region_id, project.name)
        if key in existing:
            errors.add(number, "项目名称", f"{region.name}{project.year}年度已有项目“{project.name}”")
        elif key in first:
            errors.add(number, "项目名称", f"与第 {first[key]} 行重复")
        first.setdefault(key, number)
        try:
            services.validate(project)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    errors.add(number, FIELD_HEADERS.get(field, ""), message)
        except PermissionDenied as exc:
            errors.add(number, "", str(exc))


def import_beneficiaries(path, project: Project, *, note: str = "", acting_user, channel,
                         filename: str | None = None) -> ImportResult:
    """受益户名单导入: a column 户编号 (and optionally 受益方式); every number must be a household in the account's scope
    under the project's village or township. Checked whole, then attached in one transaction."""
    errors = excel.ErrorList()
    result = ImportResult("新增受益户 {added} 户（已登记的 {skipped} 户跳过）", {"added": 0, "skipped": 0})
    try:
        sheet = excel.read(path, filename=filename)
    except excel.SpreadsheetError as exc:
        errors.add(None, "", str(exc))
        return result.refused(errors)
    found, result.ignored_columns = excel.match_columns(sheet.header, {"户编号": "number"}, errors, sheet.header_row,
                                                        required=["户编号"])
    if errors:
        return result.refused(errors)
    numbers: dict[str, int] = {}
    for row in sheet.rows:
        number = row[found["户编号"]]
        if not number:
            continue
        if number in numbers:
            errors.add(row.number, "户编号", f"与第 {numbers[number]} 行重复")
        numbers.setdefault(number, row.number)
    eligible = services.eligible_households(project, acting_user)
    households = {h.number: h for h in eligible.filter(number__in=list(numbers))}
    for number, row_number in numbers.items():
        if number not in households:
            errors.add(row_number, "户编号", f"户编号 {number} 不在项目实施地点{project.region.name}或当前账号的管辖范围内")
    if not numbers and not errors:
        errors.add(None, "户编号", "文件中没有户编号")
    if errors:
        return result.refused(errors)
    added = services.add_beneficiaries(project, households.values(), note=note, acting_user=acting_user,
                                       channel=channel)
    result.counts.update(added=added, skipped=len(households) - added)
    return result
