"""API of 驻村工作队, 定点帮扶单位, the visit plan and the parameters: thin callers of ``teams``, ``units``, ``plans``
(channel 接口); every lookup goes through ``visible_to()``. Mounted on the assistance router."""

import datetime as dt

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from fupin.core.apitools import READ_ERRORS, WRITE_ERRORS, InputSchema, Page, PageParams, paginate, visible_or_404
from fupin.core.channels import Channel
from fupin.core.tables import mask_phone
from fupin.regions.models import Region, region_prefix

from . import plans, teams, units
from .filters import filter_members, filter_units
from .models import (
    AssistanceParameter,
    Pairing,
    TeamChangeKind,
    TeamMember,
    TeamRole,
    UnitLevel,
    UnitPairing,
    UnitPlan,
    WorkTeam,
)

router = Router()
API = Channel.API


class TeamCheckOut(Schema):
    village_code: str
    village_name: str
    team: str | None
    team_id: int | None
    members: int
    first_secretary: str | None
    minimum: int
    problems: list[str]
    ok: bool


class TeamIn(InputSchema):
    village: str = Field(min_length=12, max_length=12, description="驻村区划代码")
    name: str = Field(min_length=1)
    lead_unit: str = Field(min_length=1)
    start: dt.date
    end: dt.date | None = None


class TeamOut(Schema):
    id: int
    village: str = Field(alias="village_id")
    name: str
    lead_unit: str
    start: dt.date
    end: dt.date | None
    active: bool


class TeamMemberIn(InputSchema):
    name: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    role: TeamRole = TeamRole.MEMBER
    phone: str = ""
    term_start: dt.date
    term_end: dt.date


class TeamMemberOut(Schema):
    id: int
    team: int = Field(alias="team_id")
    village: str = Field(alias="village_id")
    name: str
    unit: str
    role: str
    phone: str
    term_start: dt.date
    term_end: dt.date
    status: str
    left_on: dt.date | None

    @staticmethod
    def resolve_phone(obj):
        return mask_phone(obj.phone)


class TeamChangeIn(InputSchema):
    kind: TeamChangeKind
    date: dt.date
    reason: str = Field(min_length=1)
    role: TeamRole | None = None


class UnitIn(InputSchema):
    unit: str = Field(min_length=1)
    unit_level: UnitLevel = UnitLevel.COUNTY
    village: str = Field(min_length=12, max_length=12)
    start: dt.date
    end: dt.date | None = None


class UnitOut(Schema):
    id: int
    unit: str
    unit_level: str
    village: str = Field(alias="village_id")
    start: dt.date
    end: dt.date | None
    missing: list[str]

    @staticmethod
    def resolve_missing(obj):
        return units.missing(obj)


class UnitPlanIn(InputSchema):
    kind: str = Field(pattern="^(three_year|plan|summary)$")
    year: int = Field(ge=2000, le=2100)
    text: str = Field(min_length=1)


class UnitPlanOut(Schema):
    id: int
    kind: str
    year: int
    text: str


class PlanRowOut(Schema):
    pairing: int = Field(alias="id")
    household: int = Field(alias="household_id")
    helper: int = Field(alias="helper_id")
    kind: str
    last_visit: dt.date | None
    interval_days: int
    next_due: dt.date | None

    @staticmethod
    def resolve_next_due(obj):
        return plans.next_due(obj)


class PlanFilter(Schema):
    q: str = ""
    region: str = ""
    state: str = Field("overdue", pattern="^(overdue|soon|)$")
    kind: str = ""


class AssistanceParameterOut(Schema):
    id: int
    code: str
    year: int | None
    region: str | None = Field(None, alias="region_id")
    value: int
    source: str


@router.get("/teams/check", response={200: list[TeamCheckOut], **READ_ERRORS}, summary="驻村工作队配备检查")
def team_check(request, region: str = ""):
    villages = teams.villages_to_check(region_prefix(region)).visible_to(request.auth)
    return [check.as_dict() for check in teams.check_villages(villages)]


@router.post("/teams", response={201: TeamOut, **WRITE_ERRORS}, summary="新建驻村工作队")
def create_team(request, payload: TeamIn):
    data = payload.dict()
    village = visible_or_404(Region.objects, request.auth, code=data.pop("village"))
    return Status(201, teams.save_team(WorkTeam(village=village, **data), acting_user=request.auth, channel=API))


@router.get("/teams/{team_id}/members", response={200: list[TeamMemberOut], **READ_ERRORS}, summary="工作队队员")
def team_members(request, team_id: int):
    team = visible_or_404(WorkTeam.objects, request.auth, pk=team_id)
    return team.members.all()


@router.post("/teams/{team_id}/members", response={201: TeamMemberOut, **WRITE_ERRORS}, summary="选派队员")
def create_member(request, team_id: int, payload: TeamMemberIn):
    team = visible_or_404(WorkTeam.objects, request.auth, pk=team_id)
    member = TeamMember(team=team, **payload.dict())
    return Status(201, teams.save_member(member, acting_user=request.auth, channel=API))


@router.post("/team-members/{member_id}/changes", response={201: TeamMemberOut, **WRITE_ERRORS}, summary="召回调整")
def change_member(request, member_id: int, payload: TeamChangeIn):
    member = visible_or_404(TeamMember.objects, request.auth, pk=member_id)
    teams.change_member(member, kind=payload.kind, date=payload.date, reason=payload.reason,
                        role=payload.role or "", acting_user=request.auth, channel=API)
    return Status(201, member)


@router.get("/team-members", response={200: Page[TeamMemberOut], **READ_ERRORS}, summary="驻村队员名册")
def list_members(request, paging: Query[PageParams], q: str = "", region: str = "", status: str = ""):
    queryset = filter_members(TeamMember.objects.visible_to(request.auth),
                              {"q": q, "region": region, "status": status})[0]
    return paginate(queryset.order_by("village_id", "team_id", "name"), paging)


@router.get("/units", response={200: Page[UnitOut], **READ_ERRORS}, summary="定点帮扶单位")
def list_units(request, paging: Query[PageParams], q: str = "", region: str = ""):
    queryset = filter_units(UnitPairing.objects.visible_to(request.auth).prefetch_related("plans"),
                            {"q": q, "region": region})[0]
    return paginate(queryset.order_by("village_id", "unit"), paging)


@router.post("/units", response={201: UnitOut, **WRITE_ERRORS}, summary="新增定点帮扶单位")
def create_unit(request, payload: UnitIn):
    data = payload.dict()
    village = visible_or_404(Region.objects, request.auth, code=data.pop("village"))
    return Status(201, units.save_pairing(UnitPairing(village=village, **data), acting_user=request.auth,
                                          channel=API))


@router.post("/units/{unit_id}/plans", response={201: UnitPlanOut, **WRITE_ERRORS},
             summary="登记三年规划、年度计划或总结（附件请在页面上传）")
def create_plan(request, unit_id: int, payload: UnitPlanIn):
    pairing = visible_or_404(UnitPairing.objects, request.auth, pk=unit_id)
    return Status(201, units.save_plan(UnitPlan(pairing=pairing, **payload.dict()), acting_user=request.auth,
                                       channel=API))


@router.get("/visit-plans", response={200: Page[PlanRowOut], **READ_ERRORS}, summary="走访计划（默认逾期走访）")
def visit_plans(request, paging: Query[PageParams], filters: Query[PlanFilter]):
    rows = plans.filter_plans(Pairing.objects.visible_to(request.auth), filters.dict(),
                              today=timezone.localdate())[0]
    return paginate(rows, paging)


@router.get("/parameters", response={200: list[AssistanceParameterOut], **READ_ERRORS}, summary="帮扶参数")
def list_parameters(request):
    visible = AssistanceParameter.objects.visible_to(request.auth).values("pk")
    return AssistanceParameter.objects.filter(region__isnull=True) | AssistanceParameter.objects.filter(
        pk__in=visible)
