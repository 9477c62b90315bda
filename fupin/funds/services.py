"""扶贫资金 actions: funds, allocations, parameters, and the spending progress (支出进度) they add up to.

Every write checks the money apps' rule (``projects.access.may_change_money``: the register's staff, never the
财政/审计 readers) and that the row's region is in the account's scope, validates, and writes its audit row in the
same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from fupin.audit.services import record_change, snapshot
from fupin.core.scope import in_scope
from fupin.projects.access import may_change_money
from fupin.regions.models import PREFIX_LENGTH, Level, Region, applies_to, specificity

from .models import (
    Allocation,
    AllocationStatus,
    Disbursement,
    Fund,
    FundParameter,
    ParameterCode,
)

ZERO = Decimal("0.00")
# The month-end targets of the spending progress, by month (ParameterCode.TARGET_xx).
TARGET_MONTHS = {int(code.value[-2:]): code for code in ParameterCode if code.value.startswith("target_")}
# The 公告公示 period may not be shorter than this, whatever a county configures (docs/domain-facts.md §6).
MIN_DISCLOSURE_DAYS = 10


def can_change(user, region_code: str) -> bool:
    return may_change_money(user) and (user is None or in_scope(user, region_code))


def ensure_can_change(user, region_code: str) -> None:
    if not may_change_money(user):
        raise PermissionDenied("当前账号只能查看扶贫资金，不能修改")
    if user is not None and not in_scope(user, region_code):
        raise PermissionDenied("该记录不在当前账号的管辖范围内")


# --- parameters ---------------------------------------------------------------------------------------------------


def parameter(code: str, year: int | None, region_code: str) -> Decimal | None:
    """The value of a policy figure for a place and year: the most specific region wins, then the exact year."""
    candidates = [
        p for p in FundParameter.objects.filter(Q(year=year) | Q(year__isnull=True), code=code).select_related("region")
        if applies_to(p, region_code)
    ]
    best = max(candidates, key=lambda p: (specificity(p), p.year is not None), default=None)
    return best.value if best else None


def required_parameter(code: str, year: int | None, region_code: str) -> Decimal:
    value = parameter(code, year, region_code)
    if value is None:
        raise ValidationError(f"未设置资金参数“{ParameterCode(code).label}”，请在资金参数页面设置")
    return value


def disclosure_days(year: int, region_code: str) -> int:
    return max(int(required_parameter(ParameterCode.DISCLOSURE_DAYS, year, region_code)), MIN_DISCLOSURE_DAYS)


def schedule_target(day: dt.date, region_code: str) -> Decimal | None:
    """The spending share (%) expected by ``day``: the target of the last month-end passed (none before the first)."""
    passed = [month for month in TARGET_MONTHS if month < day.month]
    if not passed:
        return None
    return parameter(TARGET_MONTHS[max(passed)], day.year, region_code)


@transaction.atomic
def save_parameter(item: FundParameter, *, acting_user, channel) -> FundParameter:
    if item.region_id is None:
        if acting_user is not None and not acting_user.is_superuser:
            raise PermissionDenied("全国默认参数只能由系统管理员修改，请按本县设置")
    else:
        ensure_can_change(acting_user, item.region_id)
    if item.code == ParameterCode.DISCLOSURE_DAYS and item.value < MIN_DISCLOSURE_DAYS:
        raise ValidationError({"value": f"公告公示时间不得少于{MIN_DISCLOSURE_DAYS}天"})
    if item.code.startswith("target_") and not ZERO <= item.value <= 100:
        raise ValidationError({"value": "支出进度目标应在0至100之间"})
    if item.value < 0:
        raise ValidationError({"value": "取值不能为负数"})
    before = snapshot(FundParameter.objects.get(pk=item.pk)) if item.pk else None
    item.full_clean()
    item.save()
    record_change(item, before=before, acting_user=acting_user, channel=channel)
    return item


# --- funds and allocations ----------------------------------------------------------------------------------------


@transaction.atomic
def save_fund(fund: Fund, *, acting_user, channel) -> Fund:
    ensure_can_change(acting_user, fund.region_id or "")
    before = None
    if fund.pk:
        original = Fund.objects.select_for_update().get(pk=fund.pk)
        ensure_can_change(acting_user, original.region_id)
        before = snapshot(original)
        allocated = allocated_total(fund)
        if fund.amount is not None and fund.amount < allocated:
            raise ValidationError({"amount": f"资金金额不能少于已分配的 {allocated:,.2f} 元"})
    else:
        fund.created_by = acting_user if acting_user is not None and acting_user.is_authenticated else None
    if fund.amount is not None and fund.amount <= 0:
        raise ValidationError({"amount": "资金金额应大于0"})
    if fund.region_id and Region.objects.filter(code=fund.region_id, level__gt=Level.TOWNSHIP).exists():
        raise ValidationError({"region": "资金指标下达到县或乡镇，村级使用请登记资金分配"})
    fund.full_clean()
    fund.save()
    record_change(fund, before=before, acting_user=acting_user, channel=channel)
    return fund


def allocated_total(fund: Fund, exclude: Allocation | None = None) -> Decimal:
    allocations = Allocation.objects.filter(fund=fund, status=AllocationStatus.ISSUED)
    if exclude is not None and exclude.pk:
        allocations = allocations.exclude(pk=exclude.pk)
    return allocations.aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]


@transaction.atomic
def save_allocation(allocation: Allocation, *, acting_user, channel) -> Allocation:
    """资金分配: the region must lie in the fund's region, and the fund's issued allocations may not exceed it."""
    # The fund row is locked so two allocations saved at once cannot both fit in the same remainder.
    fund = Fund.objects.select_for_update().get(pk=allocation.fund_id)
    ensure_can_change(acting_user, fund.region_id)
    before = None
    if allocation.pk:
        original = Allocation.objects.get(pk=allocation.pk)
        ensure_can_change(acting_user, original.region_id)
        before = snapshot(original)
    else:
        allocation.created_by = acting_user if acting_user is not None and acting_user.is_authenticated else None
    if allocation.project_id and not allocation.region_id:
        allocation.region_id = allocation.project.region_id
    errors = {}
    if allocation.amount is not None and allocation.amount <= 0:
        errors["amount"] = "分配金额应大于0"
    if allocation.region_id:
        region = Region.objects.filter(code=allocation.region_id).first()
        if region is None or not allocation.region_id.startswith(fund.region.prefix):
            errors["region"] = f"实施地区应在资金指标所属的{fund.region.name}范围内"
        elif acting_user is not None and not in_scope(acting_user, allocation.region_id):
            errors["region"] = "实施地区不在当前账号的管辖范围内"
    if allocation.project_id:
        project = allocation.project
        if allocation.region_id and not project.region_id.startswith(Region.objects.get(code=allocation.region_id).prefix):
            errors["project"] = f"项目“{project.name}”不在所选实施地区内"
        elif acting_user is not None and not in_scope(acting_user, project.region_id):
            errors["project"] = "该项目不在当前账号的管辖范围内"
    if allocation.status == AllocationStatus.ISSUED and allocation.amount is not None and "amount" not in errors:
        others = allocated_total(fund, exclude=allocation)
        if others + allocation.amount > fund.amount:
            errors["amount"] = (f"分配金额超出资金指标：{fund.title}共 {fund.amount:,.2f} 元，已分配 {others:,.2f} 元，"
                                f"最多还可分配 {fund.amount - others:,.2f} 元")
    if allocation.allocated_on and fund.document_date and allocation.allocated_on < fund.document_date:
        errors["allocated_on"] = "分配日期不能早于资金指标下达日期"
    if errors:
        raise ValidationError(errors)
    allocation.full_clean()
    allocation.save()
    record_change(allocation, before=before, acting_user=acting_user, channel=channel)
    return allocation


@transaction.atomic
def withdraw_allocation(allocation: Allocation, *, reason: str, acting_user, channel) -> Allocation:
    """收回: an allocation nothing was paid out of goes back to its fund; its record stays."""
    ensure_can_change(acting_user, allocation.region_id)
    if allocation.status == AllocationStatus.WITHDRAWN:
        raise ValidationError("该资金分配已收回")
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写收回原因"})
    if Disbursement.objects.filter(allocation=allocation).exists():
        raise ValidationError("该资金分配已有拨付记录，不能收回")
    before = snapshot(allocation)
    allocation.status = AllocationStatus.WITHDRAWN
    allocation.remarks = f"{allocation.remarks}\n收回：{reason.strip()}".strip()
    allocation.save()
    record_change(allocation, before=before, acting_user=acting_user, channel=channel, note=f"收回：{reason.strip()}"[:200])
    return allocation


# --- spending progress ----------------------------------------------------------------------------------------


@dataclass
class Progress:
    """支出进度 of one fund, project or township: disbursed ÷ allocated."""

    key: object
    label: str
    allocated: Decimal
    disbursed: Decimal

    @property
    def share(self) -> float | None:
        return float(self.disbursed / self.allocated * 100) if self.allocated else None

    @property
    def percent(self) -> str:
        return "—" if self.share is None else f"{self.share:.1f}%"

    @property
    def balance(self) -> Decimal:
        return self.allocated - self.disbursed


def _sums(queryset, key: str) -> dict:
    return dict(queryset.values(key).annotate(total=Sum("amount")).values_list(key, "total").order_by())


def progress_by_fund(funds, user) -> list[Progress]:
    """One row per fund of ``funds`` (the user's visible allocations and disbursements counted)."""
    funds = list(funds)
    ids = [f.pk for f in funds]
    allocated = _sums(Allocation.objects.visible_to(user).filter(fund_id__in=ids, status=AllocationStatus.ISSUED),
                      "fund_id")
    disbursed = _sums(Disbursement.objects.visible_to(user).filter(fund_id__in=ids), "fund_id")
    return [Progress(f, f.title, allocated.get(f.pk) or ZERO, disbursed.get(f.pk) or ZERO) for f in funds]


def progress_by_project(user, *, year: int | None = None, region_prefix: str = "", limit: int = 500) -> list[Progress]:
    allocations = Allocation.objects.visible_to(user).in_region(region_prefix).filter(
        status=AllocationStatus.ISSUED, project__isnull=False)
    if year:
        allocations = allocations.filter(fund__year=year)
    rows = list(allocations.values("project_id", "project__name").annotate(total=Sum("amount"))
                .order_by("-total")[:limit])
    disbursed = _sums(Disbursement.objects.visible_to(user).filter(
        allocation__project_id__in=[r["project_id"] for r in rows]), "allocation__project_id")
    return [Progress(r["project_id"], r["project__name"], r["total"], disbursed.get(r["project_id"]) or ZERO)
            for r in rows]


def progress_by_township(user, *, year: int | None = None, region_prefix: str = "") -> list[Progress]:
    """Allocations and disbursements added up per township (the first 9 digits of their village or township)."""
    width = PREFIX_LENGTH[Level.TOWNSHIP]
    allocations = Allocation.objects.visible_to(user).in_region(region_prefix).filter(status=AllocationStatus.ISSUED)
    disbursements = Disbursement.objects.visible_to(user).in_region(region_prefix)
    if year:
        allocations = allocations.filter(fund__year=year)
        disbursements = disbursements.filter(fund__year=year)
    allocated = _sums(allocations.annotate(township=Substr("region_id", 1, width)), "township")
    disbursed = _sums(disbursements.annotate(township=Substr("village_id", 1, width)), "township")
    prefixes = sorted(set(allocated) | set(disbursed))
    names = dict(Region.objects.filter(code__in=[p.ljust(12, "0") for p in prefixes]).values_list("code", "name"))
    return [Progress(p.ljust(12, "0"), names.get(p.ljust(12, "0"), p), allocated.get(p) or ZERO,
                     disbursed.get(p) or ZERO) for p in prefixes]


def household_disbursements(household, user):
    """Payments to the household's members, matched by ID number, that the user's scope covers."""
    return (Disbursement.objects.visible_to(user)
            .filter(payee_id_number__in=household.members.exclude(id_number="").values("id_number"))
            .order_by("-paid_on", "-id"))


def current_year() -> int:
    return timezone.localdate().year
