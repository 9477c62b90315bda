"""扶贫项目资产 services: registering assets (directly or 移交 from an accepted project), income and its distribution
to households, maintenance, and the change requests (移交/变更, 处置) the county approves.

Every write checks ``may_change_money`` (the finance and audit departments read only) and the region scope, and
writes its audit row in the same transaction. An asset's status and rights holders change only through
``decide`` (docs/domain-facts.md §6: 确权登记、移交、收益分配、处置 follow the rules).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from fupin.accounts.models import ROLE_LEVEL
from fupin.audit.models import Action
from fupin.audit.services import record_change, snapshot
from fupin.core.scope import in_scope
from fupin.projects.access import may_change_money
from fupin.projects.models import Project, ProjectBeneficiary, ProjectStatus
from fupin.projects.services import mark_handed_over
from fupin.regions.models import Level
from fupin.registry.choices import HouseholdStatus, HouseholdType

from .choices import (
    AssetKind,
    AssetStatus,
    ChangeKind,
    DistributionMethod,
    DistributionPlan,
    RequestStatus,
    SubKind,
)
from .models import Asset, AssetBeneficiary, ChangeRequest, Distribution, Income, Maintenance

CENT = Decimal("0.01")
ZERO = Decimal(0)
# Fields a plain edit may not touch: the rights holders and the status change through an approved request.
GUARDED_FIELDS = ("owner", "operator", "status")


# --- who may write --------------------------------------------------------------------------------------------

def can_change(user, region_code: str) -> bool:
    return user is None or (may_change_money(user) and in_scope(user, region_code))


def ensure_can_change(user, region_code: str) -> None:
    if user is None:
        return
    if not may_change_money(user):
        raise PermissionDenied("当前账号只能查看项目资产，不能登记或修改")
    if not in_scope(user, region_code):
        raise PermissionDenied("该资产不在当前账号的管辖范围内")


def is_county(user) -> bool:
    return user is None or user.is_superuser or ROLE_LEVEL.get(user.role) == Level.COUNTY


def can_approve(user, region_code: str) -> bool:
    return can_change(user, region_code) and is_county(user)


def ensure_can_approve(user, region_code: str) -> None:
    ensure_can_change(user, region_code)
    if not is_county(user):
        raise PermissionDenied("资产移交、变更和处置由县级审批")


def _today() -> dt.date:
    return timezone.localdate()


# --- the register ---------------------------------------------------------------------------------------------

def asset_errors(asset: Asset) -> dict[str, str]:
    """The rules of an asset's own fields (shared by the form, the API and the import)."""
    errors = {}
    if asset.kind and asset.sub_kind and not asset.sub_kind.startswith(asset.kind):
        allowed = "、".join(str(c.label) for c in SubKind.of(asset.kind))
        errors["sub_kind"] = f"{AssetKind(asset.kind).label}的子类应为：{allowed}"
    if asset.value is not None and asset.value < 0:
        errors["value"] = "资产原值不能为负数"
    if asset.formed_on and asset.formed_on > _today():
        errors["formed_on"] = "形成日期不能晚于今天"
    if asset.registered_on and asset.formed_on and asset.registered_on < asset.formed_on:
        errors["registered_on"] = "确权登记日期不能早于形成日期"
    if asset.registered_on and asset.registered_on > _today():
        errors["registered_on"] = "确权登记日期不能晚于今天"
    if asset.quantity is not None and asset.quantity <= 0:
        errors["quantity"] = "数量应大于0"
    if asset.plan and asset.kind != AssetKind.OPERATING:
        errors["plan"] = "只有经营性资产有收益分配方案"
    if asset.plan == DistributionPlan.EQUAL:
        if asset.plan_share is None:
            errors["plan_share"] = "平均分配方案需填写分配到户比例"
        elif not ZERO < asset.plan_share <= 100:
            errors["plan_share"] = "分配到户比例应大于0、不超过100"
    if asset.region_id and asset.region.level < Level.COUNTY:
        errors["region"] = "所在区划应为县、乡镇或村"
    return errors


@transaction.atomic
def save_asset(asset: Asset, *, acting_user, channel, note: str = "") -> Asset:
    """Register a new asset or edit one; an edit keeps the rights holders and the status as they were."""
    ensure_can_change(acting_user, asset.region_id or "")
    before = None
    if asset.pk:
        original = Asset.objects.select_for_update().get(pk=asset.pk)
        ensure_can_change(acting_user, original.region_id)
        before = snapshot(original)
        for name in GUARDED_FIELDS:
            setattr(asset, name, getattr(original, name))
        if original.status == AssetStatus.DISPOSED:
            raise ValidationError("已处置的资产不能再修改")
    else:
        asset.status = AssetStatus.IN_USE
        asset.created_by = acting_user if acting_user is not None and acting_user.is_authenticated else None
    if asset.plan != DistributionPlan.EQUAL:
        asset.plan_share = None
    errors = asset_errors(asset)
    if errors:
        raise ValidationError(errors)
    asset.full_clean(exclude=["region", "project", "created_by"])
    asset.save()
    record_change(asset, before=before, acting_user=acting_user, channel=channel, note=note)
    return asset


@transaction.atomic
def add_beneficiaries(asset: Asset, households, *, acting_user, channel) -> int:
    """受益户: households sharing the asset's income (each in the acting user's scope and in the asset's region)."""
    ensure_can_change(acting_user, asset.region_id)
    present = set(asset.beneficiaries.values_list("household_id", flat=True))
    added = 0
    for household in households:
        if household.pk in present:
            continue
        if acting_user is not None and not in_scope(acting_user, household.village_id):
            raise PermissionDenied(f"户 {household.number} 不在当前账号的管辖范围内")
        if not household.village_id.startswith(asset.region.prefix):
            raise ValidationError({"household": f"户 {household.number} 不在资产所在区划（{asset.region.name}）内"})
        row = AssetBeneficiary.objects.create(asset=asset, household=household)
        record_change(row, before=None, acting_user=acting_user, channel=channel, note=f"资产受益户：{asset.name}")
        present.add(household.pk)
        added += 1
    return added


@transaction.atomic
def remove_beneficiary(row: AssetBeneficiary, *, acting_user, channel) -> None:
    ensure_can_change(acting_user, row.asset.region_id)
    record_change(row, before=snapshot(row), acting_user=acting_user, channel=channel, action=Action.DELETE,
                  note=f"移出资产受益户：{row.asset.name}")
    row.delete()


def handover_initial(project: Project) -> dict:
    """A new asset's fields as the project gives them (the 移交 form starts from these)."""
    kind = AssetKind.PUBLIC if project.kind in ("infrastructure", "public_service") else AssetKind.OPERATING
    return {
        "name": project.name, "region": project.region, "value": project.planned_amount,
        "fund_source": project.fund_source, "formed_on": project.completed_on or _today(),
        "kind": kind, "sub_kind": SubKind.of(kind)[0].value, "operator": project.implementing_unit,
    }


@transaction.atomic
def handover(project: Project, asset: Asset, *, acting_user, channel) -> Asset:
    """移交: register the asset an accepted project formed, with the project's beneficiary households, and mark
    the project 已移交."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    ensure_can_change(acting_user, project.region_id)
    if project.status != ProjectStatus.ACCEPTED:
        raise ValidationError(f"项目“{project.name}”尚未验收（{project.get_status_display()}），验收合格后才能移交为资产")
    if Asset.objects.filter(project=project).exists():
        raise ValidationError(f"项目“{project.name}”已移交为资产")
    asset.project = project
    if not asset.region_id:
        asset.region = project.region
    save_asset(asset, acting_user=acting_user, channel=channel, note=f"项目移交：{project.name}")
    households = [b.household for b in ProjectBeneficiary.objects.filter(project=project).select_related("household")
                  if b.household.village_id.startswith(asset.region.prefix)]
    add_beneficiaries(asset, households, acting_user=acting_user, channel=channel)
    mark_handed_over(project, acting_user=acting_user, channel=channel)
    return asset


# --- income and its distribution ------------------------------------------------------------------------------

def _ensure_live(asset: Asset) -> None:
    if asset.status == AssetStatus.DISPOSED:
        raise ValidationError("该资产已处置")


@transaction.atomic
def record_income(income: Income, *, acting_user, channel) -> Income:
    asset = income.asset
    ensure_can_change(acting_user, asset.region_id)
    _ensure_live(asset)
    errors = {}
    if asset.kind != AssetKind.OPERATING:
        errors["asset"] = "只有经营性资产登记收益"
    if income.amount is None or income.amount <= 0:
        errors["amount"] = "收益金额应大于0"
    if income.year and (income.year > _today().year or income.year < asset.formed_on.year):
        errors["year"] = f"收益年度应在资产形成年度（{asset.formed_on.year}）至今年之间"
    if income.received_on and income.received_on > _today():
        errors["received_on"] = "到账日期不能晚于今天"
    if errors:
        raise ValidationError(errors)
    income.created_by = acting_user if acting_user is not None and acting_user.is_authenticated else None
    income.full_clean(exclude=["asset", "created_by"])
    income.save()
    record_change(income, before=None, acting_user=acting_user, channel=channel, note=f"{income.year}年资产收益")
    return income


def year_totals(asset: Asset, year: int) -> tuple[Decimal, Decimal]:
    """(income, distributed) of an asset in a year."""
    income = Income.objects.filter(asset=asset, year=year).aggregate(s=Sum("amount"))["s"] or ZERO
    distributed = Distribution.objects.filter(asset=asset, year=year).aggregate(s=Sum("amount"))["s"] or ZERO
    return income, distributed


@dataclass
class Share:
    household: object
    amount: Decimal
    reason: str = ""


@transaction.atomic
def distribute(asset: Asset, year: int, shares: list[Share], *, acting_user, channel,
               method: str = DistributionMethod.MANUAL, paid_on: dt.date | None = None) -> list[Distribution]:
    """收益分配: one ledger row per household and year; the year's total may not exceed the year's income."""
    asset = Asset.objects.select_for_update().select_related("region").get(pk=asset.pk)
    ensure_can_change(acting_user, asset.region_id)
    _ensure_live(asset)
    if asset.kind != AssetKind.OPERATING:
        raise ValidationError("只有经营性资产的收益可以分配")
    if not shares:
        raise ValidationError("没有要分配的户")
    income, distributed = year_totals(asset, year)
    if income <= 0:
        raise ValidationError(f"该资产{year}年没有登记收益，不能分配")
    taken = set(Distribution.objects.filter(asset=asset, year=year).values_list("household_id", flat=True))
    errors = []
    for share in shares:
        household = share.household
        if acting_user is not None and not in_scope(acting_user, household.village_id):
            errors.append(f"户 {household.number} 不在当前账号的管辖范围内")
        elif household.pk in taken:
            errors.append(f"户 {household.number}（{household.head_name}）已有{year}年该资产的收益分配")
        if share.amount is None or share.amount <= 0:
            errors.append(f"户 {household.number} 的分配金额应大于0")
        elif share.amount != share.amount.quantize(CENT):
            errors.append(f"户 {household.number} 的分配金额最多保留两位小数")
        if not (share.reason or "").strip():
            errors.append(f"户 {household.number} 未填写分配事由")
        taken.add(household.pk)
    total = sum((s.amount for s in shares if s.amount), ZERO)
    if distributed + total > income:
        errors.append(f"分配总额{distributed + total:,.2f}元超过该资产{year}年收益{income:,.2f}元"
                      f"（已分配{distributed:,.2f}元，本次{total:,.2f}元）")
    if paid_on and paid_on > _today():
        errors.append("发放日期不能晚于今天")
    if errors:
        raise ValidationError(errors)
    rows = []
    for share in shares:
        row = Distribution.objects.create(
            asset=asset, year=year, household=share.household, village_id=share.household.village_id,
            amount=share.amount, reason=share.reason.strip(), method=method, paid_on=paid_on,
            created_by=acting_user if acting_user is not None and acting_user.is_authenticated else None,
        )
        record_change(row, before=None, acting_user=acting_user, channel=channel, note=f"{year}年资产收益分配")
        rows.append(row)
    return rows


def eligible_households(asset: Asset):
    """The beneficiary households an equal-share plan reaches: 建档立卡 (脱贫户 and 贫困户) and 监测对象, not
    cancelled or cleared."""
    from fupin.registry.models import Household

    return (Household.objects.filter(asset_benefits__asset=asset)
            .filter(Q(household_type__in=[HouseholdType.POOR, HouseholdType.EXITED]) | ~Q(monitoring_kind=""))
            .exclude(status__in=[HouseholdStatus.CANCELLED, HouseholdStatus.CLEARED])
            .order_by("number"))


@dataclass
class PlanOutcome:
    """What the declared plan gives for an asset and year: each household's share, or why nothing."""

    asset: Asset
    year: int
    income: Decimal
    distributed: Decimal
    shares: list[Share] = field(default_factory=list)
    applied: bool = False  # the plan was already carried out for the year (never twice)
    reason: str = ""

    @property
    def pool(self) -> Decimal:
        return sum((s.amount for s in self.shares), ZERO)


def plan_outcome(asset: Asset, year: int) -> PlanOutcome:
    income, distributed = year_totals(asset, year)
    outcome = PlanOutcome(asset, year, income, distributed)
    if asset.plan != DistributionPlan.EQUAL:
        outcome.reason = "未定平均分配方案"
        return outcome
    if Distribution.objects.filter(asset=asset, year=year, method=DistributionMethod.PLAN).exists():
        outcome.applied, outcome.reason = True, "已按方案分配"
        return outcome
    taken = set(Distribution.objects.filter(asset=asset, year=year).values_list("household_id", flat=True))
    households = [h for h in eligible_households(asset) if h.pk not in taken]
    pool = min(income * asset.plan_share / 100, income - distributed)
    if income <= 0:
        outcome.reason = "当年没有收益"
    elif not households:
        outcome.reason = "没有符合条件的受益户（脱贫户、贫困户、监测对象）"
    elif pool <= 0:
        outcome.reason = "当年收益已分配完"
    else:
        each = (pool / len(households)).quantize(CENT, rounding=ROUND_DOWN)
        if each <= 0:
            outcome.reason = "可分配收益不足每户一分钱"
        else:
            reason = f"{year}年{asset.name}收益按方案平均分配（{asset.plan_share.normalize():f}%到户）"
            outcome.shares = [Share(h, each, reason) for h in households]
    return outcome


@transaction.atomic
def apply_plan(asset: Asset, year: int, *, acting_user, channel) -> PlanOutcome:
    """Carry out the declared plan for a year, once: a second call finds it applied and writes nothing."""
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    ensure_can_change(acting_user, asset.region_id)
    outcome = plan_outcome(asset, year)
    if outcome.shares:
        distribute(asset, year, outcome.shares, acting_user=acting_user, channel=channel,
                   method=DistributionMethod.PLAN)
        outcome.applied = True
    return outcome


# --- maintenance ----------------------------------------------------------------------------------------------

@transaction.atomic
def record_maintenance(record: Maintenance, *, acting_user, channel) -> Maintenance:
    asset = record.asset
    ensure_can_change(acting_user, asset.region_id)
    _ensure_live(asset)
    errors = {}
    if record.date and record.date > _today():
        errors["date"] = "管护日期不能晚于今天"
    if record.date and record.date < asset.formed_on:
        errors["date"] = "管护日期不能早于资产形成日期"
    if record.cost is not None and record.cost < 0:
        errors["cost"] = "管护费用不能为负数"
    if not (record.content or "").strip():
        errors["content"] = "请填写管护内容"
    if errors:
        raise ValidationError(errors)
    record.created_by = acting_user if acting_user is not None and acting_user.is_authenticated else None
    record.full_clean(exclude=["asset", "created_by"])
    record.save()
    record_change(record, before=None, acting_user=acting_user, channel=channel, note="资产管护")
    return record


# --- change requests: 移交/变更, 状态, 处置 ---------------------------------------------------------------------

HOLDER_FIELD = {ChangeKind.OWNER: "owner", ChangeKind.OPERATOR: "operator"}


def change_errors(change: ChangeRequest) -> dict[str, str]:
    asset = change.asset
    errors = {}
    if not (change.reason or "").strip():
        errors["reason"] = "请填写申请理由"
    if change.kind in HOLDER_FIELD:
        holder = (change.new_holder or "").strip()
        if not holder:
            errors["new_holder"] = "请填写变更后的权利人"
        elif holder == getattr(asset, HOLDER_FIELD[change.kind]):
            errors["new_holder"] = "变更后的权利人与现在相同"
    elif change.kind == ChangeKind.STATUS:
        if not change.new_status:
            errors["new_status"] = "请选择变更后的状态"
        elif change.new_status == AssetStatus.DISPOSED:
            errors["new_status"] = "资产处置请提交处置申请"
        elif change.new_status == asset.status:
            errors["new_status"] = "变更后的状态与现在相同"
    elif change.kind == ChangeKind.DISPOSAL:
        if not change.method:
            errors["method"] = "请选择处置方式"
        if change.proceeds is not None and change.proceeds < 0:
            errors["proceeds"] = "处置收入不能为负数"
    return errors


@transaction.atomic
def request_change(change: ChangeRequest, *, acting_user, channel) -> ChangeRequest:
    """申请: the village or township asks the county to approve a change of rights, of status, or a disposal."""
    asset = Asset.objects.select_for_update().get(pk=change.asset_id)
    change.asset = asset
    ensure_can_change(acting_user, asset.region_id)
    _ensure_live(asset)
    if ChangeRequest.objects.filter(asset=asset, status=RequestStatus.PENDING).exists():
        raise ValidationError("该资产已有待审批的申请，审批后再提交")
    if change.kind not in HOLDER_FIELD:
        change.new_holder = ""
    if change.kind != ChangeKind.STATUS:
        change.new_status = ""
    if change.kind != ChangeKind.DISPOSAL:
        change.method, change.proceeds = "", None
    errors = change_errors(change)
    if errors:
        raise ValidationError(errors)
    change.new_holder, change.reason = change.new_holder.strip(), change.reason.strip()
    change.status = RequestStatus.PENDING
    change.requested_by = acting_user if acting_user is not None and acting_user.is_authenticated else None
    change.full_clean(exclude=["asset", "requested_by", "decided_by"])
    change.save()
    record_change(change, before=None, acting_user=acting_user, channel=channel,
                  note=f"申请{change.get_kind_display()}")
    return change


@transaction.atomic
def decide(change: ChangeRequest, *, approve: bool, opinion: str, acting_user, channel) -> ChangeRequest:
    """县级审批: an approval applies the change to the asset (rights holder, status, or 已处置)."""
    change = ChangeRequest.objects.select_for_update().select_related("asset").get(pk=change.pk)
    asset = change.asset
    ensure_can_approve(acting_user, asset.region_id)
    if change.status != RequestStatus.PENDING:
        raise ValidationError(f"该申请已{change.get_status_display()}")
    opinion = (opinion or "").strip()
    if not approve and not opinion:
        raise ValidationError({"opinion": "驳回时请填写审批意见"})
    before = snapshot(change)
    change.status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
    change.opinion = opinion
    change.decided_by = acting_user if acting_user is not None and acting_user.is_authenticated else None
    change.decided = timezone.now()
    change.save()
    record_change(change, before=before, acting_user=acting_user, channel=channel,
                  note=f"{change.get_status_display()}：{change.get_kind_display()}")
    if approve:
        asset_before = snapshot(asset)
        if change.kind in HOLDER_FIELD:
            setattr(asset, HOLDER_FIELD[change.kind], change.new_holder)
        elif change.kind == ChangeKind.STATUS:
            asset.status = change.new_status
        else:
            asset.status = AssetStatus.DISPOSED
        asset.save()
        record_change(asset, before=asset_before, acting_user=acting_user, channel=channel,
                      note=f"经县级审批{change.get_kind_display()}")
    return change


# --- figures --------------------------------------------------------------------------------------------------

def summary(user, year: int) -> dict:
    """The API summary over the user's assets: by kind (count, value), by status, the year's income."""
    assets = Asset.objects.visible_to(user)
    by_kind = {row["kind"]: row for row in assets.values("kind").annotate(count=Count("id"), value=Sum("value"))}
    by_status = dict(assets.values_list("status").annotate(count=Count("id")))
    income = Income.objects.visible_to(user).filter(year=year).aggregate(s=Sum("amount"))["s"] or ZERO
    distributed = Distribution.objects.visible_to(user).filter(year=year).aggregate(s=Sum("amount"))["s"] or ZERO
    return {
        "kinds": [{"kind": k, "label": str(k.label), "count": by_kind.get(k, {}).get("count", 0),
                   "value": by_kind.get(k, {}).get("value") or ZERO} for k in AssetKind],
        "statuses": [{"status": s, "label": str(s.label), "count": by_status.get(s, 0)} for s in AssetStatus],
        "year": year, "income": income, "distributed": distributed,
    }
