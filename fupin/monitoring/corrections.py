"""Correcting a risk elimination on the procedures engine: 风险再标注 and 风险消除回退.

* 风险再标注: a household whose risk was eliminated meets a new risk. Its last monitoring record stays as it was
  (the history of both periods is kept) and approval makes a new monitored household with the new risks, checked
  as an inclusion is (category against the 户类型, one to five risk types, income against the monitoring range).
* 风险消除回退: an elimination approved in error is rolled back within the configured window
  (``elimination_rollback_days``, a monitoring parameter per year and region) counted from the elimination to the
  request. Approval restores the record to 监测帮扶中 as it was before the elimination; the elimination procedure
  stays in the record and in the rollback's details.

Both need a reason, run village → township → county with a village notice (steps are data, monitoring migration
0007), are re-checked at final approval and audited, and the register's 监测对象类别 follows
(``registry.services.set_monitoring_kind``).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from fupin.audit.services import record_change, snapshot
from fupin.core.scope import in_scope
from fupin.procedures import services as procedures
from fupin.procedures.checks import CheckResult
from fupin.procedures.models import Status as ProcedureStatus
from fupin.registry.services import set_monitoring_kind

from . import planning
from .criteria import inclusion_check
from .models import REFLAG, ROLLBACK, MonitoredHousehold, MonitoredStatus
from .services import default_year, ensure_can_verify, include_household

ROLLBACK_DAYS = "elimination_rollback_days"


def latest_record(household) -> MonitoredHousehold | None:
    return MonitoredHousehold.objects.filter(household=household).order_by("-identified_on", "-id").first()


def _eliminated(latest: MonitoredHousehold | None, matter: str) -> list[str]:
    if latest is None:
        return [f"该户未曾纳入监测，不能办理{matter}；新出现风险的请办理监测对象认定"]
    if latest.status == MonitoredStatus.MONITORING:
        return [f"该户正在监测帮扶中（{latest.get_kind_display()}，{latest.identified_on:%Y-%m-%d}纳入），不能办理{matter}"]
    return []


def rollback_problems(latest: MonitoredHousehold | None, year: int, on: dt.date) -> tuple[list[str], dict]:
    """Why the latest elimination cannot be rolled back on ``on``, and the figures the answer rests on."""
    problems = _eliminated(latest, "风险消除回退")
    if problems:
        return problems, {}
    figures = {"monitored": latest.pk, "eliminated_on": latest.eliminated_on.isoformat() if latest.eliminated_on
               else None, "elimination_procedure": latest.elimination_procedure_id}
    if latest.elimination_procedure_id is None or latest.eliminated_on is None:
        problems.append("该户的风险消除不是经风险消除程序审定的，没有可回退的审定结果")
        return problems, figures
    days = planning.resolve_parameters([ROLLBACK_DAYS], year, latest.village_id)[ROLLBACK_DAYS]
    if days is None:
        problems.append("未设置“风险消除回退期限”参数，请管理员先在“监测参数”中设置")
        return problems, figures
    figures["rollback_days"] = int(days)
    elapsed = (on - latest.eliminated_on).days
    if elapsed > days:
        problems.append(
            f"风险消除于{latest.eliminated_on:%Y-%m-%d}审定，已过{int(days)}天的回退期限（已{elapsed}天），"
            "不能回退；风险重新出现的请办理风险再标注"
        )
    return problems, figures


def reflag_check(household, year: int, details: dict) -> CheckResult:
    latest = latest_record(household)
    problems = _eliminated(latest, "风险再标注")
    result = inclusion_check(household, year, details)
    result.problems[:0] = problems
    if latest is not None:
        result.figures["previous"] = latest.pk
    return result


def rollback_check(household, year: int, details: dict) -> CheckResult:
    result = CheckResult()
    requested = details.get("requested_on")
    on = dt.date.fromisoformat(requested) if requested else timezone.localdate()
    latest = latest_record(household)
    problems, figures = rollback_problems(latest, year, on)
    if not problems and details.get("monitored") not in (None, latest.pk):
        problems.append("只能回退该户最近一次风险消除")
    result.problems, result.figures = problems, figures
    return result


# --- outcomes (called by the procedures engine at final approval) -------------------------------------------------

def reflag(procedure, household, result, *, acting_user, channel, note) -> MonitoredHousehold:
    """A new monitored household with the new risks; the eliminated record stays as history."""
    return include_household(procedure, household, result, acting_user=acting_user, channel=channel, note=note)


def roll_back(procedure, household, result, *, acting_user, channel, note) -> MonitoredHousehold:
    """The eliminated record back to 监测帮扶中, as it stood before the elimination."""
    monitored = MonitoredHousehold.objects.select_for_update().get(pk=result.figures["monitored"])
    before = snapshot(monitored)
    monitored.status, monitored.eliminated_on = MonitoredStatus.MONITORING, None
    monitored.elimination_method, monitored.elimination_procedure = "", None
    monitored.save()
    record_change(monitored, before=before, acting_user=acting_user, channel=channel, note=note)
    set_monitoring_kind(household, monitored.kind, acting_user=acting_user, channel=channel, note=note)
    return monitored


# --- starting them (page and API) ----------------------------------------------------------------------------------

def _reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": f"请填写{what}"})
    return reason


@transaction.atomic
def start_reflag(monitored: MonitoredHousehold, *, risks: list[str], kind: str = "", reason: str, acting_user,
                 channel):
    """风险再标注 from an eliminated record's page; the category stays the previous one unless another is given."""
    ensure_can_verify(acting_user, monitored.village_id)
    reason = _reason(reason, "风险再标注的原因（重新出现的风险情况）")
    details = {"kind": kind or monitored.kind, "risks": list(risks), "previous": monitored.pk}
    return procedures.start_procedure(REFLAG, monitored.household, year=default_year(), details=details,
                                      reason=reason, acting_user=acting_user, channel=channel)


@transaction.atomic
def start_rollback(monitored: MonitoredHousehold, *, reason: str, acting_user, channel):
    """风险消除回退 of the household's latest elimination; the window is counted to today, the day of the request."""
    ensure_can_verify(acting_user, monitored.village_id)
    reason = _reason(reason, "回退原因（原风险消除认定有误的情况）")
    details = {"monitored": monitored.pk, "elimination_procedure": monitored.elimination_procedure_id,
               "requested_on": timezone.localdate().isoformat()}
    return procedures.start_procedure(ROLLBACK, monitored.household, year=default_year(), details=details,
                                      reason=reason, acting_user=acting_user, channel=channel)


def may_start(user, kind: str, monitored: MonitoredHousehold) -> bool:
    """Whether the page offers ``kind`` for this record: the precondition can hold (the record is the household's
    latest and eliminated, and for a rollback still within the window) and the account starts the kind's chain."""
    if not (user.can_write and in_scope(user, monitored.village_id)):
        return False
    if monitored.status != MonitoredStatus.ELIMINATED or latest_record(monitored.household) != monitored:
        return False
    if monitored.household.procedures.filter(status=ProcedureStatus.IN_PROGRESS).exists():
        return False
    if kind == ROLLBACK and rollback_problems(monitored, default_year(), timezone.localdate())[0]:
        return False
    definition = procedures.resolve_definition(kind, monitored.village_id)
    first = definition.steps.order_by("order").first() if definition is not None else None
    return first is not None and procedures.user_level(user) == first.actor_level

