"""Recording writes (痕迹管理). Service functions call these; views never write audit rows themselves.

Changes are stored as ``{field: [before, after]}`` over concrete fields. Sensitive fields are masked before they
are written, so the trail itself leaks no ID or bank numbers.

Every row goes through ``append`` (instances) or ``append_frame`` (a Polars frame, for batch paths), which chain
it (``audit.chain``); nothing else inserts into the table.
"""

import datetime as dt
import decimal

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from fupin.core.exports import FULL_NOTE
from fupin.core.idnumber import mask

from . import archive, chain
from .chain import append, append_frame, restart_chain
from .models import Action, AuditArchive, AuditLog

__all__ = ["append", "append_frame", "restart_chain", "build_entry", "record_change", "record_event", "record_export",
           "snapshot", "diff", "history_for"]

HIDDEN = "（已隐藏）"


def _plain(value):
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def snapshot(instance) -> dict:
    """Field values of a model instance, JSON-ready; ``masked_fields`` are masked, ``hidden_fields`` hidden."""
    masked = getattr(instance, "masked_fields", ())
    hidden = getattr(instance, "hidden_fields", ())
    data = {}
    for field in instance._meta.concrete_fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            continue  # bookkeeping timestamps: the log entry has its own time
        value = getattr(instance, field.attname)
        if field.name in masked:
            value = mask(value)
        elif field.name in hidden and value not in ("", None):
            value = HIDDEN
        data[field.name] = _plain(value)
    return data


def diff(before: dict | None, after: dict | None) -> dict:
    before = before or {}
    after = after or {}
    keys = after.keys() | before.keys()
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def _parent(instance):
    parent = getattr(instance, "audit_parent", None)
    if parent is None:
        return "", ""
    return parent._meta.model_name, str(parent.pk)


def build_entry(instance, *, before, after, acting_user, channel, action=None, region_code=None, note="") -> AuditLog:
    """An unsaved log row; imports collect these and bulk-insert them in the same transaction as the data."""
    if action is None:
        action = Action.CREATE if before is None else Action.DELETE if after is None else Action.UPDATE
    parent_type, parent_id = _parent(instance)
    if region_code is None:
        region_code = getattr(instance, "audit_region_code", "") or ""
    user = acting_user if acting_user is not None and acting_user.is_authenticated else None
    return AuditLog(
        user=user,
        username=user.username if user else "",
        channel=channel,
        action=action,
        object_type=instance._meta.model_name,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        parent_type=parent_type,
        parent_id=parent_id,
        region_code=region_code,
        changes=diff(before, after),
        note=note,
    )


def record_change(instance, *, before, acting_user, channel, action=None, region_code=None, note="") -> AuditLog | None:
    """Log a create (before=None), an update, or a delete (action=DELETE, called before the row goes)."""
    after = None if action == Action.DELETE else snapshot(instance)
    entry = build_entry(
        instance, before=before, after=after, acting_user=acting_user, channel=channel, action=action,
        region_code=region_code, note=note,
    )
    if entry.action == Action.UPDATE and not entry.changes:
        return None  # a save that changed nothing leaves no trace
    append([entry])
    return entry


def record_event(instance, *, action, acting_user, channel, note="", region_code=None) -> AuditLog:
    """A non-write event worth tracing, such as opening a full ID number."""
    entry = build_entry(
        instance, before={}, after={}, acting_user=acting_user, channel=channel, action=action,
        region_code=region_code, note=note,
    )
    append([entry])
    return entry


def record_export(user, *, title: str, model_name: str, count: int, full: bool, masked: bool, channel: str,
                  filters: str) -> None:
    """The audit row of an export (installed as core.hooks.record_export by this app)."""
    note = "；".join(filter(None, (FULL_NOTE if full else "证件号码已脱敏" if masked else "",
                                    f"筛选：{filters}" if filters else "")))
    append([AuditLog(
        user=user, username=user.username if user else "", channel=channel, action=Action.EXPORT,
        object_type=model_name, object_id="", object_repr=f"导出{title}（{count} 行）",
        region_code=(user.region_id or "") if user else "", note=note[:200],
    )])


def history_for(instance):
    """A record's own changes and those of its children (members, accounts, checks of a household)."""
    kind, pk = instance._meta.model_name, str(instance.pk)
    return AuditLog.objects.filter(
        Q(object_type=kind, object_id=pk) | Q(parent_type=kind, parent_id=pk)
    ).select_related("user")


BREAK_KINDS = {"edited": "记录被改动", "deleted": "记录被删除", "inserted": "记录被插入"}


def describe(report) -> str:
    """One Chinese sentence for a verification result (command, page and job)."""
    if report.ok:
        span = f"（第 {report.first_id}–{report.last_id} 条）" if report.first_id else ""
        return f"哈希链完整：共 {report.rows} 条记录{span}，归档 {report.archives} 份，链头哈希 {report.head}"
    broken = report.broken
    when = f"（{timezone.localtime(broken.time):%Y-%m-%d %H:%M:%S}）" if broken.time else ""
    return f"哈希链断裂：第 {broken.row_id} 条{when}，{BREAK_KINDS[broken.kind]}。{broken.detail}"


def verify_log(*, files: bool = False, using: str = DEFAULT_DB_ALIAS):
    """The chain's state: the first broken link if any (archive files re-read too with ``files``)."""
    report = chain.verify(using)
    if files and report.ok:
        for record in AuditArchive.objects.using(using).order_by("first_id"):
            if (broken := archive.verify_file(record)) is not None:
                report.broken = broken
                break
    return report
