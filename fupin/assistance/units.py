"""定点帮扶单位: a unit's pairing with a village, its 三年帮扶规划, yearly plans and year-end summaries (seed 003:
三年帮扶规划、年初有计划、年末有总结) with attachments, and what of them is missing."""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from fupin.audit.services import record_change, snapshot
from fupin.core import validators
from fupin.regions.models import Level

from .models import PlanAttachment, PlanKind, UnitPairing, UnitPlan
from .services import ensure_can_manage

MAX_FILES = 5
MAX_FILE_BYTES = 20 * 1024 * 1024
FILE_SUFFIXES = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".jpg", ".jpeg", ".png"}
THREE_YEARS = 3


def is_current(pairing: UnitPairing, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return pairing.start <= today and (pairing.end is None or pairing.end >= today)


@transaction.atomic
def save_pairing(pairing: UnitPairing, *, acting_user, channel) -> UnitPairing:
    ensure_can_manage(acting_user, pairing.village_id or "")
    before = None
    if pairing.pk:
        original = UnitPairing.objects.get(pk=pairing.pk)
        ensure_can_manage(acting_user, original.village_id)
        before = snapshot(original)
    errors = {}
    if pairing.village.level != Level.VILLAGE:
        errors["village"] = "帮扶村应为村级区划"
    if pairing.end and pairing.end < pairing.start:
        errors["end"] = "帮扶结束不能早于帮扶开始"
    if pairing.phone and (problem := validators.phone(pairing.phone)):
        errors["phone"] = problem
    overlapping = UnitPairing.objects.filter(unit=pairing.unit.strip(), village_id=pairing.village_id,
                                             end__isnull=True).exclude(pk=pairing.pk)
    if pairing.end is None and overlapping.exists():
        errors["unit"] = f"{pairing.unit}已在定点帮扶{pairing.village.name}"
    if errors:
        raise ValidationError(errors)
    pairing.unit = pairing.unit.strip()
    pairing.full_clean()
    pairing.save()
    record_change(pairing, before=before, acting_user=acting_user, channel=channel)
    return pairing


@transaction.atomic
def save_plan(plan: UnitPlan, files=(), *, acting_user, channel) -> UnitPlan:
    """A plan or summary as text, with attachments (added to those already kept)."""
    pairing = plan.pairing
    ensure_can_manage(acting_user, pairing.village_id)
    errors = {}
    if not (plan.text or "").strip():
        errors["text"] = "请填写内容"
    if plan.year and not (pairing.start.year <= plan.year <= (pairing.end or timezone.localdate()).year + 1):
        errors["year"] = "年度应在定点帮扶期间内"
    if UnitPlan.objects.filter(pairing=pairing, kind=plan.kind, year=plan.year).exclude(pk=plan.pk).exists():
        errors["year"] = f"{plan.year}年的{PlanKind(plan.kind).label}已登记，请修改原记录"
    files = [f for f in files if f]
    kept = plan.attachments.count() if plan.pk else 0
    if kept + len(files) > MAX_FILES:
        errors["files"] = f"每份计划或总结最多{MAX_FILES}个附件"
    for upload in files:
        if PurePath(upload.name).suffix.lower() not in FILE_SUFFIXES:
            errors["files"] = f"附件“{upload.name}”的格式不支持（PDF、Word、Excel、WPS 或图片）"
        elif upload.size > MAX_FILE_BYTES:
            errors["files"] = f"附件“{upload.name}”超过20MB"
    if errors:
        raise ValidationError(errors)
    before = snapshot(UnitPlan.objects.get(pk=plan.pk)) if plan.pk else None
    plan.village_id = pairing.village_id
    plan.text = plan.text.strip()
    if not plan.pk:
        plan.created_by = acting_user
    plan.save()
    for upload in files:
        stored = PlanAttachment(plan=plan, original_name=PurePath(upload.name).name[:200], size=upload.size)
        stored.file.save(upload.name, upload, save=False)
        stored.save()
    record_change(plan, before=before, acting_user=acting_user, channel=channel,
                  note=f"附件{len(files)}个" if files else "")
    return plan


def missing(pairing: UnitPairing, today: dt.date | None = None) -> list[str]:
    """What a current pairing has not filed: a 三年帮扶规划 covering this year, this year's plan, last year's
    summary (if it was paired last year). Reads ``pairing.plans.all()`` (prefetch it for a list)."""
    today = today or timezone.localdate()
    if not is_current(pairing, today):
        return []
    plans = {(p.kind, p.year) for p in pairing.plans.all()}
    problems = []
    if not any((PlanKind.THREE_YEAR, y) in plans for y in range(today.year - THREE_YEARS + 1, today.year + 1)):
        problems.append("缺三年帮扶规划")
    if (PlanKind.PLAN, today.year) not in plans:
        problems.append(f"缺{today.year}年度帮扶计划")
    if pairing.start.year < today.year and (PlanKind.SUMMARY, today.year - 1) not in plans:
        problems.append(f"缺{today.year - 1}年度帮扶总结")
    return problems
