"""扶贫项目资产 API: assets and their beneficiaries, income, distributions, maintenance, change requests and their
approval, 移交 from a project, a household's asset-income ledger and the summary figures. Thin callers of
``assets.services`` (channel 接口); lookups go through ``visible_to()``."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from fupin.core.apitools import (
    READ_ERRORS,
    WRITE_ERRORS,
    Id,
    InputSchema,
    Page,
    PageParams,
    apply_changes,
    choice_label,
    form_errors,
    paginate,
    query_schema,
    related,
    visible_or_404,
)
from fupin.core.channels import Channel
from fupin.projects.models import PlannedSource, Project
from fupin.regions.models import Region
from fupin.registry.models import Household

from . import services
from .choices import AssetKind, ChangeKind, DisposalMethod, DistributionPlan, SubKind
from .filters import filter_assets
from .forms import AssetFilterForm
from .models import Asset, AssetBeneficiary, ChangeRequest, Distribution, Income, Maintenance

router = Router()
API = Channel.API
YEAR = {"ge": 2000, "le": 2100}

AssetFilters = query_schema(AssetFilterForm, "AssetFilters")


class AssetOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    sub_kind: str
    sub_kind_label: str
    region: str = Field(alias="region_id")
    region_name: str
    location: str
    value: Decimal
    formed_on: dt.date
    fund_source: str
    fund_source_label: str
    quantity: Decimal | None
    unit: str
    registered_on: dt.date | None
    certificate: str
    owner: str = Field(description="所有权人")
    operator: str = Field(description="经营权人")
    beneficiary: str = Field(description="收益权人")
    supervisor: str = Field(description="监督权人")
    status: str
    status_label: str
    plan: str
    plan_share: Decimal | None
    project: int | None = Field(None, alias="project_id")
    note: str

    resolve_kind_label = choice_label("kind")
    resolve_sub_kind_label = choice_label("sub_kind")
    resolve_fund_source_label = choice_label("fund_source")
    resolve_status_label = choice_label("status")
    resolve_region_name = related("region.name")


class AssetIn(InputSchema):
    name: str = Field(min_length=1, max_length=200)
    kind: AssetKind
    sub_kind: SubKind
    region: str = Field(min_length=12, max_length=12, description="所在区划代码（县、乡镇或村）")
    location: str = Field("", max_length=200)
    value: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    formed_on: dt.date
    fund_source: PlannedSource
    quantity: Decimal | None = Field(None, gt=0, max_digits=12, decimal_places=2)
    unit: str = Field("", max_length=20)
    registered_on: dt.date | None = None
    certificate: str = Field("", max_length=100)
    owner: str = Field(min_length=1, max_length=200)
    operator: str = Field("", max_length=200)
    beneficiary: str = Field("", max_length=200)
    supervisor: str = Field("", max_length=200)
    plan: DistributionPlan = DistributionPlan.NONE
    plan_share: Decimal | None = Field(None, max_digits=5, decimal_places=2)
    note: str = Field("", max_length=500)


class AssetPatch(InputSchema):
    """The fields an edit may change (the rights holders and the status change by an approved request)."""

    name: str | None = Field(None, min_length=1, max_length=200)
    kind: AssetKind | None = None
    sub_kind: SubKind | None = None
    location: str | None = Field(None, max_length=200)
    value: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    formed_on: dt.date | None = None
    fund_source: PlannedSource | None = None
    quantity: Decimal | None = Field(None, gt=0, max_digits=12, decimal_places=2)
    unit: str | None = Field(None, max_length=20)
    registered_on: dt.date | None = None
    certificate: str | None = Field(None, max_length=100)
    beneficiary: str | None = Field(None, max_length=200)
    supervisor: str | None = Field(None, max_length=200)
    plan: DistributionPlan | None = None
    plan_share: Decimal | None = Field(None, max_digits=5, decimal_places=2)
    note: str | None = Field(None, max_length=500)


class HandoverIn(InputSchema):
    """移交: fields left out are taken from the project (name, region, value, fund source, formed date)."""

    kind: AssetKind
    sub_kind: SubKind
    owner: str = Field(min_length=1, max_length=200)
    name: str | None = Field(None, min_length=1, max_length=200)
    value: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    formed_on: dt.date | None = None
    operator: str | None = Field(None, max_length=200)
    beneficiary: str = Field("", max_length=200)
    supervisor: str = Field("", max_length=200)
    registered_on: dt.date | None = None
    certificate: str = Field("", max_length=100)
    plan: DistributionPlan = DistributionPlan.NONE
    plan_share: Decimal | None = Field(None, max_digits=5, decimal_places=2)


class AssetBeneficiaryOut(Schema):
    id: int
    household: int = Field(alias="household_id")
    household_number: str
    head_name: str
    village: str = Field(alias="household.village_id")

    resolve_household_number = related("household.number")
    resolve_head_name = related("household.head_name")


class AssetBeneficiariesIn(InputSchema):
    households: list[Id] = Field(min_length=1, max_length=1000)


class IncomeIn(InputSchema):
    year: int = Field(**YEAR)
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    source: str = Field(min_length=1, max_length=200)
    received_on: dt.date | None = None
    note: str = Field("", max_length=300)


class IncomeOut(Schema):
    id: int
    asset: int = Field(alias="asset_id")
    year: int
    amount: Decimal
    source: str
    received_on: dt.date | None
    note: str


class ShareIn(InputSchema):
    household: Id
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    reason: str = Field(min_length=1, max_length=200)


class DistributionIn(InputSchema):
    year: int = Field(**YEAR)
    paid_on: dt.date | None = None
    shares: list[ShareIn] = Field(min_length=1, max_length=5000)


class DistributionPlanIn(InputSchema):
    year: int = Field(**YEAR)


class DistributionOut(Schema):
    id: int
    asset: int = Field(alias="asset_id")
    asset_name: str
    year: int
    household: int = Field(alias="household_id")
    household_number: str
    head_name: str
    village: str = Field(alias="village_id")
    amount: Decimal
    reason: str
    method: str
    method_label: str
    paid_on: dt.date | None

    resolve_asset_name = related("asset.name")
    resolve_household_number = related("household.number")
    resolve_head_name = related("household.head_name")
    resolve_method_label = choice_label("method")


class DistributionPlanOut(Schema):
    year: int
    income: Decimal
    distributed: Decimal
    households: int
    amount_each: Decimal | None
    applied: bool = Field(description="本年度是否已按方案分配")
    note: str


class MaintenanceIn(InputSchema):
    date: dt.date
    responsible: str = Field(min_length=1, max_length=100)
    content: str = Field(min_length=1, max_length=500)
    cost: Decimal = Field(Decimal(0), ge=0, max_digits=14, decimal_places=2)


class MaintenanceOut(Schema):
    id: int
    asset: int = Field(alias="asset_id")
    date: dt.date
    responsible: str
    content: str
    cost: Decimal


class ChangeRequestIn(InputSchema):
    kind: ChangeKind
    reason: str = Field(min_length=1, max_length=500)
    new_holder: str = Field("", max_length=200, description="所有权移交/变更、经营权变更：变更后的权利人")
    new_status: str = Field("", description="状态变更：in_use 在用、idle 闲置、damaged 损毁")
    method: DisposalMethod | None = Field(None, description="资产处置：处置方式")
    proceeds: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)


class DecideIn(InputSchema):
    approve: bool
    opinion: str = Field("", max_length=500)


class ChangeOut(Schema):
    id: int
    asset: int = Field(alias="asset_id")
    kind: str
    kind_label: str
    new_holder: str
    new_status: str
    reason: str
    method: str
    proceeds: Decimal | None
    status: str
    status_label: str
    requested_by: str | None
    requested: dt.datetime
    decided_by: str | None
    decided: dt.datetime | None
    opinion: str

    resolve_kind_label = choice_label("kind")
    resolve_status_label = choice_label("status")
    resolve_requested_by = related("requested_by.username")
    resolve_decided_by = related("decided_by.username")


class KindFigure(Schema):
    kind: str
    label: str
    count: int
    value: Decimal


class StatusFigure(Schema):
    status: str
    label: str
    count: int


class SummaryOut(Schema):
    year: int
    kinds: list[KindFigure]
    statuses: list[StatusFigure]
    income: Decimal
    distributed: Decimal


def _asset(request, asset_id: int) -> Asset:
    return visible_or_404(Asset.objects.select_related("region"), request.auth, pk=asset_id)


def _households(request, ids) -> list[Household]:
    found = Household.objects.visible_to(request.auth).in_bulk(ids)
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ValidationError({"households": f"户不存在或不在管辖范围内：{'、'.join(missing)}"})
    return [found[i] for i in ids]


@router.get("", response={200: Page[AssetOut], **READ_ERRORS}, summary="资产列表")
def list_assets(request, filters: Query[AssetFilters], paging: Query[PageParams]):
    params = {k: str(v) for k, v in filters.dict().items() if v is not None}
    queryset, form = filter_assets(Asset.objects.visible_to(request.auth), params)
    if form.is_bound and not form.is_valid():
        raise form_errors(form)
    return paginate(queryset.select_related("region").order_by("region_id", "-formed_on", "id"), paging)


@router.post("", response={201: AssetOut, **WRITE_ERRORS}, summary="登记资产")
def create_asset(request, payload: AssetIn):
    data = payload.dict()
    region = visible_or_404(Region.objects, request.auth, code=data.pop("region"))
    asset = services.save_asset(Asset(region=region, **data), acting_user=request.auth, channel=API)
    return Status(201, asset)


@router.get("/summary", response={200: SummaryOut, **READ_ERRORS}, summary="资产统计（按类别、状态，年度收益）")
def summary(request, year: int | None = Query(None, ge=2000, le=2100)):
    return services.summary(request.auth, year or timezone.localdate().year)


@router.get("/households/{household_id}/distributions", response={200: list[DistributionOut], **READ_ERRORS},
            summary="户的资产收益分配")
def household_distributions(request, household_id: int):
    household = visible_or_404(Household.objects, request.auth, pk=household_id)
    return (Distribution.objects.visible_to(request.auth).filter(household=household)
            .select_related("asset", "household").order_by("-year", "id"))


@router.post("/handover/{project_id}", response={201: AssetOut, **WRITE_ERRORS},
             summary="项目移交为资产（项目须已验收）")
def handover(request, project_id: int, payload: HandoverIn):
    project = visible_or_404(Project.objects.select_related("region"), request.auth, pk=project_id)
    fields = services.handover_initial(project)
    fields.update({k: v for k, v in payload.dict().items() if v is not None})
    asset = services.handover(project, Asset(**fields), acting_user=request.auth, channel=API)
    return Status(201, asset)


@router.get("/{asset_id}", response={200: AssetOut, **READ_ERRORS}, summary="资产详情")
def get_asset(request, asset_id: int):
    return _asset(request, asset_id)


@router.patch("/{asset_id}", response={200: AssetOut, **WRITE_ERRORS},
              summary="修改资产（只改提交的字段；权利人和状态通过申请变更）")
def update_asset(request, asset_id: int, payload: AssetPatch):
    asset = apply_changes(_asset(request, asset_id), payload.dict(exclude_unset=True))
    return services.save_asset(asset, acting_user=request.auth, channel=API)


@router.get("/{asset_id}/beneficiaries", response={200: list[AssetBeneficiaryOut], **READ_ERRORS}, summary="资产受益户")
def list_beneficiaries(request, asset_id: int):
    asset = _asset(request, asset_id)
    return AssetBeneficiary.objects.visible_to(request.auth).filter(asset=asset).select_related("household")


@router.post("/{asset_id}/beneficiaries", response={201: list[AssetBeneficiaryOut], **WRITE_ERRORS},
             summary="添加资产受益户")
def add_beneficiaries(request, asset_id: int, payload: AssetBeneficiariesIn):
    asset = _asset(request, asset_id)
    services.add_beneficiaries(asset, _households(request, payload.households), acting_user=request.auth,
                               channel=API)
    return Status(201, list(AssetBeneficiary.objects.visible_to(request.auth).filter(asset=asset)
                            .select_related("household")))


@router.delete("/{asset_id}/beneficiary-rows/{row_id}", response={204: None, **WRITE_ERRORS}, summary="移出资产受益户")
def remove_beneficiary(request, asset_id: int, row_id: int):
    asset = _asset(request, asset_id)
    row = visible_or_404(AssetBeneficiary.objects.select_related("asset"), request.auth, pk=row_id, asset=asset)
    services.remove_beneficiary(row, acting_user=request.auth, channel=API)
    return Status(204, None)


@router.get("/{asset_id}/incomes", response={200: list[IncomeOut], **READ_ERRORS}, summary="资产收益")
def list_incomes(request, asset_id: int):
    return Income.objects.filter(asset=_asset(request, asset_id))


@router.post("/{asset_id}/incomes", response={201: IncomeOut, **WRITE_ERRORS}, summary="登记资产收益")
def create_income(request, asset_id: int, payload: IncomeIn):
    income = Income(asset=_asset(request, asset_id), **payload.dict())
    return Status(201, services.record_income(income, acting_user=request.auth, channel=API))


@router.get("/{asset_id}/distributions", response={200: list[DistributionOut], **READ_ERRORS},
            summary="资产收益分配")
def list_distributions(request, asset_id: int, year: int | None = Query(None, ge=2000, le=2100)):
    rows = Distribution.objects.visible_to(request.auth).filter(asset=_asset(request, asset_id))
    if year:
        rows = rows.filter(year=year)
    return rows.select_related("asset", "household")


@router.post("/{asset_id}/distributions", response={201: list[DistributionOut], **WRITE_ERRORS},
             summary="逐户登记收益分配（分配总额不能超过当年收益）")
def create_distributions(request, asset_id: int, payload: DistributionIn):
    asset = _asset(request, asset_id)
    households = _households(request, [s.household for s in payload.shares])
    shares = [services.Share(h, s.amount, s.reason) for h, s in zip(households, payload.shares, strict=True)]
    rows = services.distribute(asset, payload.year, shares, acting_user=request.auth, channel=API,
                               paid_on=payload.paid_on)
    return Status(201, rows)


def _plan_out(outcome) -> dict:
    return {"year": outcome.year, "income": outcome.income, "distributed": outcome.distributed,
            "households": len(outcome.shares), "amount_each": outcome.shares[0].amount if outcome.shares else None,
            "applied": outcome.applied, "note": outcome.reason}


@router.get("/{asset_id}/plan", response={200: DistributionPlanOut, **READ_ERRORS}, summary="按方案分配的测算")
def preview_plan(request, asset_id: int, year: int = Query(..., ge=2000, le=2100)):
    return _plan_out(services.plan_outcome(_asset(request, asset_id), year))


@router.post("/{asset_id}/plan", response={200: DistributionPlanOut, **WRITE_ERRORS},
             summary="按方案分配（每年一次，重复提交不会重复分配）")
def apply_plan(request, asset_id: int, payload: DistributionPlanIn):
    outcome = services.apply_plan(_asset(request, asset_id), payload.year, acting_user=request.auth, channel=API)
    return _plan_out(outcome)


@router.get("/{asset_id}/maintenance", response={200: list[MaintenanceOut], **READ_ERRORS}, summary="管护记录")
def list_maintenance(request, asset_id: int):
    return Maintenance.objects.filter(asset=_asset(request, asset_id))


@router.post("/{asset_id}/maintenance", response={201: MaintenanceOut, **WRITE_ERRORS}, summary="登记管护")
def create_maintenance(request, asset_id: int, payload: MaintenanceIn):
    record = Maintenance(asset=_asset(request, asset_id), **payload.dict())
    return Status(201, services.record_maintenance(record, acting_user=request.auth, channel=API))


@router.get("/{asset_id}/change-requests", response={200: list[ChangeOut], **READ_ERRORS}, summary="移交、变更与处置申请")
def list_changes(request, asset_id: int):
    return ChangeRequest.objects.filter(asset=_asset(request, asset_id)).select_related("requested_by", "decided_by")


@router.post("/{asset_id}/change-requests", response={201: ChangeOut, **WRITE_ERRORS},
             summary="提交移交、变更或处置申请（县级审批）")
def create_change(request, asset_id: int, payload: ChangeRequestIn):
    data = payload.dict()
    data["method"] = data["method"] or ""
    change = ChangeRequest(asset=_asset(request, asset_id), **data)
    return Status(201, services.request_change(change, acting_user=request.auth, channel=API))


@router.post("/{asset_id}/change-requests/{change_id}/decide", response={200: ChangeOut, **WRITE_ERRORS},
             summary="县级审批申请（批准后生效）")
def decide_change(request, asset_id: int, change_id: int, payload: DecideIn):
    asset = _asset(request, asset_id)
    change = visible_or_404(ChangeRequest.objects, request.auth, pk=change_id, asset=asset)
    return services.decide(change, approve=payload.approve, opinion=payload.opinion, acting_user=request.auth,
                           channel=API)
