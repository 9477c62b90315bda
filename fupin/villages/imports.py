"""Excel in and out of 贫困村出列: the assessment list as a workbook (the page's rows and filters), the village
data template, and its import — 村代码, 年度, 农业户籍人口, 村集体经济收入, 人均可支配收入 and one 是/否 column per
checklist item (headed by the item's name). The whole file is checked first (codes, scope, numbers, duplicates, the
item names of each village's checklist); any error writes nothing and names row, column and reason."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction

from fupin.core import excel
from fupin.core.scope import in_scope
from fupin.regions.models import Level, Region

from .assessment import COLLECTIVE, GROWTH, percent
from .models import VillageYear
from .services import answer as save_answer
from .services import ensure_can_change, indicators_for, save_village_year

CODE, YEAR, POPULATION, COLLECTIVE_INCOME, INCOME, REMARKS = (
    "村代码", "年度", "农业户籍人口", "村集体经济收入（元）", "人均可支配收入（元）", "备注")
FIELDS = {CODE: "12位村级区划代码", YEAR: "如 2025", POPULATION: "本村农业户籍人口（人）",
          COLLECTIVE_INCOME: "当年村集体经济收入", INCOME: "农村居民人均可支配收入", REMARKS: "可空"}


def template_columns(checklist_names=()) -> list[excel.Col]:
    return [excel.Col(CODE, excel.TEXT, 16), excel.Col(YEAR, excel.NUMBER), excel.Col(POPULATION, excel.NUMBER, 14),
            excel.Col(COLLECTIVE_INCOME, excel.NUMBER, 20), excel.Col(INCOME, excel.NUMBER, 20),
            excel.Col(REMARKS, excel.TEXT, 20), *(excel.Col(name, excel.TEXT) for name in checklist_names)]


def assessment_columns() -> list[excel.Col]:
    return [excel.Col("村代码", excel.TEXT, 16), excel.Col("乡镇"), excel.Col("村"), excel.Col("贫困村"),
            excel.Col("年度", excel.NUMBER), excel.Col("农业户籍人口", excel.NUMBER, 14),
            excel.Col("人口来源", excel.TEXT, 14), excel.Col("未脱贫人口", excel.NUMBER),
            excel.Col("贫困发生率"), excel.Col("上限"), excel.Col("村集体经济收入"), excel.Col("收入增幅"),
            excel.Col("指标达标", excel.TEXT, 14), excel.Col("结论"), excel.Col("未达标原因", excel.TEXT, 60)]


def assessment_rows(results):
    for r in results:
        indicators = r.indicators
        growth, collective = r.item(GROWTH), r.item(COLLECTIVE)
        yield [r.village_code, r.township, r.village, "是" if r.is_poor_village else "否", r.year, r.rural_population,
               "录入" if r.population_entered else "系统在册人口", r.remaining_poor, percent(r.incidence),
               percent(r.limit), collective.value if collective else "", _growth_text(growth),
               f"{sum(1 for i in indicators if i.passed)}/{len(indicators)}",
               "达标" if r.passed else "未达标", "；".join(r.reasons)]


def _growth_text(item) -> str:
    """The growth as a percentage, or what stands in its place (不考核, 未录入)."""
    if item is None:
        return ""
    try:
        return percent(Decimal(item.value))
    except InvalidOperation:
        return item.value


@dataclass
class ImportResult:
    rows: int
    answers: int
    errors: list[excel.RowError]


def _number(text: str, row: int, column: str, errors: excel.ErrorList, *, integer=False):
    if not text:
        return None
    try:
        value = Decimal(text.replace(",", "").replace("，", ""))
    except InvalidOperation:
        errors.add(row, column, "应为数字")
        return None
    if value < 0:
        errors.add(row, column, "不能为负数")
        return None
    if integer:
        if value != value.to_integral_value():
            errors.add(row, column, "应为整数")
            return None
        return int(value)
    return value.quantize(Decimal("0.01"))


def import_village_data(path, *, acting_user, channel, filename=None) -> ImportResult:
    """Check the whole file, then write every row (and its 是/否 answers) in one transaction, or nothing."""
    errors = excel.ErrorList()
    try:
        sheet = excel.read(path, filename=filename)
    except excel.SpreadsheetError as exc:
        return ImportResult(0, 0, [excel.RowError(None, "", str(exc))])
    found, ignored = excel.match_columns(sheet.header, FIELDS, errors, sheet.header_row, required=(CODE, YEAR))
    if errors:
        return ImportResult(0, 0, errors.sorted())
    extra = {excel.header_key(h): i for i, h in enumerate(sheet.header) if h in ignored}
    parsed, seen = [], {}
    rows = list(sheet.rows)
    codes = {row[found[CODE]] for row in rows}
    villages = {r.code: r for r in Region.objects.filter(code__in=codes, level=Level.VILLAGE)}
    checklists = indicators_for(villages)
    for row in rows:
        code = row[found[CODE]]
        village = villages.get(code)
        if row.lost_digits(found[CODE]):
            errors.add(row.number, CODE, "村代码被Excel存成了科学计数法，请把该列设为文本后重新填写")
            continue
        if village is None:
            errors.add(row.number, CODE, f"村级区划代码 {code or '（空）'} 不存在")
            continue
        if acting_user is not None and not in_scope(acting_user, code):
            errors.add(row.number, CODE, f"{village.name}不在当前账号的管辖范围内")
            continue
        year = _number(row[found[YEAR]], row.number, YEAR, errors, integer=True)
        if year is None or not 2000 <= year <= 2100:
            errors.add(row.number, YEAR, "年度应为2000至2100之间的整数")
            continue
        if (code, year) in seen:
            errors.add(row.number, CODE, f"与第{seen[code, year]}行重复（同一村同一年度）")
            continue
        seen[code, year] = row.number
        population = _number(row[found[POPULATION]], row.number, POPULATION, errors, integer=True) \
            if POPULATION in found else None
        if population == 0:
            errors.add(row.number, POPULATION, "农业户籍人口应大于0")
        values = {name: _number(row[found[col]], row.number, col, errors) if col in found else None
                  for name, col in (("collective_income", COLLECTIVE_INCOME), ("per_capita_income", INCOME))}
        marks = []
        by_name = {excel.header_key(i.name): i for i in checklists[code]}
        for key, index in extra.items():
            text = row[index]
            if not text:
                continue
            indicator = by_name.get(key)
            if indicator is None:
                errors.add(row.number, sheet.header[index], f"“{sheet.header[index]}”不是{village.name}适用的出列指标")
                continue
            met = excel.parse_bool(text)
            if met is None:
                errors.add(row.number, sheet.header[index], "应填“是”或“否”")
                continue
            marks.append((indicator, met))
        parsed.append((village, VillageYear(village=village, year=year, rural_population=population,
                                            remarks=row[found[REMARKS]][:300] if REMARKS in found else "", **values),
                       marks))
    if not parsed and not errors:
        errors.add(None, "", "文件中没有数据行")
    if errors:
        return ImportResult(len(rows), 0, errors.sorted())
    for village in {v.code: v for v, _, _ in parsed}.values():
        ensure_can_change(acting_user, village.code)
    # A blank cell keeps what was entered before: the file adds figures, it does not erase them.
    existing = {(r.village_id, r.year): r for r in VillageYear.objects.filter(
        village_id__in=[v.code for v, _, _ in parsed], year__in={i.year for _, i, _ in parsed})}
    answered = 0
    with transaction.atomic():
        for village, item, marks in parsed:
            if before := existing.get((village.code, item.year)):
                for name in ("rural_population", "collective_income", "per_capita_income", "remarks"):
                    if getattr(item, name) in (None, ""):
                        setattr(item, name, getattr(before, name))
            save_village_year(item, acting_user=acting_user, channel=channel, note=f"导入{village.name}{item.year}年出列数据")
            for indicator, met in marks:
                save_answer(village, item.year, indicator, met=met, note="Excel导入", acting_user=acting_user,
                            channel=channel)
                answered += 1
    return ImportResult(len(parsed), answered, [])
