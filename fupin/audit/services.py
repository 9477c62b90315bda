"""Recording writes (痕迹管理). Service functions call these; views never write audit rows themselves.

Changes are stored as ``{field: [before, after]}`` over concrete fields. Sensitive fields are masked before they
are written, so the trail itself leaks no ID or bank numbers.

Every row goes through ``append`` (instances) or ``append_frame`` (a Polars frame, for batch paths), which chain
it (``audit.chain``); nothing else inserts into the table.
"""

import datetime as dt
import decimal

import polars as pl
from django.db import DEFAULT_DB_ALIAS, models
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from fupin.core.exports import FULL_NOTE
from fupin.core.idnumber import mask

from . import archive, chain
from .chain import append, append_frame, restart_chain
from .models import Action, AuditArchive, AuditLog

__all__ = ["append", "append_frame", "restart_chain", "build_entry", "record_change", "record_created_frame",
           "record_event", "record_export", "snapshot", "diff", "history_for"]

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


def _acting(user):
    """The account a row is logged under: none for the system and for anonymous callers."""
    return user if user is not None and user.is_authenticated else None


def build_entry(instance, *, before, after, acting_user, channel, action=None, region_code=None, note="") -> AuditLog:
    """An unsaved log row; imports collect these and bulk-insert them in the same transaction as the data."""
    if action is None:
        action = Action.CREATE if before is None else Action.DELETE if after is None else Action.UPDATE
    parent_type, parent_id = _parent(instance)
    if region_code is None:
        region_code = getattr(instance, "audit_region_code", "") or ""
    user = _acting(acting_user)
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


def _created_value(model, name: str) -> pl.Expr:
    """A column as ``snapshot`` records the field: masked or hidden when the model says so."""
    value = pl.col(model._meta.get_field(name).attname)
    if name in getattr(model, "masked_fields", ()):
        return value.map_elements(mask, return_dtype=pl.String)
    if name in getattr(model, "hidden_fields", ()):
        return pl.when(value.is_null() | (value == "")).then(value).otherwise(pl.lit(HIDDEN))
    return value


def _created_changes(model, frame: pl.DataFrame, fields) -> pl.Expr:
    """``{field: [null, value]}`` over ``fields`` as JSON text, a field whose value is null left out (as ``diff``
    leaves it); a JSONField's column already holds JSON text and goes in as it is."""
    pieces = []
    for name in fields:
        value = _created_value(model, name)
        if isinstance(model._meta.get_field(name), models.JSONField):
            piece = pl.concat_str([pl.lit(f'"{name}":[null,'), value, pl.lit("]")])
        else:
            pair = pl.concat_list([pl.lit(None, dtype=frame.head(0).select(value).dtypes[0]), value])
            piece = pl.struct(pair.alias(name)).struct.json_encode().str.strip_prefix("{").str.strip_suffix("}")
        pieces.append(pl.when(value.is_not_null()).then(piece))
    return pl.concat_str([pl.lit("{"), pl.concat_str(pieces, separator=",", ignore_nulls=True), pl.lit("}")])


def record_created_frame(model, frame: pl.DataFrame, *, fields, object_repr: pl.Expr, acting_user, channel,
                         note="") -> int:
    """The create rows of ``model`` records just bulk-loaded from ``frame`` (columns = attnames, the key included),
    as ``record_change`` would write them one by one, over ``fields``; filed under the model's
    ``audit_region_field`` and ``audit_parent_field`` (single foreign keys here). For batch paths: whole columns,
    no instance per row. Returns the number of rows written."""
    user = _acting(acting_user)
    meta = model._meta
    parent_type, parent_id = pl.lit(""), pl.lit("")
    if model.audit_parent_field:
        parent = meta.get_field(model.audit_parent_field)
        key, kind = pl.col(parent.attname), parent.related_model._meta.model_name
        parent_type = pl.when(key.is_not_null()).then(pl.lit(kind)).otherwise(pl.lit(""))
        parent_id = key.cast(pl.String).fill_null("")
    return append_frame(frame.select(
        pl.lit(user.pk if user else None, dtype=pl.Int64).alias("user_id"),
        pl.lit(user.username if user else "").alias("username"), pl.lit(channel).alias("channel"),
        pl.lit(Action.CREATE.value).alias("action"), pl.lit(meta.model_name).alias("object_type"),
        pl.col(meta.pk.attname).cast(pl.String).alias("object_id"), object_repr.alias("object_repr"),
        parent_type.alias("parent_type"), parent_id.alias("parent_id"),
        pl.col(meta.get_field(model.audit_region_field).attname).fill_null("").alias("region_code"),
        _created_changes(model, frame, fields).alias("changes"), pl.lit(note).alias("note"),
    ))


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
