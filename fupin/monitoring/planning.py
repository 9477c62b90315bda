"""From configuration to an engine plan: which rules apply where, and the lines and parameters of each county.

Parameters and lines are resolved per county (the most specific of county, city, province, national wins, and a
figure for the exact year wins over one for every year), so one set-based statement serves a whole province
whose counties use different thresholds.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from fupin.core.scope import code_range
from fupin.procedures import lines
from fupin.procedures.models import LineKind
from fupin.regions.models import PREFIX_LENGTH, Level, Region, applies_to, specificity

from . import engine, explain
from .defaults import DEFAULTS
from .models import Parameter, Rule

COUNTY_DIGITS = PREFIX_LENGTH[Level.COUNTY]


def _rank(parameter: Parameter) -> tuple[int, int]:
    return (specificity(parameter), 1 if parameter.year is not None else 0)


def resolve_parameters(codes, year: int, county_code: str) -> dict[str, Decimal | None]:
    """code → value for one county (None when not configured)."""
    return resolve_for_counties(codes, year, [county_code])[county_code[:COUNTY_DIGITS]]


def resolve_for_counties(codes, year: int, county_codes) -> dict[str, dict[str, Decimal | None]]:
    codes = list(codes)
    counties = [c[:COUNTY_DIGITS] for c in county_codes]
    candidates = list(
        Parameter.objects.filter(code__in=codes).filter(Q(year=year) | Q(year__isnull=True)).select_related("region")
    )
    resolved = {}
    for county in counties:
        values = {}
        for code in codes:
            best = _best(candidates, code, county)
            values[code] = best.value if best else None
        resolved[county] = values
    return resolved


def _best(candidates, code: str, county: str) -> Parameter | None:
    return max((p for p in candidates if p.code == code and applies_to(p, county)), key=_rank, default=None)


def parameter_row(code: str, year: int, region_code: str) -> Parameter | None:
    """The row a county's value of ``code`` comes from (to name its region and year), or None."""
    candidates = Parameter.objects.filter(code=code).filter(Q(year=year) | Q(year__isnull=True)).select_related("region")
    return _best(list(candidates), code, region_code[:COUNTY_DIGITS])


def parameter(code: str, year: int, region_code: str):
    """The value for the region and year, or the installed default (``defaults.DEFAULTS``) where no row applies."""
    return or_default(code, resolve_parameters([code], year, region_code)[code])


def or_default(code: str, value):
    return DEFAULTS[code] if value is None else value


def policy_values(codes, year: int, region_code: str) -> dict:
    """code → value for the region's county and year, defaults filled in: the resolver ``procedures.policy`` asks."""
    return {code: or_default(code, value) for code, value in resolve_parameters(codes, year, region_code).items()}


def counties_in(prefix: str) -> list[str]:
    """The 6-digit codes of the counties a run over ``prefix`` touches."""
    if len(prefix) >= COUNTY_DIGITS:
        return [prefix[:COUNTY_DIGITS]]
    low, high = code_range(prefix)
    codes = Region.objects.filter(level=Level.COUNTY, code__gte=low, code__lte=high).values_list("code", flat=True)
    return [c[:COUNTY_DIGITS] for c in codes]


def county_values(codes, year: int, prefix: str) -> tuple[dict[str, dict], list[str]]:
    """Per county: the monitoring line, the poverty line and the parameters; plus warnings for missing lines."""
    counties = counties_in(prefix)
    values = resolve_for_counties(list(dict.fromkeys([*codes, *engine.POLICY_CODES])), year, counties)
    warnings = []
    for county in counties:
        full = county.ljust(12, "0")
        monitoring = lines.resolve(LineKind.MONITORING, year, full)
        poverty = lines.resolve(LineKind.POVERTY, year, full)
        values[county]["monitoring_line"] = monitoring.amount if monitoring else None
        values[county]["poverty_line"] = poverty.amount if poverty else None
        if monitoring is None:
            warnings.append(f"{county}：{missing_line_message(year)}；涉及监测范围的规则在该县不触发")
        missing = [c for c in codes if values[county][c] is None]
        if missing:
            labels = explain.parameter_labels()
            names = "、".join(f"“{labels[c][0] if c in labels else c}”" for c in missing)
            warnings.append(f"{county}：未设置参数{names}，使用这些参数的规则在该县不触发")
    return values, warnings


def missing_line_message(year: int) -> str:
    return f"{year}年度未设置防返贫监测范围，请先在标准管理中设置"


def ensure_monitoring_line(year: int, region_code: str) -> None:
    """Refuse a monitoring run when no county in scope has a monitoring range for the year: every rule reading the
    line would stay silent, and an empty run would look like a county without risks."""
    prefix = Region.objects.get(code=region_code).prefix
    counties = counties_in(prefix) or [prefix[:COUNTY_DIGITS]]
    if not any(lines.resolve(LineKind.MONITORING, year, county.ljust(12, "0")) for county in counties):
        raise ValidationError(missing_line_message(year))


def _grading(text: str) -> engine.Condition | None:
    return engine.validate(text) if (text or "").strip() else None


def _overlaps(rule_prefix: str, prefix: str) -> bool:
    return rule_prefix.startswith(prefix) or prefix.startswith(rule_prefix)


def plan_rules(family: str, year: int, prefix: str, *, conditions=None) -> list[engine.PlanRule]:
    """The enabled rules of a family for the year, each guarded to its region minus more specific overrides.

    A disabled regional rule still overrides: a county that switches a national rule off has its own disabled copy.
    ``conditions`` (rule code → condition) replaces the configured condition of those rules (a what-if scenario).
    """
    conditions = conditions or {}
    rules = [
        r for r in Rule.objects.filter(family=family).select_related("region").order_by("code", "id")
        if r.applies_to_year(year)
    ]
    prefixes = {r.pk: (r.region.prefix if r.region_id else "") for r in rules}
    planned = []
    for rule in rules:
        own = prefixes[rule.pk]
        if not rule.enabled or not _overlaps(own, prefix):
            continue
        overrides = tuple(
            prefixes[o.pk] for o in rules
            if o.code == rule.code and o.pk != rule.pk and prefixes[o.pk].startswith(own) and prefixes[o.pk] != own
        )
        planned.append(engine.PlanRule(
            rule.code, engine.validate(conditions.get(rule.code, rule.condition)), own, overrides, rule.severity,
            heavier=_grading(rule.heavier_condition), severe=_grading(rule.severe_condition),
        ))
    return planned


def build_plan(family: str, region_code: str, year: int, *, household_ids=(), exclude_monitored=False,
               overrides=None, conditions=None):
    """The plan of a run. A what-if scenario passes ``overrides`` (code → value for every county in scope:
    ``monitoring_line``, ``poverty_line`` or a parameter code) and ``conditions`` (see ``plan_rules``) in place of
    the live configuration."""
    prefix = Region.objects.get(code=region_code).prefix
    rules = plan_rules(family, year, prefix, conditions=conditions)
    codes = list(dict.fromkeys(p for r in rules for p in r.parameters))
    counties, warnings = county_values(codes, year, prefix)
    for values in counties.values():
        values.update(overrides or {})
    plan = engine.Plan(
        prefix=prefix, year=year, rules=rules, counties=counties, today=timezone.localdate(),
        household_ids=tuple(household_ids), exclude_monitored=exclude_monitored,
    )
    return plan, warnings


def household_facts(household, year: int) -> dict:
    """The household's row of the facts table for the year (lines of its county included)."""
    counties, _warnings = county_values([], year, household.village_id[:COUNTY_DIGITS])
    plan = engine.Plan(
        prefix=household.village_id, year=year, rules=[], counties=counties, today=timezone.localdate(),
        household_ids=(household.pk,),
    )
    rows = engine.facts_rows(plan)
    return rows[0] if rows else {}
