"""Assistance actions: helpers, pairing, measures and visits. Every write checks scope, validates and is audited
(region code = the household's village)."""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from fupin.accounts.models import Role
from fupin.audit.services import record_change, snapshot
from fupin.core.scope import in_scope
from fupin.monitoring.models import MonitoredHousehold, MonitoredStatus
from fupin.registry.models import Household

from .models import Helper, Measure, MeasureStatus, Pairing, Visit, VisitPhoto

MANAGERS = {Role.VILLAGE, Role.TOWNSHIP, Role.COUNTY, Role.ADMIN}
MAX_PHOTOS = 6
MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif", ".gif"}


def can_manage(user, region_code: str) -> bool:
    return (user.is_superuser or (user.can_write and user.role in MANAGERS)) and in_scope(user, region_code)


def ensure_can_manage(user, region_code: str) -> None:
    if not (user.is_superuser or (user.can_write and user.role in MANAGERS)):
        raise PermissionDenied("当前账号不能维护帮扶信息")
    if not in_scope(user, region_code):
        raise PermissionDenied("该记录不在当前账号的管辖范围内")


def helpers_of(user):
    """The helper profiles linked to this login (a helper records visits for their paired households)."""
    return Helper.objects.filter(user=user, active=True) if user.is_authenticated else Helper.objects.none()


def current_pairings(household=None, helper=None):
    today = timezone.localdate()
    pairings = Pairing.objects.filter(Q(end__isnull=True) | Q(end__gte=today), start__lte=today)
    if household is not None:
        pairings = pairings.filter(household=household)
    if helper is not None:
        pairings = pairings.filter(helper=helper)
    return pairings


def is_paired_helper(user, household) -> bool:
    return current_pairings(household).filter(helper__user=user, helper__active=True).exists()


# --- helpers and pairing ---------------------------------------------------------------------------------------

@transaction.atomic
def save_helper(helper: Helper, *, acting_user, channel) -> Helper:
    ensure_can_manage(acting_user, helper.region_id)
    before = None
    if helper.pk:
        original = Helper.objects.get(pk=helper.pk)
        ensure_can_manage(acting_user, original.region_id)
        before = snapshot(original)
    if helper.phone and not (helper.phone.isdigit() and len(helper.phone) in (7, 8, 11, 12)):
        raise ValidationError({"phone": "联系电话应为11位手机号码或固定电话号码"})
    helper.full_clean()
    helper.save()
    record_change(helper, before=before, acting_user=acting_user, channel=channel)
    return helper


@transaction.atomic
def pair(helper: Helper, household: Household, *, start: dt.date, acting_user, channel) -> Pairing:
    """结对: pair a helper with a household (the helper's region must cover the household's village)."""
    ensure_can_manage(acting_user, household.village_id)
    if not helper.active:
        raise ValidationError({"helper": f"{helper.name}已不在岗，不能结对"})
    if not household.village_id.startswith(helper.region.prefix):
        raise ValidationError({"helper": f"{helper.name}的帮扶地区（{helper.region.name}）不包含该户所在村"})
    if current_pairings(household, helper).exists():
        raise ValidationError({"helper": f"{helper.name}已与该户结对"})
    if start > timezone.localdate():
        raise ValidationError({"start": "帮扶开始时间不能晚于今天"})
    pairing = Pairing.objects.create(helper=helper, household=household, village_id=household.village_id, start=start)
    record_change(pairing, before=None, acting_user=acting_user, channel=channel, note=f"结对：{helper.name}")
    return pairing


@transaction.atomic
def end_pairing(pairing: Pairing, *, end: dt.date, reason: str, acting_user, channel) -> Pairing:
    """取消结对: keep the record with its end date and reason."""
    ensure_can_manage(acting_user, pairing.village_id)
    if pairing.end is not None:
        raise ValidationError("该结对已结束")
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写取消结对原因"})
    if end < pairing.start:
        raise ValidationError({"end": "结束时间不能早于开始时间"})
    before = snapshot(pairing)
    pairing.end, pairing.end_reason = end, reason.strip()
    pairing.save()
    record_change(pairing, before=before, acting_user=acting_user, channel=channel, note="取消结对")
    return pairing


# --- measures ----------------------------------------------------------------------------------------------------

def current_monitored(household) -> MonitoredHousehold | None:
    """The household's monitoring now under way, if any (its measures belong to it)."""
    return MonitoredHousehold.objects.filter(household=household, status=MonitoredStatus.MONITORING).first()


@transaction.atomic
def save_measure(measure: Measure, *, acting_user, channel) -> Measure:
    household = measure.household
    ensure_can_manage(acting_user, household.village_id)
    errors = {}
    if measure.amount is not None and measure.amount < 0:
        errors["amount"] = "金额不能为负数"
    if measure.date and measure.date > timezone.localdate() and measure.status != MeasureStatus.PLANNED:
        errors["date"] = "实施日期晚于今天的措施，状态应为“计划”"
    if measure.helper_id and not current_pairings(household, measure.helper).exists():
        errors["helper"] = "落实人应为与该户结对的帮扶责任人"
    if errors:
        raise ValidationError(errors)
    measure.village_id = household.village_id
    before = None
    if measure.pk:
        before = snapshot(Measure.objects.get(pk=measure.pk))
    elif measure.monitored_id is None:
        measure.monitored = current_monitored(household)
        measure.created_by = acting_user
    measure.full_clean(exclude=["household", "village", "monitored", "helper"])
    measure.save()
    record_change(measure, before=before, acting_user=acting_user, channel=channel)
    return measure


# --- visits ------------------------------------------------------------------------------------------------------

def ensure_can_visit(user, household: Household) -> None:
    """Village (and higher) staff in scope, or a helper paired with the household, may record a visit."""
    if can_manage(user, household.village_id) or is_paired_helper(user, household):
        return
    raise PermissionDenied("只有与该户结对的帮扶责任人或辖区工作人员可以记录走访")


@transaction.atomic
def record_visit(visit: Visit, photos=(), *, acting_user, channel) -> Visit:
    household = visit.household
    ensure_can_visit(acting_user, household)
    errors = {}
    if not (visit.content or "").strip():
        errors["content"] = "请填写走访内容"
    if visit.date and visit.date > timezone.localdate():
        errors["date"] = "走访日期不能晚于今天"
    if not visit.helper_id:
        errors["helper"] = "请选择走访人"
    elif not current_pairings(household, visit.helper).exists() and not can_manage(acting_user, household.village_id):
        errors["helper"] = "走访人应为与该户结对的帮扶责任人"
    if (visit.latitude is None) != (visit.longitude is None):
        errors["latitude"] = "定位需同时有经度和纬度"
    elif visit.latitude is not None and not (-90 <= visit.latitude <= 90 and -180 <= visit.longitude <= 180):
        errors["latitude"] = "定位坐标超出范围"
    photos = [p for p in photos if p]
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = f"每次走访最多上传{MAX_PHOTOS}张照片"
    for photo in photos:
        suffix = PurePath(photo.name).suffix.lower()
        if suffix not in PHOTO_SUFFIXES:
            errors["photos"] = f"照片“{photo.name}”不是图片文件（支持 JPG、PNG、WEBP、HEIC）"
        elif photo.size > MAX_PHOTO_BYTES:
            errors["photos"] = f"照片“{photo.name}”超过10MB"
    if errors:
        raise ValidationError(errors)
    visit.village_id = household.village_id
    visit.content = visit.content.strip()
    visit.created_by = acting_user
    visit.save()
    for photo in photos:
        stored = VisitPhoto(visit=visit, original_name=PurePath(photo.name).name[:200], size=photo.size)
        stored.file.save(photo.name, photo, save=False)
        stored.save()
    note = f"走访记录（{len(photos)}张照片）" if photos else "走访记录"
    record_change(visit, before=None, acting_user=acting_user, channel=channel, note=note)
    return visit


def record_visit_once(visit: Visit, photos=(), *, acting_user, channel) -> tuple[Visit, bool]:
    """A visit the phone queued with its ``client_uuid``: the first send records it, a resend (the answer was lost
    on a poor signal) gets the visit already recorded. Returns (visit, created)."""
    if visit.client_uuid is None:
        return record_visit(visit, photos, acting_user=acting_user, channel=channel), True
    visit.client_uuid = str(visit.client_uuid)  # as text, the form the audit snapshot (plain JSON) keeps
    existing = Visit.objects.filter(client_uuid=visit.client_uuid).first()
    if existing is None:
        try:
            return record_visit(visit, photos, acting_user=acting_user, channel=channel), True
        except IntegrityError:  # the same visit arrived twice at once: the other request recorded it
            existing = Visit.objects.get(client_uuid=visit.client_uuid)
    if existing.household_id != visit.household_id:
        raise ValidationError({"client_uuid": "该走访编号已用于其他户的走访"})
    ensure_can_visit(acting_user, existing.household)
    return existing, False


def my_households(user):
    """The current pairings of the helper profiles linked to this login (``plans.mine`` adds the due dates)."""
    return (
        current_pairings().filter(helper__user=user, helper__active=True)
        .select_related("household", "household__village", "helper")
    )
