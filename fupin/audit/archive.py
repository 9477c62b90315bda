"""Archiving old audit rows (docs/audit-log.md): moved to a compressed file, never simply deleted.

``archive(before=…)`` takes the oldest stretch of the chain — every row up to the first one written at or after
``before`` — writes it to a gzip file of JSON lines (a manifest line, then one row per line with its hashes), records
the file in ``AuditArchive`` with its SHA-256, removes the rows from the table and appends a row saying so. The
next row still carries the last archived hash, so the chain verifies across the cut; ``verify_file`` re-reads a file
and checks its digest and its own links. Rows younger than FUPIN_AUDIT_RETENTION_DAYS (at least 183 days,
网络安全法 Art. 21) are never archived.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
from pathlib import Path

import orjson
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from . import chain
from .models import Action, AuditArchive, AuditLog

FORMAT = "fupin-audit-archive/1"
LEGAL_MINIMUM_DAYS = 183  # 网络安全法 Art. 21: network logs kept no less than six months


def retention_days() -> int:
    days = settings.FUPIN_AUDIT_RETENTION_DAYS
    if days < LEGAL_MINIMUM_DAYS:
        raise ValidationError(f"操作日志保存期限不得少于 {LEGAL_MINIMUM_DAYS} 天（当前设置为 {days} 天）")
    return days


def latest_cut() -> dt.datetime:
    """The latest ``before`` an archive may use: rows younger than the retention period stay in the table."""
    return timezone.now() - dt.timedelta(days=retention_days())


def _row_record(row_id, prev_hash, stored, values) -> bytes:
    record = dict(zip(chain.HASHED, values))
    record["time"] = chain._time_text(values[0])
    return orjson.dumps({"id": row_id, "prev_hash": prev_hash, "hash": stored, **record}) + b"\n"


def archive(*, before: dt.datetime, acting_user, channel, using: str = DEFAULT_DB_ALIAS) -> AuditArchive | None:
    """Move the rows before ``before`` into an archive file; None when there is nothing to archive."""
    limit = latest_cut()
    if before > limit:
        raise ValidationError(
            f"只能归档保存期限（{retention_days()} 天）以前的日志，截止日期不得晚于 {timezone.localtime(limit):%Y-%m-%d}")
    folder = Path(settings.FUPIN_AUDIT_ARCHIVE_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    with transaction.atomic(using=using):
        chain.lock(using)
        logs = AuditLog.objects.using(using)
        newer = logs.filter(time__gte=before).order_by("id").values_list("id", flat=True).first()
        last_id = (logs.filter(id__lt=newer) if newer else logs).order_by("-id").values_list("id", flat=True).first()
        if last_id is None:
            return None
        report = chain.verify(using)
        if not report.ok and report.broken.row_id <= last_id:
            raise ValidationError(f"哈希链在第 {report.broken.row_id} 条处已损坏，不能归档：{report.broken.detail}")
        anchor = chain.archive_anchor(using)
        path = folder / f"audit-{timezone.localtime():%Y%m%d-%H%M%S}-{last_id}.jsonl.gz"
        digest, count, first, last = hashlib.sha256(), 0, None, None
        try:
            with open(path, "xb") as raw:
                with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
                    out.write(orjson.dumps({"format": FORMAT, "prev_hash": anchor, "before": before.isoformat()})
                              + b"\n")
                    for row in chain.db_rows(using, until=last_id):
                        out.write(_row_record(*row))
                        first = first or row
                        last, count = row, count + 1
                raw.flush()
            digest.update(path.read_bytes())
            _delete_through(last_id, before, using)
            record = AuditArchive.objects.using(using).create(
                username=getattr(acting_user, "username", "") or "", path=str(path), sha256=digest.hexdigest(),
                before=before, first_id=first[0], last_id=last[0], first_time=first[3][0], last_time=last[3][0],
                rows=count, prev_hash=first[1], last_hash=last[2],
            )
            user = acting_user if acting_user is not None and acting_user.is_authenticated else None
            chain.append([AuditLog(
                user=user, username=user.username if user else "", channel=channel, action=Action.ARCHIVE,
                object_type="auditarchive", object_id=str(record.pk), object_repr=path.name,
                note=f"归档第 {first[0]}–{last[0]} 条操作日志，共 {count} 条",
                changes={"rows": [None, count], "last_hash": [None, last[2]], "sha256": [None, record.sha256]},
            )], using=using)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    return record


def _delete_through(last_id: int, before: dt.datetime, using: str) -> None:
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The append-only trigger lets these rows go only because the cut is announced for this transaction.
            cursor.execute("SELECT set_config('fupin.audit_archive_before', %s, true)", [before.isoformat()])
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(AuditLog._meta.db_table)} WHERE id <= %s", [last_id])
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('fupin.audit_archive_before', '', true)")


def verify_file(record: AuditArchive) -> chain.Break | None:
    """Re-read an archive file: its digest must match the record, and its rows must chain from ``prev_hash``."""
    path = Path(record.path)
    if not path.exists():
        return chain.Break("deleted", record.first_id, record.first_time, f"归档文件 {path.name} 不存在")
    if hashlib.sha256(path.read_bytes()).hexdigest() != record.sha256:
        return chain.Break("edited", record.first_id, record.first_time, f"归档文件 {path.name} 的摘要与登记不符")

    def rows(lines):
        for line in lines:
            data = orjson.loads(line)
            values = [data[name] for name in chain.HASHED]
            values[0] = dt.datetime.fromisoformat(values[0])
            yield data["id"], data["prev_hash"], data["hash"], values

    with gzip.open(path, "rb") as lines:
        manifest = orjson.loads(next(lines))
        count, _, _, head, _, broken = chain.walk(rows(lines), manifest["prev_hash"])
    if broken is None and (head != record.last_hash or count != record.rows):
        return chain.Break("deleted", record.last_id, record.last_time, f"归档文件 {path.name} 的记录不完整")
    return broken
