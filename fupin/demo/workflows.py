"""The demo's procedures: in the demo accounts' villages, one household at each stage of every chain (识别纳入,
脱贫退出, 返贫纳入, 自然变更, 监测对象认定, 风险消除) — started, in a published notice, approved, rejected — and two
stable 脱贫户 whose policies the county ended, made by the procedures and monitoring services with the demo accounts
of each level, so every row obeys the real rules.

The chains are replayed over the past weeks (``on``): a notice step can pass only once its notice period is over,
so the services are shown the day each act happened. The steps are walked as configured (``ProcedureDefinition``):
attachments as required, a notice or announcement published at every notice step.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Exists, OuterRef
from django.utils import timezone

from fupin.accounts.models import Role, User
from fupin.audit.models import Channel
from fupin.monitoring import services as monitoring
from fupin.monitoring.models import (
    ELIMINATION,
    INCLUSION,
    Alert,
    AlertStatus,
    EliminationMethod,
    IncomeCheck,
    MonitoredHousehold,
    MonitoredStatus,
)
from fupin.procedures import lines, notices, services
from fupin.procedures.models import Decision, Kind, LineKind, Procedure
from fupin.procedures.models import Status as ProcedureStatus
from fupin.regions.models import Level
from fupin.registry.choices import HouseholdCategory, HouseholdStatus, HouseholdType, MonitoringKind, Relation
from fupin.registry.models import Household

PAGE = Channel.PAGE
STAGES = ("approved", "rejected", "notice", "started")
# How many days ago each stage's procedure was started: approved ones have walked every notice period since.
STARTED_DAYS_AGO = {"approved": 75, "rejected": 30, "notice": 3, "started": 1}
REJECTION = "经乡镇入户核实，该户情况与申请不符，不予通过"
STABLE_DAYS = 240  # the income checks of the last eight months, past the six the elimination rule asks for
POLICY_END_DAYS_AGO, POLICY_ENDS = 20, 2  # stable 脱贫户 no longer enjoying the policies (退出享受政策台账)
POLICY_END_REASON = "县政府关于过渡期稳定脱贫户退出享受政策的决定（演示）"
CANDIDATES = 20  # households tried per village and stage before the next village is tried
REMOVALS = ("marriage_out", "move_out", "death", "marriage_out")


@contextlib.contextmanager
def on(day: dt.date):
    """Let the services (and the audit trail) see ``day`` as today, at the present time of day."""
    real = timezone.now
    shift = dt.datetime.combine(day, dt.time()) - dt.datetime.combine(timezone.localdate(), dt.time())
    timezone.now = lambda: real() + shift
    try:
        yield
    finally:
        timezone.now = real


@dataclass
class Actors:
    """The demo account of each level over one village."""

    by_level: dict[int, User]

    @property
    def village(self) -> User:
        return self.by_level[Level.VILLAGE]


def village_actors() -> list[Actors]:
    accounts = {u.username: u for u in User.objects.select_related("region__parent")}
    county = next(u for u in accounts.values() if u.role == Role.COUNTY and u.can_write)
    townships = {u.region_id: u for u in accounts.values() if u.role == Role.TOWNSHIP}
    return [
        Actors({Level.VILLAGE: user, Level.TOWNSHIP: townships[user.region.parent_id], Level.COUNTY: county})
        for user in sorted(accounts.values(), key=lambda u: u.username)
        if user.role == Role.VILLAGE and user.region.parent_id in townships
    ]


def _attachment(kind: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{kind}.pdf", b"%PDF-1.4\n% fupin demo\n", content_type="application/pdf")


def _publish(procedure: Procedure, step, user, day: dt.date) -> None:
    notice = notices.create_notice(
        kind=step.notice_kind, procedures=[procedure], start_date=day,
        end_date=day + dt.timedelta(days=step.notice_days - 1), acting_user=user, channel=PAGE,
    )
    notices.publish_notice(notice, acting_user=user, channel=PAGE)


def walk(procedure: Procedure, actors: Actors, day: dt.date, stage: str) -> Procedure:
    """Take a started procedure to its stage: passed to the end, rejected at the first step above the village, or
    left in its first notice (published today or just before); a chain without notices passes to the end there.
    A ``started`` one stays at its first step."""
    if stage == "started":
        return procedure
    today = timezone.localdate()
    while procedure.is_open:
        day = min(day, today)
        step = procedure.steps.get(order=procedure.current_order)
        user = actors.by_level[step.actor_level]
        with on(day):
            if stage == "rejected" and step.actor_level != Level.VILLAGE:
                return services.decide(procedure, Decision.REJECT, comment=REJECTION, acting_user=user, channel=PAGE)
            for kind in step.required_kinds:
                services.add_attachment(procedure, kind, _attachment(kind), acting_user=user, channel=PAGE)
            if step.is_notice:
                _publish(procedure, step, user, day)
                if stage == "notice":
                    return procedure
                day += dt.timedelta(days=step.notice_days)
        with on(day):
            procedure = services.decide(procedure, Decision.PASS, acting_user=user, channel=PAGE)
        day += dt.timedelta(days=1)
    return procedure


def _first_started(candidates: Iterable, start: Callable, actors: Actors, index: int) -> Procedure | None:
    """The procedure of the first candidate whose preconditions hold (refusals are tried on the next one)."""
    for candidate in candidates:
        try:
            return start(candidate, actors, index)
        except ValidationError:
            continue
    return None


def _households(actors: Actors, **filters):
    return Household.objects.filter(village=actors.village.region, **filters).order_by("number")[:CANDIDATES]


def inclusion_candidates(actors: Actors):
    """Pending alerts below the monitoring line of households free for a procedure (each check costs a facts
    query, so the candidates are narrowed first)."""
    return (
        Alert.objects.filter(village=actors.village.region, status=AlertStatus.PENDING, rules__contains="M01",
                             household__household_type__in=[HouseholdType.ORDINARY, HouseholdType.EXITED])
        .exclude(household__procedures__status=ProcedureStatus.IN_PROGRESS)
        .select_related("household").order_by("household__number")[:CANDIDATES]
    )


def elimination_candidates(actors: Actors, year: int):
    """Monitored households able to work whose income checks of the stable period are all above the line."""
    line = lines.resolve(LineKind.MONITORING, year, actors.village.region_id)
    since = timezone.localdate() - dt.timedelta(days=STABLE_DAYS)
    checks = IncomeCheck.objects.filter(household=OuterRef("household"), checked_on__gte=since)
    return (
        MonitoredHousehold.objects.filter(village=actors.village.region, status=MonitoredStatus.MONITORING,
                                          no_work_capacity=False)
        .filter(Exists(checks.filter(per_capita_income__gt=line.amount)))
        .exclude(Exists(checks.filter(per_capita_income__lte=line.amount)))
        .select_related("household").order_by("household__number")[:CANDIDATES]
    )


def _chains(year: int) -> dict[str, tuple[Callable, Callable]]:
    """kind → (candidates in a village, start(candidate, actors, index)) for every chain the demo shows."""

    def start(kind, details=None):
        return lambda household, actors, index: services.start_procedure(
            kind, household, year=year, details=details(household, index) if details else {},
            reason="演示：村级受理", acting_user=actors.village, channel=PAGE)

    def removal(household, index):
        member = household.members.filter(active=True).exclude(relation=Relation.HEAD).order_by("-birth_date")
        member = member.first()
        return {"change": REMOVALS[index % len(REMOVALS)], "member_id": member.pk if member else None}

    def inclusion(alert, actors, index):
        kind = MonitoringKind.UNSTABLE if alert.household.household_type == HouseholdType.EXITED else MonitoringKind.EDGE
        return monitoring.start_inclusion(alert, kind=kind, risks=["07"], reason="入户核实：务工收入下降",
                                          acting_user=actors.village, channel=PAGE).procedure

    def elimination(monitored, actors, index):
        return monitoring.start_elimination(monitored, method=EliminationMethod.NATURAL,
                                            reason="收入稳定超过监测范围", acting_user=actors.village, channel=PAGE)

    return {
        Kind.IDENTIFICATION: (
            lambda a: _households(a, household_type=HouseholdType.ORDINARY, monitoring_kind=""),
            start(Kind.IDENTIFICATION, lambda h, i: {"category": HouseholdCategory.ORDINARY_POOR, "main_cause": "1"}),
        ),
        Kind.EXIT: (lambda a: _households(a, status__in=HouseholdStatus.IN_POVERTY), start(Kind.EXIT)),
        Kind.RETURN: (lambda a: _households(a, status=HouseholdStatus.EXITED, monitoring_kind=""), start(Kind.RETURN)),
        Kind.NATURAL: (
            lambda a: Household.objects.filter(village=a.village.region, size__gte=3).order_by("-number")[:CANDIDATES],
            start(Kind.NATURAL, removal),
        ),
        INCLUSION: (inclusion_candidates, inclusion),
        ELIMINATION: (lambda a: elimination_candidates(a, year), elimination),
    }


def run_chains(year: int, actors: list[Actors]) -> dict[tuple[str, str], Procedure]:
    """One procedure per chain and stage, spread over the demo villages; returns (kind, stage) → procedure."""
    today = timezone.localdate()
    made = {}
    for number, (kind, (candidates, start)) in enumerate(_chains(year).items()):
        for index, stage in enumerate(STAGES):
            day = today - dt.timedelta(days=STARTED_DAYS_AGO[stage])
            shift = (number + index) % len(actors)  # each village sees every stage across the chains
            order = actors[shift:] + actors[:shift]
            for village in order:
                with on(day):
                    procedure = _first_started(candidates(village), start, village, index)
                if procedure is not None:
                    made[kind, stage] = walk(procedure, village, day + dt.timedelta(days=1), stage)
                    break
    monitoring.sync_procedure_outcomes(acting_user=actors[0].by_level[Level.COUNTY], channel=PAGE)
    end_stable_policies(actors[0])
    return made


def end_stable_policies(actors: Actors) -> int:
    """The county ends the transition-period policies of a few long-exited, unmonitored 脱贫户 of a village."""
    stable = Household.objects.filter(village=actors.village.region, status=HouseholdStatus.EXITED,
                                      monitoring_kind="", exit_year__lte=2017, procedures__isnull=True)
    chosen = list(stable.order_by("number")[:POLICY_ENDS].values_list("pk", flat=True))
    with on(timezone.localdate() - dt.timedelta(days=POLICY_END_DAYS_AGO)):
        return services.end_policies(Household.objects.filter(pk__in=chosen), reason=POLICY_END_REASON,
                                     acting_user=actors.by_level[Level.COUNTY], channel=PAGE)
