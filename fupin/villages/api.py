"""贫困村出列 API: the assessment (a page of villages with the list's filters, or one village with the explanation of
each figure), a village's yearly data and checklist answers, its checklist, and the exit procedure (start, list,
detail, decisions, notices). Thin callers of ``assessment``, ``services`` and ``exits`` (channel 接口); every lookup
goes through ``visible_to()``."""

import datetime as dt
import math
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema, Status

from fupin.core.apitools import (
    READ_ERRORS,
    WRITE_ERRORS,
    Id,
    InputSchema,
    Page,
    PageParams,
    choice_label,
    paginate,
    visible_or_404,
)
from fupin.core.channels import Channel
from fupin.regions.models import Level, Region

from . import exits, services
from .assessment import assess
from .forms import default_year
from .models import ExitStatus, IndicatorAnswer, VillageExit, VillageYear
from .views import filtered_results

router = Router()
API = Channel.API
Year = Path(..., ge=2000, le=2100, description="年度")


class VillageIndicatorResultOut(Schema):
    code: str
    name: str
    value: str = Field(description="取值：金额、增幅（小数）或 是/否/未填报")
    required: bool
    passed: bool | None = Field(description="是否达标；不考核时为空")


class VillageAssessmentOut(Schema):
    village_code: str
    village: str
    year: int
    rural_population: int | None = Field(description="农业户籍人口；未录入时为系统在册人口（见 explanations）")
    remaining_poor: int = Field(description="未脱贫人口（未脱贫、返贫、新识别户的在册成员）")
    incidence: str | None = Field(description="贫困发生率（小数，如 0.0185）")
    limit: str | None = Field(description="贫困发生率上限（小数）；须低于上限，等于上限不达标")
    indicators: list[VillageIndicatorResultOut]
    verdict: str = Field(description="pass 达标 / fail 未达标")
    reasons: list[str] = Field(description="各未达标项的说明")
    explanations: list[str] = Field(description="每项测算的说明")


class VillageAssessmentFilters(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="评估年度（默认上年）")
    township: str | None = Field(None, min_length=12, max_length=12, description="乡镇区划代码")
    verdict: str | None = Field(None, pattern="^(pass|fail)$", description="pass 或 fail")
    poor_only: bool = Field(False, description="只看贫困村")


def _out(result) -> dict:
    return {**result.as_json(), "explanations": [result.incidence_explanation, *(i.explanation for i in result.items)]}


@router.get("/assessments", response={200: Page[VillageAssessmentOut], **READ_ERRORS}, summary="贫困村出列评估列表")
def list_assessments(request, params: Query[VillageAssessmentFilters], paging: Query[PageParams]):
    values = {"year": params.year or default_year(), "township": params.township or "",
              "verdict": params.verdict or "", "poor_only": params.poor_only}
    if values["township"]:
        visible_or_404(Region.objects, request.auth, code=values["township"], level=Level.TOWNSHIP)
    results = filtered_results(request.auth, values)
    start = (paging.page - 1) * paging.page_size
    return {"count": len(results), "page": paging.page, "page_size": paging.page_size,
            "pages": math.ceil(len(results) / paging.page_size) if results else 0,
            "items": [_out(r) for r in results[start:start + paging.page_size]]}


def _village(request, code) -> Region:
    return visible_or_404(Region.objects, request.auth, code=code, level=Level.VILLAGE)


@router.get("/villages/{code}/assessment", response={200: VillageAssessmentOut, **READ_ERRORS},
            summary="一个村的出列评估（含每项测算说明）")
def village_assessment(request, code: str, year: int | None = Query(None, ge=2000, le=2100)):
    village = _village(request, code)
    return _out(assess(village, year or default_year())[0])


class VillageYearOut(Schema):
    village: str = Field(alias="village_id")
    year: int
    rural_population: int | None
    collective_income: Decimal | None
    per_capita_income: Decimal | None
    remarks: str


class VillageYearIn(InputSchema):
    rural_population: int | None = Field(None, ge=1, le=10_000_000, description="农业户籍人口")
    collective_income: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2, description="村集体经济收入（元）")
    per_capita_income: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2, description="人均可支配收入（元）")
    remarks: str = Field("", max_length=300)


@router.get("/villages/{code}/yearly/{year}", response={200: VillageYearOut, **READ_ERRORS}, summary="村年度出列数据")
def get_village_year(request, code: str, year: int = Year):
    village = _village(request, code)
    return get_object_or_404(VillageYear, village=village, year=year)


@router.put("/villages/{code}/yearly/{year}", response={200: VillageYearOut, **WRITE_ERRORS},
            summary="填报村年度出列数据（农业户籍人口、集体经济收入、人均可支配收入）")
def put_village_year(request, code: str, payload: VillageYearIn, year: int = Year):
    village = _village(request, code)
    return services.save_village_year(VillageYear(village=village, year=year, **payload.dict()),
                                      acting_user=request.auth, channel=API)


class VillageChecklistItemOut(Schema):
    indicator: str = Field(description="指标代码")
    name: str
    required: bool
    met: bool | None = Field(description="是否达标；未填报为空")
    note: str


class VillageChecklistAnswerIn(InputSchema):
    indicator: str = Field(min_length=1, max_length=20, description="指标代码")
    met: bool
    note: str = Field("", max_length=300, description="佐证说明")


def _checklist(village, year) -> list[dict]:
    given = {a.indicator_id: a for a in IndicatorAnswer.objects.filter(village=village, year=year)}
    return [{"indicator": i.code, "name": i.name, "required": i.required,
             "met": given[i.pk].met if i.pk in given else None, "note": given[i.pk].note if i.pk in given else ""}
            for i in services.indicators_for([village.code])[village.code]]


@router.get("/villages/{code}/checklist/{year}", response={200: list[VillageChecklistItemOut], **READ_ERRORS},
            summary="村出列指标清单及达标情况")
def get_checklist(request, code: str, year: int = Year):
    return _checklist(_village(request, code), year)


@router.put("/villages/{code}/checklist/{year}", response={200: list[VillageChecklistItemOut], **WRITE_ERRORS},
            summary="填报村出列指标达标情况")
def put_checklist(request, code: str, payload: list[VillageChecklistAnswerIn], year: int = Year):
    village = _village(request, code)
    services.ensure_can_change(request.auth, village.code)
    by_code = {i.code: i for i in services.indicators_for([village.code])[village.code]}
    unknown = [a.indicator for a in payload if a.indicator not in by_code]
    if unknown:
        raise ValidationError({"indicator": f"不是该村适用的出列指标：{'、'.join(unknown)}"})
    for item in payload:
        services.answer(village, year, by_code[item.indicator], met=item.met, note=item.note,
                        acting_user=request.auth, channel=API)
    return _checklist(village, year)


# --- the exit procedure ------------------------------------------------------------------------------------------


class VillageExitStepOut(Schema):
    order: int
    name: str
    actor_level: int
    status: str
    status_label: str
    started: dt.date | None
    due: dt.date | None
    notice_days: int

    resolve_status_label = choice_label("status")


class VillageExitOut(Schema):
    id: int
    village: str = Field(alias="village_id")
    village_name: str
    year: int
    status: str
    status_label: str
    current_order: int | None
    approved_on: dt.date | None
    steps: list[VillageExitStepOut]

    resolve_status_label = choice_label("status")

    @staticmethod
    def resolve_village_name(obj):
        return obj.village.name

    @staticmethod
    def resolve_steps(obj):
        return list(obj.steps.all())


class VillageExitStartIn(InputSchema):
    year: int = Field(ge=2000, le=2100, description="出列年度")
    comment: str = Field("", max_length=500)


class VillageExitDecisionIn(InputSchema):
    decision: str = Field(pattern="^(pass|return|reject)$", description="pass 通过 / return 退回 / reject 不予通过")
    comment: str = Field("", max_length=1000)


class VillageExitNoticeIn(InputSchema):
    start_date: dt.date
    end_date: dt.date
    title: str = Field("", max_length=200)
    body: str = Field("", max_length=2000)
    contact: str = Field("", max_length=200)


class VillageExitNoticeOut(Schema):
    id: int
    title: str
    kind: str
    start_date: dt.date
    end_date: dt.date


class VillageExitFilters(Schema):
    status: ExitStatus | None = None
    year: int | None = Field(None, ge=2000, le=2100)


def _exits(user):
    return VillageExit.objects.visible_to(user).select_related("village").prefetch_related("steps")


@router.post("/villages/{code}/exit", response={201: VillageExitOut, **WRITE_ERRORS},
             summary="申请出列（评估达标的贫困村，由村级账号发起）")
def start_exit(request, code: str, payload: VillageExitStartIn):
    village = _village(request, code)
    exit_ = exits.start_exit(village, payload.year, comment=payload.comment, acting_user=request.auth, channel=API)
    return Status(201, _exits(request.auth).get(pk=exit_.pk))


@router.get("/exits", response={200: Page[VillageExitOut], **READ_ERRORS}, summary="贫困村出列程序列表")
def list_exits(request, params: Query[VillageExitFilters], paging: Query[PageParams]):
    queryset = _exits(request.auth)
    if params.status:
        queryset = queryset.filter(status=params.status)
    if params.year:
        queryset = queryset.filter(year=params.year)
    return paginate(queryset.order_by("-created", "-id"), paging)


@router.get("/exits/{exit_id}", response={200: VillageExitOut, **READ_ERRORS}, summary="贫困村出列程序详情")
def get_exit(request, exit_id: Id):
    return visible_or_404(_exits(request.auth), request.auth, pk=exit_id)


@router.post("/exits/{exit_id}/decision", response={200: VillageExitOut, **WRITE_ERRORS},
             summary="办理出列程序的当前环节（最后环节通过即设定该村出列年度）")
def decide_exit(request, exit_id: Id, payload: VillageExitDecisionIn):
    exit_ = visible_or_404(VillageExit.objects, request.auth, pk=exit_id)
    exits.decide(exit_, payload.decision, comment=payload.comment, acting_user=request.auth, channel=API)
    return _exits(request.auth).get(pk=exit_.pk)


@router.post("/exits/{exit_id}/notices", response={201: VillageExitNoticeOut, **WRITE_ERRORS},
             summary="发布当前环节的村级公示或县级公告")
def publish_exit_notice(request, exit_id: Id, payload: VillageExitNoticeIn):
    exit_ = visible_or_404(VillageExit.objects, request.auth, pk=exit_id)
    return Status(201, exits.publish_notice(exit_, acting_user=request.auth, channel=API, **payload.dict()))
