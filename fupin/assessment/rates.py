"""三率一度 of an assessment, per township and for the whole assessment, from the answers (docs/domain-facts.md §3.6).

- 漏评率 = 漏评人口 ÷ 抽查村未建档立卡人口. A surveyed household not on the register (at the draw) is 漏评 when an
  answer feeding 漏评 (应识别未识别) or 是否贫困 counts.
- 错退率 = 错退人口 ÷ 抽样脱贫人口 (the people of the surveyed exited households). An exited household is 错退 when an
  answer feeding 错退 (不符合退出标准) or 是否贫困 counts.
- 综合贫困发生率 = (剩余贫困人口 + 漏评人口 + 错退人口) ÷ 乡村总人口, the register's figures of the sampled villages at
  the draw.
- 群众认可度 = 认可户数 ÷ 调查户数 over the surveyed households that answered a recognition question; a household
  recognises when every recognition answer it gave counts.

Each figure is one aggregate query over the sample (households, villages); nothing is read row by row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Coalesce

from fupin.regions.models import Region

from . import services
from .choices import BELOW_GATE, Feed, Rate
from .models import Answer, AnswerSheet, Assessment, SampleHousehold, SampleVillage

HUNDRED = Decimal(100)
PLACES = Decimal("0.01")


def _answered(feeds, counts=None):
    answers = Answer.objects.filter(sheet__sample=OuterRef("pk"), question__feeds__in=feeds)
    return Exists(answers if counts is None else answers.filter(counts=counts))


def annotated(samples):
    """Sample households with their survey's outcome: is_surveyed, missed, wrong_exit, recognition_answered,
    recognises."""
    return samples.annotate(
        is_surveyed=Exists(AnswerSheet.objects.filter(sample=OuterRef("pk"))),
        found_poor=_answered([Feed.POOR], counts=True),
        says_missed=_answered([Feed.MISSED], counts=True),
        says_wrong=_answered([Feed.WRONG_EXIT], counts=True),
        recognition_answered=_answered([Feed.RECOGNITION]),
        recognition_refused=_answered([Feed.RECOGNITION], counts=False),
    )


MISSED = Q(registered=False) & (Q(says_missed=True) | Q(found_poor=True))
WRONG = Q(exited=True) & (Q(says_wrong=True) | Q(found_poor=True))


@dataclass
class Figure:
    rate: str
    numerator: int
    denominator: int
    gate: Decimal | None
    source: str = ""

    @property
    def label(self) -> str:
        return str(Rate(self.rate).label)

    @property
    def value(self) -> Decimal | None:
        if not self.denominator:
            return None
        return (Decimal(self.numerator) * HUNDRED / Decimal(self.denominator)).quantize(PLACES, ROUND_HALF_UP)

    @property
    def passed(self) -> bool | None:
        if self.value is None or self.gate is None:
            return None
        return self.value < self.gate if self.rate in BELOW_GATE else self.value >= self.gate

    @property
    def gate_text(self) -> str:
        if self.gate is None:
            return "未设置门槛"
        return f"{'<' if self.rate in BELOW_GATE else '≥'} {self.gate.normalize():f}%"

    @property
    def verdict(self) -> str:
        return {True: "达标", False: "未达标", None: "无数据" if self.gate is not None else "未设置门槛"}[self.passed]

    def as_dict(self) -> dict:
        return {"rate": self.rate, "label": self.label, "numerator": self.numerator, "denominator": self.denominator,
                "value": self.value, "gate": self.gate, "gate_text": self.gate_text, "passed": self.passed,
                "verdict": self.verdict}


@dataclass
class Result:
    code: str
    name: str
    county: bool
    sampled: int = 0
    surveyed: int = 0
    figures: list[Figure] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"region": self.code, "region_name": self.name, "is_total": self.county, "sampled": self.sampled,
                "surveyed": self.surveyed, "rates": {f.rate: f.as_dict() for f in self.figures}}


def _household_sums(samples):
    return dict(
        sampled=Count("pk"),
        surveyed=Count("pk", filter=Q(is_surveyed=True)),
        missed=Coalesce(Sum("people", filter=Q(is_surveyed=True) & MISSED), 0),
        wrong=Coalesce(Sum("people", filter=Q(is_surveyed=True) & WRONG), 0),
        exited_people=Coalesce(Sum("people", filter=Q(is_surveyed=True, exited=True)), 0),
        asked=Count("pk", filter=Q(is_surveyed=True, recognition_answered=True)),
        recognising=Count("pk", filter=Q(is_surveyed=True, recognition_answered=True, recognition_refused=False)),
    )


VILLAGE_SUMS = dict(rural=Coalesce(Sum("rural_people"), 0), unregistered=Coalesce(Sum("unregistered_people"), 0),
                    remaining=Coalesce(Sum("remaining_poor_people"), 0))


def results(assessment: Assessment, prefix: str = "") -> list[Result]:
    """One result per township of the sample (within ``prefix``, the account's region) and the total last."""
    samples = annotated(SampleHousehold.objects.filter(assessment=assessment).in_region(prefix))
    villages = SampleVillage.objects.filter(assessment=assessment).in_region(prefix)
    per_town = {row["township_code"]: row for row in
                samples.values("township_code").annotate(**_household_sums(samples)).order_by()}
    town_villages = {row["township_code"]: row for row in
                     villages.values("township_code").annotate(**VILLAGE_SUMS).order_by()}
    total_h = samples.aggregate(**_household_sums(samples))
    total_v = villages.aggregate(**VILLAGE_SUMS)
    codes = sorted(set(per_town) | set(town_villages))
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    gates = services.gates(assessment.year, assessment.region_id)
    out = []
    empty_h = {k: 0 for k in _household_sums(samples)}
    empty_v = {k: 0 for k in VILLAGE_SUMS}
    for code in codes:
        out.append(_result(code, names.get(code, code), False, per_town.get(code, empty_h),
                           town_villages.get(code, empty_v), gates))
    total_name = assessment.region.name if not prefix else "合计"
    out.append(_result(assessment.region_id, total_name, True, total_h, total_v, gates))
    return out


def _result(code, name, county, h, v, gates) -> Result:
    def figure(rate, numerator, denominator):
        g = gates[rate]
        return Figure(rate, int(numerator), int(denominator), g.value if g else None, g.source if g else "")

    return Result(code, name, county, sampled=h["sampled"], surveyed=h["surveyed"], figures=[
        figure(Rate.MISSED, h["missed"], v["unregistered"]),
        figure(Rate.WRONG_EXIT, h["wrong"], h["exited_people"]),
        figure(Rate.INCIDENCE, v["remaining"] + h["missed"] + h["wrong"], v["rural"]),
        figure(Rate.RECOGNITION, h["recognising"], h["asked"]),
    ])


@dataclass(frozen=True)
class Finding:
    """A household the survey found 漏评 or 错退: what ``oversight`` may turn into a problem (问题台账)."""

    sample_id: int
    household_id: int
    household_number: str
    head_name: str
    village_code: str
    township_code: str
    kind: str  # Rate.MISSED or Rate.WRONG_EXIT
    people: int
    surveyed_on: object
    enumerator_id: int | None

    @property
    def kind_label(self) -> str:
        return {Rate.MISSED: "漏评", Rate.WRONG_EXIT: "错退"}[self.kind]


def findings_queryset(assessment: Assessment, prefix: str = ""):
    return (annotated(SampleHousehold.objects.filter(assessment=assessment).in_region(prefix))
            .filter(Q(is_surveyed=True) & (MISSED | WRONG)).select_related("household", "sheet")
            .order_by("township_code", "village_id", "household__number"))


def findings(assessment: Assessment, prefix: str = "") -> list[Finding]:
    """The households found 漏评 or 错退 in an assessment (one query)."""
    return [Finding(s.pk, s.household_id, s.household.number, s.household.head_name, s.village_id, s.township_code,
                    Rate.MISSED if not s.registered else Rate.WRONG_EXIT, s.people, s.sheet.surveyed_on,
                    s.sheet.enumerator_id) for s in findings_queryset(assessment, prefix)]
