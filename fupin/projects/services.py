"""扶贫项目 actions: the library (入库, 修改, 出库), the approval chain and its notices, implementation, acceptance,
handover and beneficiaries. Every write checks ``may_change_money`` and the project's region against the account's
scope, and writes its audit row in the same transaction.

The approval chain is the procedures engine's step data (kind ``project_approval``, edited on the definitions page):
村申报 → 村级公示 → 乡镇审核 → 县级审批 → 县级公告 as installed (migration 0002). A project of a township skips the
village's steps: the township declares it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import CharField, Count, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from fupin.audit import chain
from fupin.audit.models import Action
from fupin.audit.services import build_entry, record_change, snapshot
from fupin.core.scope import in_scope
from fupin.monitoring.models import MonitoredStatus
from fupin.procedures import workdays
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
from fupin.procedures.services import LEVEL_LABELS, resolve_definition, user_level
from fupin.regions.models import Level, Region
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import Household

from .access import may_change_money
from .models import (
    APPROVAL_KIND,
    Acceptance,
    AcceptanceDocument,
    AcceptanceResult,
    LibraryAction,
    LibraryChange,
    LibraryStatus,
    Milestone,
    Project,
    ProjectAction,
    ProjectBeneficiary,
    ProjectPhoto,
    ProjectStatus,
    ProjectStep,
)

MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif", ".gif"}
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
DOCUMENT_SUFFIXES = PHOTO_SUFFIXES | {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ofd", ".zip"}
MAX_NOTICE_PROJECTS = 500
# Statuses in which the plan (amount, unit, scale …) may still be corrected.
EDITABLE = (ProjectStatus.DECLARED, ProjectStatus.REJECTED, ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS)
# The public columns of a project notice (docs/domain-facts.md §6: 名称、地点、规模、实施单位、带贫机制 …).
NOTICE_COLUMNS = [["name", "项目名称"], ["place", "实施地点"], ["scale", "建设规模"], ["amount", "计划投资（万元）"],
                  ["fund_source", "资金来源"], ["unit", "实施单位"], ["mechanism", "带贫机制"],
                  ["households", "受益户数"]]


def subject_of(project) -> str:
    return f"projects.project:{project.pk}"


# --- who may ----------------------------------------------------------------------------------------------------

def can_change(user, project: Project | None = None) -> bool:
    return may_change_money(user) and (project is None or in_scope(user, project.region_id))


def ensure_can_change(user, region_code: str) -> None:
    """``user`` None is the system (a CLI import without ``--user``): full scope."""
    if user is None:
        return
    if not may_change_money(user):
        raise PermissionDenied("当前账号只能查看项目，不能修改")
    if not in_scope(user, region_code):
        raise PermissionDenied("该项目不在当前账号的管辖范围内")


def _locked(project: Project) -> Project:
    return Project.objects.select_for_update().select_related("region").get(pk=project.pk)


def _user(acting_user):
    return acting_user if acting_user is not None and acting_user.is_authenticated else None


# --- the library -------------------------------------------------------------------------------------------------

def validate(project: Project) -> None:
    errors = {}
    region = Region.objects.filter(code=project.region_id).first()
    if region is None or region.level not in (Level.TOWNSHIP, Level.VILLAGE):
        errors["region"] = "实施地点应为村或乡镇"
    if project.planned_amount is not None and project.planned_amount < 0:
        errors["planned_amount"] = "计划投资不能为负数"
    if project.planned_start and project.planned_end and project.planned_end < project.planned_start:
        errors["planned_end"] = "计划完工日期不能早于计划开工日期"
    if project.expected_poor_households + project.expected_monitored_households > project.expected_households:
        errors["expected_poor_households"] = "脱贫户与监测户之和不能超过预计受益户数"
    if project.expected_households > project.expected_people:
        errors["expected_people"] = "预计受益人数不能少于受益户数"
    if not 2000 <= (project.year or 0) <= 2100:
        errors["year"] = "年度应为四位年份"
    if errors:
        raise ValidationError(errors)
    project.full_clean(exclude=["region", "created_by"])


@transaction.atomic
def save_project(project: Project, *, acting_user, channel) -> Project:
    """入库 a new project (its 入库 recorded with the date) or correct one still being planned or built."""
    ensure_can_change(acting_user, project.region_id or "")
    before = None
    if project.pk:
        original = _locked(project)
        ensure_can_change(acting_user, original.region_id)
        if original.status not in EDITABLE or original.library_status == LibraryStatus.OUT:
            raise ValidationError(f"{original.get_status_display()}或已出库的项目不能修改")
        if original.steps.exists() and original.region_id != project.region_id:
            raise ValidationError({"region": "已进入审批的项目不能更改实施地点"})
        before = snapshot(original)
        # The state fields move only through their own actions.
        for name in ("status", "library_status", "library_date", "library_reason", "current_order", "approved_on",
                     "progress", "started_on", "completed_on", "handed_over_on"):
            setattr(project, name, getattr(original, name))
    validate(project)
    created = project.pk is None
    if created:
        project.created_by = _user(acting_user)
        project.library_status, project.library_date = LibraryStatus.IN, project.library_date or timezone.localdate()
    project.save()
    if created:
        _library_change(project, LibraryAction.ENTER, project.library_date, project.library_reason, acting_user)
    record_change(project, before=before, acting_user=acting_user, channel=channel,
                  note="项目入库" if created else "修改项目")
    return project


def _library_change(project, action, date, reason, acting_user) -> None:
    LibraryChange.objects.create(project=project, action=action, date=date, reason=reason, user=_user(acting_user),
                                 username=acting_user.username if acting_user else "")


@transaction.atomic
def remove_from_library(project: Project, *, date: dt.date, reason: str, acting_user, channel) -> Project:
    """出库: a project that will not be built leaves the library; its row and history stay (备案)."""
    project = _locked(project)
    ensure_can_change(acting_user, project.region_id)
    if project.library_status == LibraryStatus.OUT:
        raise ValidationError("该项目已出库")
    if project.status not in (ProjectStatus.DECLARED, ProjectStatus.APPROVED, ProjectStatus.REJECTED):
        raise ValidationError(f"{project.get_status_display()}的项目不能出库")
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写出库原因"})
    if date is None or date > timezone.localdate():
        raise ValidationError({"date": "出库日期不能晚于今天"})
    before = snapshot(project)
    if project.current_order is not None:  # an approval under way ends with the removal
        project.steps.filter(status=StepStatus.ACTIVE).update(status=StepStatus.WAITING, due=None)
        project.current_order = None
    project.library_status, project.library_date, project.library_reason = LibraryStatus.OUT, date, reason.strip()
    project.save()
    _library_change(project, LibraryAction.REMOVE, date, project.library_reason, acting_user)
    record_change(project, before=before, acting_user=acting_user, channel=channel, note=f"项目出库：{reason.strip()}"[:200])
    return project


@transaction.atomic
def restore_to_library(project: Project, *, date: dt.date, reason: str, acting_user, channel) -> Project:
    """重新入库 a removed project (the library is adjusted dynamically, docs/domain-facts.md §6)."""
    project = _locked(project)
    ensure_can_change(acting_user, project.region_id)
    if project.library_status != LibraryStatus.OUT:
        raise ValidationError("该项目在库中")
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写重新入库原因"})
    before = snapshot(project)
    project.library_status, project.library_date, project.library_reason = LibraryStatus.IN, date, reason.strip()
    project.save()
    _library_change(project, LibraryAction.ENTER, date, project.library_reason, acting_user)
    record_change(project, before=before, acting_user=acting_user, channel=channel, note="项目重新入库")
    return project


# --- approval ----------------------------------------------------------------------------------------------------

def _activate(step: ProjectStep, region_code: str) -> None:
    today = timezone.localdate()
    step.status, step.started, step.finished = StepStatus.ACTIVE, today, None
    step.due = workdays.due_date(today, step.deadline_days, working_days=step.working_days, region_code=region_code)
    step.save()


def _log(project, step, decision, *, comment="", acting_user, channel, before) -> None:
    ProjectAction.objects.create(project=project, step=step, decision=decision, comment=comment,
                                 user=_user(acting_user), username=acting_user.username if acting_user else "")
    where = step.name if step else ""
    note = f"项目审批 {where}{Decision(decision).label}" + (f"：{comment}" if comment else "")
    record_change(project, before=before, acting_user=acting_user, channel=channel, note=note[:200])


def _ensure_actor(user, project: Project, level: int, what: str) -> None:
    ensure_can_change(user, project.region_id)
    if user_level(user) != level:
        raise PermissionDenied(f"“{what}”应由{LEVEL_LABELS[level]}账号办理")


def _chain(project: Project) -> list:
    """The configured steps that apply to the project (a township's project has no village steps)."""
    definition = resolve_definition(APPROVAL_KIND, project.region_id)
    if definition is None:
        return []
    return [s for s in definition.steps.all() if project.region.level == Level.VILLAGE or s.actor_level != Level.VILLAGE]


def may_declare(user, project: Project) -> bool:
    """Whether this account would be allowed to declare the project now (for the page's button)."""
    if not can_change(user, project) or project.library_status == LibraryStatus.OUT or project.current_order:
        return False
    if project.status not in (ProjectStatus.DECLARED, ProjectStatus.REJECTED):
        return False
    steps = _chain(project)
    return bool(steps) and user_level(user) == steps[0].actor_level


@transaction.atomic
def start_approval(project: Project, *, comment: str = "", acting_user, channel) -> Project:
    """申报: copy the configured chain into the project's steps and open the first one (the declaring level's)."""
    project = _locked(project)
    if project.library_status == LibraryStatus.OUT:
        raise ValidationError("已出库的项目不能申报")
    if project.status not in (ProjectStatus.DECLARED, ProjectStatus.REJECTED) or project.current_order is not None:
        raise ValidationError(f"{project.get_status_display()}的项目不能再申报" if project.current_order is None
                              else "该项目正在审批中")
    steps = _chain(project)
    if not steps:
        raise ValidationError("未配置适用于该项目的审批流程，请管理员先配置")
    _ensure_actor(acting_user, project, steps[0].actor_level, "项目申报")
    before = snapshot(project)
    project.steps.all().delete()  # a rejected project declared again runs the chain afresh
    ProjectStep.objects.bulk_create(
        ProjectStep(project=project, order=s.order, name=s.name, actor_level=s.actor_level,
                    deadline_days=s.deadline_days, working_days=s.working_days, attachment_kinds="",
                    notice_days=s.notice_days, notice_kind=s.notice_kind)
        for s in steps
    )
    first = project.steps.get(order=steps[0].order)
    _activate(first, project.region_id)
    project.current_order, project.status = first.order, ProjectStatus.DECLARED
    project.save()
    _log(project, first, Decision.START, comment=(comment or "").strip(), acting_user=acting_user, channel=channel,
         before=before)
    return project


def notice_problems(project: Project, step: ProjectStep) -> list[str]:
    """Why a 公示/公告 step cannot pass yet: no notice since the step began, period not over, open objections."""
    item = (NoticeItem.objects.filter(subject=subject_of(project), notice__status=NoticeStatus.PUBLISHED,
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
def decide(project: Project, decision: str, *, comment: str = "", acting_user, channel) -> Project:
    """Pass, return (to the previous step) or reject the current step; passing the last one approves the project."""
    project = _locked(project)
    if project.current_order is None:
        raise ValidationError("该项目不在审批中")
    step = project.steps.get(order=project.current_order)
    _ensure_actor(acting_user, project, step.actor_level, step.name)
    comment = (comment or "").strip()
    before = snapshot(project)
    if decision == Decision.PASS:
        if step.is_notice and (problems := notice_problems(project, step)):
            raise ValidationError(problems)
        following = project.steps.filter(order__gt=step.order).order_by("order").first()
        _finish(step, StepStatus.PASSED)
        if following is None:
            project.status, project.current_order = ProjectStatus.APPROVED, None
            project.approved_on = timezone.localdate()
        else:
            _activate(following, project.region_id)
            project.current_order = following.order
    elif decision == Decision.RETURN:
        if not comment:
            raise ValidationError({"comment": "请填写退回原因"})
        previous = project.steps.filter(order__lt=step.order).order_by("-order").first()
        if previous is None:
            raise ValidationError("第一个环节不能退回；如不再实施，请作不予通过或出库处理")
        step.status, step.started, step.due = StepStatus.WAITING, None, None
        step.save()
        _activate(previous, project.region_id)
        project.current_order = previous.order
    elif decision == Decision.REJECT:
        if not comment:
            raise ValidationError({"comment": "请填写不予通过的原因"})
        _finish(step, StepStatus.REJECTED)
        project.status, project.current_order = ProjectStatus.REJECTED, None
    else:
        raise ValidationError({"decision": "办理结果应为通过、退回或不予通过"})
    project.save()
    _log(project, step, decision, comment=comment, acting_user=acting_user, channel=channel, before=before)
    return project


def _finish(step: ProjectStep, status: str) -> None:
    step.status, step.finished = status, timezone.now()
    step.save()


# --- notices (procedures' Notice rows, so the public page, PDF and objections serve projects too) ---------------

def notice_eligible(user, kind: str = NoticeKind.PUBLICITY):
    """Projects at an active notice step of this kind at the account's level, not on a notice since it began."""
    level = user_level(user)
    at_step = ProjectStep.objects.filter(project=OuterRef("pk"), order=OuterRef("current_order"),
                                         status=StepStatus.ACTIVE, notice_days__gt=0, notice_kind=kind,
                                         actor_level=level)
    return (Project.objects.visible_to(user).filter(Exists(at_step)).exclude(Exists(_noticed(kind)))
            .select_related("region").order_by("region", "id"))


def _noticed(kind: str):
    """Items putting the project (``OuterRef("pk")``) on a notice of this kind since its current step began."""
    step = ProjectStep.objects.filter(project=OuterRef(OuterRef("pk")), order=OuterRef(OuterRef("current_order")))
    return NoticeItem.objects.filter(subject=_subject_expression(), notice__kind=kind,
                                     notice__start_date__gte=step.values("started")[:1])


def _subject_expression():
    return Concat(Value("projects.project:"), Cast(OuterRef("pk"), CharField()), output_field=CharField())


def public_row(project: Project) -> dict:
    """The public columns of a project on a notice (never a person's ID, phone, bank or health)."""
    amount = f"{project.planned_amount / 10000:.2f}" if project.planned_amount is not None else ""
    return {
        "name": project.name, "place": project.region.full_name(), "scale": project.scale, "amount": amount,
        "fund_source": project.get_fund_source_display(), "unit": project.implementing_unit,
        "mechanism": project.benefit_mechanism, "households": project.expected_households,
        "kind": project.get_kind_display(), "year": project.year,
    }


@transaction.atomic
def create_notice(projects, *, kind: str, start_date: dt.date, end_date: dt.date, title: str = "", body: str = "",
                  contact: str = "", acting_user, channel) -> Notice:
    """A draft 公示/公告 of projects at their notice step; published (checked and frozen) on the notice page."""
    level = user_level(acting_user)
    if not may_change_money(acting_user) or level is None:
        raise PermissionDenied("只有村、乡镇、县级办理账号可以发布项目公示公告")
    eligible = {p.pk: p for p in notice_eligible(acting_user, kind)}
    chosen = [p.pk for p in projects]
    if not chosen:
        raise ValidationError({"projects": "请至少选择一个项目"})
    if len(chosen) > MAX_NOTICE_PROJECTS:
        raise ValidationError({"projects": f"一次最多{MAX_NOTICE_PROJECTS}个项目"})
    missing = [pk for pk in chosen if pk not in eligible]
    if missing:
        names = "、".join(Project.objects.visible_to(acting_user).filter(pk__in=missing).values_list("name", flat=True))
        raise ValidationError({"projects": f"以下项目当前不在{LEVEL_LABELS[level]}{NoticeKind(kind).label}环节或已在其他"
                                           f"公示中：{names or '（不在管辖范围内）'}"})
    chosen_projects = [eligible[pk] for pk in chosen]
    needed = max(p.current_step.notice_days for p in Project.objects.filter(pk__in=chosen)
                 .prefetch_related("steps"))
    if start_date is None or end_date is None:
        raise ValidationError({"start_date": "请填写起止日期"})
    if start_date < timezone.localdate():
        raise ValidationError({"start_date": "开始日期不能早于今天"})
    if end_date < start_date:
        raise ValidationError({"end_date": "截止日期不能早于开始日期"})
    if (end_date - start_date).days + 1 < needed:
        raise ValidationError({"end_date": f"期限{(end_date - start_date).days + 1}天，少于规定的{needed}天"})
    label = NoticeKind(kind).label
    region = acting_user.region
    years = "、".join(str(y) for y in sorted({p.year for p in chosen_projects}))
    notice = Notice.objects.create(
        kind=kind, level=level, region=region, start_date=start_date, end_date=end_date,
        title=(title or "").strip() or f"{region.name}{years}年度扶贫项目{label}",
        body=(body or "").strip() or f"根据扶贫资金项目公告公示制度，现将以下{len(chosen_projects)}个扶贫项目的计划安排予以"
                                     f"{label}。{label}期间如有异议，请向{region.name}反映，也可登录扶贫管理平台公开页面提出。",
        contact=(contact or "").strip(), created_by=acting_user, columns=NOTICE_COLUMNS,
    )
    NoticeItem.objects.bulk_create(
        NoticeItem(notice=notice, subject=subject_of(p), row=public_row(p), position=i)
        for i, p in enumerate(chosen_projects, 1)
    )
    record_change(notice, before=None, acting_user=acting_user, channel=channel,
                  note=f"新建扶贫项目{label}（{len(chosen_projects)}个）")
    return notice


def project_notices(project: Project):
    return (Notice.objects.filter(items__subject=subject_of(project)).select_related("region")
            .order_by("-start_date", "-id"))


# --- implementation, acceptance, handover ------------------------------------------------------------------------

@transaction.atomic
def start_implementation(project: Project, *, date: dt.date, acting_user, channel) -> Project:
    """开工: an approved project goes into implementation."""
    project = _locked(project)
    ensure_can_change(acting_user, project.region_id)
    if project.status != ProjectStatus.APPROVED:
        raise ValidationError("只有已审批的项目可以开工实施")
    if project.library_status == LibraryStatus.OUT:
        raise ValidationError("已出库的项目不能开工")
    if date is None or date > timezone.localdate():
        raise ValidationError({"date": "开工日期不能晚于今天"})
    before = snapshot(project)
    project.status, project.started_on = ProjectStatus.IN_PROGRESS, date
    project.save()
    record_change(project, before=before, acting_user=acting_user, channel=channel, note=f"项目开工（{date:%Y-%m-%d}）")
    return project


@transaction.atomic
def add_milestone(project: Project, *, date: dt.date, text: str, progress: int | None = None, acting_user,
                  channel) -> Milestone:
    """实施节点: what was done by a date, and the progress it brings the project to (100 is 完工)."""
    project = _locked(project)
    ensure_can_change(acting_user, project.region_id)
    if project.status != ProjectStatus.IN_PROGRESS:
        raise ValidationError("只有实施中的项目可以登记进度")
    errors = {}
    if not (text or "").strip():
        errors["text"] = "请填写进展情况"
    if date is None or date > timezone.localdate():
        errors["date"] = "日期不能晚于今天"
    elif project.started_on and date < project.started_on:
        errors["date"] = "日期不能早于开工日期"
    if progress is not None and not 0 <= progress <= 100:
        errors["progress"] = "进度应在0至100之间"
    if errors:
        raise ValidationError(errors)
    milestone = Milestone.objects.create(project=project, date=date, text=text.strip()[:500], progress=progress,
                                         created_by=_user(acting_user))
    record_change(milestone, before=None, acting_user=acting_user, channel=channel, note="登记实施进度")
    if progress is not None and progress != project.progress:
        before = snapshot(project)
        project.progress = progress
        project.completed_on = date if progress == 100 else None
        project.save()
        record_change(project, before=before, acting_user=acting_user, channel=channel, note=f"实施进度{progress}%")
    return milestone


def _check_file(uploaded, suffixes, limit, what) -> None:
    if uploaded is None or not uploaded.size:
        raise ValidationError({"file": f"请选择{what}"})
    if uploaded.size > limit:
        raise ValidationError({"file": f"{what}不能超过{limit // (1024 * 1024)}MB"})
    suffix = PurePath(uploaded.name).suffix.lower()
    if suffix not in suffixes:
        raise ValidationError({"file": f"不支持的文件类型“{suffix or '无扩展名'}”"})


@transaction.atomic
def add_photo(project: Project, uploaded, *, caption: str = "", acting_user, channel) -> ProjectPhoto:
    project = _locked(project)
    ensure_can_change(acting_user, project.region_id)
    _check_file(uploaded, PHOTO_SUFFIXES, MAX_PHOTO_BYTES, "照片")
    photo = ProjectPhoto(project=project, caption=(caption or "").strip()[:200],
                         original_name=PurePath(uploaded.name).name[:200], size=uploaded.size,
                         uploaded_by=_user(acting_user))
    photo.file.save(uploaded.name, uploaded, save=False)
    photo.save()
    after = {"caption": photo.caption, "original_name": photo.original_name, "file": photo.file.name,
             "size": photo.size}
    build_entry(project, before=None, after=after, acting_user=acting_user, channel=channel,
                note=f"上传项目照片{photo.original_name}"[:200]).save()
    return photo


@transaction.atomic
def record_acceptance(project: Project, *, date: dt.date, team: str, result: str, remarks: str = "",
                      documents=(), acting_user, channel) -> Acceptance:
    """验收: 合格 makes the project 已验收 (to be handed over as an asset); 不合格 keeps it in implementation."""
    project = _locked(project)
    ensure_can_change(acting_user, project.region_id)
    if project.status != ProjectStatus.IN_PROGRESS:
        raise ValidationError("只有实施中的项目可以验收")
    errors = {}
    if project.progress < 100:
        errors["result"] = f"项目进度{project.progress}%，完工（100%）后方可验收"
    if result not in AcceptanceResult.values:
        errors["result"] = "验收结论应为合格或不合格"
    if not (team or "").strip():
        errors["team"] = "请填写验收组成员"
    if date is None or date > timezone.localdate():
        errors["date"] = "验收日期不能晚于今天"
    elif project.started_on and date < project.started_on:
        errors["date"] = "验收日期不能早于开工日期"
    if result == AcceptanceResult.FAILED and not (remarks or "").strip():
        errors["remarks"] = "不合格的请填写验收意见（整改要求）"
    for uploaded in documents:
        try:
            _check_file(uploaded, DOCUMENT_SUFFIXES, MAX_DOCUMENT_BYTES, "验收资料")
        except ValidationError as exc:
            errors["documents"] = exc.message_dict["file"][0]
    if errors:
        raise ValidationError(errors)
    acceptance = Acceptance.objects.create(project=project, date=date, team=team.strip()[:300], result=result,
                                           remarks=(remarks or "").strip(), created_by=_user(acting_user))
    for uploaded in documents:
        document = AcceptanceDocument(acceptance=acceptance, original_name=PurePath(uploaded.name).name[:200],
                                      size=uploaded.size)
        document.file.save(uploaded.name, uploaded, save=False)
        document.save()
    record_change(acceptance, before=None, acting_user=acting_user, channel=channel,
                  note=f"项目验收：{AcceptanceResult(result).label}（资料{len(documents)}份）")
    if result == AcceptanceResult.PASSED:
        before = snapshot(project)
        project.status = ProjectStatus.ACCEPTED
        project.save()
        record_change(project, before=before, acting_user=acting_user, channel=channel, note="项目验收合格")
    return acceptance


@transaction.atomic
def mark_handed_over(project: Project, *, acting_user, channel, date: dt.date | None = None) -> Project:
    """移交: the assets app calls this when it registers the accepted project as an asset."""
    project = _locked(project)
    ensure_can_change(acting_user, project.region_id)
    if project.status != ProjectStatus.ACCEPTED:
        raise ValidationError(f"{project.get_status_display()}的项目不能移交，验收合格后方可移交")
    before = snapshot(project)
    project.status, project.handed_over_on = ProjectStatus.HANDED_OVER, date or timezone.localdate()
    project.save()
    record_change(project, before=before, acting_user=acting_user, channel=channel, note="项目移交为资产")
    return project


# --- beneficiaries -----------------------------------------------------------------------------------------------

def eligible_households(project: Project, user):
    """Households a project may reach: in the user's scope and under the project's village or township."""
    return Household.objects.visible_to(user).in_region(project.region.prefix)


@transaction.atomic
def add_beneficiaries(project: Project, households, *, note: str = "", acting_user, channel) -> int:
    """受益户: attach households (already attached ones are skipped); returns how many were added."""
    project = _locked(project)
    ensure_can_change(acting_user, project.region_id)
    if project.library_status == LibraryStatus.OUT:
        raise ValidationError("已出库的项目不能登记受益户")
    households = list(households)
    prefix = project.region.prefix
    for household in households:
        if not in_scope(acting_user, household.village_id):
            raise PermissionDenied(f"户{household.number}不在当前账号的管辖范围内")
        if not household.village_id.startswith(prefix):
            raise ValidationError({"households": f"户{household.number}不在项目实施地点{project.region.name}"})
    have = set(project.beneficiaries.values_list("household_id", flat=True))
    new = [ProjectBeneficiary(project=project, household=h, note=(note or "").strip()[:200])
           for h in dict.fromkeys(households) if h.pk not in have]
    ProjectBeneficiary.objects.bulk_create(new)
    # One row per household, so each household's file shows the project in its history.
    added = ProjectBeneficiary.objects.filter(project=project, household__in=[b.household for b in new])
    chain.append([build_entry(b, before=None, after=snapshot(b), acting_user=acting_user, channel=channel,
                              note=f"登记为项目“{project.name}”受益户"[:200]) for b in added])
    return len(new)


@transaction.atomic
def remove_beneficiary(beneficiary: ProjectBeneficiary, *, acting_user, channel) -> None:
    project = beneficiary.project
    ensure_can_change(acting_user, project.region_id)
    record_change(beneficiary, before=snapshot(beneficiary), acting_user=acting_user, channel=channel,
                  action=Action.DELETE, note=f"移出项目“{project.name}”受益户"[:200])
    beneficiary.delete()


MONITORED = Q(household__monitoring_records__status=MonitoredStatus.MONITORING)
REGISTERED = Q(household__status__in=HouseholdStatus.REGISTERED)


def beneficiary_counts(project: Project) -> dict:
    """Households reached: all, of them 建档立卡 (poor or exited) and under monitoring now (one query)."""
    return project.beneficiaries.aggregate(
        households=Count("id", distinct=True), poor=Count("id", filter=REGISTERED, distinct=True),
        monitored=Count("id", filter=MONITORED, distinct=True),
    )


# --- the kind on the procedures engine ---------------------------------------------------------------------------

def _household_check(household, year, details):
    from fupin.procedures.checks import CheckResult

    return CheckResult(problems=["扶贫项目的审批在项目库中办理，不对户发起程序"])


def _no_outcome(procedure, household, result, **kwargs):
    raise ValidationError("扶贫项目的审批在项目库中办理")


def install_kind() -> None:
    """Name ``project_approval`` on the engine so its definition shows and is edited on the definitions page; a
    household procedure of the kind is refused (the project's own steps run it, ``start_approval``)."""
    from fupin.procedures.services import register_kind

    register_kind(APPROVAL_KIND, "扶贫项目审批", _household_check, _no_outcome)
