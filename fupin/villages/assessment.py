"""贫困村出列评估: every village of a region and year at once (docs/domain-facts.md §3.4).

贫困发生率 = remaining poor people (active members of households 未脱贫/返贫/新识别) ÷ the village's 农业户籍人口,
strictly below the configured limit (the boundary fails), compared exactly in Decimal (remaining < limit × population)
so 2.00 % never passes by a float's rounding. Then 村集体经济收入 against the minimum, the village's growth of per-capita
income against the county's average growth (when the rule is on), and each checklist item. The people are counted in
one GROUP BY over the register, the figures read once per year (``services.Figures``); each result explains its
figures in Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q

from fupin.regions.models import PREFIX_LENGTH, Level, Region
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import Member

from .models import IndicatorAnswer, ParameterCode, VillageYear
from .services import Figures, indicators_for

PASS, FAIL = "pass", "fail"
FOUR = Decimal("0.0001")
COLLECTIVE, GROWTH = "collective_income", "income_growth"


def percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{(value * 100).quantize(Decimal('0.01'), ROUND_HALF_UP)}%"


def yuan(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f}元"


@dataclass
class Item:
    """One assessed item: a figure (集体经济收入, 收入增幅) or a checklist indicator."""

    code: str
    name: str
    value: str
    required: bool
    passed: bool | None  # None: not assessed (the rule is off)
    explanation: str
    evidence: list = field(default_factory=list)
    note: str = ""
    answer_id: int | None = None

    def as_json(self) -> dict:
        return {"code": self.code, "name": self.name, "value": self.value, "required": self.required,
                "passed": self.passed}


@dataclass
class VillageResult:
    village_code: str
    village: str
    township_code: str
    township: str
    is_poor_village: bool
    exit_year: int | None
    year: int
    rural_population: int | None
    population_entered: bool
    remaining_poor: int
    incidence: Decimal | None
    limit: Decimal | None
    incidence_passed: bool
    incidence_explanation: str
    items: list[Item]
    reasons: list[str]

    @property
    def verdict(self) -> str:
        return FAIL if self.reasons else PASS

    @property
    def passed(self) -> bool:
        return not self.reasons

    @property
    def indicators(self) -> list[Item]:
        return [i for i in self.items if i.code not in (COLLECTIVE, GROWTH)]

    @property
    def incidence_text(self) -> str:
        return percent(self.incidence)

    @property
    def limit_text(self) -> str:
        return percent(self.limit)

    @property
    def indicators_met(self) -> int:
        return sum(1 for i in self.indicators if i.passed)

    def item(self, code: str) -> Item | None:
        return next((i for i in self.items if i.code == code), None)

    def as_json(self) -> dict:
        """The interface of ``fupin villages assess --json`` and the API: exactly these keys."""
        return {
            "village_code": self.village_code, "village": self.village, "year": self.year,
            "rural_population": self.rural_population, "remaining_poor": self.remaining_poor,
            "incidence": None if self.incidence is None else str(self.incidence.quantize(FOUR, ROUND_HALF_UP)),
            "limit": None if self.limit is None else str(self.limit.normalize()),
            "indicators": [i.as_json() for i in self.items], "verdict": self.verdict, "reasons": self.reasons,
        }

    def figures(self) -> dict:
        """What the exit procedure keeps of the assessment it was started on."""
        return {**self.as_json(), "explanations": [self.incidence_explanation, *(i.explanation for i in self.items)]}


def _people(villages: list[str], prefix: str) -> dict[str, tuple[int, int]]:
    """(active members on the register, of them in households still in poverty) per village: one GROUP BY."""
    rows = (Member.objects.filter(active=True, household__village__code__startswith=prefix,
                                  household__village_id__in=villages)
            .exclude(household__status=HouseholdStatus.CANCELLED)
            .values("household__village_id")
            .annotate(total=Count("id"), poor=Count("id", filter=Q(household__status__in=HouseholdStatus.IN_POVERTY)))
            .order_by())
    return {r["household__village_id"]: (r["total"], r["poor"]) for r in rows}


def _mean_income(rows) -> Decimal | None:
    """Per-capita income of a set of villages, weighted by their population (unweighted where it is missing)."""
    rows = [(r.per_capita_income, r.rural_population or 1) for r in rows if r.per_capita_income is not None]
    weight = sum(w for _, w in rows)
    return sum(v * w for v, w in rows) / weight if weight else None


def _county_growth(data: dict[tuple[str, int], VillageYear], year: int) -> dict[str, Decimal]:
    """Each county's average growth of per-capita income from its villages' data, over the villages with both
    years (so that a village entered for one year only does not move the average)."""
    both: dict[str, list[tuple[VillageYear, VillageYear]]] = {}
    for (code, y), row in data.items():
        before = data.get((code, year - 1))
        if y == year and before is not None and row.per_capita_income is not None \
                and before.per_capita_income is not None:
            both.setdefault(code[:PREFIX_LENGTH[Level.COUNTY]], []).append((row, before))
    growth = {}
    for county, pairs in both.items():
        now, then = _mean_income(p[0] for p in pairs), _mean_income(p[1] for p in pairs)
        if now is not None and then:
            growth[county] = now / then - 1
    return growth


def assess(region: Region, year: int, *, user=None, poor_only: bool = False,
           village_codes=None) -> list[VillageResult]:
    """The assessment of every village under ``region`` (those ``user`` may see) for ``year``, by village code."""
    villages = Region.objects.filter(level=Level.VILLAGE, active=True).in_region(region.prefix)
    if user is not None:
        villages = villages.visible_to(user)
    if poor_only:
        villages = villages.filter(is_poor_village=True)
    if village_codes is not None:
        villages = villages.filter(code__in=list(village_codes))
    villages = list(villages.select_related("parent").order_by("code"))
    if not villages:
        return []
    codes = [v.code for v in villages]
    counties = sorted({c[:PREFIX_LENGTH[Level.COUNTY]] for c in codes})
    people = _people(codes, region.prefix)
    in_counties = Q()
    for county in counties:
        in_counties |= Q(village__code__startswith=county)
    data = {(r.village_id, r.year): r for r in VillageYear.objects.filter(in_counties, year__in=(year, year - 1))}
    computed_growth = _county_growth(data, year)
    answers = {(a.village_id, a.indicator_id): a for a in IndicatorAnswer.objects.filter(
        village_id__in=codes, year=year).prefetch_related("evidence")}
    checklists = indicators_for(codes)
    figures = Figures(year)
    return [_assess_one(v, year, people.get(v.code, (0, 0)), data, figures, computed_growth, checklists[v.code],
                        answers) for v in villages]


def assess_village(village: Region, year: int) -> VillageResult:
    return assess(village, year)[0]


def _assess_one(village, year, people, data, figures, computed_growth, checklist, answers) -> VillageResult:
    total, poor = people
    row = data.get((village.code, year))
    before = data.get((village.code, year - 1))
    reasons: list[str] = []

    # 贫困发生率
    entered = row is not None and row.rural_population is not None
    population = row.rural_population if entered else (total or None)
    limit_figure = figures.get(ParameterCode.INCIDENCE_LIMIT, village.code)
    limit = limit_figure.value if limit_figure else None
    incidence = Decimal(poor) / Decimal(population) if population else None
    source = (f"农业户籍人口{population}人（{year}年录入）" if entered else
              f"未录入{year}年农业户籍人口，暂按系统登记在册人口{population}人计算" if population else
              f"未录入{year}年农业户籍人口，系统也无在册人口")
    if limit is None:
        passed = False
        explanation = f"贫困发生率：未配置{year}年适用的贫困发生率上限，无法判定"
        reasons.append("未配置贫困发生率上限")
    elif incidence is None:
        passed = False
        explanation = f"贫困发生率：{source}，无法计算"
        reasons.append("缺少农业户籍人口，无法计算贫困发生率")
    else:
        passed = Decimal(poor) < limit * Decimal(population)
        where = "（西部地区标准）" if limit_figure.region_prefix and len(limit_figure.region_prefix) == 2 else ""
        explanation = (f"贫困发生率：未脱贫人口{poor}人 ÷ {source} = {percent(incidence)}，"
                       f"{'低于' if passed else '未低于'}上限{percent(limit)}{where}，"
                       f"{'达标' if passed else '不达标（等于上限也不达标）'}")
        if not passed:
            reasons.append(f"贫困发生率{percent(incidence)}，未低于{percent(limit)}")

    items = [_collective(village, year, row, figures, reasons),
             _growth(village, year, row, before, figures, computed_growth, reasons)]
    for indicator in checklist:
        given = answers.get((village.code, indicator.pk))
        met = given.met if given else None
        if met:
            text = f"{indicator.name}：已达标" + (f"（{given.note}）" if given.note else "")
        elif met is None:
            text = f"{indicator.name}：尚未填报"
        else:
            text = f"{indicator.name}：未达标" + (f"（{given.note}）" if given.note else "")
        if indicator.required and not met:
            reasons.append(f"{indicator.name}{'尚未填报' if met is None else '未达标'}")
        if not indicator.required:
            text += "（参考指标，不影响出列）"
        items.append(Item(indicator.code, indicator.name, "未填报" if met is None else "是" if met else "否",
                          indicator.required, bool(met), text, list(given.evidence.all()) if given else [],
                          given.note if given else "", given.pk if given else None))

    township = village.parent
    return VillageResult(
        village_code=village.code, village=village.name, township_code=village.parent_id or "",
        township=township.name if township else "", is_poor_village=village.is_poor_village,
        exit_year=village.exit_year, year=year, rural_population=population, population_entered=entered,
        remaining_poor=poor, incidence=incidence, limit=limit, incidence_passed=passed,
        incidence_explanation=explanation, items=items, reasons=reasons)


def _collective(village, year, row, figures, reasons) -> Item:
    minimum = figures.get(ParameterCode.COLLECTIVE_INCOME_MIN, village.code)
    income = row.collective_income if row else None
    name = "村集体经济收入"
    if minimum is None:
        text, passed = f"{name}：未配置下限，不考核", None
        return Item(COLLECTIVE, name, yuan(income), False, passed, text)
    if income is None:
        reasons.append(f"未录入{year}年村集体经济收入")
        return Item(COLLECTIVE, name, "未录入", True, False, f"{name}：未录入{year}年数据，不达标")
    passed = income >= minimum.value
    if not passed:
        reasons.append(f"村集体经济收入{yuan(income)}，低于{yuan(minimum.value)}")
    return Item(COLLECTIVE, name, f"{income:.2f}", True, passed,
                f"{name}：{yuan(income)}，{'达到' if passed else '低于'}下限{yuan(minimum.value)}，"
                f"{'达标' if passed else '不达标'}")


def _growth(village, year, row, before, figures, computed_growth, reasons) -> Item:
    name = "人均可支配收入增幅"
    rule = figures.get(ParameterCode.GROWTH_RULE, village.code)
    if rule is None or rule.value != 1:
        return Item(GROWTH, name, "不考核", False, None, f"{name}：本地不考核增幅")
    now = row.per_capita_income if row else None
    then = before.per_capita_income if before else None
    if now is None or not then:
        reasons.append(f"缺少{year - 1}年或{year}年人均可支配收入，无法计算增幅")
        return Item(GROWTH, name, "未录入", True, False,
                    f"{name}：需要{year - 1}年和{year}年的人均可支配收入，"
                    f"目前{year - 1}年{yuan(then)}、{year}年{yuan(now)}，不达标")
    growth = now / then - 1
    configured = figures.get(ParameterCode.COUNTY_GROWTH, village.code)
    county = configured.value if configured else computed_growth.get(village.code[:PREFIX_LENGTH[Level.COUNTY]])
    basis = "（县统计数据）" if configured else "（按全县各村录入数据测算）"
    if county is None:
        reasons.append("无法确定全县平均增幅")
        return Item(GROWTH, name, str(growth.quantize(FOUR, ROUND_HALF_UP)), True, False,
                    f"{name}：本村{percent(growth)}，未配置全县平均增幅且无法测算，不达标")
    passed = growth >= county
    if not passed:
        reasons.append(f"人均可支配收入增幅{percent(growth)}，低于全县平均{percent(county)}")
    return Item(GROWTH, name, str(growth.quantize(FOUR, ROUND_HALF_UP)), True, passed,
                f"{name}：{yuan(then)} → {yuan(now)}，增长{percent(growth)}，"
                f"{'不低于' if passed else '低于'}全县平均{percent(county)}{basis}，{'达标' if passed else '不达标'}")
