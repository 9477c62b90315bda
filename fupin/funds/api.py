"""扶贫资金 API: funds, allocations, disbursements (paginated, the pages' filters), bank file batches (upload runs as
a job; poll the batch), spending progress, 公告公示 and a household's payments. Thin callers of ``services``,
``imports`` and ``disclosures`` (channel 接口); every lookup goes through ``visible_to()``. ID numbers and bank
accounts are masked."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from fupin.core import idnumber
from fupin.core.apitools import (
    READ_ERRORS,
    WRITE_ERRORS,
    Id,
    InputSchema,
    Page,
    PageParams,
    choice_label,
    form_errors,
    paginate,
    query_schema,
    related,
    visible_or_404,
)
from fupin.core.channels import Channel
from fupin.core.tables import mask_phone
from fupin.jobs import imports as import_jobs
from fupin.jobs import services as jobs
from fupin.projects.models import Project
from fupin.regions.models import Region
from fupin.registry.models import Household

from . import disclosures, filters, services
from .anomaly_api import router as anomaly_router
from .imports import create_batch
from .jobs import LOAD
from .models import Allocation, Disbursement, DisbursementBatch, Fund, FundSource

router = Router()
router.add_router("/checks", anomaly_router)
API = Channel.API

FundFilters = query_schema(filters.FundFilterForm, "FundFilters")
AllocationFilters = query_schema(filters.AllocationFilterForm, "AllocationFilters")
DisbursementFilters = query_schema(filters.DisbursementFilterForm, "DisbursementFilters")
BatchFilters = query_schema(filters.BatchFilterForm, "BatchFilters")


def _filtered(queryset, filter_rows, params):
    queryset, form = filter_rows(queryset, {k: str(v) for k, v in params.dict().items() if v is not None})
    if form.is_bound and not form.is_valid():
        raise form_errors(form)
    return queryset


class FundOut(Schema):
    id: int
    region: str = Field(alias="region_id")
    region_name: str
    year: int
    source: str
    source_label: str
    document_number: str
    document_date: dt.date | None
    title: str
    amount: Decimal
    remarks: str

    resolve_source_label = choice_label("source")
    resolve_region_name = related("region.name")


class FundIn(InputSchema):
    region: str = Field(min_length=12, max_length=12, description="接收资金的县或乡镇区划代码")
    year: int = Field(ge=2000, le=2100)
    source: FundSource
    document_number: str = Field(min_length=1, max_length=100, description="文号")
    document_date: dt.date | None = None
    title: str = Field(min_length=1, max_length=200)
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    remarks: str = Field("", max_length=2000)


class SpendingProgressOut(Schema):
    key: str
    label: str
    allocated: Decimal
    disbursed: Decimal
    share: float | None = Field(description="支出进度（%）= 已拨付 ÷ 已分配")


class AllocationOut(Schema):
    id: int
    fund: int = Field(alias="fund_id")
    project: int | None = Field(None, alias="project_id")
    project_name: str | None
    region: str = Field(alias="region_id")
    region_name: str
    item: str
    amount: Decimal
    allocated_on: dt.date
    document_number: str
    status: str
    status_label: str
    remarks: str

    resolve_status_label = choice_label("status")
    resolve_region_name = related("region.name")
    resolve_project_name = related("project.name")


class AllocationIn(InputSchema):
    fund: Id
    project: Id | None = Field(None, description="项目编号；直接补助到户的资金不填")
    region: str | None = Field(None, min_length=12, max_length=12, description="实施地区（村或乡镇）；有项目时默认项目所在地")
    item: str = Field(min_length=1, max_length=200, description="资金项目（补贴项目）名称")
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    allocated_on: dt.date
    document_number: str = Field("", max_length=100)
    remarks: str = Field("", max_length=2000)


class WithdrawIn(InputSchema):
    reason: str = Field(min_length=1, max_length=200)


class DisbursementOut(Schema):
    id: int
    batch: int = Field(alias="batch_id")
    row_no: int
    allocation: int | None = Field(None, alias="allocation_id")
    fund: int | None = Field(None, alias="fund_id")
    village: str = Field(alias="village_id")
    item: str
    voucher_number: str
    payee_name: str
    payee_id_number: str = Field(description="脱敏")
    bank_account: str = Field(description="脱敏，只显示后4位")
    amount: Decimal
    paid_on: dt.date

    @staticmethod
    def resolve_payee_id_number(obj):
        return idnumber.mask(obj.payee_id_number)

    @staticmethod
    def resolve_bank_account(obj):
        return mask_phone(obj.bank_account)


class BatchOut(Schema):
    id: int
    kind: str
    file_name: str
    region: str | None = Field(None, alias="region_id")
    status: str
    status_label: str
    rows: int
    loaded: int
    total_amount: Decimal
    job: int | None = Field(None, alias="job_id")
    created: dt.datetime
    finished: dt.datetime | None
    report: dict = Field(description="校验报告：rows、loaded、error_count、errors（row/column/reason）、summary")

    resolve_status_label = choice_label("status")

    @staticmethod
    def resolve_report(obj):
        return {k: v for k, v in (obj.report or {}).items() if k != "error_file"}


class FundNoticeOut(Schema):
    id: int
    title: str
    region: str = Field(alias="region_id")
    kind: str
    start_date: dt.date
    end_date: dt.date
    status: str


class DisclosureIn(InputSchema):
    start_date: dt.date
    end_date: dt.date
    title: str = Field("", max_length=200)
    body: str = Field("", max_length=2000)
    contact: str = Field("", max_length=40, description="单位监督电话（不填个人手机号）")


def _progress(rows) -> list[dict]:
    return [{"key": str(getattr(p.key, "pk", p.key)), "label": p.label, "allocated": p.allocated,
             "disbursed": p.disbursed, "share": p.share} for p in rows]


# --- funds ------------------------------------------------------------------------------------------------------


@router.get("/funds", response={200: Page[FundOut], **READ_ERRORS}, summary="资金指标列表")
def list_funds(request, params: Query[FundFilters], paging: Query[PageParams]):
    queryset = _filtered(Fund.objects.visible_to(request.auth), filters.filter_funds, params)
    return paginate(queryset.select_related("region").order_by("-year", "region_id", "id"), paging)


@router.post("/funds", response={201: FundOut, **WRITE_ERRORS}, summary="登记资金指标")
def create_fund(request, payload: FundIn):
    data = payload.dict()
    region = visible_or_404(Region.objects, request.auth, code=data.pop("region"))
    return Status(201, services.save_fund(Fund(region=region, **data), acting_user=request.auth, channel=API))


@router.get("/funds/{fund_id}", response={200: FundOut, **READ_ERRORS}, summary="资金指标详情")
def get_fund(request, fund_id: Id):
    return visible_or_404(Fund.objects.select_related("region"), request.auth, pk=fund_id)


@router.get("/funds/{fund_id}/progress", response={200: SpendingProgressOut, **READ_ERRORS}, summary="资金指标的支出进度")
def fund_progress(request, fund_id: Id):
    fund = visible_or_404(Fund.objects, request.auth, pk=fund_id)
    return _progress(services.progress_by_fund([fund], request.auth))[0]


@router.post("/funds/{fund_id}/disclosures", response={201: FundNoticeOut, **WRITE_ERRORS},
             summary="公告资金分配结果（在公示公告公开页面展示）")
def publish_allocations(request, fund_id: Id, payload: DisclosureIn):
    fund = visible_or_404(Fund.objects.select_related("region"), request.auth, pk=fund_id)
    notice = disclosures.publish(kind=disclosures.ALLOCATION, fund=fund, acting_user=request.auth, channel=API,
                                 **payload.dict())
    return Status(201, notice)


# --- allocations ------------------------------------------------------------------------------------------------


@router.get("/allocations", response={200: Page[AllocationOut], **READ_ERRORS}, summary="资金分配列表")
def list_allocations(request, params: Query[AllocationFilters], paging: Query[PageParams]):
    queryset = _filtered(Allocation.objects.visible_to(request.auth), filters.filter_allocations, params)
    return paginate(queryset.select_related("region", "project").order_by("-allocated_on", "-id"), paging)


@router.post("/allocations", response={201: AllocationOut, **WRITE_ERRORS},
             summary="分配资金（各项分配合计不得超过资金指标）")
def create_allocation(request, payload: AllocationIn):
    data = payload.dict()
    fund = visible_or_404(Fund.objects.select_related("region"), request.auth, pk=data.pop("fund"))
    project_id, region_code = data.pop("project"), data.pop("region")
    project = visible_or_404(Project.objects, request.auth, pk=project_id) if project_id else None
    region = visible_or_404(Region.objects, request.auth, code=region_code) if region_code else None
    if region is None and project is None:
        raise ValidationError({"region": "请填写实施地区或项目"})
    allocation = Allocation(fund=fund, project=project, region=region or project.region, **data)
    return Status(201, services.save_allocation(allocation, acting_user=request.auth, channel=API))


@router.post("/allocations/{allocation_id}/withdraw", response={200: AllocationOut, **WRITE_ERRORS},
             summary="收回资金分配（未拨付的）")
def withdraw_allocation(request, allocation_id: Id, payload: WithdrawIn):
    allocation = visible_or_404(Allocation.objects.select_related("region"), request.auth, pk=allocation_id)
    return services.withdraw_allocation(allocation, reason=payload.reason, acting_user=request.auth, channel=API)


# --- disbursements and batches ----------------------------------------------------------------------------------


@router.get("/disbursements", response={200: Page[DisbursementOut], **READ_ERRORS}, summary="拨付明细列表")
def list_disbursements(request, params: Query[DisbursementFilters], paging: Query[PageParams]):
    queryset = _filtered(Disbursement.objects.visible_to(request.auth), filters.filter_disbursements, params)
    return paginate(queryset.order_by("-paid_on", "-id"), paging)


@router.get("/batches", response={200: Page[BatchOut], **READ_ERRORS}, summary="拨付批次列表")
def list_batches(request, params: Query[BatchFilters], paging: Query[PageParams]):
    queryset = _filtered(DisbursementBatch.objects.visible_to(request.auth), filters.filter_batches, params)
    return paginate(queryset.order_by("-created", "-id"), paging)


@router.post("/batches", response={202: BatchOut, **WRITE_ERRORS},
             summary="上传银行拨付明细（后台逐行校验，全部正确才写入；轮询批次查看状态和校验报告）")
def upload_batch(request, file: UploadedFile = File(..., description="Excel（.xlsx/.xls）或 CSV 文件"),
                 kind: str = Form("disbursement", description="批次类型：disbursement 拨付明细")):
    form = import_jobs.UploadForm(files={"file": file})
    if not form.is_valid():
        raise form_errors(form)
    batch = create_batch(file.name, acting_user=request.auth, channel=API, kind=kind)
    job = jobs.start(LOAD, f"导入拨付明细：{file.name}", user=request.auth,
                     input_file=str(import_jobs.save_upload(file)), params={"batch_id": batch.pk, "channel": API})
    DisbursementBatch.objects.filter(pk=batch.pk).update(job=job)
    batch.refresh_from_db()
    return Status(202, batch)


@router.get("/batches/{batch_id}", response={200: BatchOut, **READ_ERRORS}, summary="拨付批次的状态和校验报告")
def get_batch(request, batch_id: Id):
    return visible_or_404(DisbursementBatch.objects, request.auth, pk=batch_id)


# --- progress, disclosures, households ---------------------------------------------------------------------------


class ProgressSummaryOut(Schema):
    year: int
    townships: list[SpendingProgressOut]
    projects: list[SpendingProgressOut]


@router.get("/progress", response={200: ProgressSummaryOut, **READ_ERRORS}, summary="支出进度（按乡镇、按项目）")
def progress(request, year: int | None = Query(None, ge=2000, le=2100)):
    year = year or timezone.localdate().year
    return {"year": year, "townships": _progress(services.progress_by_township(request.auth, year=year)),
            "projects": _progress(services.progress_by_project(request.auth, year=year))}


@router.get("/disclosures", response={200: Page[FundNoticeOut], **READ_ERRORS}, summary="资金公告公示（分配结果、项目计划）")
def list_disclosures(request, paging: Query[PageParams]):
    return paginate(disclosures.funds_notices(request.auth), paging)


@router.get("/households/{household_id}/disbursements", response={200: list[DisbursementOut], **READ_ERRORS},
            summary="户内成员（按证件号码）收到的拨付")
def household_disbursements(request, household_id: Id):
    household = visible_or_404(Household.objects, request.auth, pk=household_id)
    return services.household_disbursements(household, request.auth)[:500]

