"""贫困村出列 procedure: the configured chain of kind ``village_exit`` (村申请 → 村级公示 → 乡镇审核 → 县级审定 →
县级公告 as installed by migration 0002, edited on the procedures definitions page), copied into the exit's own
steps when the village applies. Only a poor village not yet exited whose assessment passes may apply; the
assessment is checked again at the county's final approval, which sets the village's exit year through
``regions.services.set_village_exit``. The 公示/公告 are procedures notices of subject ``villages.exit:<id>``, so the
public page, PDF and objections serve them as any notice.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fupin.audit.services import record_change, snapshot
from fupin.procedures import notices, workdays
from fupin.procedures.models import (
    Decision,
    Notice,
    NoticeItem,
    NoticeKind,
    NoticeStatus,
    Objection,
    ObjectionStatus,
    StepStatus,
)
from fupin.procedures.services import LEVEL_LABELS, register_kind, resolve_definition, user_level
from fupin.regions.models import Level, Region
from fupin.regions.services import set_village_exit

from .assessment import assess_village, percent
from .models import EXIT_KIND, ExitStatus, VillageExit, VillageExitAction, VillageExitStep
from .services import ensure_can_change

NOTICE_COLUMNS = [["village", "村名称"], ["township", "所属乡镇"], ["year", "出列年度"], ["population", "农业户籍人口"],
                  ["poor", "未脱贫人口"], ["incidence", "贫困发生率"], ["collective", "村集体经济收入（元）"],
                  ["result", "评估结论"]]


def subject_of(exit_) -> str:
    return f"villages.exit:{exit_.pk}"


def _locked(exit_: VillageExit) -> VillageExit:
    return VillageExit.objects.select_for_update(of=("self",)).select_related("village__parent").get(pk=exit_.pk)


def _user(user):
    return user if user is not None and user.is_authenticated else None


def _ensure_actor(user, exit_: VillageExit, level: int, what: str) -> None:
    ensure_can_change(user, exit_.village_id)
    if user is not None and user_level(user) != level:
        raise PermissionDenied(f"“{what}”应由{LEVEL_LABELS[level]}账号办理")


def _log(exit_, step, decision, *, comment="", acting_user, channel, before) -> None:
    VillageExitAction.objects.create(exit=exit_, step=step, decision=decision, comment=comment,
                                     user=_user(acting_user), username=acting_user.username if acting_user else "")
    note = f"贫困村出列 {step.name if step else ''}{Decision(decision).label}" + (f"：{comment}" if comment else "")
    record_change(exit_, before=before, acting_user=acting_user, channel=channel, note=note[:200])


def _activate(step: VillageExitStep, region_code: str) -> None:
    today = timezone.localdate()
    step.status, step.started, step.finished = StepStatus.ACTIVE, today, None
    step.due = workdays.due_date(today, step.deadline_days, working_days=step.working_days, region_code=region_code)
    step.save()


def exit_problems(village: Region, year: int, result=None):
    """Why the village may not apply now (empty when it may), and its assessment (``result``, when known)."""
    problems = []
    if village.level != Level.VILLAGE or not village.is_poor_village:
        problems.append(f"{village.name}不是贫困村")
    elif village.exit_year is not None:
        problems.append(f"{village.name}已于{village.exit_year}年出列")
    if VillageExit.objects.filter(village=village, status=ExitStatus.IN_PROGRESS).exists():
        problems.append("该村已有办理中的出列程序")
    result = result or assess_village(village, year)
    if not result.passed:
        problems.append("出列评估未通过：" + "；".join(result.reasons))
    return problems, result


def may_start(user, village: Region, year: int) -> bool:
    definition = resolve_definition(EXIT_KIND, village.code)
    steps = list(definition.steps.all()) if definition else []
    try:
        ensure_can_change(user, village.code)
    except PermissionDenied:
        return False
    return bool(steps) and (user is None or user_level(user) == steps[0].actor_level)


@transaction.atomic
def start_exit(village: Region, year: int, *, comment: str = "", acting_user, channel) -> VillageExit:
    """出列申请: copy the configured chain into the exit's steps and open the first (the village's)."""
    village = Region.objects.select_for_update().get(pk=village.pk)
    definition = resolve_definition(EXIT_KIND, village.code)
    steps = list(definition.steps.all()) if definition else []
    if not steps:
        raise ValidationError("未配置贫困村出列流程，请管理员在程序流程配置中设置")
    ensure_can_change(acting_user, village.code)
    if acting_user is not None and user_level(acting_user) != steps[0].actor_level:
        raise PermissionDenied(f"出列申请应由{LEVEL_LABELS[steps[0].actor_level]}账号发起")
    problems, result = exit_problems(village, year)
    if problems:
        raise ValidationError(problems)
    exit_ = VillageExit.objects.create(village=village, year=year, figures=result.figures(),
                                       started_by=_user(acting_user))
    VillageExitStep.objects.bulk_create(
        VillageExitStep(exit=exit_, order=s.order, name=s.name, actor_level=s.actor_level,
                        deadline_days=s.deadline_days, working_days=s.working_days, attachment_kinds="",
                        notice_days=s.notice_days, notice_kind=s.notice_kind) for s in steps)
    first = exit_.steps.get(order=steps[0].order)
    _activate(first, village.code)
    exit_.current_order = first.order
    exit_.save()
    record_change(exit_, before=None, acting_user=acting_user, channel=channel, note=f"{village.name}申请{year}年出列")
    VillageExitAction.objects.create(exit=exit_, step=first, decision=Decision.START, comment=(comment or "").strip(),
                                     user=_user(acting_user), username=acting_user.username if acting_user else "")
    return exit_


def notice_problems(exit_: VillageExit, step: VillageExitStep) -> list[str]:
    """Why a 公示/公告 step cannot pass yet: no notice since it began, period not over, objections unanswered."""
    item = (NoticeItem.objects.filter(subject=subject_of(exit_), notice__status=NoticeStatus.PUBLISHED,
                                      notice__kind=step.notice_kind, notice__start_date__gte=step.started)
            .select_related("notice").order_by("-notice__end_date").first())
    kind = NoticeKind(step.notice_kind).label
    if item is None:
        return [f"尚未发布“{step.name}”{kind}"]
    notice, problems = item.notice, []
    if notice.end_date >= timezone.localdate():
        problems.append(f"{kind}期至{notice.end_date:%Y年%m月%d日}结束，期满后方可通过")
    if notice.days < step.notice_days:
        problems.append(f"{kind}期{notice.days}天，少于规定的{step.notice_days}天")
    held = Objection.objects.filter(notice=notice, status=ObjectionStatus.OPEN).filter(
        Q(item=item) | Q(item__isnull=True)).count()
    if held:
        problems.append(f"有{held}条异议尚未答复")
    return problems


@transaction.atomic
def decide(exit_: VillageExit, decision: str, *, comment: str = "", acting_user, channel) -> VillageExit:
    """Pass, return or reject the current step; passing the last one re-checks the assessment and sets the
    village's exit year."""
    exit_ = _locked(exit_)
    if exit_.current_order is None:
        raise ValidationError("该出列程序不在办理中")
    step = exit_.steps.get(order=exit_.current_order)
    _ensure_actor(acting_user, exit_, step.actor_level, step.name)
    comment = (comment or "").strip()
    before = snapshot(exit_)
    if decision == Decision.PASS:
        if step.is_notice and (problems := notice_problems(exit_, step)):
            raise ValidationError(problems)
        following = exit_.steps.filter(order__gt=step.order).order_by("order").first()
        if following is None:
            result = assess_village(exit_.village, exit_.year)
            if not result.passed:
                raise ValidationError(["出列评估已不再通过：" + "；".join(result.reasons)])
            _finish(step, StepStatus.PASSED)
            exit_.status, exit_.current_order, exit_.approved_on = ExitStatus.APPROVED, None, timezone.localdate()
            exit_.figures = result.figures()
            set_village_exit(exit_.village, exit_.year, acting_user=acting_user, channel=channel,
                             note=f"贫困村出列：{exit_.year}年批准出列（出列程序#{exit_.pk}）")
        else:
            _finish(step, StepStatus.PASSED)
            _activate(following, exit_.village_id)
            exit_.current_order = following.order
    elif decision == Decision.RETURN:
        if not comment:
            raise ValidationError({"comment": "请填写退回原因"})
        previous = exit_.steps.filter(order__lt=step.order).order_by("-order").first()
        if previous is None:
            raise ValidationError("第一个环节不能退回；如不再申请出列，请作不予通过处理")
        step.status, step.started, step.due = StepStatus.WAITING, None, None
        step.save()
        _activate(previous, exit_.village_id)
        exit_.current_order = previous.order
    elif decision == Decision.REJECT:
        if not comment:
            raise ValidationError({"comment": "请填写不予通过的原因"})
        _finish(step, StepStatus.REJECTED)
        exit_.status, exit_.current_order = ExitStatus.REJECTED, None
    else:
        raise ValidationError({"decision": "办理结果应为通过、退回或不予通过"})
    exit_.save()
    _log(exit_, step, decision, comment=comment, acting_user=acting_user, channel=channel, before=before)
    return exit_


def _finish(step: VillageExitStep, status: str) -> None:
    step.status, step.finished = status, timezone.now()
    step.save()


def public_row(exit_: VillageExit) -> dict:
    """The public columns of a village on its notice (figures only, never a person)."""
    figures = exit_.figures
    collective = next((i["value"] for i in figures.get("indicators", []) if i["code"] == "collective_income"), "")
    incidence = figures.get("incidence")
    return {"village": exit_.village.name, "township": exit_.village.parent.name if exit_.village.parent_id else "",
            "year": exit_.year, "population": figures.get("rural_population") or "",
            "poor": figures.get("remaining_poor", ""),
            "incidence": percent(None if incidence is None else Decimal(incidence)),
            "collective": collective, "result": "达到出列标准" if figures.get("verdict") == "pass" else "未达标"}


@transaction.atomic
def publish_notice(exit_: VillageExit, *, start_date: dt.date, end_date: dt.date, title: str = "", body: str = "",
                   contact: str = "", acting_user, channel) -> Notice:
    """The 村级公示 or 县级公告 of the exit's current notice step, published at once by the step's level."""
    exit_ = _locked(exit_)
    step = exit_.current_step
    if step is None or not step.is_notice:
        raise ValidationError("该出列程序当前不在公示（公告）环节")
    _ensure_actor(acting_user, exit_, step.actor_level, step.name)
    if NoticeItem.objects.filter(subject=subject_of(exit_), notice__kind=step.notice_kind,
                                 notice__start_date__gte=step.started).exists():
        raise ValidationError("本环节已发布过公示（公告）")
    if start_date is None or end_date is None:
        raise ValidationError({"start_date": "请填写起止日期"})
    if end_date < start_date:
        raise ValidationError({"end_date": "截止日期不能早于开始日期"})
    if (end_date - start_date).days + 1 < step.notice_days:
        raise ValidationError({"end_date": f"期限{(end_date - start_date).days + 1}天，少于规定的{step.notice_days}天"})
    village = exit_.village
    region = village if step.actor_level == Level.VILLAGE else acting_user.region if acting_user else village
    label = NoticeKind(step.notice_kind).label
    notice = Notice.objects.create(
        kind=step.notice_kind, level=step.actor_level, region=region, start_date=start_date, end_date=end_date,
        title=((title or "").strip() or f"{village.name}{exit_.year}年贫困村出列{label}")[:200],
        body=(body or "").strip() or (f"{village.name}对照贫困村出列标准，经评估已达到出列条件，现予以{label}。"
                                      f"{label}期间如有异议，请向{region.name}反映，也可登录扶贫管理平台公开页面提出。"),
        contact=(contact or "").strip(), created_by=_user(acting_user), columns=NOTICE_COLUMNS)
    NoticeItem.objects.create(notice=notice, subject=subject_of(exit_), row=public_row(exit_), position=1)
    record_change(notice, before=None, acting_user=acting_user, channel=channel,
                  note=f"新建贫困村出列{label}（{village.name}）")
    return notices.publish_notice(notice, acting_user=acting_user, channel=channel)


def exit_notices(exit_: VillageExit):
    return (Notice.objects.filter(items__subject=subject_of(exit_)).select_related("region")
            .order_by("-start_date", "-id"))


# --- the kind on the procedures engine ---------------------------------------------------------------------------

def _household_check(household, year, details):
    from fupin.procedures.checks import CheckResult

    return CheckResult(problems=["贫困村出列在“贫困村出列评估”中按村办理，不对户发起程序"])


def _no_outcome(procedure, household, result, **kwargs):
    raise ValidationError("贫困村出列在“贫困村出列评估”中按村办理")


def install_kind() -> None:
    """Name ``village_exit`` on the engine so its chain shows and is edited on the definitions page; a household
    procedure of the kind is refused (the exit's own steps run it)."""
    register_kind(EXIT_KIND, "贫困村出列", _household_check, _no_outcome)
