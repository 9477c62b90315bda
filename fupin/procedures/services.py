"""Procedure actions: start, attach documents, decide a step, withdraw, and end transition-period policies.

Pages, the API, the CLI and the yearly-adjustment job all call these. The register changes only at final
approval, through the registry's own actions, inside the same transaction as the decision.
"""

import datetime as dt
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fupin.accounts.models import ROLE_LEVEL
from fupin.audit.services import build_entry, record_change, snapshot
from fupin.core.scope import in_scope
from fupin.regions.models import Level, ancestor_codes, code_prefix, most_specific
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import Household, Member
from fupin.registry.services import remove_member, save_member, update_household

from . import checks, lines, workdays
from .models import (
    ACTOR_LEVELS,
    REGISTERED_KINDS,
    Adjustment,
    AdjustmentStatus,
    Attachment,
    AttachmentKind,
    Decision,
    Kind,
    NoticeItem,
    NoticeKind,
    NoticeStatus,
    Objection,
    ObjectionStatus,
    PolicyEnd,
    Procedure,
    ProcedureAction,
    ProcedureDefinition,
    ProcedureStep,
    Status,
    StepStatus,
    kind_label,
)

LEVEL_LABELS = dict(ACTOR_LEVELS)
# An overdue step is reported to the level above, whose to-do list then shows it (督办).
ESCALATES_TO = {Level.VILLAGE: Level.TOWNSHIP, Level.TOWNSHIP: Level.COUNTY}
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
ATTACHMENT_SUFFIXES = {".pdf", ".jpg", ".jpeg", ".png", ".gif", ".webp", ".doc", ".docx", ".xls", ".xlsx", ".ofd",
                       ".txt", ".zip"}


def user_level(user) -> int | None:
    return ROLE_LEVEL.get(user.role)


def county_code(region_code: str) -> str:
    return code_prefix(region_code, Level.COUNTY).ljust(12, "0")


def year_locked(region_code: str, year: int) -> bool:
    """年度数据锁定: the county has closed this year's adjustment."""
    return Adjustment.objects.filter(
        county_id=county_code(region_code), year=year, status=AdjustmentStatus.CLOSED
    ).exists()


def resolve_definition(kind: str, village_code: str) -> ProcedureDefinition | None:
    candidates = ProcedureDefinition.objects.filter(kind=kind, active=True).filter(
        Q(region__isnull=True) | Q(region_id__in=ancestor_codes(village_code))
    ).select_related("region")
    return most_specific(d for d in candidates if d.steps.exists())


def ensure_in_scope(user, procedure: Procedure) -> None:
    if not in_scope(user, procedure.village_id):
        raise PermissionDenied("该程序不在当前账号的管辖范围内")


def ensure_actor(user, procedure: Procedure, step: ProcedureStep) -> None:
    ensure_in_scope(user, procedure)
    if not user.can_write:
        raise PermissionDenied("当前账号为只读账号，不能办理程序")
    if user_level(user) != step.actor_level:
        raise PermissionDenied(f"“{step.name}”环节应由{LEVEL_LABELS[step.actor_level]}账号办理")


def _log(procedure, step, decision, *, comment="", figures=None, acting_user, channel, before) -> None:
    ProcedureAction.objects.create(
        procedure=procedure, step=step, decision=decision, comment=comment, figures=figures or {},
        user=acting_user if acting_user and acting_user.is_authenticated else None,
        username=acting_user.username if acting_user else "",
    )
    where = f"{step.name}" if step else ""
    note = f"{procedure} {where}{Decision(decision).label}" + (f"：{comment}" if comment else "")
    record_change(procedure, before=before, acting_user=acting_user, channel=channel, note=note[:200])


def _activate(step: ProcedureStep, village_code: str) -> None:
    """The step's clock starts today: its deadline in working days (or calendar days, as the step says)."""
    today = timezone.localdate()
    step.status = StepStatus.ACTIVE
    step.started = today
    step.due = workdays.due_date(today, step.deadline_days, working_days=step.working_days, region_code=village_code)
    step.finished = None
    step.escalated = None
    step.save()


def _split_member_id(details: dict) -> tuple[dict, str]:
    details = dict(details or {})
    return details, details.pop("id_number", "") or ""


def start_problems(kind: str, household: Household, year: int, details: dict, *, exclude=None) -> checks.CheckResult:
    """Everything that stops a procedure from starting (or, at final approval, from being approved)."""
    result = checks.check(kind, household, year, details)
    open_procedures = household.procedures.filter(status=Status.IN_PROGRESS)
    if exclude is not None:
        open_procedures = open_procedures.exclude(pk=exclude.pk)
    current = open_procedures.first()
    if current is not None:
        result.problems.insert(0, f"该户已有办理中的{current}，请办结后再发起")
    if year_locked(household.village_id, year):
        result.problems.insert(0, f"{year}年度动态调整已关闭，数据已锁定，不能再发起该年度程序")
    return result


@transaction.atomic
def start_procedure(kind: str, household: Household, *, year: int, details: dict | None = None, reason: str = "",
                    acting_user, channel, adjustment: Adjustment | None = None, candidate=None) -> Procedure:
    """Start a procedure after checking preconditions; refusals list every missing condition in Chinese.

    The first step's level starts it; a yearly-adjustment ``candidate`` the village has confirmed may also be
    started in bulk by the township or county, since the village's confirmation is its act.
    """
    household = Household.objects.select_for_update().get(pk=household.pk)
    if not in_scope(acting_user, household.village_id):
        raise PermissionDenied("该户不在当前账号的管辖范围内")
    definition = resolve_definition(kind, household.village_id)
    if definition is None:
        raise ValidationError(f"未配置{kind_label(kind)}流程，请管理员先配置")
    steps = list(definition.steps.all())
    confirmed = candidate is not None and candidate.household_id == household.pk and candidate.decided_by_id
    allowed = user_level(acting_user) is not None if confirmed else user_level(acting_user) == steps[0].actor_level
    if not acting_user.can_write or not allowed:
        raise PermissionDenied(f"{kind_label(kind)}程序应由{LEVEL_LABELS[steps[0].actor_level]}账号发起")
    details = dict(details or {})
    result = start_problems(kind, household, year, details)
    if not result.ok:
        raise ValidationError(result.problems)
    details, member_id_number = _split_member_id(details)
    procedure = Procedure.objects.create(
        kind=kind, definition=definition, household=household, village_id=household.village_id, year=year,
        reason=reason, details=details, member_id_number=member_id_number, figures=result.figures,
        adjustment=adjustment, started_by=acting_user if acting_user.is_authenticated else None,
        current_order=steps[0].order,
    )
    ProcedureStep.objects.bulk_create(
        ProcedureStep(
            procedure=procedure, order=s.order, name=s.name, actor_level=s.actor_level,
            deadline_days=s.deadline_days, working_days=s.working_days, attachment_kinds=s.attachment_kinds,
            notice_days=s.notice_days, notice_kind=s.notice_kind,
        )
        for s in steps
    )
    first = procedure.steps.get(order=steps[0].order)
    _activate(first, procedure.village_id)
    _log(procedure, first, Decision.START, comment=reason, figures=result.figures, acting_user=acting_user,
         channel=channel, before=None)
    return procedure


def _locked(procedure: Procedure) -> tuple[Procedure, ProcedureStep]:
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    if procedure.status != Status.IN_PROGRESS:
        raise ValidationError(f"{procedure}已{procedure.get_status_display()}，不能再办理")
    return procedure, procedure.steps.get(order=procedure.current_order)


@transaction.atomic
def add_attachment(procedure: Procedure, kind_code: str, uploaded, *, acting_user, channel) -> Attachment:
    """Attach a document to the current step; only the step's actor may add one."""
    procedure, step = _locked(procedure)
    ensure_actor(acting_user, procedure, step)
    kind = AttachmentKind.objects.filter(code=kind_code).first()
    if kind is None:
        raise ValidationError({"kind": "请选择附件类别"})
    if uploaded is None or not uploaded.size:
        raise ValidationError({"file": "请选择要上传的文件"})
    if uploaded.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": "文件不能超过20MB"})
    suffix = PurePath(uploaded.name).suffix.lower()
    if suffix not in ATTACHMENT_SUFFIXES:
        raise ValidationError({"file": f"不支持的文件类型“{suffix or '无扩展名'}”，请上传PDF、图片、Word或Excel文件"})
    attachment = Attachment(
        procedure=procedure, step=step, kind=kind, original_name=PurePath(uploaded.name).name[:200],
        size=uploaded.size, uploaded_by=acting_user,
    )
    attachment.file.save(uploaded.name, uploaded, save=False)
    attachment.save()
    # audit.snapshot cannot serialise a FieldFile, so the logged values are given explicitly.
    after = {"step": step.name, "kind": kind.name, "original_name": attachment.original_name,
             "file": attachment.file.name, "size": attachment.size}
    build_entry(attachment, before=None, after=after, acting_user=acting_user, channel=channel,
                note=f"{procedure} {step.name}上传{kind.name}").save()
    return attachment


def missing_attachments(step: ProcedureStep) -> list[str]:
    have = set(step.attachments.values_list("kind_id", flat=True))
    missing = [code for code in step.required_kinds if code not in have]
    names = dict(AttachmentKind.objects.filter(code__in=missing).values_list("code", "name"))
    return [names.get(code, code) for code in missing]


def notice_problems(procedure: Procedure, step: ProcedureStep) -> list[str]:
    """Why a notice step cannot pass yet: no notice since the step began, period not over, open objections."""
    items = NoticeItem.objects.filter(
        procedure=procedure, step=step, notice__status=NoticeStatus.PUBLISHED, notice__start_date__gte=step.started
    ).select_related("notice").order_by("-notice__end_date")
    item = items.first()
    if item is None:
        if step.notice_kind == NoticeKind.ANNOUNCEMENT:
            return [f"尚未发布“{step.name}”公告：{LEVEL_LABELS[step.actor_level]}审批结果须先公告，公告期满无异议后方可审批通过"]
        return [f"尚未发布“{step.name}”公示"]
    notice, problems = item.notice, []
    if notice.end_date >= timezone.localdate():
        problems.append(f"公示期至{notice.end_date:%Y年%m月%d日}结束，期满后方可通过")
    if notice.days < step.notice_days:
        problems.append(f"公示期{notice.days}天，少于规定的{step.notice_days}天")
    held = Objection.objects.filter(notice=notice, status=ObjectionStatus.OPEN).filter(
        Q(item=item) | Q(item__isnull=True)
    ).count()
    if held:
        problems.append(f"有{held}条异议尚未答复")
    return problems


@transaction.atomic
def decide(procedure: Procedure, decision: str, *, comment: str = "", acting_user, channel) -> Procedure:
    """Pass, return (to the previous step) or reject the current step. Passing the last step is final approval."""
    procedure, step = _locked(procedure)
    ensure_actor(acting_user, procedure, step)
    comment = (comment or "").strip()
    before = snapshot(procedure)
    if decision == Decision.PASS:
        problems = [f"缺少必传附件：{'、'.join(missing)}"] if (missing := missing_attachments(step)) else []
        if step.is_notice:
            problems += notice_problems(procedure, step)
        if problems:
            raise ValidationError(problems)
        following = procedure.steps.filter(order__gt=step.order).order_by("order").first()
        figures = {}
        if following is None:
            figures = _approve(procedure, step, acting_user=acting_user, channel=channel)
        _finish_step(step, StepStatus.PASSED)
        if following is None:
            procedure.status, procedure.current_order, procedure.finished = Status.APPROVED, None, timezone.now()
        else:
            _activate(following, procedure.village_id)
            procedure.current_order = following.order
    elif decision == Decision.RETURN:
        if not comment:
            raise ValidationError({"comment": "请填写退回原因"})
        previous = procedure.steps.filter(order__lt=step.order).order_by("-order").first()
        if previous is None:
            raise ValidationError("第一个环节不能退回；如不再办理，请撤回或作不予通过处理")
        step.status, step.started, step.due = StepStatus.WAITING, None, None
        step.save()
        _activate(previous, procedure.village_id)
        procedure.current_order = previous.order
        figures = {}
    elif decision == Decision.REJECT:
        if not comment:
            raise ValidationError({"comment": "请填写不予通过的原因"})
        _finish_step(step, StepStatus.REJECTED)
        procedure.status, procedure.current_order, procedure.finished = Status.REJECTED, None, timezone.now()
        figures = {}
    else:
        raise ValidationError({"decision": "办理结果应为通过、退回或不予通过"})
    procedure.save()
    _log(procedure, step, decision, comment=comment, figures=figures, acting_user=acting_user, channel=channel,
         before=before)
    return procedure


def _finish_step(step: ProcedureStep, status: str) -> None:
    step.status = status
    step.finished = timezone.now()
    step.save()


@transaction.atomic
def withdraw(procedure: Procedure, *, reason: str, acting_user, channel) -> Procedure:
    """撤回: the starting level abandons a procedure that has not been approved."""
    procedure, step = _locked(procedure)
    ensure_in_scope(acting_user, procedure)
    first = procedure.steps.order_by("order").first()
    if not acting_user.can_write or user_level(acting_user) != first.actor_level:
        raise PermissionDenied(f"只有{LEVEL_LABELS[first.actor_level]}账号可以撤回程序")
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写撤回原因"})
    before = snapshot(procedure)
    procedure.status, procedure.current_order, procedure.finished = Status.WITHDRAWN, None, timezone.now()
    procedure.save()
    step.status, step.due = StepStatus.WAITING, None
    step.save()
    _log(procedure, step, Decision.WITHDRAW, comment=reason.strip(), acting_user=acting_user, channel=channel,
         before=before)
    return procedure


# --- Final approval: the register changes here, and only here. ----------------------------------------------

def _approve(procedure: Procedure, step: ProcedureStep, *, acting_user, channel) -> dict:
    """Re-check the preconditions on today's facts, then apply the outcome; returns the figures used."""
    household = Household.objects.select_for_update().get(pk=procedure.household_id)
    details = {**procedure.details, "id_number": procedure.member_id_number}
    result = start_problems(procedure.kind, household, procedure.year, details, exclude=procedure)
    if not result.ok:
        raise ValidationError(["审批复核未通过：" + result.message()])
    note = f"{procedure} {step.name}审批通过"
    OUTCOMES[procedure.kind](procedure, household, result, acting_user=acting_user, channel=channel, note=note)
    return result.figures


def _set_household(household, *, acting_user, channel, note, **values) -> None:
    for name, value in values.items():
        setattr(household, name, value)
    update_household(household, acting_user=acting_user, channel=channel, note=note)


def _identify(procedure, household, result, **kw) -> None:
    standard = lines.standard_code(result.figures["line"]["region_code"])
    _set_household(
        household, status=HouseholdStatus.NEW, identification_year=procedure.year, category=procedure.details["category"],
        main_cause=procedure.details["main_cause"], identification_standard=standard, enjoys_policy=True, **kw,
    )


def _exit(procedure, household, result, **kw) -> None:
    # 脱贫不脱政策: policies continue through the transition period until the county ends them.
    _set_household(household, status=HouseholdStatus.EXITED, exit_year=procedure.year, enjoys_policy=True, **kw)


def _return(procedure, household, result, **kw) -> None:
    _set_household(household, status=HouseholdStatus.RETURNED, enjoys_policy=True, **kw)


def _natural(procedure, household, result, *, acting_user, channel, note) -> None:
    change = procedure.details["change"]
    label = checks.NATURAL_CHANGES[change]
    if change in checks.REMOVE_CHANGES:
        member = household.members.get(pk=procedure.details["member_id"], active=True)
        remove_member(member, label, acting_user=acting_user, channel=channel, note=note)
    elif change in checks.ADD_CHANGES:
        if change == "merge":
            existing = Member.objects.get(id_number=procedure.member_id_number, active=True)
            remove_member(existing, f"合户并入户{household.number}", acting_user=acting_user, channel=channel,
                          note=note)
        member = Member(
            household=household, name=procedure.details["name"].strip(), id_number=procedure.member_id_number,
            relation=procedure.details["relation"], ethnicity=procedure.details.get("ethnicity", ""),
        )
        save_member(member, acting_user=acting_user, channel=channel, note=note)
    elif change == "dissolve":
        _set_household(household, status=HouseholdStatus.CANCELLED, enjoys_policy=False, acting_user=acting_user,
                       channel=channel, note=note)
    # "recorded": the members were already changed in the register during the year; approval confirms them.


OUTCOMES = {Kind.IDENTIFICATION: _identify, Kind.EXIT: _exit, Kind.RETURN: _return, Kind.NATURAL: _natural}


def register_kind(code: str, label, check, outcome) -> None:
    """Run another app's procedure kind on this engine: steps come from its ProcedureDefinition rows, ``check``
    (household, year, details) -> CheckResult runs at start and final approval, and ``outcome`` (procedure,
    household, result, *, acting_user, channel, note) changes the register at final approval."""
    REGISTERED_KINDS[code] = label
    checks.CHECKS[code] = check
    OUTCOMES[code] = outcome


@transaction.atomic
def end_policies(households, *, reason: str, acting_user, channel) -> int:
    """过渡期结束: the county stops policies for exited households (四不摘 ends), each entered on the 退出享受政策台账
    (``PolicyEnd``, published on a county 公告 by ``policy_ends.announce``). Returns how many changed."""
    if not acting_user.can_write or user_level(acting_user) != Level.COUNTY:
        raise PermissionDenied("只有县级账号可以结束过渡期政策")
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写结束政策的依据（文件或原因）"})
    changed = 0
    for household in households.select_for_update():
        if not in_scope(acting_user, household.village_id):
            raise PermissionDenied(f"户{household.number}不在当前账号的管辖范围内")
        if household.status != HouseholdStatus.EXITED or not household.enjoys_policy:
            continue
        note = f"过渡期结束，停止享受政策：{reason.strip()}"[:200]
        _set_household(household, enjoys_policy=False, acting_user=acting_user, channel=channel, note=note)
        entry = PolicyEnd.objects.create(
            household=household, village_id=household.village_id, exit_year=household.exit_year,
            date=timezone.localdate(), reason=reason.strip()[:500],
            decided_by=acting_user if acting_user.is_authenticated else None,
        )
        record_change(entry, before=None, acting_user=acting_user, channel=channel, note=note)
        changed += 1
    return changed


@transaction.atomic
def escalate_overdue(*, acting_user=None, channel, today: dt.date | None = None) -> int:
    """逾期上报: record, once per activation, each overdue village or township step as reported to the level above
    (a 逾期上报 entry in the procedure's record and the audit log). ``acting_user`` None is the system (a scheduled
    ``fupin procedures escalate``); an account reports only within its scope. Returns how many were reported."""
    if acting_user is not None and not (
        acting_user.is_superuser or (acting_user.can_write and user_level(acting_user) in ESCALATES_TO.values())
    ):
        raise PermissionDenied("逾期上报由乡镇级、县级账号或系统定时任务执行")
    today = today or timezone.localdate()
    steps = ProcedureStep.objects.all() if acting_user is None else ProcedureStep.objects.visible_to(acting_user)
    steps = steps.select_for_update(of=("self",)).filter(
        status=StepStatus.ACTIVE, procedure__status=Status.IN_PROGRESS, due__lt=today, escalated__isnull=True,
        actor_level__in=list(ESCALATES_TO),
    ).select_related("procedure__household", "procedure__village")
    now, reported = timezone.now(), 0
    for step in steps:
        procedure, above = step.procedure, LEVEL_LABELS[ESCALATES_TO[step.actor_level]]
        step.escalated = now
        step.save(update_fields=["escalated"])
        comment = f"“{step.name}”环节办理期限{step.due:%Y年%m月%d日}已过，逾期上报{above}督办"
        ProcedureAction.objects.create(
            procedure=procedure, step=step, decision=Decision.ESCALATE, comment=comment,
            figures={"due": step.due.isoformat(), "escalated_to": ESCALATES_TO[step.actor_level]},
            user=acting_user if acting_user is not None and acting_user.is_authenticated else None,
            username=acting_user.username if acting_user is not None else "",
        )
        build_entry(procedure, before={"escalated": None}, after={"escalated": f"{step.order}. {step.name}"},
                    acting_user=acting_user, channel=channel, note=f"{procedure} {comment}"[:200]).save()
        reported += 1
    return reported


def overdue_steps(user):
    """Active steps past their deadline, for the user's own level and the levels below it."""
    level = user_level(user)
    steps = ProcedureStep.objects.visible_to(user).filter(
        status=StepStatus.ACTIVE, due__lt=timezone.localdate(), procedure__status=Status.IN_PROGRESS
    )
    if level is not None:
        steps = steps.filter(actor_level__gte=level)
    return steps.select_related("procedure__household", "procedure__village").order_by("due")


def todo_steps(user):
    """待办: active steps that this account's level acts on, within its scope, and the overdue steps of the level
    directly below (reported up to it to supervise)."""
    level = user_level(user)
    if level is None:
        return ProcedureStep.objects.none()
    mine = Q(actor_level=level)
    below = [lower for lower, upper in ESCALATES_TO.items() if upper == level]
    if below:
        mine |= Q(actor_level__in=below, due__lt=timezone.localdate())
    return ProcedureStep.objects.visible_to(user).filter(
        mine, status=StepStatus.ACTIVE, procedure__status=Status.IN_PROGRESS
    ).select_related("procedure__household", "procedure__village").order_by("due")
