"""扶贫小额信贷 API: loans, schedules, repayments (and the bank file), extensions, overdue and due-soon lists, the subsidy
ledger, the risk compensation fund and the limits. Thin callers of credit.services (channel 接口); lookups go
through ``visible_to()``; borrower ID numbers are masked."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from fupin.core import idnumber
from fupin.core.apitools import (
    READ_ERRORS,
    WRITE_ERRORS,
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
from fupin.jobs import imports as import_jobs
from fupin.regions.models import Region
from fupin.registry.models import Household, Member

from . import jobs, parameters, services
from .choices import CompensationTrigger, FundEntryKind, Method, Purpose, Usage
from .choices import Frequency as FrequencyChoice
from .choices import SubsidyPeriod as SubsidyPeriodChoice
from .filters import DueSoonFilterForm, LoanFilterForm, SubsidyFilterForm
from .models import CreditParameter, FundEntry, Loan, Repayment
from .schedule import cents

router = Router()

LoanFilters = query_schema(LoanFilterForm, "CreditLoanFilters")
DueSoonFilters = query_schema(DueSoonFilterForm, "CreditDueSoonFilters")
SubsidyFilters = query_schema(SubsidyFilterForm, "CreditSubsidyFilters")


def _params(filters) -> dict:
    return {k: v for k, v in filters.dict().items() if v not in (None, "")}


class LoanOut(Schema):
    id: int
    household: int = Field(alias="household_id")
    household_number: str
    village: str = Field(alias="village_id")
    borrower: int = Field(alias="borrower_id")
    borrower_name: str
    borrower_id_number: str = Field(description="借款人证件号码（脱敏）")
    bank: str
    contract_number: str
    amount: Decimal
    term_months: int
    annual_rate: Decimal = Field(description="年利率（%）")
    start_date: dt.date
    maturity_date: dt.date
    method: str
    method_label: str
    frequency: int = Field(description="还款周期（月）")
    purpose: str
    purpose_label: str
    purpose_note: str
    usage: str
    usage_label: str
    enterprise_name: str
    status: str
    status_label: str
    outstanding: Decimal
    extended_months: int
    settled_on: dt.date | None
    note: str

    resolve_household_number = related("household.number")
    resolve_borrower_name = related("borrower.name")
    resolve_method_label = choice_label("method")
    resolve_purpose_label = choice_label("purpose")
    resolve_usage_label = choice_label("usage")
    resolve_status_label = choice_label("status")

    @staticmethod
    def resolve_borrower_id_number(obj):
        return idnumber.mask(obj.borrower.id_number)


class OverdueOut(LoanOut):
    overdue_principal: Decimal
    overdue_interest: Decimal
    overdue_since: dt.date = Field(description="最早应还未还日期")
    days_overdue: int

    @staticmethod
    def resolve_overdue_principal(obj):
        return cents(obj.overdue_principal)

    @staticmethod
    def resolve_overdue_interest(obj):
        return cents(obj.overdue_interest)

    @staticmethod
    def resolve_days_overdue(obj):
        return (timezone.localdate() - obj.overdue_since).days


class LoanIn(InputSchema):
    household: int
    borrower: int = Field(description="借款人（该户在册成员编号）")
    bank: str = Field(min_length=1, max_length=50)
    contract_number: str = Field(min_length=1, max_length=50)
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    term_months: int = Field(ge=1, le=600)
    annual_rate: Decimal = Field(ge=0, le=100, max_digits=7, decimal_places=4, description="年利率（%）")
    start_date: dt.date
    method: Method = Method.BULLET
    frequency: FrequencyChoice = FrequencyChoice.QUARTERLY
    purpose: Purpose
    purpose_note: str = Field("", max_length=200)
    usage: Usage = Usage.HOUSEHOLD
    enterprise_name: str = Field("", max_length=100)
    note: str = Field("", max_length=200)


class LoanPatch(InputSchema):
    bank: str | None = Field(None, min_length=1, max_length=50)
    purpose: Purpose | None = None
    purpose_note: str | None = Field(None, max_length=200)
    usage: Usage | None = None
    enterprise_name: str | None = Field(None, max_length=100)
    note: str | None = Field(None, max_length=200)


class ScheduleOut(Schema):
    loan: int = Field(alias="loan_id")
    sequence: int
    period_start: dt.date
    due_date: dt.date
    outstanding_before: Decimal
    principal: Decimal
    interest: Decimal
    paid_principal: Decimal
    paid_interest: Decimal
    settled_on: dt.date | None


class DueSoonOut(ScheduleOut):
    contract_number: str
    bank: str
    household_number: str
    village: str
    borrower_name: str

    resolve_contract_number = related("loan.contract_number")
    resolve_bank = related("loan.bank")
    resolve_household_number = related("loan.household.number")
    resolve_village = related("loan.village_id")
    resolve_borrower_name = related("loan.borrower.name")


class RepaymentIn(InputSchema):
    date: dt.date
    principal: Decimal = Field(Decimal("0"), ge=0, max_digits=12, decimal_places=2)
    interest: Decimal = Field(Decimal("0"), ge=0, max_digits=12, decimal_places=2)
    note: str = Field("", max_length=200)


class RepaymentOut(Schema):
    id: int
    loan: int = Field(alias="loan_id")
    date: dt.date
    principal: Decimal
    interest: Decimal
    note: str


class ExtensionIn(InputSchema):
    months: int = Field(ge=1, le=600, description="展期月数")


class SubsidyOut(Schema):
    id: int
    loan: int = Field(alias="loan_id")
    contract_number: str
    village: str = Field(alias="village_id")
    year: int
    label: str
    period_start: dt.date
    period_end: dt.date
    interest: Decimal
    subsidised_rate: Decimal
    share: Decimal
    computed: Decimal
    amount: Decimal
    lost_reason: str

    resolve_contract_number = related("loan.contract_number")


class CountsOut(Schema):
    checked: int = Field(description="检查的贷款笔数")
    overdue: int = Field(description="逾期笔数")
    events: int = Field(description="新登记的风险事件数")


class WrittenOut(Schema):
    written: int = Field(description="新增或更新的贴息记录数")


class FundEntryIn(InputSchema):
    county: str = Field(min_length=12, max_length=12, description="县级区划代码")
    kind: FundEntryKind
    date: dt.date
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    loan: int | None = Field(None, description="代偿支出的贷款编号")
    trigger: CompensationTrigger | None = None
    bank: str = Field("", max_length=50)
    document: str = Field("", max_length=200)
    note: str = Field("", max_length=200)


class FundEntryOut(Schema):
    id: int
    county: str = Field(alias="county_id")
    kind: str
    kind_label: str
    date: dt.date
    amount: Decimal
    loan: int | None = Field(None, alias="loan_id")
    bank: str
    trigger: str
    document: str
    note: str

    resolve_kind_label = choice_label("kind")


class BalanceOut(Schema):
    county: str
    balance: Decimal


class CreditParameterOut(Schema):
    id: int
    year: int | None
    region: str | None = Field(None, alias="region_id")
    max_amount: Decimal
    subsidy_principal_cap: Decimal
    max_term_months: int
    min_age: int
    max_age: int
    rate_cap_short: Decimal
    rate_cap_long: Decimal
    subsidy_share: Decimal
    subsidy_period_months: int
    due_soon_days: int
    banned_purposes: list[str]
    document: str
    note: str

    @staticmethod
    def resolve_banned_purposes(obj):
        return obj.banned


class ParameterIn(InputSchema):
    year: int | None = Field(None, ge=2000, le=2100)
    region: str | None = Field(None, min_length=12, max_length=12, description="区划代码；不给为全国")
    max_amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    subsidy_principal_cap: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    max_term_months: int = Field(ge=1, le=600)
    min_age: int = Field(ge=0, le=150)
    max_age: int = Field(ge=0, le=150)
    rate_cap_short: Decimal = Field(ge=0, le=100, max_digits=7, decimal_places=4)
    rate_cap_long: Decimal = Field(ge=0, le=100, max_digits=7, decimal_places=4)
    subsidy_share: Decimal = Field(ge=0, le=1, max_digits=5, decimal_places=4)
    subsidy_period_months: SubsidyPeriodChoice = SubsidyPeriodChoice.QUARTER
    due_soon_days: int = Field(ge=0, le=366)
    banned_purposes: list[Purpose] = []
    document: str = Field(min_length=1, max_length=200)
    note: str = Field("", max_length=200)


class ImportJobOut(Schema):
    job_id: int
    status: str
    message: str
    result: dict


def _loan(request, loan_id: int) -> Loan:
    return visible_or_404(Loan.objects.select_related("household", "borrower"), request.auth, pk=loan_id)


# --- loans ----------------------------------------------------------------------------------------------------------

@router.get("/loans", response={200: Page[LoanOut], **READ_ERRORS}, summary="小额信贷台账")
def list_loans(request, filters: Query[LoanFilters], paging: Query[PageParams]):
    return paginate(jobs.loan_rows(request.auth, _params(filters)).order_by("-start_date", "-id"), paging)


@router.post("/loans", response={201: LoanOut, **WRITE_ERRORS}, summary="登记贷款（按小额信贷参数校验，生成还款计划）")
def create_loan(request, payload: LoanIn):
    data = payload.dict()
    household = visible_or_404(Household.objects, request.auth, pk=data.pop("household"))
    borrower = Member.objects.filter(pk=data.pop("borrower"), household=household).first()
    if borrower is None:
        raise ValidationError({"borrower": "借款人应为该户在册的家庭成员"})
    loan = Loan(household=household, borrower=borrower, **data)
    return Status(201, services.save_loan(loan, acting_user=request.auth, channel=Channel.API))


@router.get("/loans/{loan_id}", response={200: LoanOut, **READ_ERRORS}, summary="贷款")
def get_loan(request, loan_id: int):
    return _loan(request, loan_id)


@router.patch("/loans/{loan_id}", response={200: LoanOut, **WRITE_ERRORS}, summary="修改贷款（银行、用途、使用方式、备注）")
def update_loan(request, loan_id: int, payload: LoanPatch):
    loan = _loan(request, loan_id)
    for name, value in payload.dict(exclude_unset=True).items():
        if value is None:
            raise ValidationError({name: "不能为空"})
        setattr(loan, name, value)
    return services.save_loan(loan, acting_user=request.auth, channel=Channel.API)


@router.get("/loans/{loan_id}/schedule", response={200: list[ScheduleOut], **READ_ERRORS}, summary="还款计划")
def loan_schedule(request, loan_id: int):
    return list(_loan(request, loan_id).schedule.all())


@router.get("/loans/{loan_id}/repayments", response={200: list[RepaymentOut], **READ_ERRORS}, summary="还款记录")
def loan_repayments(request, loan_id: int):
    return list(_loan(request, loan_id).repayments.all())


@router.post("/loans/{loan_id}/repayments", response={201: RepaymentOut, **WRITE_ERRORS}, summary="登记还款")
def create_repayment(request, loan_id: int, payload: RepaymentIn):
    loan = _loan(request, loan_id)
    repayment = Repayment(loan=loan, **payload.dict())
    return Status(201, services.record_repayment(repayment, acting_user=request.auth, channel=Channel.API))


@router.post("/loans/{loan_id}/extension", response={200: LoanOut, **WRITE_ERRORS}, summary="展期")
def extend_loan(request, loan_id: int, payload: ExtensionIn):
    loan = _loan(request, loan_id)
    return services.extend_loan(loan, months=payload.months, acting_user=request.auth, channel=Channel.API)


@router.get("/loans/{loan_id}/subsidies", response={200: list[SubsidyOut], **READ_ERRORS}, summary="贷款的贴息台账")
def loan_subsidies(request, loan_id: int):
    return list(_loan(request, loan_id).subsidies.select_related("loan"))


@router.get("/households/{household_id}/loans", response={200: list[LoanOut], **READ_ERRORS}, summary="户的小额信贷")
def household_loans(request, household_id: int):
    household = visible_or_404(Household.objects, request.auth, pk=household_id)
    return list(Loan.objects.visible_to(request.auth).filter(household=household).select_related("household",
                                                                                               "borrower"))


@router.post("/repayments/import", response={202: ImportJobOut, **WRITE_ERRORS},
             summary="导入银行还款明细（后台任务；整份文件校验通过才写入）")
def import_repayments(request, file: UploadedFile = File(..., description="Excel（.xlsx/.xls）或 CSV 文件")):
    services.ensure_can_change(request.auth, request.auth.region_id or "")
    form = import_jobs.UploadForm(files={"file": file})
    if not form.is_valid():
        raise form_errors(form)
    job = import_jobs.start(jobs.IMPORT_KIND, f"导入银行还款明细：{file.name}", file, user=request.auth)
    return Status(202, {"job_id": job.pk, "status": job.status, "message": job.message, "result": job.result})


# --- lists ----------------------------------------------------------------------------------------------------------

@router.get("/overdue", response={200: Page[OverdueOut], **READ_ERRORS}, summary="逾期贷款（按还款计划应还未还）")
def list_overdue(request, filters: Query[LoanFilters], paging: Query[PageParams]):
    rows = jobs.overdue_rows(request.auth, _params(filters)).order_by("overdue_since", "village_id", "id")
    return paginate(rows, paging)


@router.get("/due-soon", response={200: Page[DueSoonOut], **READ_ERRORS}, summary="临期还款")
def list_due_soon(request, filters: Query[DueSoonFilters], paging: Query[PageParams]):
    return paginate(jobs.due_soon_rows(request.auth, _params(filters)).order_by("due_date", "id"), paging)


@router.post("/check", response={200: CountsOut, **WRITE_ERRORS}, summary="更新逾期状态并为逾期贷款的户登记风险事件")
def check_overdue(request):
    services.ensure_can_change(request.auth, request.auth.region_id or "")
    return services.check_overdue(Loan.objects.visible_to(request.auth), acting_user=request.auth,
                                  channel=Channel.API)


@router.get("/subsidies", response={200: Page[SubsidyOut], **READ_ERRORS}, summary="贴息台账")
def list_subsidies(request, filters: Query[SubsidyFilters], paging: Query[PageParams]):
    rows = jobs.subsidy_rows(request.auth, _params(filters)).order_by("period_start", "village_id", "id")
    return paginate(rows, paging)


@router.post("/subsidies/compute", response={200: WrittenOut, **WRITE_ERRORS}, summary="计算已结束贴息期的贴息")
def compute_subsidies(request):
    services.ensure_can_change(request.auth, request.auth.region_id or "")
    return {"written": services.compute_subsidies(Loan.objects.visible_to(request.auth), acting_user=request.auth,
                                                  channel=Channel.API)}


# --- risk compensation fund -----------------------------------------------------------------------------------------

@router.get("/fund", response={200: Page[FundEntryOut], **READ_ERRORS}, summary="风险补偿金收支")
def list_fund(request, paging: Query[PageParams]):
    return paginate(FundEntry.objects.visible_to(request.auth).order_by("-date", "-id"), paging)


@router.get("/fund/balances", response={200: list[BalanceOut], **READ_ERRORS}, summary="风险补偿金余额（各县）")
def fund_balances(request):
    counties = FundEntry.objects.visible_to(request.auth).order_by("county_id").values_list("county_id", flat=True)
    return [{"county": code, "balance": services.fund_balance(code)} for code in dict.fromkeys(counties)]


@router.post("/fund", response={201: FundEntryOut, **WRITE_ERRORS}, summary="登记风险补偿金存入、代偿或追偿")
def create_fund_entry(request, payload: FundEntryIn):
    data = payload.dict()
    county = visible_or_404(Region.objects, request.auth, code=data.pop("county"))
    loan_id = data.pop("loan")
    loan = visible_or_404(Loan.objects, request.auth, pk=loan_id) if loan_id else None
    entry = FundEntry(county=county, loan=loan, **{**data, "trigger": data["trigger"] or ""})
    return Status(201, services.record_fund_entry(entry, acting_user=request.auth, channel=Channel.API))


# --- parameters -----------------------------------------------------------------------------------------------------

@router.get("/parameters", response={200: list[CreditParameterOut], **READ_ERRORS}, summary="小额信贷参数")
def list_parameters(request):
    return list(CreditParameter.objects.select_related("region").order_by("region_id", "year"))


@router.get("/parameters/current", response={200: CreditParameterOut, **READ_ERRORS},
            summary="本辖区某年度适用的小额信贷参数（区划越具体越优先）")
def current_parameters(request, year: Annotated[int | None, Field(ge=2000, le=2100)] = None):
    return parameters.resolve(request.auth.region_id, year or timezone.localdate().year)


@router.post("/parameters", response={201: CreditParameterOut, **WRITE_ERRORS}, summary="新增小额信贷参数（系统管理员）")
def create_parameter(request, payload: ParameterIn):
    data = payload.dict()
    code = data.pop("region")
    region = visible_or_404(Region.objects, request.auth, code=code) if code else None
    banned = ",".join(data.pop("banned_purposes"))
    parameter = CreditParameter(region=region, banned_purposes=banned, **data)
    return Status(201, parameters.save_parameter(parameter, acting_user=request.auth, channel=Channel.API))
