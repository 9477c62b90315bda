"""Monitoring API: runs, alerts and leads, monitored households, risk events, rules, parameters and data-quality
findings. Thin callers of monitoring.services (channel 接口); lists use the page filters; every lookup goes through
``visible_to()``, so records outside the account's scope answer 404."""

import datetime as dt
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from fupin.audit.models import Channel
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
from fupin.jobs.models import Job
from fupin.regions.models import Region, region_prefix
from fupin.registry.api import HouseholdRefs
from fupin.registry.models import Household

from . import corrections, explain, jobs, services, stats
from .filters import (
    AlertFilterForm,
    MonitoredFilterForm,
    filter_alerts,
    filter_monitored,
)
from .forms import RuleForm
from .models import (
    Alert,
    EliminationMethod,
    EventKind,
    Family,
    Finding,
    IncomeCheck,
    MonitoredHousehold,
    MonitoredKind,
    Parameter,
    RiskEvent,
    RiskType,
    Rule,
    Run,
    Source,
)

router = Router()

AlertFilters = query_schema(AlertFilterForm, "AlertFilters")
MonitoredFilters = query_schema(MonitoredFilterForm, "MonitoredFilters")


def _filtered(queryset, filter_fn, filters: Schema):
    params = {k: str(v) for k, v in filters.dict().items() if v is not None}
    queryset, form = filter_fn(queryset, params)
    if form.is_bound and not form.is_valid():
        raise form_errors(form)
    return queryset


# --- schemas ----------------------------------------------------------------------------------------------------

class MonitoringRunIn(InputSchema):
    region: str = Field(min_length=12, max_length=12, description="区划代码（县或乡镇）")
    year: int | None = Field(None, ge=2000, le=2100, description="收支年度，默认上一年度")
    family: Family = Field(Family.MONITORING, description="monitoring 监测预警；quality 逻辑校验")


class MonitoringJobOut(Schema):
    job: int = Field(description="后台任务编号；进度见 /jobs/{job}/ 页面")
    status: str
    title: str


class MonitoringRunOut(Schema):
    id: int
    family: str
    region: str = Field(alias="region_id")
    year: int
    status: str
    rules: list[str]
    scanned: int = Field(description="扫描户数")
    opened: int = Field(description="新增")
    updated_count: int = Field(description="更新")
    unchanged: int = Field(description="未变")
    closed: int = Field(description="关闭（预警自动关闭 / 问题已整改）")
    seconds: float
    warnings: list[str]
    job: int | None = Field(None, alias="job_id")
    started: dt.datetime
    finished: dt.datetime | None


class AlertOut(HouseholdRefs):
    id: int
    household: int = Field(alias="household_id")
    household_number: str
    head_name: str
    village: str = Field(alias="village_id")
    year: int
    source: str
    source_label: str
    status: str
    status_label: str
    rules: list[str] = Field(description="触发规则代码")
    figures: dict = Field(description="规则代码 → 触发时的户事实与参数取值")
    severity: int
    severity_label: str = Field(description="严重程度：一般、较重或严重")
    reason: str = Field(description="预警原因（中文：触发规则、数据和参数名称与取值）")
    firing: bool = Field(description="最近一次运行时规则是否仍触发")
    description: str
    due: dt.date | None
    verification: str
    procedure: int | None = Field(None, alias="procedure_id")
    created: dt.datetime

    resolve_source_label = choice_label("source")
    resolve_status_label = choice_label("status")
    resolve_severity_label = choice_label("severity")

    @staticmethod
    def resolve_rules(obj):
        return obj.rule_codes

    @staticmethod
    def resolve_reason(obj):
        return explain.text(obj.figures)


class DismissIn(InputSchema):
    reason: str = Field(min_length=1, description="核实情况与无风险的理由")


class InclusionIn(InputSchema):
    kind: MonitoredKind = Field(description="1 脱贫不稳定户；2 边缘易致贫户；3 突发严重困难户")
    risks: list[RiskType] = Field(min_length=1, max_length=5, description="风险类型代码，一至五项")
    reason: str = Field(min_length=1, description="入户核实情况")


class LeadIn(InputSchema):
    household_number: str
    source: Source = Field(description="self 农户自主申报；cadre 干部走访排查；department 部门筛查预警")
    description: str = Field(min_length=1)
    reporter: str = ""
    contact: str = ""


class MonitoredOut(HouseholdRefs):
    id: int
    household: int = Field(alias="household_id")
    household_number: str
    head_name: str
    village: str = Field(alias="village_id")
    kind: str
    kind_label: str
    year: int
    identified_on: dt.date
    risks: list[str]
    risk_labels: str
    per_capita_income: Decimal | None
    monitoring_line: Decimal | None
    status: str
    no_work_capacity: bool
    elimination_method: str
    eliminated_on: dt.date | None

    resolve_kind_label = choice_label("kind")

    @staticmethod
    def resolve_risks(obj):
        return obj.risk_codes


class EliminationIn(InputSchema):
    method: EliminationMethod = Field(description="assisted 帮扶消除；natural 自然消除")
    reason: str = ""


class ReflagIn(InputSchema):
    kind: MonitoredKind | None = Field(None, description="监测对象类别，默认沿用原类别：1 脱贫不稳定户；2 边缘易致贫户；3 突发严重困难户")
    risks: list[RiskType] = Field(min_length=1, max_length=5, description="重新出现的风险类型代码，一至五项")
    reason: str = Field(min_length=1, description="再标注原因（重新出现的风险情况）")


class RollbackIn(InputSchema):
    reason: str = Field(min_length=1, description="回退原因（原风险消除认定有误的情况）")


class ProcedureRef(Schema):
    procedure: int
    status: str


class EventIn(InputSchema):
    household: int = Field(description="户ID")
    kind: EventKind
    date: dt.date
    member_name: str = ""
    amount: Decimal | None = None
    description: str = ""
    source: Source = Source.CADRE


class EventOut(Schema):
    id: int
    household: int = Field(alias="household_id")
    kind: str
    date: dt.date
    member_name: str
    amount: Decimal | None
    description: str
    source: str


class IncomeCheckIn(InputSchema):
    household: int = Field(description="户ID")
    checked_on: dt.date = Field(description="核查日期")
    per_capita_income: Decimal = Field(ge=0, description="近12个月人均纯收入（元）")
    note: str = ""


class IncomeCheckOut(Schema):
    id: int
    household: int = Field(alias="household_id")
    checked_on: dt.date
    per_capita_income: Decimal
    note: str
    created: dt.datetime


class MonitoringRuleOut(Schema):
    id: int
    family: str
    code: str
    name: str
    condition: str
    severity: int
    severity_label: str
    heavier_condition: str = Field(description="较重条件（留空为不分级）")
    severe_condition: str = Field(description="严重条件（留空为不分级）")
    risk_type: str
    year_from: int | None
    year_to: int | None
    region: str | None = Field(None, alias="region_id")
    enabled: bool
    description: str

    resolve_severity_label = choice_label("severity")


class RuleIn(InputSchema):
    family: Family = Family.MONITORING
    code: str
    name: str
    condition: str = Field(description="户事实表上的 SQL 条件；参数写作 :参数代码")
    severity: int = Field(2, ge=1, le=3, description="基本等级：1 一般；2 较重；3 严重")
    heavier_condition: str = Field("", description="满足时升为较重的条件（户事实表上的 SQL 条件）")
    severe_condition: str = Field("", description="满足时升为严重的条件")
    risk_type: str = ""
    year_from: int | None = None
    year_to: int | None = None
    region: str | None = Field(None, description="区划代码；留空为全国")
    enabled: bool = True
    description: str = ""


class ParameterOut(Schema):
    id: int
    code: str
    name: str
    year: int | None
    region: str | None = Field(None, alias="region_id")
    value: Decimal
    unit: str
    note: str


class FindingOut(HouseholdRefs):
    id: int
    household: int = Field(alias="household_id")
    household_number: str
    village: str = Field(alias="village_id")
    rule: str
    rule_name: str
    year: int
    figures: dict
    reason: str = Field(description="问题数据（中文）")
    first_seen: dt.datetime

    resolve_rule = related("rule.code")
    resolve_rule_name = related("rule.name")

    @staticmethod
    def resolve_reason(obj):
        return explain.values_text(obj.figures)


# --- runs -------------------------------------------------------------------------------------------------------

@router.post("/runs", response={202: MonitoringJobOut, **WRITE_ERRORS}, summary="运行监测预警或逻辑校验（后台任务）")
def start_run(request, payload: MonitoringRunIn):
    """Queues a run over the region; poll ``GET /monitoring/runs`` or the job page. Running twice opens no
    duplicate alerts: alerts still firing are kept, those no longer firing are closed or marked."""
    region = visible_or_404(Region.objects, request.auth, code=payload.region)
    job = jobs.start_run(payload.family, region, payload.year or services.default_year(),
                             acting_user=request.auth, channel=Channel.API)
    job = Job.objects.get(pk=job.pk)
    return Status(202, {"job": job.pk, "status": job.status, "title": job.title})


@router.get("/runs", response={200: Page[MonitoringRunOut], **READ_ERRORS}, summary="运行记录")
def list_runs(request, paging: Query[PageParams]):
    return paginate(Run.objects.visible_to(request.auth), paging)


# --- alerts -----------------------------------------------------------------------------------------------------

def _alert(request, alert_id) -> Alert:
    return visible_or_404(Alert.objects.select_related("household"), request.auth, pk=alert_id)


@router.get("/alerts", response={200: Page[AlertOut], **WRITE_ERRORS}, summary="预警列表（默认未办结）")
def list_alerts(request, filters: Query[AlertFilters], paging: Query[PageParams]):
    queryset = _filtered(Alert.objects.visible_to(request.auth), filter_alerts, filters)
    return paginate(queryset.select_related("household").order_by("village_id", "id"), paging)


@router.get("/alerts/{alert_id}", response={200: AlertOut, **READ_ERRORS}, summary="预警详情")
def get_alert(request, alert_id: int):
    return _alert(request, alert_id)


@router.post("/alerts/{alert_id}/dismiss", response={200: AlertOut, **WRITE_ERRORS}, summary="核实无风险")
def dismiss_alert(request, alert_id: int, payload: DismissIn):
    return services.dismiss_alert(_alert(request, alert_id), reason=payload.reason, acting_user=request.auth,
                                  channel=Channel.API)


@router.post("/alerts/{alert_id}/include", response={200: AlertOut, **WRITE_ERRORS},
             summary="核实有风险：发起监测对象认定程序")
def include_alert(request, alert_id: int, payload: InclusionIn):
    return services.start_inclusion(_alert(request, alert_id), kind=payload.kind, risks=list(payload.risks),
                                    reason=payload.reason, acting_user=request.auth, channel=Channel.API)


@router.post("/leads", response={201: AlertOut, **WRITE_ERRORS}, summary="登记线索（自主申报、干部排查、部门筛查）")
def create_lead(request, payload: LeadIn):
    household = visible_or_404(Household.objects, request.auth, number=payload.household_number)
    alert = services.create_lead(household, source=payload.source, description=payload.description,
                                 reporter=payload.reporter, contact=payload.contact, acting_user=request.auth,
                                 channel=Channel.API)
    return Status(201, alert)


# --- monitored households ---------------------------------------------------------------------------------------

@router.get("/monitored", response={200: Page[MonitoredOut], **WRITE_ERRORS}, summary="监测对象列表")
def list_monitored(request, filters: Query[MonitoredFilters], paging: Query[PageParams]):
    queryset = _filtered(MonitoredHousehold.objects.visible_to(request.auth), filter_monitored, filters)
    return paginate(queryset.select_related("household").order_by("village_id", "id"), paging)


@router.get("/monitored/{monitored_id}", response={200: MonitoredOut, **READ_ERRORS}, summary="监测对象详情")
def get_monitored(request, monitored_id: int):
    return visible_or_404(MonitoredHousehold.objects.select_related("household"), request.auth, pk=monitored_id)


@router.post("/monitored/{monitored_id}/eliminate", response={201: ProcedureRef, **WRITE_ERRORS},
             summary="发起风险消除程序")
def eliminate(request, monitored_id: int, payload: EliminationIn):
    monitored = visible_or_404(MonitoredHousehold.objects.select_related("household"), request.auth, pk=monitored_id)
    procedure = services.start_elimination(monitored, method=payload.method, reason=payload.reason,
                                           acting_user=request.auth, channel=Channel.API)
    return Status(201, {"procedure": procedure.pk, "status": procedure.status})


@router.post("/monitored/{monitored_id}/reflag", response={201: ProcedureRef, **WRITE_ERRORS},
             summary="发起风险再标注程序（已消除风险的监测对象再次出现风险）")
def reflag(request, monitored_id: int, payload: ReflagIn):
    monitored = visible_or_404(MonitoredHousehold.objects.select_related("household"), request.auth, pk=monitored_id)
    procedure = corrections.start_reflag(monitored, kind=payload.kind or "", risks=list(payload.risks),
                                         reason=payload.reason, acting_user=request.auth, channel=Channel.API)
    return Status(201, {"procedure": procedure.pk, "status": procedure.status})


@router.post("/monitored/{monitored_id}/rollback", response={201: ProcedureRef, **WRITE_ERRORS},
             summary="发起风险消除回退程序（回退期限内纠正有误的风险消除）")
def rollback(request, monitored_id: int, payload: RollbackIn):
    monitored = visible_or_404(MonitoredHousehold.objects.select_related("household"), request.auth, pk=monitored_id)
    procedure = corrections.start_rollback(monitored, reason=payload.reason, acting_user=request.auth,
                                           channel=Channel.API)
    return Status(201, {"procedure": procedure.pk, "status": procedure.status})


@router.post("/events", response={201: EventOut, **WRITE_ERRORS}, summary="登记风险事件")
def create_event(request, payload: EventIn):
    household = visible_or_404(Household.objects, request.auth, pk=payload.household)
    data = payload.dict()
    data.pop("household")
    event = services.record_event(RiskEvent(household=household, **data), acting_user=request.auth,
                                  channel=Channel.API)
    return Status(201, event)


@router.get("/overview", response={200: dict, **READ_ERRORS}, summary="监测总览（按类别、风险类型、村、状态）")
def overview(request):
    data = stats.overview(request.auth)
    data["overdue_steps"] = [
        {"procedure": s.procedure_id, "step": s.name, "due": s.due.isoformat(), "village": s.procedure.village_id}
        for s in data["overdue_steps"]
    ]
    data["kind_labels"] = [str(label) for label in data["kind_labels"]]
    data["kinds"] = [[str(label), n] for label, n in data["kinds"]]
    data["risks"] = [[str(label), n] for label, n in data["risks"]]
    data["alert_status"] = [[str(label), n] for label, n in data["alert_status"]]
    data["alert_source"] = [[str(label), n] for label, n in data["alert_source"]]
    return data


# --- income checks ----------------------------------------------------------------------------------------------

@router.get("/households/{household_id}/income-checks", response={200: list[IncomeCheckOut], **READ_ERRORS},
            summary="收入核查记录（风险消除按其计算收入稳定月数）")
def list_income_checks(request, household_id: int):
    household = visible_or_404(Household.objects, request.auth, pk=household_id)
    return IncomeCheck.objects.filter(household=household)


@router.post("/income-checks", response={201: IncomeCheckOut, **WRITE_ERRORS}, summary="登记收入核查")
def create_income_check(request, payload: IncomeCheckIn):
    household = visible_or_404(Household.objects, request.auth, pk=payload.household)
    check = IncomeCheck(household=household, checked_on=payload.checked_on,
                        per_capita_income=payload.per_capita_income, note=payload.note)
    return Status(201, services.record_income_check(check, acting_user=request.auth, channel=Channel.API))


# --- rules, parameters, findings ---------------------------------------------------------------------------------

@router.get("/rules", response={200: list[MonitoringRuleOut], **READ_ERRORS}, summary="监测规则与逻辑校验规则")
def list_rules(request):
    return Rule.objects.order_by("family", "code", "region")


@router.post("/rules", response={201: MonitoringRuleOut, **WRITE_ERRORS}, summary="新增规则（条件经校验）")
def create_rule(request, payload: RuleIn):
    return Status(201, _save_rule(request, Rule(), payload))


@router.put("/rules/{rule_id}", response={200: MonitoringRuleOut, **WRITE_ERRORS}, summary="修改规则")
def update_rule(request, rule_id: int, payload: RuleIn):
    return _save_rule(request, get_object_or_404(Rule, pk=rule_id), payload)


def _save_rule(request, rule: Rule, payload: RuleIn) -> Rule:
    data = payload.dict()
    form = RuleForm(data={**data, "region": data["region"] or ""}, instance=rule, user=request.auth)
    if not form.is_valid():
        raise form_errors(form)
    return services.save_rule(form.save(commit=False), acting_user=request.auth, channel=Channel.API)


@router.get("/parameters", response={200: list[ParameterOut], **READ_ERRORS}, summary="监测参数")
def list_parameters(request):
    return Parameter.objects.order_by("code", "region", "year")


@router.get("/findings", response={200: Page[FindingOut], **READ_ERRORS}, summary="逻辑校验待整改问题")
def list_findings(request, paging: Query[PageParams], region: str | None = None, rule: str | None = None):
    queryset = Finding.objects.visible_to(request.auth).filter(fixed__isnull=True).select_related("household", "rule")
    if region:
        queryset = queryset.in_region(region_prefix(region))
    if rule:
        queryset = queryset.filter(rule__code=rule.upper())
    return paginate(queryset.order_by("village_id", "household_id", "rule__code"), paging)
