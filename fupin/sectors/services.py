"""行业政策 actions. Every write checks the account (its sector and region), validates, and writes its audit row in
the same transaction (region = the household's village)."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from fupin.audit.services import record_change, snapshot
from fupin.core import idnumber
from fupin.core.scope import in_scope, user_scope_prefix
from fupin.registry.choices import HouseGrade
from fupin.registry.models import Household, Member, SecurityCheck
from fupin.registry.services import is_registry_writer, save_security_check

from . import figures
from .access import can_configure, can_enter
from .choices import (
    HOUSEHOLD_POLICIES,
    OPEN_DROPOUT,
    TAPERING_POLICIES,
    YULU_STAGES,
    DropoutStatus,
    EnrolmentStatus,
    Figure,
    Policy,
    WaterResult,
    YuluStatus,
)
from .models import (
    ChronicDisease,
    CoverageRule,
    DropoutCase,
    DropoutFollowUp,
    Enrolment,
    HospitalBill,
    HouseAppraisal,
    PolicyFigure,
    Relocation,
    RelocationSupport,
    WaterCheck,
    YuluApplication,
)

HUNDRED = Decimal("100")


def ensure_can_enter(user, instance) -> None:
    if user is None:
        return
    if not can_enter(user, instance):
        raise PermissionDenied("当前账号不能登记该类行业政策信息")
    if not in_scope(user, instance.household.village_id):
        raise PermissionDenied("该户不在当前账号的管辖范围内")


def ensure_can_configure(user, region=None) -> None:
    if user is None:
        return
    if not can_configure(user):
        raise PermissionDenied("只有县级账号和系统管理员可以维护政策标准和应享未享规则")
    if region is None and not user.can_administer:
        raise PermissionDenied("全国默认标准和应享未享规则只有系统管理员可以修改；县级可设置本县的标准")
    if region is not None and not in_scope(user, region.code):
        raise PermissionDenied("该区划不在当前账号的管辖范围内")


# --- finding the household or member a record is about -----------------------------------------------------------

def households_for(user):
    """Households a record may name: the account's region (a department account too, though it does not browse
    the register)."""
    prefix = user_scope_prefix(user) if user is not None else ""
    return Household.objects.none() if prefix is None else Household.objects.in_region(prefix)


def find_member(user, id_number: str) -> Member:
    checked = idnumber.check(id_number or "")
    number = checked.normalized if checked.valid else (id_number or "").strip().upper()
    member = (Member.objects.filter(id_number=number, active=True, household__in=households_for(user))
              .select_related("household").first())
    if member is None:
        raise ValidationError({"member": "在当前账号管辖范围内没有该证件号码的在册成员"})
    return member


def find_household(user, number: str) -> Household:
    household = households_for(user).filter(number=(number or "").strip()).first()
    if household is None:
        raise ValidationError({"household": "在当前账号管辖范围内没有该户编号"})
    return household


# --- the generic write ---------------------------------------------------------------------------------------------

def _prepare(record) -> None:
    """The rules of each record kind, run before validation."""
    errors = {}
    if isinstance(record, Enrolment):
        if record.end and record.end < record.start:
            errors["end"] = "终止日期不能早于起始日期"
        if record.policy == Policy.CHRONIC_CERT:
            allowed = figures.chronic_diseases(record.household.village_id)
            if record.disease_id is None:
                errors["disease"] = "请选择门诊慢性病病种"
            elif record.disease_id not in {d.pk for d in allowed}:
                errors["disease"] = "该病种不在本地门诊慢性病目录中"
        if record.policy == Policy.FAMILY_DOCTOR and not record.provider:
            errors["provider"] = "请填写签约医生或团队"
        if record.member_id is None and record.policy not in HOUSEHOLD_POLICIES:
            errors["member"] = "请选择享受该政策的成员"
    elif isinstance(record, HospitalBill):
        bill_figures(record)
        if record.admitted_on and record.admitted_on > record.discharged_on:
            errors["discharged_on"] = "出院日期不能早于入院日期"
        if record.in_policy_cost > record.total_cost:
            errors["in_policy_cost"] = "政策范围内费用不能超过医疗总费用"
        if record.self_pay > record.in_policy_cost:
            errors["self_pay"] = "政策范围内个人自付不能超过政策范围内费用"
    elif isinstance(record, WaterCheck):
        record.result = water_result(record)
    elif isinstance(record, YuluApplication):
        if record.stage not in YULU_STAGES:
            errors["stage"] = "雨露计划补助中职、高职在校生"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_record(record, *, acting_user, channel, note: str = ""):
    """Create or change a sector record (any kind); the household's village is its region."""
    member = getattr(record, "member", None) if getattr(record, "member_id", None) else None
    if member is not None:
        record.household = member.household
    record.village_id = record.household.village_id
    ensure_can_enter(acting_user, record)
    before = None
    if record.pk:
        original = type(record).objects.get(pk=record.pk)
        ensure_can_enter(acting_user, original)
        before = snapshot(original)
    _prepare(record)
    record.full_clean()
    record.save()
    record_change(record, before=before, acting_user=acting_user, channel=channel, note=note)
    return record


@transaction.atomic
def delete_record(record, *, acting_user, channel) -> None:
    from fupin.audit.models import Action

    ensure_can_enter(acting_user, record)
    record_change(record, before=snapshot(record), acting_user=acting_user, channel=channel, action=Action.DELETE)
    record.delete()


# --- 低保 / 特困 渐退 ---------------------------------------------------------------------------------------------

def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day where it has no such day: 31 Jan + 1 = 28/29 Feb)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def taper_end(start: dt.date, region_code: str) -> dt.date:
    """The last day of a 渐退 period starting on ``start``: the configured months of that year and place."""
    months = int(figures.value(Figure.TAPER_MONTHS, start.year, region_code))
    return add_months(start, months) - dt.timedelta(days=1)


@transaction.atomic
def start_taper(enrolment: Enrolment, start: dt.date, *, acting_user, channel) -> Enrolment:
    """渐退: the household's income passed the line; the payment goes on for the configured months, then ends."""
    ensure_can_enter(acting_user, enrolment)
    if enrolment.policy not in TAPERING_POLICIES:
        raise ValidationError({"policy": "只有低保、特困供养适用渐退"})
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise ValidationError({"status": "只有享受中的记录可以进入渐退期"})
    if start < enrolment.start:
        raise ValidationError({"taper_start": "渐退起始日期不能早于享受起始日期"})
    before = snapshot(enrolment)
    enrolment.status = EnrolmentStatus.TAPERING
    enrolment.taper_start = start
    enrolment.taper_end = enrolment.end = taper_end(start, enrolment.village_id)
    enrolment.save()
    record_change(enrolment, before=before, acting_user=acting_user, channel=channel, note="进入渐退期")
    return enrolment


@transaction.atomic
def end_tapers(today: dt.date | None = None, *, acting_user=None, channel) -> int:
    """Enrolments whose 渐退 period has run out are ended (run daily; audited one by one)."""
    today = today or timezone.localdate()
    ended = 0
    for enrolment in Enrolment.objects.filter(status=EnrolmentStatus.TAPERING, taper_end__lt=today):
        before = snapshot(enrolment)
        enrolment.status = EnrolmentStatus.ENDED
        enrolment.save()
        record_change(enrolment, before=before, acting_user=acting_user, channel=channel, note="渐退期满退出")
        ended += 1
    return ended


# --- health --------------------------------------------------------------------------------------------------------

def bill_figures(bill: HospitalBill) -> None:
    """The self-pay share of the in-policy cost, the configured cap of the bill's year and place, and the flag."""
    cap = figures.value(Figure.SELF_PAY_CAP, bill.discharged_on.year, bill.household.village_id)
    bill.cap_pct = cap
    if bill.in_policy_cost and bill.in_policy_cost > 0:
        share = Decimal(bill.self_pay) * HUNDRED / Decimal(bill.in_policy_cost)
        bill.self_pay_pct, bill.over_cap = share.quantize(Decimal("0.01")), share > cap
    else:
        bill.self_pay_pct, bill.over_cap = None, False


# --- water ---------------------------------------------------------------------------------------------------------

def water_result(check: WaterCheck) -> str:
    """安全 when every indicator is safe, 基本安全 when each is at least basic, else 不安全 (docs/domain-facts.md §3.7:
    any one indicator below 基本安全 makes the water unsafe); the thresholds are configured."""
    f = figures.values((Figure.WATER_LITRES_SAFE, Figure.WATER_LITRES_BASIC, Figure.WATER_MINUTES_SAFE,
                        Figure.WATER_MINUTES_BASIC, Figure.WATER_RATE_SAFE, Figure.WATER_RATE_BASIC),
                       check.checked_on.year, check.household.village_id)
    if not check.quality_ok:
        return WaterResult.UNSAFE
    litres, minutes, rate = Decimal(check.litres), Decimal(check.minutes), Decimal(check.rate)
    if litres >= f[Figure.WATER_LITRES_SAFE] and minutes <= f[Figure.WATER_MINUTES_SAFE] \
            and rate >= f[Figure.WATER_RATE_SAFE]:
        return WaterResult.SAFE
    if litres >= f[Figure.WATER_LITRES_BASIC] and minutes <= f[Figure.WATER_MINUTES_BASIC] \
            and rate >= f[Figure.WATER_RATE_BASIC]:
        return WaterResult.BASIC
    return WaterResult.UNSAFE


# --- housing -------------------------------------------------------------------------------------------------------

@transaction.atomic
def record_appraisal(appraisal: HouseAppraisal, *, acting_user, channel) -> HouseAppraisal:
    """Record an appraisal; the register's 两不愁三保障 check of that year, where there is one and the account keeps
    the register, takes the same grade, so the register and the appraisal history agree."""
    save_record(appraisal, acting_user=acting_user, channel=channel)
    check = SecurityCheck.objects.filter(household=appraisal.household, year=appraisal.appraised_on.year).first()
    if check is not None and (acting_user is None or is_registry_writer(acting_user)):
        check.house_grade = appraisal.grade
        if appraisal.grade in HouseGrade.DANGEROUS:
            check.housing_secure = False
        save_security_check(check, acting_user=acting_user, channel=channel)
    return appraisal


def current_grade(household) -> str:
    """The house grade: the latest appraisal, else the register's latest check."""
    appraisal = HouseAppraisal.objects.filter(household=household).order_by("-appraised_on", "-id").first()
    if appraisal is not None:
        return appraisal.grade
    check = SecurityCheck.objects.filter(household=household).exclude(house_grade="").order_by("-year").first()
    return check.house_grade if check else ""


# --- 雨露计划 ------------------------------------------------------------------------------------------------------

@transaction.atomic
def apply_yulu(application: YuluApplication, *, acting_user, channel) -> YuluApplication:
    application.status = YuluStatus.APPLIED
    application.applied_by = acting_user if acting_user is not None and acting_user.is_authenticated else None
    application.applied_on = application.applied_on or timezone.localdate()
    if YuluApplication.objects.filter(member=application.member, year=application.year).exclude(
            pk=application.pk).exists():
        raise ValidationError({"year": f"该学生{application.year}年已有雨露计划申请"})
    return save_record(application, acting_user=acting_user, channel=channel, note="雨露计划申请")


def _step(application, status_from, *, acting_user, channel, note, change) -> YuluApplication:
    ensure_can_enter(acting_user, application)
    if application.status != status_from:
        raise ValidationError({"status": f"当前状态为“{application.get_status_display()}”，不能{note}"})
    before = snapshot(application)
    change(application)
    application.save()
    record_change(application, before=before, acting_user=acting_user, channel=channel, note=note)
    return application


def _user(acting_user):
    return acting_user if acting_user is not None and acting_user.is_authenticated else None


@transaction.atomic
def approve_yulu(application: YuluApplication, *, approved: bool, on: dt.date | None = None, reason: str = "",
                 acting_user, channel) -> YuluApplication:
    """审核: the amount is the configured 雨露计划 standard of the application's year and place."""
    on = on or timezone.localdate()
    if on < application.applied_on:
        raise ValidationError({"approved_on": "审核日期不能早于申请日期"})
    if not approved and not reason.strip():
        raise ValidationError({"reject_reason": "请填写未通过原因"})

    def change(app):
        app.approved_on, app.approved_by = on, _user(acting_user)
        if approved:
            app.status = YuluStatus.APPROVED
            app.amount = figures.value(Figure.YULU_AMOUNT, app.year, app.village_id)
        else:
            app.status, app.reject_reason = YuluStatus.REJECTED, reason.strip()

    return _step(application, YuluStatus.APPLIED, acting_user=acting_user, channel=channel,
                 note="雨露计划审核通过" if approved else "雨露计划审核未通过", change=change)


@transaction.atomic
def pay_yulu(application: YuluApplication, *, on: dt.date | None = None, acting_user, channel) -> YuluApplication:
    on = on or timezone.localdate()
    if application.approved_on and on < application.approved_on:
        raise ValidationError({"paid_on": "发放日期不能早于审核日期"})

    def change(app):
        app.status, app.paid_on, app.paid_by = YuluStatus.PAID, on, _user(acting_user)

    return _step(application, YuluStatus.APPROVED, acting_user=acting_user, channel=channel, note="雨露计划发放",
                 change=change)


# --- 控辍保学 and relocation follow-ups --------------------------------------------------------------------------

@transaction.atomic
def follow_up(case: DropoutCase, *, date: dt.date, content: str, status: str = "", school: str = "",
              acting_user, channel) -> DropoutFollowUp:
    """A 劝返 record; with a settled status (已返校 …) the case closes on that date."""
    ensure_can_enter(acting_user, case)
    if case.status not in OPEN_DROPOUT:
        raise ValidationError({"status": "该控辍保学记录已办结"})
    if not (content or "").strip():
        raise ValidationError({"content": "请填写劝返情况"})
    if date < case.opened_on:
        raise ValidationError({"date": "劝返日期不能早于发现日期"})
    if status == DropoutStatus.RETURNED and not school.strip():
        raise ValidationError({"school": "请填写返校学校"})
    record = DropoutFollowUp.objects.create(case=case, date=date, content=content.strip(),
                                            recorded_by=_user(acting_user))
    record_change(record, before=None, acting_user=acting_user, channel=channel)
    if status and status not in OPEN_DROPOUT:
        before = snapshot(case)
        case.status, case.closed_on, case.school = status, date, school.strip()
        case.save()
        record_change(case, before=before, acting_user=acting_user, channel=channel, note="控辍保学办结")
    return record


@transaction.atomic
def add_support(relocation: Relocation, *, date: dt.date, content: str, acting_user, channel) -> RelocationSupport:
    ensure_can_enter(acting_user, relocation)
    if not (content or "").strip():
        raise ValidationError({"content": "请填写扶持措施"})
    if date < relocation.moved_on:
        raise ValidationError({"date": "后续扶持日期不能早于搬迁日期"})
    support = RelocationSupport.objects.create(relocation=relocation, date=date, content=content.strip())
    record_change(support, before=None, acting_user=acting_user, channel=channel)
    return support


# --- configuration -------------------------------------------------------------------------------------------------

@transaction.atomic
def save_config(row, *, acting_user, channel):
    """A policy figure, a disease of the list or a coverage rule (its condition checked by the engine)."""
    ensure_can_configure(acting_user, getattr(row, "region", None))
    if isinstance(row, CoverageRule):
        from fupin.monitoring.engine import ConditionError

        from .coverage import validate

        try:
            validate(row.condition, row.subject)
        except ConditionError as exc:
            raise ValidationError({"condition": str(exc)}) from exc
    before = snapshot(type(row).objects.get(pk=row.pk)) if row.pk else None
    if before is not None and isinstance(row, (PolicyFigure, ChronicDisease)):
        ensure_can_configure(acting_user, type(row).objects.get(pk=row.pk).region)
    row.full_clean()
    row.save()
    record_change(row, before=before, acting_user=acting_user, channel=channel)
    return row
