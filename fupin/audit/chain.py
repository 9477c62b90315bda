"""The hash chain of the audit log: the one writer of ``AuditLog`` rows, and its verification (docs/audit-log.md).

Each row stores ``prev_hash`` (its predecessor's ``hash``) and ``hash = sha256(prev_hash + "\\n" + content)``, where
``content`` is the canonical serialisation of the row's fields (``HASHED``; not the id, so a restore that renumbers
rows keeps the chain) as compact JSON with sorted keys (orjson). The chain runs in id order. Appending takes the chain
lock (PostgreSQL: a transaction-level advisory lock; SQLite: the write lock every transaction takes, see settings),
reads the head and inserts the rows in order, so ids and links agree even with concurrent writers.

Writing also keeps full ID numbers out of the trail: any ID-number-shaped value in a row is masked before it is
hashed and stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass

import orjson
import polars as pl
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from fupin.core import bulkload
from fupin.core.channels import Channel
from fupin.core.idnumber import mask

from .models import Action, AuditArchive, AuditLog

GENESIS = "0" * 64
# The hashed fields in serialisation order; ``changes`` is last and is the only structured one.
HASHED = ("time", "user_id", "username", "channel", "action", "object_type", "object_id", "object_repr",
          "parent_type", "parent_id", "region_code", "note", "changes")
DEFAULTS = {"user_id": None, "username": "", "parent_type": "", "parent_id": "", "region_code": "", "note": "",
            "changes": "{}"}
# Any key fits the lock as long as every writer uses the same one: "fupin audit" in ASCII, as a bigint.
LOCK_KEY = int.from_bytes(b"fupinaud", "big") >> 1

# 17 digits and a digit or X, not inside a longer run of letters or digits (a hash, an account number).
ID_SHAPED = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
_ID_SHAPED_BYTES = re.compile(ID_SHAPED.pattern.encode())
# The same test for Polars columns (its regex engine has no look-behind); it may flag more, never less.
_ID_SHAPED_COLUMN = r"(^|[^0-9A-Za-z])[0-9]{17}[0-9Xx]([^0-9A-Za-z]|$)"
# orjson writes a float in exponent form with "e+" only from 1e16 up; PostgreSQL's jsonb reads such a number back
# as an integer, so integral floats that large are serialised as integers on every database.
_BIG_FLOAT = re.compile(rb"[0-9]e\+")


def scrub(text: str) -> str:
    """Mask every full ID number inside a text (first 6 and last 4 kept)."""
    return ID_SHAPED.sub(lambda m: mask(m.group(0)), text)


def scrub_value(value):
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [scrub_value(v) for v in value]
    if isinstance(value, dict):
        return {k: scrub_value(v) for k, v in value.items()}
    return value


def _int_floats(value):
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1e16:
        return int(value)
    if isinstance(value, list):
        return [_int_floats(v) for v in value]
    if isinstance(value, dict):
        return {k: _int_floats(v) for k, v in value.items()}
    return value


def _time_text(value: dt.datetime) -> str:
    if timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)  # naive times are UTC, as Django stores them
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def content(values: list) -> bytes:
    """The canonical serialisation of one row: ``values`` in ``HASHED`` order, ``time`` a datetime (or its
    ``_time_text``) and ``changes`` the parsed JSON value."""
    if not isinstance(values[0], str):
        values = [_time_text(values[0]), *values[1:]]
    try:
        data = orjson.dumps(values, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # an integer beyond 64 bits: the standard library writes the same shape
        return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    if b"e+" in data and _BIG_FLOAT.search(data):  # the substring test first: it is far cheaper
        values[-1] = _int_floats(values[-1])
        data = orjson.dumps(values, option=orjson.OPT_SORT_KEYS)
    return data


def link(prev_hash: str, data: bytes) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + data).hexdigest()


def _prepare(values: list) -> tuple[list, bool]:
    """Mask ID-number-shaped values; returns the values and whether any changed."""
    probe = orjson.dumps([v for v in values[1:] if v is not None and not isinstance(v, int)])
    if not _ID_SHAPED_BYTES.search(probe):
        return values, False
    return [values[0], *(scrub_value(v) for v in values[1:])], True


def lock(using: str) -> None:
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    # SQLite: the surrounding transaction began with BEGIN IMMEDIATE (settings), so it already holds the one write
    # lock; no other connection can append between reading the head and inserting.


def head(using: str = DEFAULT_DB_ALIAS) -> str:
    """The hash the next row must carry: the last row's, or the last archive's when the table is empty."""
    last = AuditLog.objects.using(using).order_by("-id").values_list("hash", flat=True).first()
    return last if last is not None else archive_anchor(using)


def archive_anchor(using: str = DEFAULT_DB_ALIAS) -> str:
    """The hash the table's first row must carry: the last archived row's, or the genesis value."""
    archived = AuditArchive.objects.using(using).order_by("-last_id").values_list("last_hash", flat=True).first()
    return archived or GENESIS


TEXTS = frozenset(HASHED) - {"time", "user_id", "changes"}


def _entry_values(entry: AuditLog) -> list:
    if entry.time is None:
        entry.time = timezone.now()
    for name in TEXTS:  # lazy translations and numbers become the text the column stores
        value = getattr(entry, name)
        if type(value) is not str:
            setattr(entry, name, "" if value is None else str(value))
    return [getattr(entry, name) for name in HASHED]


def append(entries: list[AuditLog], *, using: str = DEFAULT_DB_ALIAS) -> list[AuditLog]:
    """Chain and insert unsaved log rows, in the order given (one row: ``save()``; more: a bulk load)."""
    if not entries:
        return entries
    prepared = []
    for entry in entries:
        values, changed = _prepare(_entry_values(entry))
        if changed:
            for name, value in zip(HASHED[1:], values[1:]):
                setattr(entry, name, value)
        prepared.append(content(values))
    with transaction.atomic(using=using):
        lock(using)
        prev = head(using)
        for entry, data in zip(entries, prepared):
            entry.prev_hash, entry.hash = prev, link(prev, data)
            prev = entry.hash
        if len(entries) == 1:
            entries[0].save(using=using, force_insert=True)
        else:
            columns = {f.attname: [getattr(e, f.attname) for e in entries]
                       for f in AuditLog._meta.concrete_fields if not f.primary_key}
            columns["changes"] = [orjson.dumps(e.changes).decode() for e in entries]
            bulkload.load_frame(AuditLog, pl.DataFrame(columns, schema_overrides={"user_id": pl.Int64}, strict=False),
                                using=using)
    return entries


def chain_frame(frame: pl.DataFrame, prev: str, *, chunk_rows: int = 100_000) -> pl.DataFrame:
    """The frame completed with defaults (times in microseconds, UTC), ID numbers masked, and linked after
    ``prev``. Times are formatted and ID numbers looked for over whole columns; Python touches each row once, to
    parse its ``changes``, serialise it and link it (bench/README.md has the cost)."""
    missing = {name: value for name, value in DEFAULTS.items() if name not in frame.columns}
    if "time" not in frame.columns:
        frame = frame.with_columns(time=pl.lit(timezone.now()))
    frame = frame.with_columns(
        [pl.lit(value, dtype=pl.Int64 if name == "user_id" else pl.String).alias(name)
         for name, value in missing.items()]
    )
    utc = pl.col("time") if frame.schema["time"].time_zone else pl.col("time").dt.replace_time_zone("UTC")
    # Microseconds, as both databases store them (PostgreSQL would round finer values, SQLite's text cuts them).
    frame = frame.drop("id", strict=False).with_columns(utc.dt.convert_time_zone("UTC").dt.cast_time_unit("us"))
    texts = [name for name in HASHED[1:] if frame.schema[name] == pl.String]
    flagged = set(
        frame.with_row_index("_row").filter(pl.any_horizontal(
            pl.col(name).str.contains(_ID_SHAPED_COLUMN).fill_null(False) for name in texts
        ))["_row"].to_list()
    )
    time_text = pl.col("time").dt.strftime("%Y-%m-%dT%H:%M:%S%.6f+00:00")  # as _time_text writes it
    loads, hashes, replaced, first = orjson.loads, [], {}, prev
    for offset in range(0, frame.height, chunk_rows):
        chunk = frame.slice(offset, chunk_rows).select(time_text, *HASHED[1:])
        for index, row in enumerate(zip(*(chunk[name].to_list() for name in chunk.columns)), start=offset):
            values = list(row)
            values[-1] = loads(values[-1])
            if index in flagged:
                values, changed = _prepare(values)
                if changed:
                    replaced[index] = values
            prev = link(prev, content(values))
            hashes.append(prev)
    if replaced:
        fixes = {name: frame[name].to_list() for name in HASHED[1:]}
        for index, values in replaced.items():
            for name, value in zip(HASHED[1:], values[1:]):
                fixes[name][index] = orjson.dumps(value).decode() if name == "changes" else value
        frame = frame.with_columns(pl.Series(name, fixes[name], dtype=frame.schema[name]) for name in fixes)
    linked = pl.Series("hash", hashes, dtype=pl.String)
    return frame.with_columns(linked, prev_hash=linked.shift(1, fill_value=first))


def append_frame(frame: pl.DataFrame, *, using: str = DEFAULT_DB_ALIAS, progress=None) -> int:
    """Chain and insert rows given as a Polars frame (columns = AuditLog field attnames, ``changes`` as JSON text,
    ``time`` optional: now), in frame order. For the batch paths: linear, one pass of Python over the rows."""
    if not frame.height:
        return 0
    with transaction.atomic(using=using):
        lock(using)
        return bulkload.load_frame(AuditLog, chain_frame(frame, head(using)), using=using, progress=progress)


def restart_chain(note: str, *, using: str = DEFAULT_DB_ALIAS) -> AuditLog:
    """After the caller emptied the log (the demo reset): forget the archives and start a new chain with a row that
    records the restart; verification accepts a restart only as the first row of the table."""
    AuditArchive.objects.using(using).all().delete()
    if AuditLog.objects.using(using).exists():
        raise RuntimeError("restart_chain() needs an empty audit log")
    entry = AuditLog(channel=Channel.SYSTEM, action=Action.RESET, object_type="auditlog", object_id="",
                     object_repr="操作日志", note=note)
    with transaction.atomic(using=using):
        lock(using)
        entry.prev_hash = GENESIS
        entry.hash = link(GENESIS, content(_entry_values(entry)))
        entry.save(using=using, force_insert=True)
    return entry


# --- verification ------------------------------------------------------------------------------------------------

@dataclass
class Break:
    """The first broken link: which row, and what kind of damage (``edited``, ``deleted``, ``inserted``)."""

    kind: str
    row_id: int
    time: dt.datetime | None
    detail: str

    def as_dict(self) -> dict:
        return {"kind": self.kind, "row_id": self.row_id, "time": self.time.isoformat() if self.time else None,
                "detail": self.detail}


@dataclass
class Report:
    rows: int
    first_id: int | None
    last_id: int | None
    head: str
    archives: int
    restarted_at: int | None
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None

    def as_dict(self) -> dict:
        return {"ok": self.ok, "rows": self.rows, "first_id": self.first_id, "last_id": self.last_id,
                "head": self.head, "archives": self.archives, "restarted_at": self.restarted_at,
                "broken": self.broken.as_dict() if self.broken else None}


def db_rows(using: str = DEFAULT_DB_ALIAS, *, until: int | None = None, batch: int = 20_000):
    """(id, prev_hash, hash, values in HASHED order) in id order (up to id ``until``), fetched in keyset pages."""
    last = -1
    rows = AuditLog.objects.using(using) if until is None else AuditLog.objects.using(using).filter(id__lte=until)
    while True:
        fetched = list(
            rows.filter(id__gt=last).order_by("id").values_list("id", "prev_hash", "hash", *HASHED)[:batch]
        )
        if not fetched:
            return
        for row in fetched:
            yield row[0], row[1], row[2], list(row[3:])
        last = fetched[-1][0]


def walk(rows, anchor: str) -> tuple[int, int | None, int | None, str, int | None, Break | None]:
    """Check every row's own hash and its link, in order, until the first break.

    Returns (rows read, first id, last id, head hash, id of a reset row that restarted the chain, Break or None).
    A broken link at row r is told apart by what its neighbours link to: if r links to the row before its
    predecessor, the predecessor was slipped in; if r's successor links to r's predecessor, r was slipped in;
    otherwise rows before r are missing (or the predecessor was edited and its hash recomputed to hide it).
    """
    rows = iter(rows)
    count, first_id, last_id, restarted = 0, None, None, None
    expected, previous = anchor, None  # previous: (id, prev_hash, time)

    def result(broken):  # the state as it stands when called
        return count, first_id, last_id, expected, restarted, broken

    for row_id, prev_hash, stored, values in rows:
        count += 1
        first_id = row_id if first_id is None else first_id
        if link(prev_hash, content(values)) != stored:
            return result(Break("edited", row_id, values[0], f"第 {row_id} 条记录的内容与其哈希不符：记录已被改动"))
        if previous is None and prev_hash == GENESIS and values[4] == "reset":
            restarted = row_id  # the chain was restarted on purpose (demo reset), with a row saying so
        elif prev_hash != expected:
            if previous is not None and prev_hash == previous[1]:
                return result(Break("inserted", previous[0], previous[2],
                                    f"第 {previous[0]} 条记录不在哈希链上：其前后两条记录直接相连，它是后插入的"))
            else:
                following = next(rows, None)
                if following is not None and following[1] == expected:
                    return result(Break("inserted", row_id, values[0],
                                        f"第 {row_id} 条记录不在哈希链上：其前后两条记录直接相连，它是后插入的"))
                after = f"第 {previous[0]} 条之后、" if previous else ""
                return result(Break("deleted", row_id, values[0],
                                    f"{after}第 {row_id} 条之前的记录缺失（被删除），或前一条记录被改动后重算了哈希"))
        previous = (row_id, prev_hash, values[0])
        expected, last_id = stored, row_id
    return count, first_id, last_id, expected, restarted, None


def verify(using: str = DEFAULT_DB_ALIAS) -> Report:
    """Walk the whole chain: the archives' links to each other, then every live row."""
    archives = list(AuditArchive.objects.using(using).order_by("first_id"))
    anchor = GENESIS
    for archive in archives:
        if archive.prev_hash != anchor:
            return Report(0, None, None, anchor, len(archives), None, Break(
                "deleted", archive.first_id, archive.first_time,
                f"归档（第 {archive.first_id}–{archive.last_id} 条）与其前的记录不相连"))
        anchor = archive.last_hash
    count, first_id, last_id, head_hash, restarted, broken = walk(db_rows(using), anchor)
    return Report(count, first_id, last_id, head_hash, len(archives), restarted, broken)
