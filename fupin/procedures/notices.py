"""Public notices (公示/公告): batching procedures into a notice, publishing, objections, the printable A4 PDF.

A notice row holds only public columns (head of household, village, size, category, cause, matter). It never
carries an ID number, phone, bank account or health condition, and it is frozen at publication; the free texts typed
into a notice are checked for them before publishing (``notice_text``).
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone

from fupin.audit.models import Action, Channel
from fupin.audit.services import record_change, snapshot
from fupin.core.pdf import render_pdf
from fupin.core.scope import in_scope
from fupin.dictionaries.services import labels
from fupin.regions.models import PREFIX_LENGTH, Level, Region, region_prefix

from . import notice_text
from .checks import NATURAL_CHANGES
from .models import (
    Kind,
    Notice,
    NoticeItem,
    NoticeKind,
    NoticeStatus,
    Objection,
    ObjectionStatus,
    PolicyEnd,
    Procedure,
    ProcedureStep,
    Status,
    StepStatus,
    kind_label,
)
from .services import LEVEL_LABELS, user_level

MAX_NOTICE_ITEMS = 2000


def _ensure_publisher(user) -> int:
    level = user_level(user)
    if not user.can_write or level is None:
        raise PermissionDenied("只有村、乡镇、县级账号可以发布公示公告")
    return level


def eligible_procedures(user, kind: str = NoticeKind.PUBLICITY):
    """Procedures this account may put on a new notice.

    Open procedures whose current step is a notice step of this kind (公示, or a 公告 step such as 县级公告) at the
    account's level and not yet on a notice since the step began; for 公告 also approved procedures of a chain
    without a 公告 step, not yet announced.
    """
    procedures = Procedure.objects.visible_to(user).select_related("household", "village")
    level = user_level(user)
    current = ProcedureStep.objects.filter(
        procedure=OuterRef("pk"), order=OuterRef("current_order"), status=StepStatus.ACTIVE, notice_days__gt=0,
        actor_level=level, notice_kind=kind,
    )
    at_step = Q(status=Status.IN_PROGRESS) & Q(Exists(current)) & ~Q(Exists(_noticed()))
    if kind == NoticeKind.ANNOUNCEMENT:
        announced = NoticeItem.objects.filter(procedure=OuterRef("pk"), notice__kind=NoticeKind.ANNOUNCEMENT)
        at_step |= Q(status=Status.APPROVED) & ~Q(Exists(announced))
    return procedures.filter(at_step).order_by("village", "id")


def _noticed(exclude_notice=None):
    """Notice items for a procedure's current step made since the step (last) began; for Exists(OuterRef)."""
    items = NoticeItem.objects.filter(
        procedure=OuterRef("pk"), step__order=OuterRef("current_order"), notice__start_date__gte=F("step__started")
    )
    return items.exclude(notice=exclude_notice) if exclude_notice is not None else items


def _current_notice_step(procedure: Procedure, level: int, kind: str) -> ProcedureStep | None:
    step = procedure.steps.filter(order=procedure.current_order, status=StepStatus.ACTIVE).first()
    if step is None or not step.is_notice or step.actor_level != level or step.notice_kind != kind:
        return None
    return step


def public_row(procedure: Procedure) -> dict:
    """The notice columns for one procedure (only PUBLIC_COLUMNS)."""
    household = procedure.household
    details = procedure.details
    category = details.get("category") or household.category
    cause = details.get("main_cause") or household.main_cause
    matter = kind_label(procedure.kind)
    if procedure.kind == Kind.NATURAL and details.get("change"):
        matter = f"{matter}（{NATURAL_CHANGES.get(details['change'], '')}）"
    row = {
        "head_name": household.head_name,
        "village": procedure.village.full_name(),
        "size": household.size,
        "category": labels("household_category").get(category, ""),
        "cause": labels("poverty_cause").get(cause, ""),
        "matter": matter,
        "year": procedure.year,
    }
    return row


POLICY_END_MATTER = "稳定脱贫户退出享受政策"


def policy_end_row(entry) -> dict:
    """The notice columns for a household on the 退出享受政策台账 (the same public columns as ``public_row``)."""
    household = entry.household
    return {
        "head_name": household.head_name,
        "village": entry.village.full_name(),
        "size": household.size,
        "category": labels("household_category").get(household.category, ""),
        "cause": labels("poverty_cause").get(household.main_cause, ""),
        "matter": POLICY_END_MATTER,
        "year": entry.exit_year,
    }


def _item_row(item) -> dict:
    if item.subject:  # the app above that put it on the notice gave its public row
        return item.row
    return public_row(item.procedure) if item.procedure_id else policy_end_row(item.policy_end)


def _default_title(region: Region, kind: str, procedures) -> str:
    if not procedures:  # a notice of the 退出享受政策台账
        return f"{region.name}{POLICY_END_MATTER}{NoticeKind(kind).label}"
    years = sorted({p.year for p in procedures})
    matters = "、".join(dict.fromkeys(kind_label(p.kind) for p in procedures))
    return f"{region.name}{'、'.join(map(str, years))}年度{matters}{NoticeKind(kind).label}"


@transaction.atomic
def create_notice(*, kind: str, procedures, start_date: dt.date, end_date: dt.date, title: str = "",
                  body: str = "", contact: str = "", acting_user, channel) -> Notice:
    """A draft notice of the given procedures; checked again and frozen when published."""
    level = _ensure_publisher(acting_user)
    ids = [p.pk for p in procedures]
    fresh = Procedure.objects.select_related("household", "village").in_bulk(ids)
    procedures = [fresh[pk] for pk in ids if pk in fresh]
    if not procedures:
        raise ValidationError({"procedures": "请至少选择一户"})
    if len(procedures) > MAX_NOTICE_ITEMS:
        raise ValidationError({"procedures": f"一次公示最多{MAX_NOTICE_ITEMS}户"})
    steps = _validate_items(kind, procedures, level, acting_user)
    _validate_dates(start_date, end_date, steps)
    notice = Notice.objects.create(
        kind=kind, level=level, region=acting_user.region, start_date=start_date, end_date=end_date,
        title=(title or "").strip() or _default_title(acting_user.region, kind, procedures),
        body=(body or "").strip(), contact=(contact or "").strip(), created_by=acting_user,
    )
    NoticeItem.objects.bulk_create(
        NoticeItem(notice=notice, procedure=p, step=steps.get(p.pk), row=public_row(p), position=i)
        for i, p in enumerate(procedures, 1)
    )
    record_change(notice, before=None, acting_user=acting_user, channel=channel, note=f"新建{notice.get_kind_display()}")
    return notice


def announced_policy_ends():
    """Items putting a ledger row (``OuterRef("pk")`` of a PolicyEnd) on a 公告; for Exists()."""
    return NoticeItem.objects.filter(policy_end=OuterRef("pk"), notice__kind=NoticeKind.ANNOUNCEMENT)


@transaction.atomic
def announce_policy_ends(entries, *, start_date: dt.date, end_date: dt.date, title: str = "", body: str = "",
                         contact: str = "", acting_user, channel) -> Notice:
    """退出享受政策公告: a draft county 公告 of 退出享受政策台账 rows not yet announced (the ledger is published,
    docs/domain-facts.md), with the public columns only; published, checked and frozen like any notice."""
    if not acting_user.can_write or user_level(acting_user) != Level.COUNTY:
        raise PermissionDenied("退出享受政策公告由县级账号发布")
    entries = list(entries.select_related("household", "village"))
    if not entries:
        raise ValidationError({"policy_ends": "请至少选择一户"})
    if len(entries) > MAX_NOTICE_ITEMS:
        raise ValidationError({"policy_ends": f"一次公告最多{MAX_NOTICE_ITEMS}户"})
    problems = []
    announced = set(PolicyEnd.objects.filter(pk__in=[e.pk for e in entries]).filter(Exists(announced_policy_ends()))
                    .values_list("pk", flat=True))
    for entry in entries:
        if not in_scope(acting_user, entry.village_id):
            raise PermissionDenied(f"{entry.household.head_name}户不在当前账号的管辖范围内")
        if entry.pk in announced:
            problems.append(f"{entry.household.head_name}户（{entry}）已在其他公告中")
    if problems:
        raise ValidationError(problems)
    _validate_dates(start_date, end_date, {})
    notice = Notice.objects.create(
        kind=NoticeKind.ANNOUNCEMENT, level=Level.COUNTY, region=acting_user.region, start_date=start_date,
        end_date=end_date, body=(body or "").strip(), contact=(contact or "").strip(), created_by=acting_user,
        title=(title or "").strip() or _default_title(acting_user.region, NoticeKind.ANNOUNCEMENT, []),
        status=NoticeStatus.DRAFT,
    )
    NoticeItem.objects.bulk_create(
        NoticeItem(notice=notice, policy_end=entry, row=policy_end_row(entry), position=i)
        for i, entry in enumerate(entries, 1)
    )
    record_change(notice, before=None, acting_user=acting_user, channel=channel,
                  note=f"新建{POLICY_END_MATTER}公告（{len(entries)}户）")
    return notice


def _validate_items(kind: str, procedures, level: int, user, notice=None) -> dict[int, ProcedureStep]:
    """procedure id → the notice step it is at (公示); refuses procedures that do not belong on this notice."""
    steps, problems = {}, []
    noticed = set(
        Procedure.objects.filter(pk__in=[p.pk for p in procedures]).filter(Exists(_noticed(notice)))
        .values_list("pk", flat=True)
    )
    for procedure in procedures:
        label = f"{procedure.household.head_name}户（{procedure}）"
        if not in_scope(user, procedure.village_id):
            raise PermissionDenied(f"{label}不在当前账号的管辖范围内")
        step = _current_notice_step(procedure, level, kind) if procedure.status == Status.IN_PROGRESS else None
        if kind == NoticeKind.ANNOUNCEMENT and step is None:
            if procedure.status != Status.APPROVED:
                problems.append(f"{label}尚未审批通过，且当前不在{LEVEL_LABELS[level]}公告环节，不能公告")
            continue
        if step is None:
            problems.append(f"{label}当前不在{LEVEL_LABELS[level]}公示环节")
        elif procedure.pk in noticed:
            problems.append(f"{label}已在其他公示中")
        else:
            steps[procedure.pk] = step
    if problems:
        raise ValidationError(problems)
    return steps


def _validate_dates(start_date, end_date, steps: dict) -> None:
    if start_date is None or end_date is None:
        raise ValidationError({"start_date": "请填写公示起止日期"})
    if start_date < timezone.localdate():
        raise ValidationError({"start_date": "公示开始日期不能早于今天"})
    if end_date < start_date:
        raise ValidationError({"end_date": "公示截止日期不能早于开始日期"})
    needed = max((s.notice_days for s in steps.values()), default=0)
    days = (end_date - start_date).days + 1
    if days < needed:
        raise ValidationError({"end_date": f"公示期{days}天，少于规定的{needed}天"})


def ensure_manage(user, notice: Notice) -> None:
    if not in_scope(user, notice.region_id):
        raise PermissionDenied("该公示不在当前账号的管辖范围内")
    if not user.can_write or user_level(user) is None or user_level(user) > notice.level:
        raise PermissionDenied(f"只有{notice.region.name}或其上级的办理账号可以操作该公示")


@transaction.atomic
def publish_notice(notice: Notice, *, acting_user, channel) -> Notice:
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    ensure_manage(acting_user, notice)
    if notice.status != NoticeStatus.DRAFT:
        raise ValidationError("该公示已发布")
    items = list(notice.items.select_related("procedure__household", "procedure__village", "policy_end__household",
                                             "policy_end__village"))
    steps = _validate_items(notice.kind, [i.procedure for i in items if i.procedure_id], notice.level, acting_user,
                            notice)
    _validate_dates(notice.start_date, notice.end_date, steps)
    before = snapshot(notice)
    for item in items:
        item.row = _item_row(item)  # frozen as published
        item.step = steps.get(item.procedure_id)
    notice_text.ensure_publishable(notice, items)
    NoticeItem.objects.bulk_update(items, ["row", "step"])
    notice.status, notice.published = NoticeStatus.PUBLISHED, timezone.now()
    notice.save()
    record_change(notice, before=before, acting_user=acting_user, channel=channel,
                  note=f"发布{notice.get_kind_display()}（{len(items)}户）")
    return notice


@transaction.atomic
def update_draft(notice: Notice, *, acting_user, channel, title: str | None = None, body: str | None = None,
                 contact: str | None = None, start_date: dt.date | None = None,
                 end_date: dt.date | None = None) -> Notice:
    """Correct a draft's texts or period before it is published (None leaves a field as it is; an empty title is
    generated again). The households stay: a different list is a new draft."""
    notice = Notice.objects.select_for_update().select_related("region").get(pk=notice.pk)
    ensure_manage(acting_user, notice)
    if notice.status != NoticeStatus.DRAFT:
        raise ValidationError("已发布的公示不能修改")
    items = list(notice.items.select_related("procedure", "step"))
    _validate_dates(start_date or notice.start_date, end_date or notice.end_date,
                    {item.procedure_id: item.step for item in items if item.step is not None})
    before = snapshot(notice)
    if title is not None:
        notice.title = title.strip() or _default_title(notice.region, notice.kind,
                                                       [i.procedure for i in items if i.procedure_id])
    if body is not None:
        notice.body = body.strip()
    if contact is not None:
        notice.contact = contact.strip()
    notice.start_date, notice.end_date = start_date or notice.start_date, end_date or notice.end_date
    notice.save()
    record_change(notice, before=before, acting_user=acting_user, channel=channel,
                  note=f"修改{notice.get_kind_display()}草稿")
    return notice


def draft_warnings(notice: Notice) -> list[str]:
    """What publishing a draft would refuse in its texts (ID numbers, phones, cards, health words); saving allows it."""
    if notice.status != NoticeStatus.DRAFT:
        return []
    return [finding.message for finding in notice_text.notice_findings(notice, notice.items.all())]


@transaction.atomic
def delete_draft(notice: Notice, *, acting_user, channel) -> None:
    ensure_manage(acting_user, notice)
    if notice.status != NoticeStatus.DRAFT:
        raise ValidationError("已发布的公示不能删除")
    record_change(notice, before=snapshot(notice), acting_user=acting_user, channel=channel, action=Action.DELETE)
    notice.delete()


@transaction.atomic
def lodge_objection(notice: Notice, *, name: str, contact: str, content: str, item_id=None,
                    acting_user=None, channel=Channel.PAGE) -> Objection:
    """Anyone may object while a notice is up; the objection holds its household until answered."""
    if not notice.is_active:
        raise ValidationError("该公示不在公示期内，不能提出异议")
    errors = {}
    for field, value, label in (("name", name, "姓名"), ("contact", contact, "联系方式"), ("content", content, "异议内容")):
        if not (value or "").strip():
            errors[field] = f"请填写{label}"
    if len((content or "").strip()) > 2000:
        errors["content"] = "异议内容不能超过2000字"
    item = None
    if item_id not in (None, ""):
        item = notice.items.filter(pk=item_id).first()
        if item is None:
            errors["item"] = "所选异议对象不在该公示中"
    if errors:
        raise ValidationError(errors)
    objection = Objection.objects.create(
        notice=notice, item=item, name=name.strip()[:50], contact=contact.strip()[:100], content=content.strip(),
        channel=channel,
    )
    record_change(objection, before=None, acting_user=acting_user, channel=channel,
                  note=f"对“{notice.title}”提出异议"[:200])
    return objection


@transaction.atomic
def answer_objection(objection: Objection, *, answer: str, acting_user, channel) -> Objection:
    """The village (or a level above) answers; the hold on the household lifts."""
    objection = Objection.objects.select_for_update().select_related("notice__region").get(pk=objection.pk)
    ensure_manage(acting_user, objection.notice)
    if objection.status != ObjectionStatus.OPEN:
        raise ValidationError("该异议已答复")
    if not (answer or "").strip():
        raise ValidationError({"answer": "请填写答复内容（核实情况和处理结果）"})
    before = snapshot(objection)
    objection.answer = answer.strip()
    objection.status = ObjectionStatus.ANSWERED
    objection.answered_by = acting_user
    objection.answered = timezone.now()
    objection.save()
    record_change(objection, before=before, acting_user=acting_user, channel=channel, note="答复异议")
    return objection


def active_notices(region_code: str | None = None):
    """Notices the public sees now: published and within their period, optionally under one region."""
    today = timezone.localdate()
    notices = Notice.objects.filter(status=NoticeStatus.PUBLISHED, start_date__lte=today, end_date__gte=today)
    if region_code:
        prefix = region_prefix(region_code)
        # A village sees its own notices and those of the township and county above it.
        above = [prefix[:n].ljust(12, "0") for n in (PREFIX_LENGTH[Level.COUNTY], PREFIX_LENGTH[Level.TOWNSHIP])
                 if n < len(prefix)]
        notices = notices.filter(Q(region__code__startswith=prefix) | Q(region_id__in=above))
    return notices.select_related("region").order_by("-start_date", "-id")


def render_notice_html(notice: Notice) -> str:
    items = list(notice.items.all())
    issuer = notice.region.full_name() if notice.region.level >= Level.COUNTY else notice.region.name
    return render_to_string(
        "procedures/notice_print.html",
        {"notice": notice, "items": items, "issuer": issuer, "total_people": sum(i.row.get("size", 0) for i in items),
         "Level": Level},
    )


def notice_pdf(notice: Notice) -> bytes:
    return render_pdf(render_notice_html(notice))
