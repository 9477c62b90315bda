"""问题台账 API: the ledger (paginated, the page's filters), a problem with its progress, recording one, progress,
application for sign-off, sign-off and return, and the import of a problem list (run as a job; poll the job).
Thin callers of ``services`` and ``imports`` (channel 接口); every lookup goes through ``visible_to()``."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from ninja import Field, File, Query, Router, Schema, Status
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
    visible_or_404,
)
from fupin.core.channels import Channel
from fupin.jobs import imports as import_jobs
from fupin.jobs import services as jobs
from fupin.projects.models import Project
from fupin.regions.models import Region
from fupin.registry.models import Household

from . import access, services
from .filters import ProblemFilterForm, filter_problems
from .jobs import IMPORT
from .models import Category, Item, Problem, SourceKind

router = Router()
API = Channel.API

ProblemFilters = query_schema(ProblemFilterForm, "ProblemFilters")


class ProblemProgressOut(Schema):
    date: dt.date
    text: str
    user: str | None = None

    @staticmethod
    def resolve_user(obj):
        return (obj.user.full_name or obj.user.username) if obj.user_id else None


class ProblemOut(Schema):
    id: int
    source_kind: str
    source_kind_label: str
    source_reference: str
    subject: str = Field(description="来源记录，如 comparison.suspect:12；手工登记和导入的为空")
    region: str = Field(alias="region_id")
    region_name: str
    household: int | None = Field(None, alias="household_id")
    household_number: str | None
    project: int | None = Field(None, alias="project_id")
    category: str
    category_label: str
    item: str
    description: str
    responsible_unit: str
    owner: int | None = Field(None, alias="owner_id")
    owner_name: str
    deadline: dt.date
    measures: str
    status: str
    status_label: str
    overdue: bool = Field(description="超过整改时限尚未销号")
    escalated_at: dt.datetime | None
    submitted_at: dt.datetime | None
    closed_at: dt.datetime | None
    review_note: str
    created: dt.datetime

    resolve_source_kind_label = choice_label("source_kind")
    resolve_category_label = choice_label("category")
    resolve_status_label = choice_label("status")
    resolve_region_name = related("region.name")
    resolve_household_number = related("household.number")

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue


class ProblemDetailOut(ProblemOut):
    progress: list[ProblemProgressOut]

    @staticmethod
    def resolve_progress(obj):
        return list(obj.progress_entries.select_related("user"))


class ProblemIn(InputSchema):
    source_kind: SourceKind
    source_reference: str = Field("", max_length=300)
    region: str = Field(min_length=12, max_length=12, description="问题所在村、乡镇或县的区划代码")
    household: Id | None = Field(None, description="涉及农户的编号（id）")
    project: Id | None = Field(None, description="涉及项目的编号")
    category: Category
    item: Item | None = None
    description: str = Field(min_length=1, max_length=2000)
    responsible_unit: str = Field(min_length=1, max_length=100)
    owner: Id | None = Field(None, description="责任人账号的编号")
    owner_name: str = Field("", max_length=50)
    deadline: dt.date | None = Field(None, description="不填按整改参数中该类别的天数计算")
    measures: str = Field("", max_length=2000)


class ProblemProgressIn(InputSchema):
    text: str = Field(min_length=1, max_length=2000)
    date: dt.date | None = Field(None, description="默认今天")


class ProblemReviewIn(InputSchema):
    note: str = Field("", max_length=500, description="意见；退回时必填")


class ProblemImportOut(Schema):
    job: int = Field(description="后台任务编号；GET /api/jobs/{job} 查看进度和结果")
    title: str


def _detail(problem_id, user):
    return visible_or_404(Problem.objects.select_related("region", "household"), user, pk=problem_id)


@router.get("/problems", response={200: Page[ProblemOut], **READ_ERRORS}, summary="问题台账")
def list_problems(request, params: Query[ProblemFilters], paging: Query[PageParams]):
    queryset, form = filter_problems(Problem.objects.visible_to(request.auth),
                                     {k: str(v) for k, v in params.dict().items() if v is not None}, request.auth)
    if form.is_bound and not form.is_valid():
        raise form_errors(form)
    return paginate(queryset.select_related("region", "household").order_by("deadline", "id"), paging)


@router.post("/problems", response={201: ProblemDetailOut, **WRITE_ERRORS}, summary="登记问题")
def create_problem(request, payload: ProblemIn):
    data = payload.dict()
    user = request.auth
    region = visible_or_404(Region.objects, user, code=data.pop("region"))
    household_id, project_id, owner_id = data.pop("household"), data.pop("project"), data.pop("owner")
    household = visible_or_404(Household.objects, user, pk=household_id) if household_id else None
    project = visible_or_404(Project.objects, user, pk=project_id) if project_id else None
    owner = visible_or_404(get_user_model().objects, user, pk=owner_id) if owner_id else None
    data["item"] = data["item"] or ""
    problem = services.create(acting_user=user, channel=API, region=region, household=household, project=project,
                              owner=owner, **data)
    return Status(201, _detail(problem.pk, user))


@router.post("/problems/import", response={202: ProblemImportOut, **WRITE_ERRORS},
             summary="导入问题清单（后台逐行校验，全部正确才写入；轮询任务查看结果和错误清单）")
def import_problems(request, file: UploadedFile = File(..., description="Excel（.xlsx/.xls）或 CSV 文件")):
    if not access.may_write(request.auth):
        raise PermissionDenied("当前账号只能查看问题台账，不能导入")
    form = import_jobs.UploadForm(files={"file": file})
    if not form.is_valid():
        raise form_errors(form)
    job = jobs.start(IMPORT, f"导入问题清单：{file.name}", user=request.auth,
                     input_file=str(import_jobs.save_upload(file)), params={"filename": file.name, "channel": API})
    return Status(202, {"job": job.pk, "title": job.title})


@router.get("/problems/{problem_id}", response={200: ProblemDetailOut, **READ_ERRORS}, summary="问题详情（含整改进展）")
def get_problem(request, problem_id: Id):
    return _detail(problem_id, request.auth)


@router.post("/problems/{problem_id}/progress", response={201: ProblemDetailOut, **WRITE_ERRORS},
             summary="填报整改进展")
def add_progress(request, problem_id: Id, payload: ProblemProgressIn):
    problem = _detail(problem_id, request.auth)
    services.add_progress(problem, text=payload.text, date=payload.date, acting_user=request.auth, channel=API)
    return Status(201, _detail(problem_id, request.auth))


@router.post("/problems/{problem_id}/submit", response={200: ProblemDetailOut, **WRITE_ERRORS}, summary="申请销号")
def submit(request, problem_id: Id, payload: ProblemReviewIn):
    services.submit(_detail(problem_id, request.auth), note=payload.note, acting_user=request.auth, channel=API)
    return _detail(problem_id, request.auth)


@router.post("/problems/{problem_id}/sign-off", response={200: ProblemDetailOut, **WRITE_ERRORS},
             summary="销号（问题所在区划的上一级账号）")
def sign_off(request, problem_id: Id, payload: ProblemReviewIn):
    services.sign_off(_detail(problem_id, request.auth), note=payload.note, acting_user=request.auth, channel=API)
    return _detail(problem_id, request.auth)


@router.post("/problems/{problem_id}/reject", response={200: ProblemDetailOut, **WRITE_ERRORS},
             summary="退回重新整改（须填写原因）")
def reject(request, problem_id: Id, payload: ProblemReviewIn):
    services.reject(_detail(problem_id, request.auth), note=payload.note, acting_user=request.auth, channel=API)
    return _detail(problem_id, request.auth)


