"""Procedures API: procedures and their steps, notices and objections, poverty lines, procedure definitions and the
yearly adjustment. Thin callers of the services (channel 接口); lookups go through ``visible_to()``, so a record
outside the account's scope answers 404. Public notices and objections need no login, like the public pages.
"""

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from fupin.audit.models import Channel
from fupin.core import throttle
from fupin.core.apitools import (
    READ_ERRORS,
    WRITE_ERRORS,
    BoundedInt,
    Id,
    InputSchema,
    Page,
    PageParams,
    choice_label,
    paginate,
    related,
    visible_or_404,
)
from fupin.core.idnumber import mask
from fupin.regions.models import Region, region_prefix
from fupin.registry.api import HouseholdRefs
from fupin.registry.models import Household
from fupin.registry.services import report_duplicates

from . import adjustment as adjustments
from . import definitions, lines, notices, services, workdays
from .filters import filter_procedures
from .models import (
    Adjustment,
    Attachment,
    CalendarDay,
    Candidate,
    CandidateStatus,
    DayKind,
    Kind,
    LineKind,
    Notice,
    NoticeKind,
    NoticeStatus,
    Objection,
    PolicyEnd,
    PovertyLine,
    Procedure,
    ProcedureDefinition,
)
from .models import (
    Status as ProcedureStatus,
)
from .policy_ends import filter_policy_ends

API = Channel.API
router = Router()
procedures_router = Router(tags=["程序"])
notices_router = Router(tags=["公示公告"])
lines_router = Router(tags=["扶贫标准"])
definitions_router = Router(tags=["程序流程配置"])
adjustments_router = Router(tags=["年度动态调整"])
calendar_router = Router(tags=["节假日安排"])


# --- schemas ------------------------------------------------------------------------------------------------------


class StepOut(Schema):
    order: int
    name: str
    actor_level: int = Field(description="办理层级：3县 4乡镇 5村")
    deadline_days: int
    attachment_kinds: list[str] = Field(description="必传附件类别代码")
    notice_days: int = Field(description="公示天数，0为非公示环节")
    status: str
    started: dt.date | None
    due: dt.date | None
    overdue: bool
    working_days: bool = Field(description="时限按工作日计（跳过周末、节假日）")
    notice_kind: str = Field(description="公示环节的类别：publicity 公示、announcement 公告")
    due_state: str | None = Field(description="办理中环节的期限状态：on_time 按期、due_soon 1个工作日内到期、overdue 已逾期")
    due_label: str | None = Field(description="期限状态的文字，如“按期（剩余5个工作日）”")
    escalated: dt.datetime | None = Field(description="逾期上报上一级的时间")

    @staticmethod
    def resolve_attachment_kinds(obj):
        return obj.required_kinds

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue

    @staticmethod
    def resolve_due_state(obj):
        found = _clock(obj)
        return found.state if found else None

    @staticmethod
    def resolve_due_label(obj):
        found = _clock(obj)
        return found.label if found else None


def _clock(step):
    """The step's clock against the working-day calendar of its village (``clock`` set by a caller, else computed)."""
    if not hasattr(step, "clock"):
        step.clock = workdays.clock(step, workdays.WorkCalendar(step.procedure.village_id))
    return step.clock


class ActionOut(Schema):
    time: dt.datetime
    step: str | None
    decision: str
    comment: str
    username: str
    figures: dict

    resolve_step = related("step.name")


class AttachmentOut(Schema):
    id: int
    step: int = Field(description="环节顺序号")
    kind: str = Field(alias="kind_id")
    kind_name: str
    original_name: str
    size: int
    uploaded: dt.datetime
    url: str

    @staticmethod
    def resolve_step(obj):
        return obj.step.order

    resolve_kind_name = related("kind.name")

    @staticmethod
    def resolve_url(obj):
        return f"/api/procedures/attachments/{obj.pk}"


class ProcedureOut(HouseholdRefs):
    id: int
    kind: str
    kind_label: str
    household: int = Field(alias="household_id")
    household_number: str
    head_name: str
    village: str = Field(alias="village_id")
    year: int
    status: str
    status_label: str
    current_step: str | None
    current_due: dt.date | None
    current_due_state: str | None = Field(description="当前环节期限状态：on_time 按期、due_soon 1个工作日内到期、overdue 已逾期")
    current_due_label: str | None = Field(description="当前环节期限状态的文字")
    created: dt.datetime
    finished: dt.datetime | None

    resolve_kind_label = choice_label("kind")
    resolve_status_label = choice_label("status")

    @staticmethod
    def resolve_current_step(obj):
        step = obj.current_step
        return step.name if step else None

    @staticmethod
    def resolve_current_due(obj):
        step = obj.current_step
        return step.due if step else None

    @staticmethod
    def resolve_current_due_state(obj):
        step = obj.current_step
        found = _clock(step) if step else None
        return found.state if found else None

    @staticmethod
    def resolve_current_due_label(obj):
        step = obj.current_step
        found = _clock(step) if step else None
        return found.label if found else None


class ProcedureDetail(ProcedureOut):
    reason: str
    details: dict
    member_id_number: str = Field(description="自然变更增员的证件号码（脱敏）")
    figures: dict = Field(description="发起时校验所用的标准和户数据")
    steps: list[StepOut]
    actions: list[ActionOut]
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_member_id_number(obj):
        return mask(obj.member_id_number)

    @staticmethod
    def resolve_steps(obj):
        steps, calendar = list(obj.steps.all()), workdays.WorkCalendar(obj.village_id)
        for step in steps:
            step.clock = workdays.clock(step, calendar)
        return steps

    @staticmethod
    def resolve_actions(obj):
        return list(obj.actions.select_related("step"))

    @staticmethod
    def resolve_attachments(obj):
        return list(obj.attachments.select_related("kind", "step"))


class StartIn(InputSchema):
    household: int = Field(description="户ID")
    kind: Kind
    year: int = Field(ge=2000, le=2100, description="校验所用的收支、核查和扶贫标准年度")
    reason: str = ""
    details: dict = Field(
        default_factory=dict,
        description="识别纳入：category（拟识别属性）、main_cause；自然变更：change（birth/death/marriage_in/"
        "marriage_out/move_in/move_out/split/merge/dissolve），减员 member_id，增员 name、id_number、relation",
    )


class CheckOut(Schema):
    ok: bool
    problems: list[str]
    figures: dict


class DecisionIn(InputSchema):
    decision: str = Field(description="pass 通过、return 退回上一环节、reject 不予通过")
    comment: str = ""


class ReasonIn(InputSchema):
    reason: str


class EndPoliciesIn(InputSchema):
    households: list[Id]
    reason: str = Field(description="结束政策的依据（文件文号或原因）")


class CountOut(Schema):
    count: int


class PolicyEndOut(HouseholdRefs):
    id: int
    household: int = Field(alias="household_id")
    household_number: str
    head_name: str
    village: str = Field(alias="village_id")
    exit_year: int | None
    date: dt.date = Field(description="停止享受政策日期")
    reason: str = Field(description="依据（文件文号或原因）")
    decided_by: str = Field(description="决定账号")
    notices: list[int] = Field(description="公告（公示公告 ID）")

    resolve_decided_by = related("decided_by.username", "")

    @staticmethod
    def resolve_notices(obj):
        return [item.notice_id for item in obj.notice_items.all()]


class PolicyEndFilters(Schema):
    q: str | None = Field(None, description="户编号或户主姓名")
    region: str | None = Field(None, description="区划代码（含下级）")
    year: BoundedInt | None = Field(None, description="停止享受政策的年度")
    exit_year: BoundedInt | None = None
    announced: str | None = Field(None, description="yes 已公告、no 未公告")


class PolicyEndNoticeIn(InputSchema):
    policy_ends: list[Id] = Field(description="台账 ID（未公告的）")
    start_date: dt.date
    end_date: dt.date
    title: str = ""
    body: str = ""
    contact: str = ""


class NoticeItemOut(Schema):
    id: int
    procedure: int | None = Field(None, alias="procedure_id")
    row: dict = Field(
        description="公示列：户主、所属村、人口、属性、致贫原因、事项（不含证件号码、电话、银行账号、健康状况）"
    )


class PublicNoticeItemOut(Schema):
    id: int
    row: dict


class ObjectionOut(Schema):
    id: int
    item: int | None = Field(alias="item_id")
    name: str
    contact: str
    content: str
    lodged: dt.datetime
    status: str
    answer: str
    answered: dt.datetime | None


class NoticeOut(Schema):
    id: int
    kind: str
    level: int
    region: str = Field(alias="region_id")
    region_name: str
    title: str
    start_date: dt.date
    end_date: dt.date
    status: str
    active: bool
    period_ended: bool

    resolve_region_name = related("region.name")

    @staticmethod
    def resolve_active(obj):
        return obj.is_active

    @staticmethod
    def resolve_period_ended(obj):
        return obj.period_ended


class NoticeDetail(NoticeOut):
    body: str
    contact: str
    items: list[NoticeItemOut]
    objections: list[ObjectionOut]
    warnings: list[str] = Field(description="草稿中公示不得包含的内容（身份证号码、手机号码、银行卡号、健康状况用语），"
                                            "改正前不能发布")

    @staticmethod
    def resolve_items(obj):
        return list(obj.items.all())

    @staticmethod
    def resolve_warnings(obj):
        return notices.draft_warnings(obj)

    @staticmethod
    def resolve_objections(obj):
        return list(obj.objections.all())


class PublicNoticeDetail(NoticeOut):
    body: str
    contact: str
    items: list[PublicNoticeItemOut]

    @staticmethod
    def resolve_items(obj):
        return list(obj.items.all())


class NoticeIn(InputSchema):
    kind: NoticeKind = NoticeKind.PUBLICITY
    procedures: list[Id] = Field(description="程序ID列表")
    start_date: dt.date
    end_date: dt.date
    title: str = ""
    body: str = ""
    contact: str = ""


class NoticePatch(InputSchema):
    title: str | None = Field(None, max_length=200, description="标题；空字符串重新生成")
    body: str | None = None
    contact: str | None = Field(None, max_length=200)
    start_date: dt.date | None = None
    end_date: dt.date | None = None


class ObjectionIn(InputSchema):
    item: int | None = Field(None, description="公示对象ID；留空为对整个公示的异议")
    name: str = Field(max_length=50)
    contact: str = Field(max_length=100)
    content: str = Field(max_length=2000)


class AnswerIn(InputSchema):
    answer: str


class LineOut(Schema):
    id: int
    kind: str
    year: int
    region: str | None = Field(alias="region_id")
    amount: Decimal
    document: str
    note: str


class LineIn(InputSchema):
    kind: LineKind = LineKind.POVERTY
    year: int = Field(ge=2000, le=2100)
    region: str | None = Field(None, description="省、市或县的12位区划代码；留空为全国标准")
    amount: Decimal = Field(gt=0)
    document: str = ""
    note: str = ""


class ResolvedLineOut(Schema):
    kind: str
    year: int
    amount: Decimal
    region_code: str | None
    source: str


class StepDefinitionIO(Schema):
    order: int = Field(ge=1)
    name: str
    actor_level: int = Field(description="3县 4乡镇 5村")
    deadline_days: int = Field(ge=1, le=365)
    working_days: bool = Field(True, description="时限按工作日计（跳过周末、节假日，计入调休上班日）；false 按自然日")
    attachment_kinds: str = Field("", description="必传附件类别代码，逗号分隔")
    notice_days: int = Field(0, ge=0, description="公示天数，0为非公示环节")
    notice_kind: str = Field("publicity", description="公示环节的类别：publicity 公示、announcement 公告（如县级公告）")
    description: str = ""


class DefinitionOut(Schema):
    id: int
    kind: str
    region: str | None = Field(alias="region_id")
    name: str
    description: str
    active: bool
    steps: list[StepDefinitionIO]

    @staticmethod
    def resolve_steps(obj):
        return list(obj.steps.all())


class DefinitionIn(InputSchema):
    name: str
    description: str = ""
    active: bool = True
    steps: list[StepDefinitionIO]


class AdjustmentOut(Schema):
    id: int
    county: str = Field(alias="county_id")
    year: int
    status: str
    line_amount: Decimal | None
    proposed: dt.datetime | None
    opened: dt.datetime
    closed: dt.datetime | None


class OpenIn(InputSchema):
    year: int = Field(ge=2000, le=2100)
    county: str | None = Field(None, description="县区划代码；留空为当前账号所属县")


class CandidateOut(HouseholdRefs):
    id: int
    household: int = Field(alias="household_id")
    head_name: str
    village: str = Field(alias="village_id")
    kind: str
    per_capita_income: Decimal | None
    line_amount: Decimal | None
    security_ok: bool | None
    members_added: int
    members_removed: int
    status: str
    reason: str
    procedure: int | None = Field(alias="procedure_id")


class CandidateFilters(Schema):
    kind: Kind | None = None
    status: CandidateStatus | None = None
    region: str | None = Field(None, description="区划代码（含下级）")


class CandidateDecisionIn(InputSchema):
    candidates: list[Id]
    confirm: bool
    reason: str = ""
    category: str | None = Field(None, description="识别候选：拟识别属性代码")
    main_cause: str | None = Field(None, description="识别候选：主要致贫原因代码")


class AdjustmentJobOut(Schema):
    id: int
    kind: str
    title: str
    status: str
    done: int
    total: int
    message: str


class CloseOut(Schema):
    households: int
    by_status: dict


class ProcedureFilters(Schema):
    q: str | None = Field(None, description="户编号或户主姓名")
    kind: str | None = Field(None, description="程序类别：identification、exit、return、natural 及监测程序 monitoring、"
                             "elimination、reflag（风险再标注）、elim_rollback（风险消除回退）")
    status: ProcedureStatus | None = None
    region: str | None = Field(None, description="区划代码（含下级）")
    year: BoundedInt | None = None
    todo: bool | None = Field(None, description="只看待本账号办理的")
    overdue: bool | None = Field(None, description="只看已逾期的（本级及下级）")


# --- procedures ---------------------------------------------------------------------------------------------------


def _procedure(request, pk) -> Procedure:
    return visible_or_404(Procedure.objects.select_related("household", "village"), request.auth, pk=pk)


@procedures_router.get("", response={200: Page[ProcedureOut], **READ_ERRORS}, summary="程序列表")
def list_procedures(request, filters: Query[ProcedureFilters], paging: Query[PageParams]):
    params = {k: ("on" if v is True else str(v)) for k, v in filters.dict().items() if v not in (None, False)}
    queryset, _ = filter_procedures(
        Procedure.objects.visible_to(request.auth).select_related("household", "village"), params, request.auth
    )
    return paginate(queryset.prefetch_related("steps").order_by("-created", "-id"), paging)


@procedures_router.post("/check", response={200: CheckOut, **WRITE_ERRORS}, summary="发起前校验（不发起）")
def check_procedure(request, payload: StartIn):
    """The same checks as starting, with the figures; nothing is written — except that a new member's ID number
    registered outside the household's village is reported to the level above (重复登记报告)."""
    household = visible_or_404(Household.objects.all(), request.auth, pk=payload.household)
    result = services.start_problems(payload.kind, household, payload.year, dict(payload.details))
    report_duplicates(result.duplicates, acting_user=request.auth, channel=API)
    return {"ok": result.ok, "problems": result.problems, "figures": result.figures}


@procedures_router.post("", response={201: ProcedureDetail, **WRITE_ERRORS}, summary="发起程序")
def start_procedure(request, payload: StartIn):
    """Refused with 422 and every missing condition in Chinese (e.g. income below the year's line)."""
    household = visible_or_404(Household.objects.all(), request.auth, pk=payload.household)
    procedure = services.start_procedure(payload.kind, household, year=payload.year, details=dict(payload.details),
                                         reason=payload.reason, acting_user=request.auth, channel=API)
    return Status(201, _procedure(request, procedure.pk))


@procedures_router.get("/overdue", response={200: list[ProcedureOut], **READ_ERRORS}, summary="逾期环节（本级及下级）")
def overdue(request):
    return [step.procedure for step in services.overdue_steps(request.auth)[:1000]]


@procedures_router.post("/escalate", response={200: CountOut, **WRITE_ERRORS},
                        summary="逾期上报：记录已逾期的村级、乡镇级环节上报上一级督办（乡镇级、县级）")
def escalate(request):
    return {"count": services.escalate_overdue(acting_user=request.auth, channel=API)}


# Before "/{procedure_id}": Django matches paths in order, and that one (GET only) would answer 405.
@procedures_router.post("/end-policies", response={200: CountOut, **WRITE_ERRORS},
                        summary="结束已脱贫户的过渡期政策（县级）")
def end_policies(request, payload: EndPoliciesIn):
    households = Household.objects.visible_to(request.auth).filter(pk__in=payload.households)
    if households.count() != len(set(payload.households)):
        raise Http404
    count = services.end_policies(households, reason=payload.reason, acting_user=request.auth, channel=API)
    return {"count": count}


@procedures_router.get("/policy-ends", response={200: Page[PolicyEndOut], **READ_ERRORS},
                       summary="退出享受政策台账（稳定脱贫户不再享受政策）")
def list_policy_ends(request, filters: Query[PolicyEndFilters], paging: Query[PageParams]):
    params = {k: str(v) for k, v in filters.dict().items() if v is not None}
    queryset, _ = filter_policy_ends(PolicyEnd.objects.visible_to(request.auth), params)
    return paginate(queryset.select_related("household", "decided_by").prefetch_related("notice_items"), paging)


@procedures_router.post("/policy-ends/notice", response={201: NoticeDetail, **WRITE_ERRORS},
                        summary="生成退出享受政策公告草稿（县级公告，只列公开信息）")
def announce_policy_ends(request, payload: PolicyEndNoticeIn):
    entries = PolicyEnd.objects.visible_to(request.auth).filter(pk__in=payload.policy_ends)
    if entries.count() != len(set(payload.policy_ends)):
        raise Http404
    notice = notices.announce_policy_ends(
        entries, start_date=payload.start_date, end_date=payload.end_date, title=payload.title, body=payload.body,
        contact=payload.contact, acting_user=request.auth, channel=API,
    )
    return Status(201, _notice(request, notice.pk))


@procedures_router.get("/{procedure_id}", response={200: ProcedureDetail, **READ_ERRORS}, summary="程序详情")
def get_procedure(request, procedure_id: int):
    return _procedure(request, procedure_id)


@procedures_router.post("/{procedure_id}/decide", response={200: ProcedureDetail, **WRITE_ERRORS},
                        summary="办理当前环节：通过、退回、不予通过")
def decide(request, procedure_id: int, payload: DecisionIn):
    """Passing the last step is final approval: the register changes in the same transaction."""
    procedure = services.decide(_procedure(request, procedure_id), payload.decision, comment=payload.comment,
                                acting_user=request.auth, channel=API)
    return _procedure(request, procedure.pk)


@procedures_router.post("/{procedure_id}/attachments", response={201: AttachmentOut, **WRITE_ERRORS},
                        summary="上传当前环节附件（multipart）")
def attach(request, procedure_id: int, kind: Form[str], file: File[UploadedFile]):
    attachment = services.add_attachment(_procedure(request, procedure_id), kind, file, acting_user=request.auth,
                                         channel=API)
    return Status(201, attachment)


@procedures_router.get("/attachments/{attachment_id}", response={200: None, **READ_ERRORS}, summary="下载附件")
def download(request, attachment_id: int):
    attachment = visible_or_404(Attachment.objects.all(), request.auth, pk=attachment_id)
    try:
        return FileResponse(attachment.file.open("rb"), filename=attachment.original_name)
    except FileNotFoundError as exc:
        raise Http404("附件文件不存在") from exc


@procedures_router.post("/{procedure_id}/withdraw", response={200: ProcedureDetail, **WRITE_ERRORS}, summary="撤回程序")
def withdraw(request, procedure_id: int, payload: ReasonIn):
    services.withdraw(_procedure(request, procedure_id), reason=payload.reason, acting_user=request.auth,
                      channel=API)
    return _procedure(request, procedure_id)


# --- notices ------------------------------------------------------------------------------------------------------


def _notice(request, pk) -> Notice:
    return visible_or_404(Notice.objects.select_related("region"), request.auth, pk=pk)


@notices_router.get("/public", auth=None, response={200: list[NoticeOut]}, summary="公示期内的公示公告（无需登录）")
def public_notices(request, region: str | None = Query(None, description="区划代码：该地及其上级乡镇、县的公示")):
    return list(notices.active_notices(region)[:500])


@notices_router.get("/public/{notice_id}", auth=None, response={200: PublicNoticeDetail, 404: dict},
                    summary="公示内容（无需登录）")
def public_notice(request, notice_id: int):
    notice = Notice.objects.select_related("region").filter(pk=notice_id, status=NoticeStatus.PUBLISHED).first()
    if notice is None or notice.start_date > timezone.localdate():
        raise Http404
    return notice


@notices_router.post("/public/{notice_id}/objections", auth=None,
                     response={201: dict, **WRITE_ERRORS, **throttle.API_RESPONSES},
                     summary="对公示提出异议（无需登录）")
def lodge_objection(request, notice_id: int, payload: ObjectionIn):
    notice = Notice.objects.filter(pk=notice_id, status=NoticeStatus.PUBLISHED).first()
    if notice is None:
        raise Http404
    throttle.check_api(objection_ip=throttle.client_ip(request), objection_notice=notice.pk)
    objection = notices.lodge_objection(notice, item_id=payload.item, name=payload.name, contact=payload.contact,
                                        content=payload.content, channel=API)
    return Status(201, {"id": objection.pk, "detail": "异议已提交，村（乡镇）将核实后答复"})


@notices_router.get("", response={200: Page[NoticeOut], **READ_ERRORS}, summary="公示公告列表（本辖区）")
def list_notices(request, paging: Query[PageParams]):
    return paginate(Notice.objects.visible_to(request.auth).select_related("region").order_by("-start_date", "-id"),
                    paging)


@notices_router.get("/eligible", response={200: list[ProcedureOut], **READ_ERRORS},
                    summary="可列入新公示的程序（本级公示环节）或新公告的程序（已审批）")
def eligible(request, kind: NoticeKind = NoticeKind.PUBLICITY):
    return list(notices.eligible_procedures(request.auth, kind).prefetch_related("steps")[:notices.MAX_NOTICE_ITEMS])


@notices_router.post("", response={201: NoticeDetail, **WRITE_ERRORS}, summary="新建公示公告草稿")
def create_notice(request, payload: NoticeIn):
    procedures = list(Procedure.objects.visible_to(request.auth).filter(pk__in=payload.procedures))
    if len(procedures) != len(set(payload.procedures)):
        raise Http404
    notice = notices.create_notice(
        kind=payload.kind, procedures=procedures, start_date=payload.start_date, end_date=payload.end_date,
        title=payload.title, body=payload.body, contact=payload.contact, acting_user=request.auth, channel=API,
    )
    return Status(201, _notice(request, notice.pk))


@notices_router.get("/{notice_id}", response={200: NoticeDetail, **READ_ERRORS}, summary="公示公告详情（含异议）")
def get_notice(request, notice_id: int):
    return _notice(request, notice_id)


@notices_router.patch("/{notice_id}", response={200: NoticeDetail, **WRITE_ERRORS}, summary="修改草稿（只改提交的字段）")
def update_notice(request, notice_id: int, payload: NoticePatch):
    notices.update_draft(_notice(request, notice_id), **payload.dict(exclude_unset=True), acting_user=request.auth,
                         channel=API)
    return _notice(request, notice_id)


@notices_router.post("/{notice_id}/publish", response={200: NoticeDetail, **WRITE_ERRORS}, summary="发布")
def publish(request, notice_id: int):
    notices.publish_notice(_notice(request, notice_id), acting_user=request.auth, channel=API)
    return _notice(request, notice_id)


@notices_router.delete("/{notice_id}", response={204: None, **WRITE_ERRORS}, summary="删除草稿")
def delete_notice(request, notice_id: int):
    notices.delete_draft(_notice(request, notice_id), acting_user=request.auth, channel=API)
    return Status(204, None)


@notices_router.get("/{notice_id}/pdf", response={200: None, **READ_ERRORS}, summary="A4 PDF")
def notice_pdf(request, notice_id: int):
    return HttpResponse(notices.notice_pdf(_notice(request, notice_id)), content_type="application/pdf")


@notices_router.post("/objections/{objection_id}/answer", response={200: ObjectionOut, **WRITE_ERRORS},
                     summary="答复异议（答复后解除对该户的暂停）")
def answer(request, objection_id: int, payload: AnswerIn):
    objection = visible_or_404(Objection.objects.all(), request.auth, pk=objection_id)
    return notices.answer_objection(objection, answer=payload.answer, acting_user=request.auth, channel=API)


# --- lines --------------------------------------------------------------------------------------------------------


def _region_or_none(code):
    if not code:
        return None
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationError({"region": f"区划代码“{code}”不存在"})
    return region


@lines_router.get("", response={200: list[LineOut], **READ_ERRORS}, summary="扶贫标准和监测范围")
def list_lines(request, kind: LineKind | None = None, year: BoundedInt | None = None):
    queryset = PovertyLine.objects.order_by("kind", "-year", "region")
    if kind:
        queryset = queryset.filter(kind=kind)
    if year:
        queryset = queryset.filter(year=year)
    return list(queryset)


@lines_router.get("/resolve", response={200: ResolvedLineOut, **READ_ERRORS},
                  summary="某地某年适用的标准（县优先于市、省、全国）")
def resolve_line(request, year: BoundedInt, region: str, kind: LineKind = LineKind.POVERTY):
    line = lines.resolve(kind, year, region)
    if line is None:
        raise Http404
    return line


@lines_router.post("", response={201: LineOut, **WRITE_ERRORS}, summary="新增标准（管理员）")
def create_line(request, payload: LineIn):
    line = PovertyLine(kind=payload.kind, year=payload.year, region=_region_or_none(payload.region),
                       amount=payload.amount, document=payload.document, note=payload.note)
    return Status(201, lines.save_line(line, acting_user=request.auth, channel=API))


@lines_router.put("/{line_id}", response={200: LineOut, **WRITE_ERRORS}, summary="修改标准（不改变已作出的决定）")
def update_line(request, line_id: int, payload: LineIn):
    line = PovertyLine.objects.filter(pk=line_id).first()
    if line is None:
        raise Http404
    line.kind, line.year, line.region = payload.kind, payload.year, _region_or_none(payload.region)
    line.amount, line.document, line.note = payload.amount, payload.document, payload.note
    return lines.save_line(line, acting_user=request.auth, channel=API)


# --- definitions --------------------------------------------------------------------------------------------------


@definitions_router.get("", response={200: list[DefinitionOut], **READ_ERRORS}, summary="程序流程")
def list_definitions(request):
    return list(ProcedureDefinition.objects.prefetch_related("steps"))


@definitions_router.put("/{definition_id}", response={200: DefinitionOut, **WRITE_ERRORS},
                        summary="修改流程（整体替换环节；已发起的程序不受影响）")
def update_definition(request, definition_id: int, payload: DefinitionIn):
    definition = ProcedureDefinition.objects.filter(pk=definition_id).select_related("region").first()
    if definition is None:
        raise Http404
    definition.name, definition.description, definition.active = payload.name, payload.description, payload.active
    return definitions.save_definition(definition, [s.dict() for s in payload.steps], acting_user=request.auth,
                                       channel=API)


@definitions_router.post("/{definition_id}/copy", response={201: DefinitionOut, **WRITE_ERRORS},
                         summary="复制为本地流程")
def copy_definition(request, definition_id: int, region: str):
    definition = ProcedureDefinition.objects.filter(pk=definition_id).first()
    if definition is None:
        raise Http404
    copy = definitions.copy_definition(definition, _region_or_none(region), acting_user=request.auth, channel=API)
    return Status(201, copy)


# --- yearly adjustment ------------------------------------------------------------------------------------------


def _adjustment(request, pk) -> Adjustment:
    found = adjustments.visible_adjustments(request.auth).select_related("county").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@adjustments_router.get("", response={200: list[AdjustmentOut], **READ_ERRORS}, summary="年度动态调整")
def list_adjustments(request):
    return list(adjustments.visible_adjustments(request.auth).order_by("-year"))


@adjustments_router.post("", response={201: AdjustmentOut, **WRITE_ERRORS}, summary="开启年度动态调整（县级）")
def open_adjustment(request, payload: OpenIn):
    county = _region_or_none(payload.county) or request.auth.region
    return Status(201, adjustments.open_adjustment(county, payload.year, acting_user=request.auth, channel=API))


@adjustments_router.get("/{adjustment_id}", response={200: AdjustmentOut, **READ_ERRORS}, summary="动态调整详情")
def get_adjustment(request, adjustment_id: int):
    return _adjustment(request, adjustment_id)


@adjustments_router.post("/{adjustment_id}/propose", response={202: AdjustmentJobOut, **WRITE_ERRORS},
                         summary="测算候选（后台任务，进度见 /api/jobs 或任务页面）")
def propose(request, adjustment_id: int):
    return Status(202, adjustments.queue_propose(_adjustment(request, adjustment_id), acting_user=request.auth))


@adjustments_router.get("/{adjustment_id}/candidates", response={200: Page[CandidateOut], **READ_ERRORS},
                        summary="候选户（本辖区）")
def list_candidates(request, adjustment_id: int, filters: Query[CandidateFilters], paging: Query[PageParams]):
    adjustment = _adjustment(request, adjustment_id)
    queryset = Candidate.objects.visible_to(request.auth).filter(adjustment=adjustment).select_related("household")
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.region:
        queryset = queryset.in_region(region_prefix(filters.region))
    return paginate(queryset.order_by("village", "household"), paging)


@adjustments_router.post("/{adjustment_id}/candidates/decide", response={200: CountOut, **WRITE_ERRORS},
                         summary="村级确认或不纳入候选户")
def decide_candidates(request, adjustment_id: int, payload: CandidateDecisionIn):
    adjustment = _adjustment(request, adjustment_id)
    details = {k: v for k, v in (("category", payload.category), ("main_cause", payload.main_cause)) if v}
    count = adjustments.decide_candidates(
        Candidate.objects.filter(adjustment=adjustment, pk__in=payload.candidates), confirm=payload.confirm,
        reason=payload.reason, details=details, acting_user=request.auth, channel=API,
    )
    return {"count": count}


@adjustments_router.post("/{adjustment_id}/start", response={202: AdjustmentJobOut, **WRITE_ERRORS},
                         summary="为已确认候选批量发起程序（后台任务）")
def start_confirmed(request, adjustment_id: int):
    return Status(202, adjustments.queue_start(_adjustment(request, adjustment_id), acting_user=request.auth))


@adjustments_router.post("/{adjustment_id}/close", response={200: CloseOut, **WRITE_ERRORS},
                         summary="关闭并锁定年度数据（县级）")
def close(request, adjustment_id: int):
    return adjustments.close_adjustment(_adjustment(request, adjustment_id), acting_user=request.auth, channel=API)


@adjustments_router.post("/{adjustment_id}/reopen", response={200: AdjustmentOut, **WRITE_ERRORS},
                         summary="重新开启（须填写原因）")
def reopen(request, adjustment_id: int, payload: ReasonIn):
    return adjustments.reopen_adjustment(_adjustment(request, adjustment_id), reason=payload.reason,
                                         acting_user=request.auth, channel=API)


@adjustments_router.get("/{adjustment_id}/snapshot", response={200: dict, **READ_ERRORS},
                        summary="年度锁定数据汇总（按户状态）")
def snapshot(request, adjustment_id: int):
    return adjustments.snapshot_summary(_adjustment(request, adjustment_id))


router.add_router("/procedures", procedures_router)
router.add_router("/notices", notices_router)
router.add_router("/poverty-lines", lines_router)
router.add_router("/procedure-definitions", definitions_router)
router.add_router("/adjustments", adjustments_router)
router.add_router("/calendar", calendar_router)


# --- holiday calendar ---------------------------------------------------------------------------------------------


class CalendarDayOut(Schema):
    id: int
    date: dt.date
    kind: str = Field(description="holiday 放假、workday 调休上班")
    kind_label: str
    name: str
    region: str | None = Field(alias="region_id", description="留空为全国安排")
    document: str

    resolve_kind_label = choice_label("kind")


class CalendarDayIn(InputSchema):
    date: dt.date
    kind: DayKind
    name: str
    region: str | None = Field(None, description="省、市或县区划代码；留空为全国安排")
    document: str = ""


class CalendarImportOut(Schema):
    year: int
    imported: int
    replaced: int
    holidays: int
    workdays: int


class DueOut(Schema):
    start: dt.date
    days: int
    working_days: bool
    due: dt.date


def _day(pk) -> CalendarDay:
    day = CalendarDay.objects.select_related("region").filter(pk=pk).first()
    if day is None:
        raise Http404
    return day


@calendar_router.get("", response={200: list[CalendarDayOut], **READ_ERRORS}, summary="节假日安排（按年度）")
def list_calendar(request, year: int | None = Query(None, ge=1949, le=2100), region: str | None = None):
    queryset = CalendarDay.objects.order_by("date", "region")
    if year:
        queryset = queryset.filter(date__year=year)
    if region is not None:
        queryset = queryset.filter(region_id=region or None)
    return list(queryset)


@calendar_router.get("/due", response={200: DueOut, **READ_ERRORS},
                     summary="期限测算：某日起若干工作日（或自然日）后的日期，按某地的节假日安排")
def due_date(request, start: dt.date, days: int = Query(..., ge=0, le=365), region: str | None = None,
        working_days: bool = True):
    return {"start": start, "days": days, "working_days": working_days,
            "due": workdays.due_date(start, days, working_days=working_days, region_code=region)}


@calendar_router.post("", response={201: CalendarDayOut, **WRITE_ERRORS}, summary="新增一天（管理员）")
def create_day(request, payload: CalendarDayIn):
    day = CalendarDay(date=payload.date, kind=payload.kind, name=payload.name, region=_region_or_none(payload.region),
                      document=payload.document)
    return Status(201, workdays.save_day(day, acting_user=request.auth, channel=API))


@calendar_router.post("/import", response={200: CalendarImportOut, **WRITE_ERRORS},
                      summary="导入一年的安排（Excel/CSV：日期、类别、名称、文件依据；替换该年度该区划原有安排）")
def import_calendar(request, year: Form[int], file: File[UploadedFile], region: Form[str] = "",
                    document: Form[str] = ""):
    with tempfile.NamedTemporaryFile(suffix=PurePath(file.name or "").suffix.lower()[:10]) as temp:
        for chunk in file.chunks():
            temp.write(chunk)
        temp.flush()
        return workdays.import_year(temp.name, year, region=_region_or_none(region), document=document,
                                    acting_user=request.auth, channel=API, filename=file.name)


@calendar_router.put("/{day_id}", response={200: CalendarDayOut, **WRITE_ERRORS}, summary="修改一天（管理员）")
def update_day(request, day_id: int, payload: CalendarDayIn):
    day = _day(day_id)
    day.date, day.kind, day.name = payload.date, payload.kind, payload.name
    day.region, day.document = _region_or_none(payload.region), payload.document
    return workdays.save_day(day, acting_user=request.auth, channel=API)


@calendar_router.delete("/{day_id}", response={204: None, **WRITE_ERRORS}, summary="删除一天（管理员）")
def delete_day(request, day_id: int):
    workdays.delete_day(_day(day_id), acting_user=request.auth, channel=API)
    return Status(204, None)
