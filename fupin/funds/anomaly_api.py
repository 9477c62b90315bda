"""资金异常 API: rules (list, custom create/update), check runs (start, status), anomalies (list, detail, answer).
Thin callers of ``funds.checks`` (channel 接口); lookups go through ``visible_to()``. Mounted under /funds/checks."""

import datetime as dt
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

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

from .checks import explain
from .checks.answers import answer_anomaly
from .checks.filters import AnomalyFilterForm, filter_anomalies
from .checks.rules import save_rule
from .checks.runs import start_check
from .models import Anomaly, AnomalyStatus, FundCheckRun, FundRule, Severity

router = Router(tags=["资金异常"])


class RuleOut(Schema):
    id: int
    code: str
    name: str
    description: str
    condition: str
    severity: int
    severity_label: str
    enabled: bool
    builtin: bool

    resolve_severity_label = choice_label("severity")


class CheckRuleIn(InputSchema):
    code: str = Field(min_length=2, max_length=20, description="规则代码：小写字母开头，只含小写字母、数字和下划线")
    name: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=2000)
    condition: str = Field(min_length=1, max_length=2000, description="拨付事实表字段上的 SQL 判断式")
    severity: Severity = Severity.MEDIUM
    enabled: bool = True


class RulePatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=2000)
    condition: str | None = Field(None, min_length=1, max_length=2000)
    severity: Severity | None = None
    enabled: bool | None = None


class CheckRunIn(InputSchema):
    year: int | None = Field(None, ge=2000, le=2100, description="资金年度（默认本年）")
    region: str = Field("", max_length=12, description="检查范围的区划代码（默认账号所在区划）")


class CheckRunOut(Schema):
    id: int
    year: int
    region: str = Field(alias="region_id")
    status: str
    status_label: str
    rules: list[str]
    scanned: int
    opened: int
    updated: int = Field(alias="updated_count")
    unchanged: int
    closed: int
    seconds: float
    warnings: list
    job: int | None = Field(None, alias="job_id")
    progress: int
    started: dt.datetime
    finished: dt.datetime | None

    resolve_status_label = choice_label("status")

    @staticmethod
    def resolve_progress(obj):
        return obj.job.percent if obj.job_id else 0


class AnomalyOut(Schema):
    id: int
    rule: str
    rule_name: str
    region: str = Field(alias="region_id")
    region_name: str
    subject_key: str
    disbursement: int | None = Field(None, alias="disbursement_id")
    allocation: int | None = Field(None, alias="allocation_id")
    fund: int | None = Field(None, alias="fund_id")
    payee_name: str
    id_number: str = Field(description="证件号码（脱敏）")
    amount: Decimal | None
    figures: dict
    summary: str
    status: str
    status_label: str
    answer: str
    answered_at: dt.datetime | None
    first_seen: dt.datetime
    last_seen: dt.datetime
    closed_at: dt.datetime | None

    resolve_rule = related("rule.code")
    resolve_rule_name = related("rule.name")
    resolve_region_name = related("region.name")
    resolve_status_label = choice_label("status")

    @staticmethod
    def resolve_id_number(obj):
        return idnumber.mask(obj.id_number) if obj.id_number else ""

    @staticmethod
    def resolve_summary(obj):
        return explain.text(obj.figures)


class AnomalyAnswerIn(InputSchema):
    status: AnomalyStatus = Field(description="confirmed 属实 / rejected 不属实 / rectified 已整改")
    answer: str = Field(min_length=1, max_length=2000, description="核实说明")


AnomalyQuery = query_schema(AnomalyFilterForm, "AnomalyQuery")


@router.get("/rules", response={200: list[RuleOut], **READ_ERRORS}, summary="资金异常规则")
def list_rules(request):
    return FundRule.objects.order_by("-builtin", "code")


@router.post("/rules", response={201: RuleOut, **WRITE_ERRORS}, summary="新增自定义规则（系统管理员）")
def create_rule(request, payload: CheckRuleIn):
    return Status(201, save_rule(None, payload.dict(), acting_user=request.auth, channel=Channel.API))


@router.patch("/rules/{rule_id}", response={200: RuleOut, **WRITE_ERRORS},
              summary="修改规则（内置规则只能改启用和严重程度）")
def update_rule(request, rule_id: Id, payload: RulePatch):
    rule = get_object_or_404(FundRule, pk=rule_id)
    data = {k: v for k, v in payload.dict().items() if v is not None}
    return save_rule(rule, data, acting_user=request.auth, channel=Channel.API)


def _runs(user):
    return FundCheckRun.objects.visible_to(user).select_related("job")


@router.post("/runs", response={202: CheckRunOut, **WRITE_ERRORS}, summary="发起资金异常检查（后台任务）")
def create_run(request, payload: CheckRunIn):
    run = start_check(year=payload.year, region_code=payload.region, acting_user=request.auth, channel=Channel.API)
    return Status(202, _runs(request.auth).get(pk=run.pk))


@router.get("/runs/{run_id}", response={200: CheckRunOut, **READ_ERRORS}, summary="检查进度与结果")
def get_run(request, run_id: Id):
    return visible_or_404(_runs(request.auth), request.auth, pk=run_id)


def _anomalies(user):
    return Anomaly.objects.visible_to(user).select_related("rule", "region")


@router.get("/anomalies", response={200: Page[AnomalyOut], **WRITE_ERRORS}, summary="资金异常（筛选同页面）")
def list_anomalies(request, filters: Query[AnomalyQuery], paging: Query[PageParams]):
    params = {k: v for k, v in filters.dict().items() if v not in (None, "")}
    queryset, form = filter_anomalies(_anomalies(request.auth), params, request.auth)
    if form.is_bound and not form.is_valid():
        raise form_errors(form)
    return paginate(queryset.order_by("region_id", "rule__code", "id"), paging)


@router.get("/anomalies/{anomaly_id}", response={200: AnomalyOut, **READ_ERRORS}, summary="资金异常详情")
def get_anomaly(request, anomaly_id: Id):
    return visible_or_404(_anomalies(request.auth), request.auth, pk=anomaly_id)


@router.post("/anomalies/{anomaly_id}/answer", response={200: AnomalyOut, **WRITE_ERRORS}, summary="核实答复")
def answer(request, anomaly_id: Id, payload: AnomalyAnswerIn):
    anomaly = visible_or_404(_anomalies(request.auth), request.auth, pk=anomaly_id)
    return answer_anomaly(anomaly, status=payload.status, answer=payload.answer, acting_user=request.auth,
                          channel=Channel.API)
