"""扶贫小额信贷 rules: loans within the limits of their year and place, schedules, repayments and what they cover, the
overdue check and the risk events it raises, the interest subsidy ledger and the risk compensation fund.

Every write checks ``may_change_money`` and the row's region against the account's scope (``acting_user`` None is
the system: the CLI without --user, the demo) and writes its audit row in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import DecimalField, Exists, F, Min, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from fupin.audit.services import record_change, snapshot
from fupin.core.scope import in_scope
from fupin.monitoring import services as monitoring
from fupin.monitoring.models import EventKind
from fupin.projects.access import may_change_money
from fupin.regions.models import Level, code_prefix
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import Member

from . import parameters, schedule
from .choices import (
    OPEN_STATUSES,
    FundEntryKind,
    LoanStatus,
    Purpose,
    RiskCause,
    SubsidyPeriod,
    Usage,
)
from .models import CreditParameter, FundEntry, Loan, LoanRiskEvent, Repayment, ScheduleItem, Subsidy

ZERO = Decimal("0.00")
# The terms a schedule is built from: changing one rebuilds it, which repayments already made forbid.
TERMS = ("amount", "term_months", "annual_rate", "start_date", "method", "frequency")


def _money(value) -> str:
    return f"{Decimal(value):,.2f}"


# --- who may write ------------------------------------------------------------------------------------------------

def can_change(user, region_code: str) -> bool:
    return user is None or (may_change_money(user) and in_scope(user, region_code))


def ensure_can_change(user, region_code: str) -> None:
    if user is None:
        return
    if not may_change_money(user):
        raise PermissionDenied("当前账号只能查看小额信贷，不能登记或修改")
    if not in_scope(user, region_code):
        raise PermissionDenied("该记录不在当前账号的管辖范围内")


# --- loans ----------------------------------------------------------------------------------------------------------

def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def is_eligible(household) -> bool:
    """建档立卡户 on the register (脱贫户 included) and, in the 过渡期, monitored households (docs/domain-facts.md §6)."""
    return household.status in HouseholdStatus.REGISTERED or bool(household.monitoring_kind)


def rate_cap(parameter: CreditParameter, term_months: int) -> tuple[Decimal, str]:
    if term_months <= 12:
        return parameter.rate_cap_short, "1年期以内"
    return parameter.rate_cap_long, "1年以上"


def check_limits(loan: Loan, parameter: CreditParameter) -> dict[str, str]:
    """The refusals of a loan against the limits that apply to it, each naming the limit, its figure and source."""
    where = parameters.source(parameter)
    errors = {}
    if loan.amount is not None:
        if loan.amount <= 0:
            errors["amount"] = "贷款金额应大于0"
        elif loan.amount > parameter.max_amount:
            errors["amount"] = (f"贷款金额{_money(loan.amount)}元超过单户贷款上限{_money(parameter.max_amount)}元"
                                f"（{where}）")
    if loan.term_months is not None:
        if loan.term_months < 1:
            errors["term_months"] = "贷款期限至少1个月"
        elif loan.term_months > parameter.max_term_months:
            errors["term_months"] = (f"贷款期限{loan.term_months}个月超过最长期限{parameter.max_term_months}个月"
                                     f"（{where}）")
    if loan.annual_rate is not None and loan.term_months:
        cap, span = rate_cap(parameter, loan.term_months)
        if loan.annual_rate < 0:
            errors["annual_rate"] = "年利率不能为负数"
        elif loan.annual_rate > cap:
            errors["annual_rate"] = f"年利率{loan.annual_rate.normalize():f}%超过{span}贷款利率上限{cap.normalize():f}%（{where}）"
    if loan.purpose in parameter.banned:
        errors["purpose"] = (f"扶贫小额信贷不得用于{Purpose(loan.purpose).label}"
                             f"（不允许的用途：{'、'.join(str(Purpose(c).label) for c in parameter.banned)}；{where}）")
    if loan.borrower_id and loan.start_date:
        age = age_on(loan.borrower.birth_date, loan.start_date)
        if not parameter.min_age <= age <= parameter.max_age:
            errors["borrower"] = (f"借款人放款时{age}周岁，不在{parameter.min_age}至{parameter.max_age}周岁之间"
                                  f"（{where}）")
    return errors


def _check(loan: Loan) -> None:
    household = loan.household
    errors = {}
    if not is_eligible(household):
        errors["household"] = "该户不是建档立卡户（含脱贫户）或监测对象，不能办理扶贫小额信贷"
    if loan.borrower_id:
        if loan.borrower.household_id != household.pk or not loan.borrower.active:
            errors["borrower"] = "借款人应为该户在册的家庭成员"
    else:
        errors["borrower"] = "请选择借款人"
    if loan.usage == Usage.ENTERPRISE and not loan.enterprise_name.strip():
        errors["enterprise_name"] = "户贷企用时请填写使用企业名称"
    if loan.usage == Usage.HOUSEHOLD:
        loan.enterprise_name = ""
    if loan.start_date and loan.start_date > timezone.localdate():
        errors["start_date"] = "放款日期不能晚于今天"
    if loan.contract_number and Loan.objects.filter(contract_number=loan.contract_number).exclude(pk=loan.pk).exists():
        errors["contract_number"] = "该合同编号已登记"
    if loan.start_date and not errors.get("borrower"):
        errors.update({k: v for k, v in check_limits(loan, parameters.resolve(household.village_id,
                                                                              loan.start_date.year)).items()
                       if k not in errors})
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_loan(loan: Loan, *, acting_user, channel) -> Loan:
    """Register or correct a loan: limits checked, schedule built from its terms; a loan found used by an
    enterprise (户贷企用) raises the household's risk event."""
    household = loan.household
    ensure_can_change(acting_user, household.village_id)
    before, original = None, None
    if loan.pk:
        original = Loan.objects.select_for_update().get(pk=loan.pk)
        ensure_can_change(acting_user, original.village_id)
        before = snapshot(original)
        if original.household_id != loan.household_id:
            raise ValidationError({"household": "贷款所属户不能修改"})
        changed = [name for name in TERMS if getattr(original, name) != getattr(loan, name)]
        if changed and original.repayments.exists():
            raise ValidationError("已有还款记录，不能修改贷款金额、期限、利率、放款日期或还款方式；如已展期请办理展期")
    _check(loan)
    loan.village_id = household.village_id
    loan.contract_number = loan.contract_number.strip()
    loan.maturity_date = schedule.add_months(loan.start_date, loan.term_months)
    rebuild = original is None or any(getattr(original, name) != getattr(loan, name) for name in TERMS)
    if rebuild:
        loan.outstanding = loan.amount
    if original is None:
        loan.created_by = acting_user if acting_user is not None and acting_user.is_authenticated else None
    loan.full_clean(exclude=["household", "village", "borrower", "created_by", "contract_number"])
    loan.save()
    if rebuild:
        _build_schedule(loan)
    record_change(loan, before=before, acting_user=acting_user, channel=channel)
    refresh(loan, acting_user=acting_user, channel=channel)
    if loan.usage == Usage.ENTERPRISE:
        raise_risk(loan, RiskCause.MISUSE, date=timezone.localdate(),
                   description=f"小额信贷合同{loan.contract_number}（{loan.bank}）户贷企用：{loan.enterprise_name}",
                   amount=loan.outstanding, acting_user=acting_user, channel=channel)
    return loan


def _build_schedule(loan: Loan) -> None:
    ScheduleItem.objects.filter(loan=loan).delete()
    ScheduleItem.objects.bulk_create([
        ScheduleItem(loan=loan, sequence=i.sequence, period_start=i.period_start, due_date=i.due_date,
                     principal=i.principal, interest=i.interest, outstanding_before=i.outstanding_before)
        for i in schedule.build(loan.amount, loan.annual_rate, loan.start_date, loan.term_months, loan.method,
                                loan.frequency)
    ])


@transaction.atomic
def extend_loan(loan: Loan, *, months: int, acting_user, channel) -> Loan:
    """展期: the unpaid principal of the last instalment falls due ``months`` later (within the longest term)."""
    ensure_can_change(acting_user, loan.village_id)
    loan = Loan.objects.select_for_update().get(pk=loan.pk)
    if loan.status not in OPEN_STATUSES:
        raise ValidationError(f"{loan.get_status_display()}的贷款不能展期")
    parameter = parameters.resolve(loan.village_id, loan.start_date.year)
    total = loan.term_months + months
    if months < 1:
        raise ValidationError({"months": "展期至少1个月"})
    if total > parameter.max_term_months:
        raise ValidationError({"months": f"展期后期限{total}个月超过最长期限{parameter.max_term_months}个月"
                                         f"（{parameters.source(parameter)}）"})
    before = snapshot(loan)
    last = loan.schedule.order_by("-sequence").first()
    extra = last.outstanding_before - last.paid_principal
    interest = schedule.cents(extra * loan.annual_rate / schedule.HUNDRED / schedule.TWELVE * months)
    ScheduleItem.objects.create(loan=loan, sequence=last.sequence + 1, period_start=last.due_date,
                                due_date=schedule.add_months(loan.start_date, total), principal=last.unpaid_principal,
                                interest=interest, outstanding_before=last.unpaid_principal)
    last.principal = last.paid_principal
    last.save(update_fields=["principal"])
    loan.term_months, loan.maturity_date = total, schedule.add_months(loan.start_date, total)
    loan.extended_months += months
    loan.save()
    record_change(loan, before=before, acting_user=acting_user, channel=channel, note=f"展期{months}个月")
    reallocate(loan)
    refresh(loan, acting_user=acting_user, channel=channel)
    return loan


# --- repayments -----------------------------------------------------------------------------------------------------

def check_repayment(loan: Loan, date: dt.date | None, principal: Decimal, interest: Decimal,
                    *, pending_principal: Decimal = ZERO) -> dict[str, str]:
    """Refusals of one repayment (``pending_principal``: earlier rows of the same import on the same loan)."""
    errors = {}
    if loan.status in (LoanStatus.SETTLED, LoanStatus.COMPENSATED):
        errors["loan"] = f"该贷款{loan.get_status_display()}，不能再登记还款"
    if principal < 0 or interest < 0:
        errors["principal"] = "还款金额不能为负数"
    elif principal == 0 and interest == 0:
        errors["principal"] = "归还本金和利息不能都为0"
    elif principal + pending_principal > loan.outstanding:
        errors["principal"] = (f"归还本金{_money(principal)}元超过贷款余额{_money(loan.outstanding - pending_principal)}"
                               "元")
    if date is not None:
        if date < loan.start_date:
            errors["date"] = f"还款日期早于放款日期（{loan.start_date:%Y-%m-%d}）"
        elif date > timezone.localdate():
            errors["date"] = "还款日期不能晚于今天"
    return errors


@transaction.atomic
def record_repayment(repayment: Repayment, *, acting_user, channel) -> Repayment:
    loan = Loan.objects.select_for_update().get(pk=repayment.loan_id)
    ensure_can_change(acting_user, loan.village_id)
    errors = check_repayment(loan, repayment.date, repayment.principal or ZERO, repayment.interest or ZERO)
    if errors:
        raise ValidationError(errors)
    repayment.loan, repayment.village_id = loan, loan.village_id
    repayment.created_by = acting_user if acting_user is not None and acting_user.is_authenticated else None
    repayment.full_clean(exclude=["loan", "village", "created_by"])
    repayment.save()
    record_change(repayment, before=None, acting_user=acting_user, channel=channel)
    reallocate(loan)
    refresh(loan, acting_user=acting_user, channel=channel)
    return repayment


def reallocate(loan: Loan) -> None:
    """Spread the repayments, oldest first, over the instalments in order (principal to principal, interest to
    interest); an instalment is settled on the date of the repayment that completes it. Interest beyond the
    schedule (罚息) covers nothing further."""
    items = list(loan.schedule.order_by("sequence"))
    for item in items:
        item.paid_principal = item.paid_interest = ZERO
        item.settled_on = None
    paid = ZERO
    for repayment in loan.repayments.order_by("date", "id"):
        principal, interest = repayment.principal, repayment.interest
        paid += principal
        for item in items:
            share = min(principal, item.unpaid_principal)
            item.paid_principal += share
            principal -= share
            share = min(interest, item.unpaid_interest)
            item.paid_interest += share
            interest -= share
            if item.settled_on is None and item.unpaid_principal == 0 and item.unpaid_interest == 0:
                item.settled_on = repayment.date
    ScheduleItem.objects.bulk_update(items, ["paid_principal", "paid_interest", "settled_on"])
    loan.outstanding = loan.amount - paid
    last = loan.repayments.order_by("-date").values_list("date", flat=True).first()
    loan.settled_on = last if loan.outstanding == 0 else None
    Loan.objects.filter(pk=loan.pk).update(outstanding=loan.outstanding, settled_on=loan.settled_on)


# --- overdue --------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Arrears:
    principal: Decimal
    interest: Decimal
    since: dt.date | None  # the earliest unpaid due date

    @property
    def overdue(self) -> bool:
        return self.since is not None

    def days(self, today: dt.date) -> int:
        return (today - self.since).days if self.since else 0


def arrears(loan: Loan, today: dt.date | None = None) -> Arrears:
    today = today or timezone.localdate()
    late = [i for i in loan.schedule.all() if i.due_date < today and i.settled_on is None]
    return Arrears(sum((i.unpaid_principal for i in late), ZERO), sum((i.unpaid_interest for i in late), ZERO),
                   min((i.due_date for i in late), default=None))


def _late_items(today: dt.date):
    return ScheduleItem.objects.filter(loan=OuterRef("pk"), due_date__lt=today, settled_on__isnull=True)


def with_arrears(queryset, today: dt.date | None = None):
    """Loans annotated with ``overdue_principal``, ``overdue_interest`` and ``overdue_since`` (None when none)."""
    today = today or timezone.localdate()
    money = DecimalField(max_digits=12, decimal_places=2)

    def total(expression):
        return Coalesce(Subquery(_late_items(today).values("loan").annotate(t=Sum(expression)).values("t")),
                        Value(ZERO), output_field=money)

    return queryset.annotate(
        overdue_principal=total(F("principal") - F("paid_principal")),
        overdue_interest=total(F("interest") - F("paid_interest")),
        overdue_since=Subquery(_late_items(today).values("loan").annotate(d=Min("due_date")).values("d")),
    )


def overdue(queryset, today: dt.date | None = None):
    """The open loans with an instalment past its due date and not repaid, by date (whatever status they carry)."""
    today = today or timezone.localdate()
    return queryset.filter(Exists(_late_items(today)), status__in=OPEN_STATUSES)


def due_soon(items, today: dt.date, days: int):
    """Unpaid instalments of open loans falling due within ``days`` from today."""
    return items.filter(settled_on__isnull=True, due_date__gte=today, due_date__lte=today + dt.timedelta(days=days),
                        loan__status__in=OPEN_STATUSES)


def refresh(loan: Loan, *, acting_user, channel, today: dt.date | None = None) -> Loan:
    """Bring the loan's status in line with its schedule on ``today``: 已结清 once repaid, 逾期 while an instalment
    is past due (raising the household's risk event once), back to 正常 (or 展期) when caught up."""
    today = today or timezone.localdate()
    if loan.status == LoanStatus.COMPENSATED:
        return loan
    due = arrears(loan, today)
    if loan.outstanding == 0:
        status = LoanStatus.SETTLED
    elif due.overdue:
        status = LoanStatus.OVERDUE
    else:
        status = LoanStatus.EXTENDED if loan.extended_months else LoanStatus.NORMAL
    if status != loan.status:
        before = snapshot(loan)
        loan.status = status
        Loan.objects.filter(pk=loan.pk).update(status=status)
        record_change(loan, before=before, acting_user=acting_user, channel=channel)
    if status == LoanStatus.OVERDUE:
        raise_risk(loan, RiskCause.OVERDUE, date=min(due.since + dt.timedelta(days=1), today),
                   description=(f"小额信贷合同{loan.contract_number}（{loan.bank}）逾期：{due.since:%Y-%m-%d}应还未还，"
                                f"逾期本金{_money(due.principal)}元、利息{_money(due.interest)}元"),
                   amount=due.principal + due.interest, acting_user=acting_user, channel=channel)
    return loan


@transaction.atomic
def check_overdue(queryset=None, *, acting_user, channel, today: dt.date | None = None) -> dict[str, int]:
    """The daily check over the open loans (the account's scope): statuses by date, risk events raised once."""
    today = today or timezone.localdate()
    loans = (queryset if queryset is not None else Loan.objects.all()).filter(status__in=OPEN_STATUSES)
    loans = loans.select_related("household").prefetch_related("schedule")
    counts = {"checked": 0, "overdue": 0, "events": 0}
    for loan in loans:
        ensure_can_change(acting_user, loan.village_id)
        events = LoanRiskEvent.objects.filter(loan=loan).count()
        refresh(loan, acting_user=acting_user, channel=channel, today=today)
        counts["checked"] += 1
        counts["overdue"] += loan.status == LoanStatus.OVERDUE
        counts["events"] += LoanRiskEvent.objects.filter(loan=loan).count() - events
    return counts


def raise_risk(loan: Loan, cause: str, *, date: dt.date, description: str, amount, acting_user,
               channel) -> LoanRiskEvent | None:
    """The household's monitoring risk event for this loan and cause, once (None when it was raised before)."""
    if LoanRiskEvent.objects.filter(loan=loan, cause=cause).exists():
        return None
    event = monitoring.report_event(loan.household, kind=EventKind.CREDIT, date=date, description=description,
                                    amount=amount, acting_user=acting_user, channel=channel)
    return LoanRiskEvent.objects.create(loan=loan, cause=cause, event=event)


# --- interest subsidy -----------------------------------------------------------------------------------------------

def period_of(day: dt.date, months: int) -> tuple[dt.date, dt.date, str]:
    """The subsidy period (quarter or year) holding ``day``: its first and last day and its label."""
    if months == SubsidyPeriod.YEAR:
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31), f"{day.year}年度"
    quarter = (day.month - 1) // 3
    start = dt.date(day.year, quarter * 3 + 1, 1)
    return start, schedule.add_months(start, 3) - dt.timedelta(days=1), f"{day.year}年第{quarter + 1}季度"


def _overdue_in(items, start: dt.date, end: dt.date, as_of: dt.date) -> ScheduleItem | None:
    """The first instalment that was past due on some day of [start, end] (settled later than its due date)."""
    for item in items:
        settled = item.settled_on or as_of + dt.timedelta(days=1)
        if item.due_date < end and settled > max(start, item.due_date):
            return item
    return None


@transaction.atomic
def compute_subsidies(queryset=None, *, acting_user, channel, as_of: dt.date | None = None) -> int:
    """The subsidy ledger of the loans up to ``as_of``: one row per loan and closed period (ended before as_of),
    recomputed where it changed. Returns the rows written."""
    as_of = as_of or timezone.localdate()
    resolve = parameters.Resolver()
    loans = (queryset if queryset is not None else Loan.objects.all()).prefetch_related("schedule", "subsidies")
    written = 0
    for loan in loans:
        ensure_can_change(acting_user, loan.village_id)
        items = sorted(loan.schedule.all(), key=lambda i: i.sequence)
        periods = defaultdict(list)
        for item in items:
            months = resolve(loan.village_id, item.due_date.year).subsidy_period_months
            periods[period_of(item.due_date, months)].append(item)
        existing = {s.period_start: s for s in loan.subsidies.all()}
        for (start, end, label), due in periods.items():
            if end >= as_of:
                continue
            parameter = resolve(loan.village_id, start.year)
            cap, _span = rate_cap(parameter, loan.term_months)
            computed, rate = ZERO, min(loan.annual_rate, cap)
            for item in due:
                rate, amount = schedule.instalment_subsidy(
                    item.outstanding_before, _months(item), loan_rate=loan.annual_rate, rate_cap=cap,
                    principal_cap=parameter.subsidy_principal_cap, share=parameter.subsidy_share)
                computed += amount
            lost = ""
            if loan.usage == Usage.ENTERPRISE:
                lost = "户贷企用，不予贴息"
            elif (late := _overdue_in(items, start, end, as_of)) is not None:
                lost = f"第{late.sequence}期（应还日期{late.due_date:%Y-%m-%d}）逾期，不予贴息"
            values = {"village_id": loan.village_id, "year": start.year, "period_end": end, "label": label,
                      "interest": sum((i.interest for i in due), ZERO), "subsidised_rate": rate,
                      "share": parameter.subsidy_share, "computed": computed,
                      "amount": ZERO if lost else computed, "lost_reason": lost}
            row = existing.get(start)
            if row is None:
                row = Subsidy(loan=loan, period_start=start, **values)
                row.save()
                record_change(row, before=None, acting_user=acting_user, channel=channel)
                written += 1
            elif any(getattr(row, k) != v for k, v in values.items()):
                before = snapshot(row)
                for key, value in values.items():
                    setattr(row, key, value)
                row.save()
                record_change(row, before=before, acting_user=acting_user, channel=channel)
                written += 1
    return written


def _months(item: ScheduleItem) -> int:
    start, end = item.period_start, item.due_date
    return (end.year - start.year) * 12 + end.month - start.month


# --- risk compensation fund -----------------------------------------------------------------------------------------

def county_code(region_code: str) -> str:
    return code_prefix(region_code, Level.COUNTY).ljust(12, "0")


def fund_balance(county: str) -> Decimal:
    totals = dict(FundEntry.objects.filter(county_id=county).values_list("kind").annotate(t=Sum("amount")))
    return (totals.get(FundEntryKind.DEPOSIT, ZERO) + totals.get(FundEntryKind.RECOVERY, ZERO)
            - totals.get(FundEntryKind.COMPENSATION, ZERO))


@transaction.atomic
def record_fund_entry(entry: FundEntry, *, acting_user, channel) -> FundEntry:
    """A deposit or a recovery of the county's fund, or (with ``loan`` and ``trigger``) a compensation paid to the
    bank for a loan: within the fund's balance and the loan's outstanding principal up to the subsidised cap (the
    part above it has no risk compensation, docs/domain-facts.md §6); the loan becomes 已代偿."""
    ensure_can_change(acting_user, entry.county_id)
    errors = {}
    if entry.amount is None or entry.amount <= 0:
        errors["amount"] = "金额应大于0"
    if entry.date and entry.date > timezone.localdate():
        errors["date"] = "日期不能晚于今天"
    loan = None
    if entry.kind == FundEntryKind.COMPENSATION:
        if not entry.loan_id:
            errors["loan"] = "代偿支出请选择贷款"
        else:
            loan = Loan.objects.select_for_update().get(pk=entry.loan_id)
            ensure_can_change(acting_user, loan.village_id)
            if county_code(loan.village_id) != entry.county_id:
                errors["loan"] = "该贷款不属于本县"
            elif loan.status not in OPEN_STATUSES:
                errors["loan"] = f"该贷款{loan.get_status_display()}，不能代偿"
            elif entry.amount and entry.amount > 0:
                parameter = parameters.resolve(loan.village_id, (entry.date or timezone.localdate()).year)
                limit = min(loan.outstanding, parameter.subsidy_principal_cap)
                balance = fund_balance(entry.county_id)
                if entry.amount > limit:
                    errors["amount"] = (f"代偿金额{_money(entry.amount)}元超过可代偿本金{_money(limit)}元"
                                        f"（贷款余额，且不超过{_money(parameter.subsidy_principal_cap)}元）")
                elif entry.amount > balance:
                    errors["amount"] = f"风险补偿金余额不足：余额{_money(balance)}元，代偿{_money(entry.amount)}元"
        if not entry.trigger:
            errors["trigger"] = "请选择代偿情形"
        entry.bank = loan.bank if loan else entry.bank
    else:
        entry.loan, entry.trigger = None, ""
    if errors:
        raise ValidationError(errors)
    entry.created_by = acting_user if acting_user is not None and acting_user.is_authenticated else None
    entry.full_clean(exclude=["county", "loan", "created_by"])
    entry.save()
    record_change(entry, before=None, acting_user=acting_user, channel=channel)
    if loan is not None:
        before = snapshot(loan)
        loan.status = LoanStatus.COMPENSATED
        loan.save(update_fields=["status", "updated"])
        record_change(loan, before=before, acting_user=acting_user, channel=channel,
                      note=f"风险补偿金代偿{_money(entry.amount)}元")
    return entry


def borrowers_of(household):
    """The members who may borrow: the household's members on the register."""
    return Member.objects.filter(household=household, active=True).order_by("relation", "id")
