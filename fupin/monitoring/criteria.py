"""Preconditions of the monitoring procedures, stated in Chinese with the figures behind them.

Both read the household's row of the facts table (``engine.FACTS``), the same figures the rules see.

* 监测对象认定: the household is not already monitored; the kind fits its 户类型 (``registry.choices.KINDS_FOR_TYPE``:
  脱贫不稳定户 a 脱贫户 within the monitoring line; 边缘易致贫户 a 一般农户 within the line; 突发严重困难户 either, above
  the line but hit by rigid spending or an income collapse; never an unexited 贫困户); one to five risk types.
* 风险消除: per-capita income above the year's monitoring line, and above it in every dated income check (收入核查)
  for at least the configured number of months (``elimination_stable_months``, default in ``defaults.PARAMETERS``),
  counted from the first check after the last one at or below the line, with no new risk event in that time;
  两不愁三保障 and drinking water secure this year; every member with 基本医疗保险 and 大病保险, and every member of
  working age with 城乡居民基本养老保险 (``procedures.checks.insurance_problems``, the ages of ``procedures.policy``,
  seed 001_0bb7bab9b073102f.txt); and a household with nobody able to work stays monitored (暂不标注风险消除).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fupin.procedures import policy
from fupin.procedures.checks import CheckResult, insurance_problems, yuan
from fupin.registry.services import monitoring_kind_refusal

from . import planning
from .defaults import ELIMINATION_MONTHS
from .models import (
    MAX_RISKS,
    EliminationMethod,
    IncomeCheck,
    MonitoredHousehold,
    MonitoredKind,
    MonitoredStatus,
    RiskEvent,
    RiskType,
)


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


def _facts(result: CheckResult, household, year: int) -> dict:
    facts = planning.household_facts(household, year)
    result.figures["facts"] = {
        k: facts.get(k) for k in ("per_capita_income", "per_capita_income_last", "income_change_pct",
                                  "monitoring_line", "security_unmet", "able_to_work")
    }
    if facts.get("monitoring_line") is None:
        result.problems.append(f"未设置{year}年度防返贫监测范围，请管理员先在“扶贫标准”中录入")
    return facts


def inclusion_check(household, year: int, details: dict) -> CheckResult:
    result = CheckResult()
    current = MonitoredHousehold.objects.filter(household=household, status=MonitoredStatus.MONITORING).first()
    if current is not None:
        result.problems.append(f"该户已是监测对象（{current.get_kind_display()}，{current.identified_on:%Y-%m-%d}纳入）")
    kind = details.get("kind")
    if kind not in MonitoredKind.values:
        result.problems.append("请选择监测对象类别（脱贫不稳定户、边缘易致贫户或突发严重困难户）")
    elif refusal := monitoring_kind_refusal(household, kind):
        result.problems.append(refusal)
    risks = details.get("risks") or []
    if not risks:
        result.problems.append("请至少选择一项风险类型")
    elif len(risks) > MAX_RISKS:
        result.problems.append("风险类型最多选择五项")
    elif any(r not in RiskType.values for r in risks):
        result.problems.append("风险类型代码无效")
    facts = _facts(result, household, year)
    income, line = facts.get("per_capita_income"), facts.get("monitoring_line")
    if kind in (MonitoredKind.UNSTABLE, MonitoredKind.EDGE) and line is not None:
        if income is None:
            result.problems.append(f"缺少{year}年度收支测算，无法判断是否在监测范围内，请先录入")
        elif income >= line:
            result.problems.append(
                f"人均纯收入{yuan(income)}元，不低于{year}年监测范围{yuan(line)}元；"
                "收入在监测范围以上但因刚性支出或收入骤减陷入困难的，请选择突发严重困难户"
            )
    return result


def whole_months(start: dt.date, end: dt.date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if add_months(start, months) > end else months


def _income_stability(result: CheckResult, monitored, line, months: int, today: dt.date) -> str:
    """How long income has stayed above the line by the dated income checks since identification: from the first
    check after the last one at or below the line (docs/domain-facts.md §2.2, §10: stable for at least 6 months)."""
    checks = IncomeCheck.objects.filter(household_id=monitored.household_id, checked_on__gte=monitored.identified_on,
                                        checked_on__lte=today).order_by("checked_on", "id")
    since = last_below = None
    for check in checks:
        if check.per_capita_income > line:
            since = since or check.checked_on
        else:
            since, last_below = None, check
    stable = whole_months(since, today) if since else 0
    result.figures["income_stable_since"] = since.isoformat() if since else None
    result.figures["income_stable_months"] = stable
    if since is not None and stable >= months:
        return ""
    prefix = f"收入稳定超过监测范围未满{months}个月"
    if since is None:
        return (f"{prefix}：纳入监测（{monitored.identified_on:%Y-%m-%d}）以来没有高于监测范围{yuan(line)}元的收入核查记录，"
                "请先登记收入核查（核查日期和近12个月人均纯收入）")
    below = f"，{last_below.checked_on:%Y-%m-%d}核查时为{yuan(last_below.per_capita_income)}元" if last_below else ""
    return f"{prefix}：自{since:%Y-%m-%d}起收入核查高于监测范围{yuan(line)}元，仅{stable}个月{below}"


def elimination_check(household, year: int, details: dict) -> CheckResult:
    result = CheckResult()
    monitored = MonitoredHousehold.objects.filter(household=household, status=MonitoredStatus.MONITORING).first()
    if monitored is None:
        result.problems.append("该户不是监测对象，不需办理风险消除")
    if details.get("method") not in EliminationMethod.values:
        result.problems.append("请选择风险消除方式（帮扶消除或自然消除）")
    facts = _facts(result, household, year)
    income, line = facts.get("per_capita_income"), facts.get("monitoring_line")
    if income is None:
        result.problems.append(f"缺少{year}年度收支测算，请先录入")
    elif line is not None and income <= line:
        result.problems.append(f"人均纯收入{yuan(income)}元，未稳定超过{year}年监测范围{yuan(line)}元")
    if facts.get("security_unmet") is None:
        result.problems.append(f"缺少{year}年度“两不愁三保障”及饮水安全核查，请先录入")
    elif facts["security_unmet"] > 0:
        result.problems.append(f"两不愁三保障及饮水安全有{facts['security_unmet']}项未达标")
    insurance_problems(result, household, year, policy.ages(year, household.village_id))
    if monitored is not None:
        months = int(planning.parameter(ELIMINATION_MONTHS, year, household.village_id))
        today = timezone.localdate()
        stable_since = add_months(today, -months)
        result.figures["stable_months"] = months
        if line is not None:
            problem = _income_stability(result, monitored, line, months, today)
            if problem:
                result.problems.append(problem)
        recent = RiskEvent.objects.filter(household=household, date__gt=stable_since).order_by("-date").first()
        if recent is not None:
            result.problems.append(f"近{months}个月内仍有风险事件（{recent}），风险尚未稳定消除")
        if monitored.no_work_capacity or not facts.get("able_to_work"):
            result.problems.append("整户无劳动能力，落实兜底保障后仍继续监测，暂不标注风险消除")
        if details.get("method") == EliminationMethod.ASSISTED and not monitored.measures.exists():
            result.problems.append("帮扶消除须已落实帮扶措施；未落实措施的请选择自然消除")
    return result
