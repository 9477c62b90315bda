"""Audit log columns for the export."""

import json
from functools import cache

from django.apps import apps

from fupin.core.channels import Channel
from fupin.core.tables import DATETIME, Column, Table

from .chain import scrub
from .models import Action, AuditLog


@cache
def _object_type(model_name: str) -> str:
    for model in apps.get_models():
        if model._meta.model_name == model_name:
            return str(model._meta.verbose_name)
    return model_name


def _changes(changes) -> str:
    """{field: [before, after]} as one line per field; masked when it was recorded, and again here for rows
    written before the writer masked every ID number."""
    if not changes:
        return ""
    return scrub("\n".join(
        f"{field}: {json.dumps(pair[0], ensure_ascii=False)} → {json.dumps(pair[1], ensure_ascii=False)}"
        if isinstance(pair, list) and len(pair) == 2 else f"{field}: {json.dumps(pair, ensure_ascii=False)}"
        for field, pair in changes.items()
    ))


audit_logs = Table(
    "操作日志",
    AuditLog,
    [
        Column("时间", "time", DATETIME),
        Column("操作人", "username", width=16),
        Column("渠道", "channel", choices=dict(Channel.choices)),
        Column("操作", "action", choices=dict(Action.choices), width=14),
        Column("对象类型", "object_type", transform=_object_type, width=14),
        Column("对象编号", "object_id", transform=scrub),
        Column("对象", "object_repr", transform=scrub, width=24),
        Column("区划代码", "region_code", width=15),
        Column("变更内容", "changes", transform=_changes, width=60),
        Column("说明", "note", transform=scrub, width=30),
    ],
    order_by=("-time", "-id"),
)
