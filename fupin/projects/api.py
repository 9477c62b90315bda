"""扶贫项目 API: the library (list with the page's filters, detail, create, update), the approval and the other
transitions, and beneficiaries. Thin callers of projects.services (channel 接口); lookups go through
``visible_to()``, so an id out of scope answers 404."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from fupin.core.apitools import (
    READ_ERRORS,
    WRITE_ERRORS,
    InputSchema,
    Page,
    PageParams,
    apply_changes,
    choice_label,
    form_errors,
    paginate,
    query_schema,
    visible_or_404,
)
from fupin.core.channels import Channel
from fupin.procedures.models import Decision
from fupin.regions.models import Region

from . import services
from .filters import filter_projects
from .forms import ProjectFilterForm
from .models import AcceptanceResult, PlannedSource, Project, ProjectBeneficiary, ProjectKind

router = Router()
API = Channel.API
ProjectFilters = query_schema(ProjectFilterForm, "ProjectFilters")


class ProjectStepOut(Schema):
    order: int
    name: str
    actor_level: int
    notice_days: int
    notice_kind: str
    status: str
    started: dt.date | None
    due: dt.date | None


class ProjectOut(Schema):
    id: int
    year: int
    region: str = Field(alias="region_id", description="实施地点区划代码")
    region_name: str
    name: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    library_status: str
    library_date: dt.date
    library_reason: str
    planned_amount: Decimal
    fund_source: str
    fund_source_label: str
    implementing_unit: str
    planned_start: dt.date | None
    planned_end: dt.date | None
    scale: str
    content: str
    benefit_mechanism: str
    expected_households: int
    expected_people: int
    expected_poor_households: int
    expected_monitored_households: int
    current_step: str | None = Field(None, description="当前审批环节")
    approved_on: dt.date | None
    progress: int
    started_on: dt.date | None
    completed_on: dt.date | None
    handed_over_on: dt.date | None

    resolve_kind_label = choice_label("kind")
    resolve_status_label = choice_label("status")
    resolve_fund_source_label = choice_label("fund_source")

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name

    @staticmethod
    def resolve_current_step(obj):
        step = obj.current_step
        return step.name if step else None


class ProjectDetail(ProjectOut):
    steps: list[ProjectStepOut]
    beneficiary_counts: dict[str, int] = Field(description="已登记受益户：households 总户数、poor 建档立卡户、monitored 监测户")

    @staticmethod
    def resolve_steps(obj):
        return list(obj.steps.all())

    @staticmethod
    def resolve_beneficiary_counts(obj):
        return services.beneficiary_counts(obj)


class ProjectIn(InputSchema):
    year: int = Field(ge=2000, le=2100)
    region: str = Field(min_length=12, max_length=12, description="实施地点（村或乡镇）区划代码")
    name: str = Field(min_length=1, max_length=200)
    kind: ProjectKind
    planned_amount: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    fund_source: PlannedSource = PlannedSource.SPECIAL
    implementing_unit: str = Field(min_length=1, max_length=200)
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    scale: str = Field("", max_length=300)
    content: str = Field("", max_length=2000)
    benefit_mechanism: str = Field("", max_length=2000)
    expected_households: int = Field(0, ge=0)
    expected_people: int = Field(0, ge=0)
    expected_poor_households: int = Field(0, ge=0)
    expected_monitored_households: int = Field(0, ge=0)
    library_reason: str = Field("", max_length=300, description="入库依据/说明")


class TransitionIn(InputSchema):
    action: Literal["declare", "pass", "return", "reject", "remove", "restore", "start", "milestone", "accept",
                    "hand_over"] = Field(description="declare 申报；pass/return/reject 审批当前环节；remove 出库；"
                                                     "restore 重新入库；start 开工；milestone 登记进度；accept 验收；"
                                                     "hand_over 移交（通常由资产登记调用）")
    comment: str = Field("", max_length=2000, description="办理意见、出库/入库原因、进展情况或验收意见")
    date: dt.date | None = Field(None, description="出库、入库、开工、进度、验收日期；默认今天")
    progress: int | None = Field(None, ge=0, le=100, description="milestone：累计进度（%）")
    team: str = Field("", max_length=300, description="accept：验收组成员")
    result: AcceptanceResult | None = Field(None, description="accept：验收结论")


class BeneficiaryOut(Schema):
    id: int
    household: int = Field(alias="household_id")
    household_number: str
    head_name: str
    village: str
    note: str

    @staticmethod
    def resolve_household_number(obj):
        return obj.household.number

    @staticmethod
    def resolve_head_name(obj):
        return obj.household.head_name

    @staticmethod
    def resolve_village(obj):
        return obj.household.village_id


class BeneficiariesIn(InputSchema):
    households: list[int] = Field(min_length=1, max_length=2000, description="户ID列表")
    note: str = Field("", max_length=200, description="受益方式")


class AddedOut(Schema):
    added: int


def _projects(request):
    return Project.objects.visible_to(request.auth).select_related("region").prefetch_related("steps")


def _project(request, project_id: int) -> Project:
    return visible_or_404(_projects(request), request.auth, pk=project_id)


@router.get("", response={200: Page[ProjectOut], **READ_ERRORS}, summary="项目库")
def list_projects(request, filters: Query[ProjectFilters], paging: Query[PageParams]):
    params = {k: ("on" if v is True else str(v)) for k, v in filters.dict().items() if v not in (None, False)}
    queryset, form = filter_projects(_projects(request), params, request.auth)
    if form.is_bound and not form.is_valid():
        raise form_errors(form)
    return paginate(queryset.order_by("-year", "region_id", "id"), paging)


@router.get("/{project_id}", response={200: ProjectDetail, **READ_ERRORS}, summary="项目详情")
def get_project(request, project_id: int):
    return _project(request, project_id)


def _save(request, project: Project, payload: ProjectIn) -> Project:
    data = payload.dict()
    region = visible_or_404(Region.objects, request.auth, code=data.pop("region"))
    project.region = region
    apply_changes(project, data)
    services.save_project(project, acting_user=request.auth, channel=API)
    return _project(request, project.pk)


@router.post("", response={201: ProjectDetail, **WRITE_ERRORS}, summary="新增项目（入库）")
def create_project(request, payload: ProjectIn):
    return Status(201, _save(request, Project(), payload))


@router.put("/{project_id}", response={200: ProjectDetail, **WRITE_ERRORS}, summary="修改项目")
def update_project(request, project_id: int, payload: ProjectIn):
    return _save(request, _project(request, project_id), payload)


@router.post("/{project_id}/transitions", response={200: ProjectDetail, **WRITE_ERRORS},
             summary="申报、审批、出库、开工、进度、验收、移交")
def transition(request, project_id: int, payload: TransitionIn):
    project = _project(request, project_id)
    user, date = request.auth, payload.date or timezone.localdate()
    action = payload.action
    if action == "declare":
        services.start_approval(project, comment=payload.comment, acting_user=user, channel=API)
    elif action in ("pass", "return", "reject"):
        services.decide(project, Decision(action), comment=payload.comment, acting_user=user, channel=API)
    elif action == "remove":
        services.remove_from_library(project, date=date, reason=payload.comment, acting_user=user, channel=API)
    elif action == "restore":
        services.restore_to_library(project, date=date, reason=payload.comment, acting_user=user, channel=API)
    elif action == "start":
        services.start_implementation(project, date=date, acting_user=user, channel=API)
    elif action == "milestone":
        services.add_milestone(project, date=date, text=payload.comment, progress=payload.progress,
                               acting_user=user, channel=API)
    elif action == "accept":
        if payload.result is None:
            raise ValidationError({"result": "请填写验收结论"})
        services.record_acceptance(project, date=date, team=payload.team, result=payload.result,
                                   remarks=payload.comment, acting_user=user, channel=API)
    else:
        services.mark_handed_over(project, date=date, acting_user=user, channel=API)
    return _project(request, project_id)


@router.get("/{project_id}/beneficiaries", response={200: Page[BeneficiaryOut], **READ_ERRORS}, summary="受益户")
def list_beneficiaries(request, project_id: int, paging: Query[PageParams]):
    project = _project(request, project_id)
    beneficiaries = ProjectBeneficiary.objects.visible_to(request.auth).filter(project=project)
    return paginate(beneficiaries.select_related("household").order_by("household__number"), paging)


@router.post("/{project_id}/beneficiaries", response={200: AddedOut, **WRITE_ERRORS}, summary="登记受益户")
def add_beneficiaries(request, project_id: int, payload: BeneficiariesIn):
    project = _project(request, project_id)
    households = list(services.eligible_households(project, request.auth).filter(pk__in=payload.households))
    missing = set(payload.households) - {h.pk for h in households}
    if missing:
        raise ValidationError({"households": f"户 {'、'.join(map(str, sorted(missing)[:10]))} 不在项目实施地点或当前账号的"
                                             "管辖范围内"})
    return {"added": services.add_beneficiaries(project, households, note=payload.note, acting_user=request.auth,
                                                channel=API)}


@router.delete("/{project_id}/beneficiaries/{beneficiary_id}", response={204: None, **WRITE_ERRORS},
               summary="移出受益户")
def remove_beneficiary(request, project_id: int, beneficiary_id: int):
    project = _project(request, project_id)
    beneficiary = visible_or_404(ProjectBeneficiary.objects.select_related("project"), request.auth,
                                 pk=beneficiary_id, project=project)
    services.remove_beneficiary(beneficiary, acting_user=request.auth, channel=API)
    return Status(204, None)
