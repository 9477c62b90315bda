"""行业政策 API: each record kind's list, record and creation, the 雨露计划/控辍保学/渐退 steps, the 应享未享 gaps
and runs, the policy figures. Thin callers of the services (channel 接口); every lookup goes through the account's
scope and sector (``access.visible``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from fupin.core import idnumber
from fupin.core.apitools import (
    READ_ERRORS,
    WRITE_ERRORS,
    InputSchema,
    Page,
    PageParams,
    form_errors,
    paginate,
)
from fupin.core.channels import Channel

from . import board, services
from .access import visible
from .choices import GapStatus
from .forms import record_form
from .kinds import KINDS, MEMBER
from .models import DropoutCase, Enrolment, PolicyFigure, YuluApplication

router = Router()


class RecordOut(Schema):
    id: int
    kind: str
    household: int
    household_number: str
    member: int | None = None
    member_name: str = ""
    member_id_number: str = Field("", description="证件号码（脱敏）")
    village: str
    fields: dict[str, Any] = Field(description="该类记录的字段：字段代码 → 取值（代码值、日期 YYYY-MM-DD、金额）")


class RecordIn(InputSchema):
    member_id_number: str = Field("", description="成员证件号码（对象为成员的记录）")
    household_number: str = Field("", description="户编号（对象为户的记录）")
    fields: dict[str, Any] = Field(default_factory=dict, description="字段代码 → 取值，字段见各类记录的说明")


class RecordFilter(Schema):
    year: int | None = Field(None, ge=1990, le=2100, description="年度")
    region: str = Field("", max_length=12, description="乡镇或村区划代码")


def _plain(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def record_out(kind, record) -> dict:
    member = getattr(record, "member", None) if getattr(record, "member_id", None) else None
    names = [*kind.fields, *(c.field for c in kind.columns if "__" not in c.field)]
    return {
        "id": record.pk, "kind": kind.code, "household": record.household_id,
        "household_number": record.household.number, "village": record.village_id,
        "member": member.pk if member else None, "member_name": member.name if member else "",
        "member_id_number": idnumber.mask(member.id_number) if member else "",
        "fields": {name: _plain(getattr(record, f"{name}_id" if name == "disease" else name))
                   for name in dict.fromkeys(names) if name != "diagnosis"},
    }


def _records(request, kind):
    related = ["household", "member"] if kind.subject == MEMBER else ["household"]
    return visible(request.auth, kind.model).select_related(*related)


def _one(request, kind, record_id: int):
    record = _records(request, kind).filter(pk=record_id).first()
    if record is None:
        raise Http404("记录不存在或不在当前账号的管辖范围内")
    return record


def _routes(kind):
    code = kind.code

    @router.get(f"/{code}", response={200: Page[RecordOut], **READ_ERRORS}, summary=f"{kind.title}列表",
                operation_id=f"sectors_{code}_list")
    def list_records(request, paging: Query[PageParams], filters: Query[RecordFilter]):
        queryset = _records(request, kind).order_by(*kind.model._meta.ordering)
        if filters.year:
            queryset = queryset.filter(**{kind.year_lookup: filters.year})
        if filters.region:
            queryset = queryset.filter(village__code__in_region=filters.region.rstrip("0") or filters.region)
        page = paginate(queryset, paging)
        page["items"] = [record_out(kind, r) for r in page["items"]]
        return page

    @router.get(f"/{code}/{{record_id}}", response={200: RecordOut, **READ_ERRORS}, summary=f"{kind.title}",
                operation_id=f"sectors_{code}_get")
    def get_record(request, record_id: int):
        return record_out(kind, _one(request, kind, record_id))

    @router.post(f"/{code}", response={201: RecordOut, **WRITE_ERRORS}, summary=f"新增{kind.title}",
                 operation_id=f"sectors_{code}_create",
                 description=f"fields 可用字段：{'、'.join(kind.fields)}")
    def create_record(request, payload: RecordIn):
        data = {k: v for k, v in payload.fields.items() if k in kind.fields}
        unknown = set(payload.fields) - set(kind.fields)
        if unknown:
            raise ValidationError({"fields": f"未知字段：{'、'.join(sorted(unknown))}"})
        data["member_id_number"], data["household_number"] = payload.member_id_number, payload.household_number
        form = record_form(kind)(data, instance=kind.model(), kind=kind, user=request.auth)
        if not form.is_valid():
            raise form_errors(form)
        record = kind.save(form.save(commit=False), acting_user=request.auth, channel=Channel.API)
        return Status(201, record_out(kind, record))


for _kind in KINDS:
    _routes(_kind)
BY_MODEL = {kind.model: kind for kind in KINDS}


class ApproveIn(InputSchema):
    approved: bool
    on: dt.date | None = None
    reason: str = Field("", max_length=200)


class DateIn(InputSchema):
    on: dt.date | None = None


class FollowUpIn(InputSchema):
    date: dt.date
    content: str = Field(min_length=1, max_length=300)
    status: str = Field("", description="办结时填写：returned 已返校、home_teaching 送教上门、deferred 因病缓学、transferred 转学外地")
    school: str = Field("", max_length=100)


class TaperIn(InputSchema):
    start: dt.date


def _step_target(request, model, record_id):
    return _one(request, BY_MODEL[model], record_id)


@router.post("/yulu/{record_id}/approve", response={200: RecordOut, **WRITE_ERRORS}, summary="雨露计划审核")
def approve_yulu(request, record_id: int, payload: ApproveIn):
    app = _step_target(request, YuluApplication, record_id)
    services.approve_yulu(app, approved=payload.approved, on=payload.on, reason=payload.reason,
                          acting_user=request.auth, channel=Channel.API)
    return record_out(BY_MODEL[YuluApplication], app)


@router.post("/yulu/{record_id}/pay", response={200: RecordOut, **WRITE_ERRORS}, summary="雨露计划发放")
def pay_yulu(request, record_id: int, payload: DateIn):
    app = _step_target(request, YuluApplication, record_id)
    services.pay_yulu(app, on=payload.on, acting_user=request.auth, channel=Channel.API)
    return record_out(BY_MODEL[YuluApplication], app)


@router.post("/dropouts/{record_id}/follow-ups", response={200: RecordOut, **WRITE_ERRORS}, summary="控辍保学劝返记录")
def dropout_follow_up(request, record_id: int, payload: FollowUpIn):
    case = _step_target(request, DropoutCase, record_id)
    services.follow_up(case, date=payload.date, content=payload.content, status=payload.status, school=payload.school,
                       acting_user=request.auth, channel=Channel.API)
    case.refresh_from_db()
    return record_out(BY_MODEL[DropoutCase], case)


@router.post("/enrolments/{record_id}/taper", response={200: RecordOut, **WRITE_ERRORS}, summary="低保特困进入渐退期")
def enrolment_taper(request, record_id: int, payload: TaperIn):
    enrolment = _step_target(request, Enrolment, record_id)
    services.start_taper(enrolment, payload.start, acting_user=request.auth, channel=Channel.API)
    return record_out(BY_MODEL[Enrolment], enrolment)


class GapOut(Schema):
    id: int
    rule: str
    rule_name: str
    year: int
    village_code: str
    household_number: str
    member_name: str
    member_id_number: str = Field(description="证件号码（脱敏）")
    figures: dict[str, Any]
    status: str


class GapFilter(Schema):
    year: int | None = Field(None, ge=1990, le=2100)
    rule: str = Field("", max_length=40)
    status: GapStatus = GapStatus.OPEN


@router.get("/gaps", response={200: Page[GapOut], **READ_ERRORS}, summary="应享未享清单")
def list_gaps(request, paging: Query[PageParams], filters: Query[GapFilter]):
    queryset = board.gaps_visible_to(request.auth).filter(status=filters.status).order_by(
        "village_code", "household_number", "rule")
    if filters.year:
        queryset = queryset.filter(year=filters.year)
    if filters.rule:
        queryset = queryset.filter(rule=filters.rule)
    page = paginate(queryset, paging)
    names = board.rule_names()
    page["items"] = [{"id": g.pk, "rule": g.rule, "rule_name": names.get(g.rule, g.rule), "year": g.year,
                      "village_code": g.village_code, "household_number": g.household_number,
                      "member_name": g.member_name, "member_id_number": idnumber.mask(g.id_number),
                      "figures": g.figures, "status": g.status} for g in page["items"]]
    return page


class CoverageRunIn(InputSchema):
    year: int = Field(ge=2000, le=2100)


class CoverageRunOut(Schema):
    id: int
    year: int
    region_code: str
    summary: dict[str, Any]


@router.post("/coverage/runs", response={201: CoverageRunOut, **WRITE_ERRORS}, summary="运行应享未享排查")
def run_coverage(request, payload: CoverageRunIn):
    run = board.run(request.auth.region, payload.year, acting_user=request.auth, channel=Channel.API)
    return Status(201, run)


class FigureOut(Schema):
    code: str
    name: str
    year: int | None
    region: str | None = Field(None, alias="region_id")
    value: Decimal
    source: str

    @staticmethod
    def resolve_name(obj):
        return obj.get_code_display()


@router.get("/figures", response={200: list[FigureOut], **READ_ERRORS}, summary="政策标准")
def list_figures(request):
    return PolicyFigure.objects.order_by("code", "region", "year")


class PolicyOut(Schema):
    kind: str
    title: str
    items: list[RecordOut]


@router.get("/households/{household_id}/policies", response={200: list[PolicyOut], **READ_ERRORS},
            summary="户享受的行业政策")
def household_policies(request, household_id: int):
    # The region's households: a department account, which does not browse the register, sees its sector's records.
    household = services.households_for(request.auth).filter(pk=household_id).first()
    if household is None:
        raise Http404("记录不存在或不在当前账号的管辖范围内")
    result = []
    for kind in KINDS:
        records = list(_records(request, kind).filter(household=household))
        if records:
            result.append({"kind": kind.code, "title": kind.title, "items": [record_out(kind, r) for r in records]})
    return result
