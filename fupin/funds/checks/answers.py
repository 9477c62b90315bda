"""The responsible region's answer to an anomaly: 属实, 不属实 or 已整改, with an explanation."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from fupin.audit.services import record_change, snapshot

from ..models import Anomaly, AnomalyStatus
from .access import can_answer

ANSWERS = (AnomalyStatus.CONFIRMED, AnomalyStatus.REJECTED, AnomalyStatus.RECTIFIED)
HINTS = {AnomalyStatus.CONFIRMED: "核实属实的，请填写处理情况（如已启动追回、已上报）",
         AnomalyStatus.REJECTED: "核实不属实的，请说明原因和依据",
         AnomalyStatus.RECTIFIED: "已整改的，请说明整改情况（如追回金额、补办手续）"}


def answer_anomaly(anomaly: Anomaly, *, status: str, answer: str, acting_user, channel: str) -> Anomaly:
    if not can_answer(acting_user, anomaly):
        raise PermissionDenied("当前账号不能答复该资金异常")
    if anomaly.status == AnomalyStatus.CLOSED:
        raise ValidationError("该异常已消除，无需答复")
    if status not in ANSWERS:
        raise ValidationError({"status": "请选择核实结果：属实、不属实或已整改"})
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": HINTS[AnomalyStatus(status)]})
    before = snapshot(anomaly)
    anomaly.status, anomaly.answer = status, answer[:2000]
    anomaly.answered_by, anomaly.answered_at = acting_user, timezone.now()
    with transaction.atomic():
        anomaly.save(update_fields=["status", "answer", "answered_by", "answered_at"])
        record_change(anomaly, before=before, acting_user=acting_user, channel=channel, note="资金异常核实答复")
    return anomaly
