"""Yearly dynamic adjustment (动态调整): open, propose candidates, village confirmation, bulk start, close with a
frozen snapshot of the register (年度数据锁定), reopen with a recorded reason.

Proposing and snapshotting are set-based: one ``INSERT … SELECT`` per candidate kind, evaluated by the database
over households, income accounts, security checks and members, so a county of 100k households takes seconds and
no household is loaded into Python. The conditions are the same ``Q`` objects the per-household checks use.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, transaction
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from fupin.audit.models import AuditLog, Channel
from fupin.audit.services import build_entry, snapshot
from fupin.core.scope import in_scope, user_scope_prefix
from fupin.jobs.services import start as start_job
from fupin.regions.models import Level, Region
from fupin.registry.choices import HouseholdCategory, HouseholdStatus, HouseholdType
from fupin.registry.models import Household, IncomeAccount, Member, SecurityCheck

from . import checks, lines, policy
from .models import (
    Adjustment,
    AdjustmentEvent,
    AdjustmentStatus,
    Candidate,
    CandidateStatus,
    Kind,
    LineKind,
    Procedure,
    SnapshotHousehold,
    Status,
)
from .services import county_code, start_procedure, user_level

MONEY = DecimalField(max_digits=12, decimal_places=2)
PROPOSE_JOB = "procedures.propose"
START_JOB = "procedures.start"
# Candidate kinds in the order they are proposed, with the progress message for each.
PROPOSALS = [
    (Kind.EXIT, "测算符合脱贫条件的户"),
    (Kind.RETURN, "测算已脱贫但低于标准或保障缺失的户"),
    (Kind.IDENTIFICATION, "测算收入低于标准的一般农户"),
    (Kind.NATURAL, "汇总本年度自然增减"),
]


def insert_select(model, queryset) -> int:
    """``INSERT INTO <model> SELECT …`` from a ``values()`` queryset whose expressions are named ``c_<attname>``."""
    queryset = queryset.order_by()
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    connection = connections[queryset.db]
    columns = [connection.ops.quote_name(model._meta.get_field(alias[2:]).column) for _, _, alias in compiler.select]
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) {sql}",
                       params)
        return cursor.rowcount


def ensure_county(user, county: Region) -> None:
    if not user.can_write or user_level(user) != Level.COUNTY:
        raise PermissionDenied("动态调整由县级账号开启、关闭")
    if not in_scope(user, county.code):
        raise PermissionDenied(f"{county.name}不在当前账号的管辖范围内")


def visible_adjustments(user):
    """A county's adjustments are seen within its subtree and by the townships and villages of that county."""
    prefix = user_scope_prefix(user)
    if prefix is None:
        return Adjustment.objects.none()
    own_county = county_code(user.region_id) if user.region_id else None
    return Adjustment.objects.filter(Q(county__code__startswith=prefix) | Q(county_id=own_county))


def _event(adjustment, action: str, user, *, reason: str = "", figures=None) -> AdjustmentEvent:
    return AdjustmentEvent.objects.create(
        adjustment=adjustment, action=action, reason=reason, figures=figures or {},
        user=user if user and user.is_authenticated else None, username=user.username if user else "",
    )


@transaction.atomic
def open_adjustment(county: Region, year: int, *, acting_user, channel) -> Adjustment:
    ensure_county(acting_user, county)
    if county.level != Level.COUNTY:
        raise ValidationError({"county": "动态调整按县开启，请选择县级区划"})
    if Adjustment.objects.filter(county=county, year=year).exists():
        raise ValidationError(
            f"{county.name}{year}年度动态调整已开启过，如需继续请在原调整中操作（已关闭的可重新开启）"
        )
    line = lines.require(LineKind.POVERTY, year, county.code)
    adjustment = Adjustment.objects.create(county=county, year=year, line_amount=line.amount)
    _event(adjustment, "开启", acting_user, figures={"line": line.as_figures()})
    build_entry(adjustment, before=None, after=snapshot(adjustment), acting_user=acting_user, channel=channel,
                note="开启年度动态调整").save()
    return adjustment


def _ensure_open(adjustment: Adjustment) -> None:
    if adjustment.status != AdjustmentStatus.OPEN:
        raise ValidationError(f"{adjustment}已关闭，数据已锁定；如需调整请先重新开启")


def changes_since(adjustment: Adjustment) -> dt.datetime:
    """Natural changes count from the close of the county's previous adjustment, else from the year's start."""
    previous = Adjustment.objects.filter(county=adjustment.county, year__lt=adjustment.year, closed__isnull=False)
    closed = previous.order_by("-year").values_list("closed", flat=True).first()
    return closed or timezone.make_aware(dt.datetime(adjustment.year, 1, 1))


def income_of(year: int) -> Subquery:
    """The household's per-capita net income of the year (its income account), for ``annotate``."""
    return Subquery(
        IncomeAccount.objects.filter(household=OuterRef("pk"), year=year).order_by()
        .values("per_capita_net_income")[:1]
    )


def exit_passing(households, year: int, ages: policy.Ages, line_amount):
    """The households (annotated with ``c_per_capita_income``, see ``income_of``) that meet the exit check set-based:
    in poverty, not identified this year, income above the line, all securities met, every member at school and
    insured as ``checks`` requires. The yearly adjustment and the what-if sandbox (another line) both ask it."""
    members = Member.objects.filter(household=OuterRef("pk"))
    secure = Exists(SecurityCheck.objects.filter(household=OuterRef("pk"), year=year).filter(checks.secure_check_q()))
    return (households.filter(status__in=HouseholdStatus.IN_POVERTY, c_per_capita_income__gt=line_amount)
            .exclude(identification_year=year).filter(secure)
            .exclude(Exists(members.filter(checks.out_of_school_q(year, ages))))
            .exclude(Exists(members.filter(checks.uninsured_q())))
            .exclude(Exists(members.filter(checks.unpensioned_q(year, ages)))))


def _candidate_querysets(adjustment: Adjustment, line_amount) -> dict:
    """Kind → a values() queryset of the candidate rows to insert (named for insert_select)."""
    year = adjustment.year
    # The county's policy ages: adjustments are opened per county, the level parameters are resolved for.
    ages = policy.ages(year, adjustment.county.code)
    households = Household.objects.filter(village__code__startswith=adjustment.county.prefix)
    income = income_of(year)
    checks_of_year = SecurityCheck.objects.filter(household=OuterRef("pk"), year=year)
    secure = Exists(checks_of_year.filter(checks.secure_check_q()))
    insecure = Exists(checks_of_year.exclude(checks.secure_check_q()))
    members = Member.objects.filter(household=OuterRef("pk"))
    open_procedure = Exists(Procedure.objects.filter(household=OuterRef("pk"), status=Status.IN_PROGRESS))
    households = households.exclude(open_procedure).annotate(c_per_capita_income=income)

    def counted(queryset):
        return Coalesce(
            Subquery(queryset.order_by().values("household").annotate(n=Count("pk")).values("n")[:1]), 0,
            output_field=IntegerField(),
        )

    since = changes_since(adjustment)
    # Members of a household registered within the period came with its registration, not by a natural change.
    added = members.filter(created__gte=since, household__created__lt=since)
    removed = members.filter(active=False, updated__gte=since)
    natural_done = Exists(Procedure.objects.filter(
        household=OuterRef("pk"), kind=Kind.NATURAL, year=year, status=Status.APPROVED
    ))
    selections = {
        Kind.EXIT: exit_passing(households, year, ages, line_amount),
        Kind.RETURN: households.filter(status=HouseholdStatus.EXITED)
        .filter(Q(c_per_capita_income__lt=line_amount) | insecure),
        # 一般农户 (never registered, or cleared out by 清退) below the line: possible missed identification (漏评).
        Kind.IDENTIFICATION: households.filter(household_type=HouseholdType.ORDINARY)
        .filter(c_per_capita_income__lt=line_amount, size__gt=0),
        Kind.NATURAL: households.exclude(status=HouseholdStatus.CANCELLED).exclude(natural_done)
        .filter(Exists(added) | Exists(removed))
        .annotate(c_members_added=counted(added), c_members_removed=counted(removed)),
    }
    rows = {}
    for kind, selection in selections.items():
        taken = Candidate.objects.filter(adjustment=adjustment, household=OuterRef("pk"), kind=kind)
        counts = ({"c_members_added": F("c_members_added"), "c_members_removed": F("c_members_removed")}
                  if kind == Kind.NATURAL else
                  {"c_members_added": Value(0), "c_members_removed": Value(0)})
        rows[kind] = selection.exclude(Exists(taken)).values(
            c_adjustment_id=Value(adjustment.pk),
            c_household_id=F("pk"),
            c_village_id=F("village_id"),
            c_kind=Value(kind.value),
            c_per_capita_income=F("c_per_capita_income"),
            c_line_amount=Value(line_amount, output_field=MONEY),
            c_security_ok=secure,
            **counts,
            c_details=Value({}, output_field=JSONField()),
            c_status=Value(CandidateStatus.PROPOSED.value),
            c_reason=Value(""),
        )
    return rows


@transaction.atomic
def propose(adjustment: Adjustment, *, acting_user, progress=None) -> dict:
    """(Re)compute the candidates. Undecided ones are replaced; confirmed, rejected and started ones stay."""
    adjustment = Adjustment.objects.select_for_update().select_related("county").get(pk=adjustment.pk)
    _ensure_open(adjustment)
    ensure_county(acting_user, adjustment.county)
    line = lines.require(LineKind.POVERTY, adjustment.year, adjustment.county.code)
    Candidate.objects.filter(adjustment=adjustment, status=CandidateStatus.PROPOSED).delete()
    counts = {}
    for done, (kind, message) in enumerate(PROPOSALS):
        if progress:
            progress(done, len(PROPOSALS), message, force=True)
        counts[kind.value] = insert_select(Candidate, _candidate_querysets(adjustment, line.amount)[kind])
    adjustment.line_amount, adjustment.proposed = line.amount, timezone.now()
    adjustment.save(update_fields=["line_amount", "proposed"])
    figures = {"line": line.as_figures(), "proposed": counts}
    _event(adjustment, "测算候选", acting_user, figures=figures)
    if progress:
        progress(len(PROPOSALS), len(PROPOSALS), "测算完成", force=True)
    return {"proposed": counts, "total": sum(counts.values())}


@transaction.atomic
def decide_candidates(candidates, *, confirm: bool, reason: str = "", details: dict | None = None,
                      acting_user, channel) -> int:
    """村级确认: confirm (optionally with the proposed category and cause) or reject with a reason."""
    ids = list(candidates.values_list("pk", flat=True))
    if not acting_user.can_write or user_level(acting_user) != Level.VILLAGE:
        raise PermissionDenied("调整候选由村级账号确认")
    visible = Candidate.objects.visible_to(acting_user).filter(pk__in=ids).select_related("adjustment")
    if visible.count() != len(ids):
        raise PermissionDenied("所选候选户不在当前账号的管辖范围内")
    reason = (reason or "").strip()
    if not confirm and not reason:
        raise ValidationError({"reason": "不纳入须填写原因"})
    rows = list(visible.select_for_update())
    entries = []
    for candidate in rows:
        _ensure_open(candidate.adjustment)
        if candidate.status not in (CandidateStatus.PROPOSED, CandidateStatus.CONFIRMED, CandidateStatus.REJECTED):
            raise ValidationError(f"户{candidate.household_id}已发起程序，不能再更改确认结果")
        before = snapshot(candidate)
        candidate.status = CandidateStatus.CONFIRMED if confirm else CandidateStatus.REJECTED
        candidate.reason, candidate.decided_by, candidate.decided = reason[:500], acting_user, timezone.now()
        if details:
            candidate.details = {**candidate.details, **details}
        entries.append(build_entry(candidate, before=before, after=snapshot(candidate), acting_user=acting_user,
                                   channel=channel, note="确认纳入" if confirm else f"不纳入：{reason}"[:200]))
    Candidate.objects.bulk_update(rows, ["status", "reason", "decided_by", "decided", "details"], batch_size=1000)
    AuditLog.objects.bulk_create(entries, batch_size=1000)
    return len(rows)


def candidate_details(candidate: Candidate) -> dict:
    household = candidate.household
    if candidate.kind == Kind.IDENTIFICATION:
        return {
            "category": candidate.details.get("category") or HouseholdCategory.ORDINARY_POOR,
            "main_cause": candidate.details.get("main_cause") or household.main_cause or "99",
        }
    if candidate.kind == Kind.NATURAL:
        return {"change": "recorded", "added": candidate.members_added, "removed": candidate.members_removed}
    return {}


def start_confirmed(adjustment: Adjustment, *, acting_user, progress=None, channel=Channel.SYSTEM) -> dict:
    """Start a procedure for every confirmed candidate the user may see. Each start is its own transaction: a
    candidate whose household no longer qualifies is marked with the reason and the rest go on."""
    _ensure_open(adjustment)
    if not acting_user.can_write or user_level(acting_user) is None:
        raise PermissionDenied("只有村、乡镇、县级账号可以批量发起程序")
    pending = Candidate.objects.visible_to(acting_user).filter(
        adjustment=adjustment, status=CandidateStatus.CONFIRMED
    ).select_related("household").order_by("village", "household")
    total = pending.count()
    started = refused = 0
    for done, candidate in enumerate(pending.iterator(chunk_size=500)):
        if progress:
            progress(done, total, f"已发起{started}个，未通过校验{refused}个")
        try:
            procedure = start_procedure(
                candidate.kind, candidate.household, year=adjustment.year, details=candidate_details(candidate),
                reason=f"{adjustment.year}年度动态调整候选（村级确认：{candidate.reason or '同意'}）",
                acting_user=acting_user, channel=channel, adjustment=adjustment, candidate=candidate,
            )
        except (ValidationError, PermissionDenied) as exc:
            message = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            Candidate.objects.filter(pk=candidate.pk).update(status=CandidateStatus.REFUSED, reason=message[:500])
            refused += 1
        else:
            Candidate.objects.filter(pk=candidate.pk).update(status=CandidateStatus.STARTED, procedure=procedure)
            started += 1
    if progress:
        progress(total, total, f"已发起{started}个，未通过校验{refused}个", force=True)
    _event(adjustment, "批量发起程序", acting_user, figures={"started": started, "refused": refused})
    return {"started": started, "refused": refused}


def queue_propose(adjustment: Adjustment, *, acting_user):
    """Check the request now (so the user hears a refusal at once) and run the proposal as a background job."""
    ensure_county(acting_user, adjustment.county)
    _ensure_open(adjustment)
    return start_job(PROPOSE_JOB, f"{adjustment}：测算候选", user=acting_user,
                      params={"adjustment": adjustment.pk}, region_code=adjustment.county_id)


def queue_start(adjustment: Adjustment, *, acting_user):
    _ensure_open(adjustment)
    if not acting_user.can_write or user_level(acting_user) is None:
        raise PermissionDenied("只有村、乡镇、县级账号可以批量发起程序")
    pending = Candidate.objects.visible_to(acting_user).filter(adjustment=adjustment, status=CandidateStatus.CONFIRMED)
    if not pending.exists():
        raise ValidationError("没有已确认、待发起程序的候选户")
    return start_job(START_JOB, f"{adjustment}：批量发起程序", user=acting_user,
                      params={"adjustment": adjustment.pk}, region_code=acting_user.region_id or "")


def close_problems(adjustment: Adjustment) -> list[str]:
    candidates = Candidate.objects.filter(adjustment=adjustment)
    problems = []
    if n := candidates.filter(status=CandidateStatus.PROPOSED).count():
        problems.append(f"尚有{n}户候选未经村级确认")
    if n := candidates.filter(status=CandidateStatus.CONFIRMED).count():
        problems.append(f"尚有{n}户已确认的候选未发起程序")
    open_procedures = Procedure.objects.filter(
        village__code__startswith=adjustment.county.prefix, year=adjustment.year, status=Status.IN_PROGRESS
    ).count()
    if open_procedures:
        problems.append(f"尚有{open_procedures}个{adjustment.year}年度程序未办结")
    return problems


@transaction.atomic
def close_adjustment(adjustment: Adjustment, *, acting_user, channel) -> dict:
    """Close the year: freeze a snapshot of the county's register that yearly statistics read from."""
    adjustment = Adjustment.objects.select_for_update().select_related("county").get(pk=adjustment.pk)
    ensure_county(acting_user, adjustment.county)
    _ensure_open(adjustment)
    problems = close_problems(adjustment)
    if problems:
        raise ValidationError(["不能关闭：" + "；".join(problems)])
    SnapshotHousehold.objects.filter(adjustment=adjustment).delete()
    year = adjustment.year
    income = Subquery(
        IncomeAccount.objects.filter(household=OuterRef("pk"), year=year).order_by()
        .values("per_capita_net_income")[:1]
    )
    frozen = insert_select(SnapshotHousehold, Household.objects.filter(
        village__code__startswith=adjustment.county.prefix
    ).values(
        c_adjustment_id=Value(adjustment.pk), c_year=Value(year), c_household_id=F("pk"), c_number=F("number"),
        c_village_id=F("village_id"), c_head_name=F("head_name"), c_status=F("status"), c_category=F("category"),
        c_main_cause=F("main_cause"), c_size=F("size"), c_identification_year=F("identification_year"),
        c_exit_year=F("exit_year"), c_enjoys_policy=F("enjoys_policy"), c_per_capita_net_income=income,
    ))
    before = snapshot(adjustment)
    adjustment.status, adjustment.closed = AdjustmentStatus.CLOSED, timezone.now()
    adjustment.save()
    figures = snapshot_summary(adjustment)
    _event(adjustment, "关闭（数据锁定）", acting_user, figures={"households": frozen, **figures})
    build_entry(adjustment, before=before, after=snapshot(adjustment), acting_user=acting_user, channel=channel,
                note=f"关闭年度动态调整，锁定{frozen}户").save()
    return {"households": frozen, **figures}


@transaction.atomic
def reopen_adjustment(adjustment: Adjustment, *, reason: str, acting_user, channel) -> Adjustment:
    adjustment = Adjustment.objects.select_for_update().select_related("county").get(pk=adjustment.pk)
    ensure_county(acting_user, adjustment.county)
    if adjustment.status != AdjustmentStatus.CLOSED:
        raise ValidationError("该年度动态调整未关闭，无需重新开启")
    if not (reason or "").strip():
        raise ValidationError({"reason": "重新开启须填写原因（如上级通知文号、发现的问题）"})
    before = snapshot(adjustment)
    adjustment.status, adjustment.closed = AdjustmentStatus.OPEN, None
    adjustment.save()
    _event(adjustment, "重新开启", acting_user, reason=reason.strip())
    build_entry(adjustment, before=before, after=snapshot(adjustment), acting_user=acting_user, channel=channel,
                note=f"重新开启：{reason.strip()}"[:200]).save()
    return adjustment


def snapshot_summary(adjustment: Adjustment) -> dict:
    """Households and people by status in the frozen snapshot (what yearly statistics report)."""
    by_status = {
        r["status"]: {"households": r["households"], "people": r["people"] or 0}
        for r in SnapshotHousehold.objects.filter(adjustment=adjustment).order_by().values("status")
        .annotate(households=Count("pk"), people=Sum("size"))
    }
    return {"by_status": by_status}
