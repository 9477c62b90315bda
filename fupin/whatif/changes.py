"""What a scenario may change, where the live value comes from, and how an adopted change is written — always
through the owning app's resolver and service (procedures.lines, monitoring.planning/services, sectors.figures/
services), never a second copy of their rules."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

from fupin.monitoring import engine, planning
from fupin.monitoring import services as monitoring
from fupin.monitoring.models import Family, Parameter, Rule
from fupin.procedures import lines
from fupin.procedures.models import LineKind, PovertyLine
from fupin.regions.models import applies_to, most_specific
from fupin.sectors import figures
from fupin.sectors import services as sectors
from fupin.sectors.choices import FIGURE_UNITS, Figure
from fupin.sectors.models import PolicyFigure

from .models import ScenarioChange, ScenarioChangeKind

LINE_KINDS = {ScenarioChangeKind.POVERTY_LINE: LineKind.POVERTY, ScenarioChangeKind.MONITORING_LINE: LineKind.MONITORING}
# The engine's names of the two lines in a plan's county values (monitoring.engine.Plan.counties).
LINE_CODES = {ScenarioChangeKind.POVERTY_LINE: "poverty_line", ScenarioChangeKind.MONITORING_LINE: "monitoring_line"}


@dataclass(frozen=True)
class Live:
    """The value the county runs on today: a number (lines, parameters, figures) or a rule's condition, and the
    row it comes from in Chinese."""

    value: Decimal | None
    condition: str
    source: str

    def as_json(self) -> dict:
        return {"value": None if self.value is None else str(self.value), "condition": self.condition,
                "source": self.source}


def shown(value) -> str:
    """A value as county staff read it: 7,000 or 4,812.50, a condition as written, “未设置” when missing."""
    if value is None or value == "":
        return "未设置"
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    return f"{number:,.0f}" if number == number.to_integral() else f"{number:,.2f}"


def parameter_names() -> dict[str, str]:
    """Monitoring parameter code → name (the national default's name, else any row's)."""
    return _names(Parameter.objects.all())


def rule_names() -> dict[str, str]:
    """Monitoring rule code → name (the national rule's name, else any row's)."""
    return _names(Rule.objects.filter(family=Family.MONITORING))


def _names(queryset) -> dict[str, str]:
    names: dict[str, str] = {}
    for code, name, region in queryset.order_by("code", "id").values_list("code", "name", "region"):
        if region is None or code not in names:
            names[code] = name
    return names


def target_choices(kind: str) -> list[tuple[str, str]]:
    if kind == ScenarioChangeKind.PARAMETER:
        return sorted(parameter_names().items(), key=lambda item: item[0])
    if kind == ScenarioChangeKind.RULE:
        return [(code, f"{code} {name}") for code, name in sorted(rule_names().items())]
    if kind == ScenarioChangeKind.FIGURE:
        return list(Figure.choices)
    return []


def label(change: ScenarioChange) -> str:
    """The change in Chinese, as county staff read it."""
    kind = str(ScenarioChangeKind(change.kind).label)
    if change.kind == ScenarioChangeKind.PARAMETER:
        return f"{kind}：{parameter_names().get(change.target, change.target)}"
    if change.kind == ScenarioChangeKind.RULE:
        return f"{kind}：{change.target} {rule_names().get(change.target, '')}".rstrip()
    if change.kind == ScenarioChangeKind.FIGURE:
        return f"{kind}：{Figure(change.target).label}" if change.target in Figure.values else kind
    return kind


def unit(change: ScenarioChange) -> str:
    if change.kind in LINE_KINDS:
        return "元/人·年"
    if change.kind == ScenarioChangeKind.FIGURE:
        return FIGURE_UNITS.get(change.target, "")
    if change.kind == ScenarioChangeKind.PARAMETER:
        row = Parameter.objects.filter(code=change.target).exclude(unit="").first()
        return row.unit if row else ""
    return ""


def governing_rule(code: str, county_code: str) -> Rule | None:
    """The monitoring rule of that code the county runs (its own, else the nearest region's, else national)."""
    rows = [r for r in Rule.objects.filter(family=Family.MONITORING, code=code).select_related("region")
            if applies_to(r, county_code)]
    return most_specific(rows)


def _region_name(row) -> str:
    return row.region.name if row.region_id else "全国默认"


def live(change: ScenarioChange, county_code: str, year: int) -> Live:
    if change.kind in LINE_KINDS:
        line = lines.resolve(LINE_KINDS[change.kind], year, county_code)
        return Live(None, "", f"未设置{year}年度{ScenarioChangeKind(change.kind).label}") if line is None else \
            Live(line.amount, "", f"{year}年{line.source}")
    if change.kind == ScenarioChangeKind.PARAMETER:
        row = planning.parameter_row(change.target, year, county_code)
        if row is None:
            return Live(None, "", "未设置该参数")
        return Live(row.value, "", f"{_region_name(row)}{'，' + str(row.year) + '年' if row.year else '，各年度通用'}"
                                   f"{('（' + row.note + '）') if row.note else ''}")
    if change.kind == ScenarioChangeKind.RULE:
        rule = governing_rule(change.target, county_code)
        if rule is None:
            return Live(None, "", "没有该代码的监测规则")
        return Live(None, rule.condition, f"{_region_name(rule)}规则“{rule.name}”{'' if rule.enabled else '（已停用）'}")
    try:
        row = figures.row(change.target, year, county_code)
    except ValidationError as exc:
        return Live(None, "", exc.messages[0])
    return Live(row.value, "", f"{_region_name(row)}{'，自' + str(row.year) + '年起' if row.year else ''}：{row.source}")


def clean(change: ScenarioChange) -> None:
    """Field errors in Chinese: the target must exist, a number must be positive, a condition must be one the
    monitoring engine accepts over known parameters."""
    errors = {}
    if change.kind in LINE_KINDS:
        change.target, change.condition = "", ""
    elif change.kind == ScenarioChangeKind.PARAMETER and change.target not in parameter_names():
        errors["target"] = "请选择要调整的监测参数"
    elif change.kind == ScenarioChangeKind.RULE and change.target not in rule_names():
        errors["target"] = "请选择要调整的监测规则"
    elif change.kind == ScenarioChangeKind.FIGURE and change.target not in Figure.values:
        errors["target"] = "请选择要调整的政策标准"
    if change.kind == ScenarioChangeKind.RULE:
        change.value = None
        try:
            condition = engine.validate(change.condition)
        except engine.ConditionError as exc:
            errors["condition"] = str(exc)
        else:
            known = set(Parameter.objects.filter(code__in=condition.parameters).values_list("code", flat=True))
            unknown = [p for p in condition.parameters if p not in known]
            if unknown:
                errors["condition"] = f"未定义的参数 :{'、:'.join(unknown)}，请先在“监测参数”中设置"
    else:
        change.condition = ""
        if change.value is None:
            errors["value"] = "请填写模拟取值"
        elif change.value < 0 or (change.kind in LINE_KINDS and change.value == 0):
            errors["value"] = "模拟取值必须大于0" if change.kind in LINE_KINDS else "模拟取值不能为负数"
    if errors:
        raise ValidationError(errors)


def adopt(change: ScenarioChange, county, year: int, *, acting_user, channel, note: str):
    """Write the change into the county's live configuration through the owning service (which checks the account
    may configure it and audits the row with its before and after)."""
    if change.kind in LINE_KINDS:
        kind = LINE_KINDS[change.kind]
        row = (PovertyLine.objects.filter(kind=kind, year=year, region=county).first()
               or PovertyLine(kind=kind, year=year, region=county, document=note[:200]))
        row.amount = change.value
        return lines.save_line(row, acting_user=acting_user, channel=channel)
    if change.kind == ScenarioChangeKind.PARAMETER:
        row = Parameter.objects.filter(code=change.target, year=year, region=county).first()
        if row is None:
            model = planning.parameter_row(change.target, year, county.code)
            row = Parameter(code=change.target, year=year, region=county, name=model.name if model else change.target,
                            unit=model.unit if model else "", note=note[:200])
        row.value = change.value
        return monitoring.save_parameter(row, acting_user=acting_user, channel=channel)
    if change.kind == ScenarioChangeKind.RULE:
        row = Rule.objects.filter(family=Family.MONITORING, code=change.target, region=county).first()
        if row is None:
            row = monitoring.override_rule(governing_rule(change.target, county.code), county)
        row.condition = change.condition
        return monitoring.save_rule(row, acting_user=acting_user, channel=channel)
    row = (PolicyFigure.objects.filter(code=change.target, year=year, region=county).first()
           or PolicyFigure(code=change.target, year=year, region=county, source=note[:300]))
    row.value = change.value
    return sectors.save_config(row, acting_user=acting_user, channel=channel)
