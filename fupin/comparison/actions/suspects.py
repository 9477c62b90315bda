"""A village's answer to a suspect."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from fupin.audit.services import record_change, snapshot

from ..access import can_verify
from ..models import Suspect, SuspectStatus


def verify_suspect(suspect: Suspect, *, confirmed: bool, acting_user, channel: str, action_taken: str = "",
                   reason: str = "", attachment=None) -> Suspect:
    """The village's answer: confirmed with what was done, or not confirmed with why and a supporting file."""
    if not can_verify(acting_user, suspect):
        raise PermissionDenied("当前账号不能核查该疑点")
    if suspect.status == SuspectStatus.CLOSED:
        raise ValidationError("该疑点已消除，无需核查")
    action_taken, reason = action_taken.strip(), reason.strip()
    errors = {}
    if confirmed and not action_taken:
        errors["action_taken"] = "核实属实的，请填写处理措施（如已启动自然减员、清退程序）"
    if not confirmed:
        if not reason:
            errors["reason"] = "核实不属实的，请说明原因"
        if not attachment and not suspect.attachment:
            errors["attachment"] = "核实不属实的，请上传佐证材料（照片、证明等）"
    if errors:
        raise ValidationError(errors)
    before = snapshot(suspect)
    suspect.status = SuspectStatus.CONFIRMED if confirmed else SuspectStatus.REJECTED
    suspect.action_taken = action_taken if confirmed else ""
    suspect.reason = "" if confirmed else reason
    if attachment:
        folder = f"comparison/suspects/{timezone.localdate():%Y/%m}"
        suspect.attachment = default_storage.save(f"{folder}/{suspect.pk}_{Path(attachment.name).name}", attachment)
    suspect.verified_by = acting_user
    suspect.verified_at = timezone.now()
    with transaction.atomic():
        suspect.save()
        record_change(suspect, before=before, acting_user=acting_user, channel=channel,
                      region_code=suspect.village_code, note="疑点核查")
    return suspect
