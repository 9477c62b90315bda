"""Comparison API: data set kinds and rules, uploads with their validation report, runs with progress, suspects
with verification, counts and reverse lists. Thin callers of ``actions`` (channel 接口), scoped like the pages."""

from __future__ import annotations

import datetime as dt
import io
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

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
)
from fupin.core.channels import Channel
from fupin.core.idnumber import mask
from fupin.jobs import services as jobs
from fupin.jobs.models import Job

from . import access, reverse
from .actions import datasets, households, runs, stats, suspects
from .filters import SuspectFilterForm, filter_suspects
from .models import SuspectStatus
from .tables import SUSPECT_TABLE, XLSX, rule_name

router = Router()


class KindFieldOut(Schema):
    name: str
    label: str
    type: str
    required: bool
    aliases: list[str] = Field(description="常见表头，上传时据此自动对应列")

    @staticmethod
    def resolve_aliases(obj):
        return obj.alias_list


class KindOut(Schema):
    code: str = Field(description="稳定的类型代码")
    name: str
    department: str
    description: str
    full_list: bool = Field(description="全量名单（新名单替代旧名单）或事件记录")
    retention_days: int
    active: bool
    fields: list[KindFieldOut]

    @staticmethod
    def resolve_fields(obj):
        return list(obj.fields.all())


class ComparisonRuleOut(Schema):
    code: str
    name: str
    kind: str | None = Field(description="所需数据类型；为空时只用档案")
    subject: str = Field(description="member：针对人；household：针对户")
    description: str
    handling: str = Field(description="处理建议")
    params: dict = Field(description="参数及默认值")
    sql: str = Field(description="规则 SQL（DuckDB 方言）")


class DatasetOut(Schema):
    id: int
    title: str
    kind: str
    kind_name: str
    department: str
    region_code: str
    uploaded_by: str | None
    file_name: str
    reference_date: dt.date
    created: dt.datetime
    rows_read: int
    rows_stored: int = Field(description="有效行数（参与比对）")
    ids_changed: int = Field(description="经规范化的证件号码数")
    ids_rejected: int = Field(description="无效证件号码行数（不参与比对）")
    duplicates: int = Field(description="证件号码重复的多余行数")
    retention_until: dt.date

    resolve_kind = related("kind.code")
    resolve_kind_name = related("kind.name")
    resolve_uploaded_by = related("uploaded_by.username")


class DatasetDetail(DatasetOut):
    report: dict = Field(description="校验报告：列对应、无效原因及示例行、重复号码、无法识别的值")


class UploadJobOut(Schema):
    job_id: int
    status: str
    percent: int
    message: str
    result: dict


class HouseholdsFromRegistrationIn(InputSchema):
    village: str = Field("", description="建档的村（12位区划代码）；不给则为数据集的上传区划（须为村）")
    dry_run: bool = Field(False, description="只核对并返回将新建的户数、人数和跳过的人员，不写入")


class CreatedHouseholdOut(Schema):
    number: str = Field(description="户编号")
    hukou_no: str = Field(description="户籍户号")
    head_name: str
    size: int


class SkippedPersonOut(Schema):
    row: int = Field(description="数据集行号")
    name: str
    id_number: str = Field(description="证件号码（脱敏）")
    hukou_no: str
    reason: str


class HouseholdsFromRegistrationOut(Schema):
    dataset_id: int
    village: str
    village_name: str
    households: int = Field(description="新建（或将新建）的一般农户户数")
    members: int = Field(description="新建（或将新建）的人数")
    skipped_count: int
    outside_village: int = Field(description="户籍地址不在该村、未处理的行数")
    relation_other: int = Field(description="与户主关系无法对应、按“其他”登记的人数")
    written: bool
    created: list[CreatedHouseholdOut] = Field(description="新建的户（最多200户）")
    skipped: list[SkippedPersonOut] = Field(description="跳过的人员及原因（最多200人）")
    summary: str


class ComparisonRunIn(InputSchema):
    datasets: list[Id] = Field(description="数据集编号")
    rules: list[str] | None = Field(None, description="规则代码；不给则运行所选数据集适用的全部规则")
    region: str | None = Field(None, description="只比对该区划（12位代码）下的在册户；默认为账号的管辖范围")
    params: dict[str, dict] | None = Field(None, description="规则参数，如 {\"large_medical_expense\": {\"min_out_of_pocket\": 20000}}")


class ComparisonRunOut(Schema):
    id: int
    status: str
    status_label: str
    percent: int
    message: str
    region_code: str
    rules: list[str]
    datasets: list[int]
    created: dt.datetime
    finished: dt.datetime | None
    results: dict = Field(description="各规则：命中、新增、重新打开、依据更新、已核查、消除")

    resolve_status_label = choice_label("status")

    @staticmethod
    def resolve_percent(obj):
        return 100 if obj.status == "succeeded" else (obj.job.percent if obj.job_id else 0)

    @staticmethod
    def resolve_message(obj):
        return obj.message or (obj.job.message if obj.job_id else "")

    @staticmethod
    def resolve_datasets(obj):
        return [d.pk for d in obj.datasets.all()]

    @staticmethod
    def resolve_results(obj):
        return (obj.summary or {}).get("rules", {})


class SuspectOut(Schema):
    id: int
    rule: str
    rule_name: str
    status: str
    status_label: str
    member_name: str
    id_number: str = Field(description="证件号码（脱敏）")
    household: int | None = Field(alias="household_id")
    household_number: str
    village_code: str
    dataset: int | None = Field(alias="dataset_id")
    row_no: int | None
    evidence: dict = Field(description="比对依据：数据集、行号、匹配字段及其值")
    created: dt.datetime
    due_date: dt.date
    verified_by: str | None
    verified_at: dt.datetime | None
    action_taken: str
    reason: str
    has_attachment: bool
    closed_at: dt.datetime | None
    close_note: str

    @staticmethod
    def resolve_rule_name(obj):
        return rule_name(obj.rule)

    resolve_status_label = choice_label("status")

    @staticmethod
    def resolve_id_number(obj):
        return mask(obj.id_number)

    resolve_verified_by = related("verified_by.username")

    @staticmethod
    def resolve_has_attachment(obj):
        return bool(obj.attachment)


class ProgressOut(Schema):
    code: str = Field(description="乡镇区划代码（按乡镇统计时）或规则代码")
    name: str
    total: int
    open: int
    confirmed: int
    rejected: int
    closed: int
    overdue: int = Field(description="超过反馈期限仍待核查")
    verified_rate: float | None = Field(description="核查进度（%）= 已核查 ÷（疑点 − 已消除）")
    confirmed_rate: float | None = Field(description="属实率（%）= 属实 ÷ 已核查")


class ReverseListOut(Schema):
    code: str
    name: str
    department: str
    description: str
    columns: list[str]


SuspectFilters = query_schema(SuspectFilterForm, "SuspectFilters")


def _dataset(request, dataset_id):
    dataset = access.datasets_visible_to(request.auth).filter(pk=dataset_id).first()
    if dataset is None:
        raise Http404
    return dataset


def _suspects(request, filters, dataset=None, run=None):
    params = {k: str(v) for k, v in filters.dict().items() if v not in (None, False)}
    params.update({k: str(v) for k, v in {"dataset": dataset, "run": run}.items() if v})
    queryset, form = filter_suspects(access.suspects_visible_to(request.auth), params, request.auth)
    if form.is_bound and not form.is_valid():
        raise form_errors(form)
    return queryset.select_related("verified_by")


def _suspect(request, suspect_id):
    suspect = access.suspects_visible_to(request.auth).select_related("verified_by").filter(pk=suspect_id).first()
    if suspect is None:
        raise Http404
    return suspect


def _job_out(job) -> dict:
    return {"job_id": job.pk, "status": job.status, "percent": job.percent, "message": job.message,
            "result": job.result}


def _xlsx(write, name):
    buffer = io.BytesIO()
    write(buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, content_type=XLSX,
                        filename=f"{name}_{timezone.localtime():%Y%m%d%H%M}.xlsx")


@router.get("/kinds", response=list[KindOut], summary="比对数据类型")
def list_kinds(request):
    return access.kinds_visible_to(request.auth).prefetch_related("fields")


@router.get("/rules", response=list[ComparisonRuleOut], summary="比对规则")
def list_rules(request):
    return [{**rule.__dict__, "sql": rule.sql.strip()} for rule in access.rules_visible_to(request.auth)]


@router.get("/datasets", response={200: Page[DatasetOut], **READ_ERRORS}, summary="数据集列表")
def list_datasets(request, paging: Query[PageParams], kind: str | None = None):
    queryset = access.datasets_visible_to(request.auth)
    if kind:
        queryset = queryset.filter(kind__code=kind)
    return paginate(queryset, paging)


@router.post("/datasets", response={201: DatasetDetail, 202: UploadJobOut, **WRITE_ERRORS}, summary="上传部门数据")
def upload_dataset(
    request,
    file: UploadedFile = File(..., description="Excel（.xlsx/.xls）或 CSV 文件"),
    kind: str = Form(..., description="数据类型代码，如 death"),
    title: str = Form("", description="名称（默认：文件名）"),
    reference_date: dt.date | None = Form(None, description="数据截止日期（默认：今天）"),
    department: str = Form("", description="提供部门"),
    mapping: str = Form("", description="列对应 JSON：{\"字段代码\": \"表头或列序号(从0起)\"}；不给的字段按表头自动对应"),
    background: bool = Form(False, description="大文件请设为 true：在后台导入，返回任务编号（202）"),
):
    """A file of any size can be sent; ``background`` returns at once with a job to poll at ``/datasets/jobs/{id}``."""
    if not access.can_upload(request.auth):
        raise PermissionDenied("当前账号没有上传比对数据的权限")
    kind_obj = access.kinds_visible_to(request.auth).filter(code=kind, active=True).first()
    if kind_obj is None:
        raise ValidationError({"kind": f"没有数据类型 {kind}"})
    try:
        columns = json.loads(mapping) if mapping else None
    except json.JSONDecodeError as exc:
        raise ValidationError({"mapping": "列对应不是有效的 JSON"}) from exc
    path = datasets.store_upload(file)
    options = {"mapping": columns, "title": title, "file_name": file.name, "department": department}
    if background:
        job = jobs.start("comparison.load", f"上传比对数据：{title or file.name}", user=request.auth,
                         input_file=str(path),
                         params={**options, "kind": kind, "channel": Channel.API,
                                 "reference_date": reference_date.isoformat() if reference_date else ""})
        return Status(202, _job_out(job))
    try:
        dataset = datasets.load_dataset(path, kind=kind_obj, acting_user=request.auth, channel=Channel.API,
                                        reference_date=reference_date, **options)
    finally:
        path.unlink(missing_ok=True)
    return Status(201, dataset)


@router.get("/datasets/jobs/{job_id}", response={200: UploadJobOut, **READ_ERRORS}, summary="后台导入进度")
def upload_job(request, job_id: int):
    job = Job.objects.filter(pk=job_id, kind="comparison.load", user=request.auth).first()
    if job is None:
        raise Http404
    return _job_out(job)


@router.post("/datasets/{dataset_id}/households",
             response={200: HouseholdsFromRegistrationOut, 202: UploadJobOut, **WRITE_ERRORS},
             summary="用户籍人口数据集为村批量建档一般农户")
def households_from_registration(request, dataset_id: int, payload: HouseholdsFromRegistrationIn):
    """``dry_run`` answers at once with the counts and the people skipped; otherwise the households are created by a
    background job (202), polled at ``/datasets/households/jobs/{id}``, whose result is the same summary."""
    dataset = _dataset(request, dataset_id)
    if payload.dry_run:
        return households.plan_households(dataset, payload.village, acting_user=request.auth).summary(written=False)
    plan = households.plan_households(dataset, payload.village, acting_user=request.auth)  # refuse before queueing
    job = jobs.start("comparison.households", f"户籍建档一般农户：{plan.village.full_name()}", user=request.auth,
                     params={"dataset_id": dataset.pk, "village": plan.village.code, "channel": Channel.API})
    return Status(202, _job_out(job))


@router.get("/datasets/households/jobs/{job_id}", response={200: UploadJobOut, **READ_ERRORS},
            summary="户籍建档后台任务进度和结果")
def households_job(request, job_id: int):
    job = Job.objects.filter(pk=job_id, kind="comparison.households", user=request.auth).first()
    if job is None:
        raise Http404
    return _job_out(job)


@router.get("/datasets/{dataset_id}", response={200: DatasetDetail, **READ_ERRORS}, summary="数据集及校验报告")
def get_dataset(request, dataset_id: int):
    return _dataset(request, dataset_id)


@router.delete("/datasets/{dataset_id}", response={204: None, **WRITE_ERRORS}, summary="删除数据集")
def delete_dataset(request, dataset_id: int, reason: str = Query("", description="保存期满前删除须说明原因")):
    datasets.delete_dataset(_dataset(request, dataset_id), acting_user=request.auth, channel=Channel.API,
                            reason=reason)
    return Status(204, None)


@router.post("/runs", response={202: ComparisonRunOut, **WRITE_ERRORS}, summary="发起数据比对（后台执行）")
def start_run(request, payload: ComparisonRunIn):
    chosen = list(access.datasets_visible_to(request.auth).filter(pk__in=payload.datasets))
    if len(chosen) != len(set(payload.datasets)):
        raise Http404
    with transaction.atomic():
        run = runs.start_run(datasets=chosen, rules=payload.rules, region_code=payload.region or "",
                             acting_user=request.auth, channel=Channel.API, params=payload.params)
    return Status(202, run)


@router.get("/runs/{run_id}", response={200: ComparisonRunOut, **READ_ERRORS}, summary="比对任务进度和结果")
def get_run(request, run_id: int):
    run = access.runs_visible_to(request.auth).filter(pk=run_id).first()
    if run is None:
        raise Http404
    return run


@router.get("/suspects", response={200: Page[SuspectOut], **WRITE_ERRORS}, summary="疑点列表")
def list_suspects(request, filters: Query[SuspectFilters], paging: Query[PageParams],
                  dataset: Id | None = Query(None, description="只看该数据集发现的疑点"),
                  run: Id | None = Query(None, description="只看该比对任务新发现的疑点")):
    return paginate(_suspects(request, filters, dataset, run), paging)


@router.get("/suspects/export", summary="导出疑点清单（Excel）")
def export_suspects(request, filters: Query[SuspectFilters], dataset: Id | None = None, run: Id | None = None):
    queryset = _suspects(request, filters, dataset, run)
    return _xlsx(lambda out: SUSPECT_TABLE.write(queryset.select_related(None), out), "疑点清单")


@router.get("/suspects/{suspect_id}", response={200: SuspectOut, **READ_ERRORS}, summary="疑点详情")
def get_suspect(request, suspect_id: int):
    return _suspect(request, suspect_id)


@router.post("/suspects/{suspect_id}/verify", response={200: SuspectOut, **WRITE_ERRORS}, summary="填报核查结果")
def verify_suspect(
    request,
    suspect_id: int,
    conclusion: str = Form(..., description="confirmed 属实 / rejected 不属实"),
    action_taken: str = Form("", description="处理措施（属实时必填）"),
    reason: str = Form("", description="不属实原因（不属实时必填）"),
    attachment: UploadedFile | None = File(None, description="佐证材料（不属实时必传，图片或 PDF）"),
):
    if conclusion not in (SuspectStatus.CONFIRMED, SuspectStatus.REJECTED):
        raise ValidationError({"conclusion": "应为 confirmed 或 rejected"})
    suspect = _suspect(request, suspect_id)
    return suspects.verify_suspect(suspect, confirmed=conclusion == SuspectStatus.CONFIRMED, acting_user=request.auth,
                                   channel=Channel.API, action_taken=action_taken, reason=reason,
                                   attachment=attachment)


@router.get("/stats/townships", response=list[ProgressOut], summary="按乡镇统计核查进度")
def progress_by_township(request, rule: str | None = None):
    queryset = access.suspects_visible_to(request.auth)
    return stats.progress_by_township(queryset.filter(rule=rule) if rule else queryset)


@router.get("/stats/rules", response=list[ProgressOut], summary="按疑点类型统计属实率")
def rates_by_rule(request):
    return [{**row, "code": row["rule"]} for row in stats.rates_by_rule(access.suspects_visible_to(request.auth))]


@router.get("/reverse-lists", response=list[ReverseListOut], summary="反向名单")
def list_reverse(request):
    return [{"code": i.code, "name": i.name, "department": i.department, "description": i.description,
             "columns": [c.header for c in i.table().columns]} for i in reverse.lists_for(request.auth)]


@router.get("/reverse-lists/{code}", summary="下载反向名单（Excel，含完整证件号码，记入操作日志）")
def download_reverse(request, code: str):
    if not reverse.can_download(request.auth):
        raise PermissionDenied("当前账号不能下载反向名单")
    item = next((item for item in reverse.lists_for(request.auth) if item.code == code), None)
    if item is None:
        raise Http404
    return _xlsx(lambda out: reverse.export(item, request.auth, out, channel=Channel.API), item.name)
