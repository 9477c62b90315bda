"""考核评估 API: assessments, drawing the sample, the sample (paginated, filtered), the questionnaire, submitting a
household's answers idempotently by ``client_uuid``, the results by township and the findings. Thin callers of
``services`` and ``rates`` (channel 接口); every lookup goes through ``visible_to()``."""

import datetime as dt
import uuid
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status

from fupin.core.apitools import (
    READ_ERRORS,
    WRITE_ERRORS,
    Id,
    InputSchema,
    Page,
    PageParams,
    apply_changes,
    choice_label,
    paginate,
    related,
    visible_or_404,
)
from fupin.core.channels import Channel
from fupin.core.scope import user_scope_prefix
from fupin.regions.models import Region

from . import rates, services
from .choices import AssessmentKind, Feed, HouseholdStratum, QuestionKind
from .models import Assessment, Question, SampleHousehold

router = Router()
API = Channel.API


class AssessmentOut(Schema):
    id: int
    year: int
    region: str = Field(alias="region_id")
    region_name: str
    name: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    seed: int
    draws: int
    drawn_at: dt.datetime | None
    poor_villages: int
    non_poor_villages: int
    exited_households: int
    poor_households: int
    monitored_households: int
    ordinary_households: int

    resolve_kind_label = choice_label("kind")
    resolve_status_label = choice_label("status")
    resolve_region_name = related("region.name")


class AssessmentIn(InputSchema):
    year: int = Field(ge=2000, le=2100)
    region: str = Field(min_length=12, max_length=12, description="县或乡镇区划代码")
    name: str = Field(min_length=1, max_length=100)
    kind: AssessmentKind = AssessmentKind.THIRD_PARTY
    seed: int | None = Field(None, ge=0, lt=services.MAX_SEED, description="留空则随机生成")
    poor_villages: int = Field(2, ge=0, le=1000, description="每乡镇抽贫困村数")
    non_poor_villages: int = Field(1, ge=0, le=1000, description="每乡镇抽非贫困村数")
    exited_households: int = Field(10, ge=0, le=1000, description="每村抽已脱贫户数")
    poor_households: int = Field(5, ge=0, le=1000, description="每村抽未脱贫户数")
    monitored_households: int = Field(5, ge=0, le=1000, description="每村抽监测对象户数")
    ordinary_households: int = Field(10, ge=0, le=1000, description="每村抽一般农户数")


class AssessmentDrawIn(InputSchema):
    seed: int | None = Field(None, ge=0, lt=services.MAX_SEED, description="新的随机种子；留空沿用当前种子")
    reason: str = Field("", max_length=200, description="重新抽样时必填")


class AssessmentDrawOut(Schema):
    villages: int
    households: int
    seed: int
    same_register: bool | None = Field(description="登记数据是否与上次抽样时相同；首次抽样为空")


class AssessmentSampleOut(Schema):
    id: int
    household: int = Field(alias="household_id")
    household_number: str
    head_name: str
    village: str = Field(alias="village_id")
    township: str = Field(alias="township_code")
    village_stratum: str
    stratum: str
    stratum_label: str
    position: int
    people: int
    surveyed: bool

    resolve_household_number = related("household.number")
    resolve_head_name = related("household.head_name")
    resolve_village_stratum = related("sample_village.stratum")
    resolve_stratum_label = choice_label("stratum")

    @staticmethod
    def resolve_surveyed(obj):
        return hasattr(obj, "sheet")


class AssessmentSampleFilters(Schema):
    stratum: HouseholdStratum | None = None
    township: str | None = Field(None, min_length=12, max_length=12)
    surveyed: bool | None = None


class AssessmentQuestionOut(Schema):
    id: int
    code: str
    text: str
    kind: str
    choices: list[str]
    feeds: str
    counts_when: list[str]
    strata: str
    required: bool
    position: int

    @staticmethod
    def resolve_choices(obj):
        return obj.choice_list

    @staticmethod
    def resolve_counts_when(obj):
        return obj.counting_values


class AssessmentQuestionIn(InputSchema):
    code: str = Field(min_length=1, max_length=20)
    text: str = Field(min_length=1, max_length=300)
    kind: QuestionKind = QuestionKind.YES_NO
    choices: str = Field("", max_length=300, description="单选题的选项，用“、”分隔")
    feeds: Feed = Feed.NONE
    counts_when: str = Field("", max_length=200, description="计入指标的回答，用“、”分隔")
    strata: str = Field("", max_length=60, description="适用户层代码，逗号分隔；留空为全部")
    required: bool = True
    position: int = Field(0, ge=0, le=1000)


class AssessmentQuestionPatch(InputSchema):
    text: str | None = Field(None, min_length=1, max_length=300)
    choices: str | None = Field(None, max_length=300)
    feeds: Feed | None = None
    counts_when: str | None = Field(None, max_length=200)
    strata: str | None = Field(None, max_length=60)
    required: bool | None = None
    position: int | None = Field(None, ge=0, le=1000)


class AssessmentAnswersIn(InputSchema):
    client_uuid: uuid.UUID = Field(description="手机端生成的问卷编号；重复提交同一编号返回已记录的问卷")
    surveyed_on: dt.date
    respondent: str = Field("", max_length=50)
    note: str = Field("", max_length=300)
    answers: dict[str, str] = Field(description="题目编号 → 回答")


class AssessmentSheetOut(Schema):
    id: int
    sample: int = Field(alias="sample_id")
    client_uuid: str
    surveyed_on: dt.date
    created: bool = False

    @staticmethod
    def resolve_client_uuid(obj):
        return str(obj.client_uuid)


class AssessmentRateOut(Schema):
    rate: str
    label: str
    numerator: int
    denominator: int
    value: Decimal | None = Field(description="百分比，分母为0时为空")
    gate: Decimal | None
    gate_text: str
    passed: bool | None
    verdict: str


class AssessmentResultOut(Schema):
    region: str
    region_name: str
    is_total: bool
    sampled: int
    surveyed: int
    rates: dict[str, AssessmentRateOut]


class AssessmentFindingOut(Schema):
    sample_id: int
    household_id: int
    household_number: str
    head_name: str
    village_code: str
    township_code: str
    kind: str
    kind_label: str
    people: int
    surveyed_on: dt.date


def _assessment(request, assessment_id):
    return visible_or_404(Assessment.objects.select_related("region"), request.auth, pk=assessment_id)


def _prefix(request, assessment) -> str:
    prefix = user_scope_prefix(request.auth) or ""
    return prefix if len(prefix) > len(assessment.region.prefix) else ""


@router.get("/assessments", response={200: Page[AssessmentOut], **READ_ERRORS}, summary="评估批次列表")
def list_assessments(request, paging: Query[PageParams], year: int | None = Query(None, ge=2000, le=2100)):
    queryset = Assessment.objects.visible_to(request.auth).select_related("region")
    if year is not None:
        queryset = queryset.filter(year=year)
    return paginate(queryset.order_by("-year", "-pk"), paging)


@router.post("/assessments", response={201: AssessmentOut, **WRITE_ERRORS}, summary="新建评估批次（复制默认问卷）")
def create_assessment(request, payload: AssessmentIn):
    data = payload.dict()
    region = visible_or_404(Region.objects, request.auth, code=data.pop("region"))
    return Status(201, services.save_assessment(Assessment(region=region, **data), acting_user=request.auth,
                                                channel=API))


@router.get("/assessments/{assessment_id}", response={200: AssessmentOut, **READ_ERRORS}, summary="评估批次详情")
def get_assessment(request, assessment_id: Id):
    return _assessment(request, assessment_id)


@router.post("/assessments/{assessment_id}/draw", response={200: AssessmentDrawOut, **WRITE_ERRORS},
             summary="抽样或重新抽样（分层随机，同一种子同一登记数据抽出同一样本；重新抽样须填原因）")
def draw_sample(request, assessment_id: Id, payload: AssessmentDrawIn):
    assessment = _assessment(request, assessment_id)
    return services.draw_sample(assessment, seed=payload.seed, reason=payload.reason, acting_user=request.auth,
                                channel=API)


@router.get("/assessments/{assessment_id}/samples", response={200: Page[AssessmentSampleOut], **READ_ERRORS},
            summary="抽样户名单")
def list_samples(request, assessment_id: Id, filters: Query[AssessmentSampleFilters], paging: Query[PageParams]):
    assessment = _assessment(request, assessment_id)
    queryset = SampleHousehold.objects.visible_to(request.auth).filter(assessment=assessment)
    if filters.stratum:
        queryset = queryset.filter(stratum=filters.stratum)
    if filters.township:
        queryset = queryset.filter(township_code=filters.township)
    if filters.surveyed is not None:
        queryset = queryset.filter(sheet__isnull=not filters.surveyed)
    return paginate(queryset.select_related("household", "sample_village", "sheet")
                    .order_by("township_code", "village_id", "stratum", "position"), paging)


@router.get("/assessments/{assessment_id}/questions", response={200: list[AssessmentQuestionOut], **READ_ERRORS},
            summary="调查问卷题目")
def list_questions(request, assessment_id: Id):
    return list(_assessment(request, assessment_id).questions.all())


@router.post("/assessments/{assessment_id}/questions", response={201: AssessmentQuestionOut, **WRITE_ERRORS},
             summary="新增问卷题目")
def create_question(request, assessment_id: Id, payload: AssessmentQuestionIn):
    assessment = _assessment(request, assessment_id)
    return Status(201, services.save_question(Question(assessment=assessment, **payload.dict()),
                                              acting_user=request.auth, channel=API))


@router.patch("/assessment-questions/{question_id}", response={200: AssessmentQuestionOut, **WRITE_ERRORS},
              summary="修改问卷题目（已有回答的题目按新的计入回答重新计数）")
def update_question(request, question_id: Id, payload: AssessmentQuestionPatch):
    question = visible_or_404(Question.objects.select_related("assessment"), request.auth, pk=question_id)
    apply_changes(question, payload.dict(exclude_unset=True))
    return services.save_question(question, acting_user=request.auth, channel=API)


@router.post("/assessment-samples/{sample_id}/answers", response={201: AssessmentSheetOut, 200: AssessmentSheetOut,
                                                                   **WRITE_ERRORS},
             summary="提交一户的问卷（按 client_uuid 幂等：重复提交返回已记录的问卷，状态 200）")
def submit_answers(request, sample_id: Id, payload: AssessmentAnswersIn):
    sample = visible_or_404(SampleHousehold.objects.select_related("assessment", "household"), request.auth,
                            pk=sample_id)
    sheet, created = services.submit_sheet(sample, payload.answers, client_uuid=payload.client_uuid,
                                           surveyed_on=payload.surveyed_on, respondent=payload.respondent,
                                           note=payload.note, acting_user=request.auth, channel=API)
    sheet.created = created
    return Status(201 if created else 200, sheet)


@router.get("/assessments/{assessment_id}/results", response={200: list[AssessmentResultOut], **READ_ERRORS},
            summary="三率一度（各乡镇一行，最后一行为合计），含分子、分母、门槛和结论")
def get_results(request, assessment_id: Id):
    assessment = _assessment(request, assessment_id)
    return [r.as_dict() for r in rates.results(assessment, _prefix(request, assessment))]


@router.get("/assessments/{assessment_id}/findings", response={200: list[AssessmentFindingOut], **READ_ERRORS},
            summary="调查发现的漏评、错退户")
def get_findings(request, assessment_id: Id):
    assessment = _assessment(request, assessment_id)
    return [{**f.__dict__, "kind_label": f.kind_label} for f in rates.findings(assessment, _prefix(request, assessment))]
