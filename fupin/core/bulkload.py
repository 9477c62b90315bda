"""Bulk loading: put many rows into one table fast, for batch paths (demo data, large imports, comparison results).

PostgreSQL gets ``COPY … FROM STDIN`` through psycopg; SQLite gets ``executemany`` in large batches. A Polars
DataFrame is the fast path (on PostgreSQL Polars writes the CSV that COPY reads); an iterable of row tuples works
too. No model code runs: no ``save()``, no signals, no validation — callers validate the columns first.

Callers own the transaction: wrap a load in ``transaction.atomic(using)`` to make it all-or-nothing (the functions
here open one themselves when there is none). Rows carry explicit primary keys taken from ``allocate_ids``, so
related tables can be filled in the same pass without reading ids back.

    with transaction.atomic(), bulk_session():
        first = allocate_ids(Household, len(frame))
        load_frame(Household, frame.with_columns(id=pl.int_range(first, first + len(frame))))
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from decimal import Decimal
from itertools import islice

import polars as pl
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import timezone

# progress(table, rows loaded so far, total rows or None when the source is a stream)
Progress = Callable[[str, int, int | None], None]

CHUNK_ROWS = 100_000
_NULL = r"\N"


def _resolve(target, columns: Sequence[str]) -> tuple[str, list[str]]:
    """Table and column names; a model target accepts field names or attnames (``village`` or ``village_id``)."""
    if isinstance(target, str):
        return target, list(columns)
    opts = target._meta
    return opts.db_table, [opts.get_field(name).column for name in columns]


def _defaults(target, columns: Sequence[str]) -> dict[str, object]:
    """Model fields missing from ``columns`` → the value a ``save()`` would give them (Django defaults live in
    Python, not in the table). Nullable fields without a default stay NULL; an absent auto primary key is left to
    the database."""
    if isinstance(target, str):
        return {}
    opts = target._meta
    given = {opts.get_field(name).attname for name in columns}
    now = timezone.now()
    values = {}
    for f in opts.concrete_fields:
        if f.attname in given or f.primary_key:
            continue
        value = now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default()
        if value is None and f.null:
            continue
        values[f.attname] = json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value
    return values


def _sqlite_value(value):
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.make_naive(value, dt.UTC)
        return str(value)
    if isinstance(value, (dt.date, Decimal)):
        return str(value)
    return value


def _vendor(using: str) -> str:
    return connections[using].vendor


def _raw_connection(using: str):
    connection = connections[using]
    connection.ensure_connection()
    return connection.connection


@contextmanager
def bulk_session(using: str = DEFAULT_DB_ALIAS):
    """Relax durability for the duration of a bulk load, then restore it.

    SQLite: a bigger page cache, and ``synchronous=OFF`` when not already inside a transaction (in WAL mode a
    crash can lose the last transactions, never corrupt the file). PostgreSQL: ``synchronous_commit=off`` (the
    same trade-off). Nothing is relaxed that could leave a half-written database.
    """
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA cache_size")
            restore = [(f"PRAGMA cache_size={int(cursor.fetchone()[0])}", None)]
            cursor.execute("PRAGMA cache_size=-262144")  # 256 MiB
            if not connection.in_atomic_block:  # SQLite refuses to change it inside a transaction
                cursor.execute("PRAGMA synchronous")
                restore.append((f"PRAGMA synchronous={int(cursor.fetchone()[0])}", None))
                cursor.execute("PRAGMA synchronous=OFF")
        elif connection.vendor == "postgresql":
            cursor.execute("SHOW synchronous_commit")
            previous = cursor.fetchone()[0]
            cursor.execute("SET synchronous_commit TO off")
            restore = [("SELECT set_config('synchronous_commit', %s, false)", [previous])]
        else:
            restore = []
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for statement, params in restore:
                cursor.execute(statement, params)


@contextmanager
def deferred_indexes(*targets: type[models.Model], using: str = DEFAULT_DB_ALIAS):
    """Drop the plain (non-unique) secondary indexes of these tables and build them again on the way out.

    Building an index once after the load is several times faster than updating it row by row, for a load that
    is large next to what the table holds. Unique indexes stay, so duplicates still fail at once. Needs a
    transaction: PostgreSQL and SQLite roll DDL back, so a load that fails leaves every index in place.
    """
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("deferred_indexes() must run inside transaction.atomic()")
    qn = connection.ops.quote_name
    indexes: list[tuple[str, str]] = []  # (name, CREATE INDEX statement)
    with connection.cursor() as cursor:
        for model in targets:
            table = model._meta.db_table
            if connection.vendor == "postgresql":
                cursor.execute(
                    """
                    SELECT i.relname, pg_get_indexdef(i.oid)
                    FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                    WHERE x.indrelid = %s::regclass AND NOT x.indisunique AND NOT x.indisprimary
                      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
                    """,
                    [qn(table)],
                )
                indexes += cursor.fetchall()
            elif connection.vendor == "sqlite":
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                    [table],
                )
                indexes += [
                    (name, sql) for name, sql in cursor.fetchall() if not sql.upper().startswith("CREATE UNIQUE")
                ]
        if connection.vendor == "postgresql":
            connection.check_constraints()  # PostgreSQL refuses index DDL while deferred FK checks are pending
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {qn(name)}")
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            connection.check_constraints()
        for _, statement in indexes:
            cursor.execute(statement)


def allocate_ids(model: type[models.Model], count: int, using: str = DEFAULT_DB_ALIAS) -> int:
    """Reserve ``count`` consecutive primary keys and return the first; call inside the load's transaction.

    PostgreSQL: the table is locked against other writers for the rest of the transaction and the id sequence is
    moved past the block, so ORM inserts made later never collide with it. SQLite: the transaction already holds
    the write lock (``BEGIN IMMEDIATE``), and AUTOINCREMENT notices the explicit ids by itself.
    """
    connection = connections[using]
    qn = connection.ops.quote_name
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {qn(table)} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk])
            sequence = cursor.fetchone()[0]
            cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
            last_value, is_called = cursor.fetchone()
            cursor.execute(f"SELECT COALESCE(MAX({qn(pk)}), 0) FROM {qn(table)}")
            first = max(cursor.fetchone()[0], last_value if is_called else last_value - 1) + 1
            if count:
                cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
            return first
        # Django's SQLite tables are AUTOINCREMENT: ids of deleted rows are never reused, so start past the
        # table's high-water mark in sqlite_sequence as well as past the rows still there.
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT MAX({qn(pk)}) FROM {qn(table)}), 0),"
            " COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        return cursor.fetchone()[0] + 1


def reset_sequences(*targets: type[models.Model], using: str = DEFAULT_DB_ALIAS) -> None:
    """Point PostgreSQL id sequences past the largest id, after rows were loaded with explicit ids."""
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), list(targets))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _sqlite_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Columns as Django's SQLite backend stores them: 0/1, ISO dates, naive UTC datetimes, decimals as REAL."""
    casts = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype == pl.Boolean:
            casts.append(col.cast(pl.Int8))
        elif dtype == pl.Date:
            casts.append(col.cast(pl.String))
        elif isinstance(dtype, pl.Datetime):
            utc = col.dt.convert_time_zone("UTC").dt.replace_time_zone(None) if dtype.time_zone else col
            casts.append(
                pl.when(utc.dt.microsecond() == 0)
                .then(utc.dt.strftime("%Y-%m-%d %H:%M:%S"))
                .otherwise(utc.dt.strftime("%Y-%m-%d %H:%M:%S.%6f"))
                .alias(name)
            )
        elif isinstance(dtype, pl.Decimal):
            # The NUMERIC column keeps a REAL either way (Django's '1234.50' text is converted on insert);
            # a float skips that parse.
            casts.append(col.cast(pl.Float64))
    return frame.with_columns(casts) if casts else frame


def load_frame(
    target,
    frame: pl.DataFrame,
    *,
    using: str = DEFAULT_DB_ALIAS,
    progress: Progress | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> int:
    """Insert every row of ``frame`` (column names = field names, attnames or, for a table name, columns).

    With a model, fields left out get their model default (``auto_now`` fields: now). Types: strings, integers,
    floats, booleans, dates, datetimes (time-zone aware, or naive meaning UTC), Polars decimals; JSON columns as
    JSON text. Returns the number of rows inserted.
    """
    total = frame.height
    if not total:
        return 0
    defaults = _defaults(target, frame.columns)
    if defaults:
        frame = frame.with_columns(pl.lit(value).alias(name) for name, value in defaults.items())
    table, columns = _resolve(target, frame.columns)
    vendor = _vendor(using)
    qn = connections[using].ops.quote_name
    column_list = ", ".join(qn(c) for c in columns)
    # Driver errors come out as django.db errors (IntegrityError …), as from the ORM.
    with transaction.atomic(using=using), connections[using].wrap_database_errors:
        raw = _raw_connection(using)
        if vendor == "postgresql":
            sql = f"COPY {qn(table)} ({column_list}) FROM STDIN WITH (FORMAT csv, NULL '{_NULL}')"
            with raw.cursor() as cursor, cursor.copy(sql) as copy:
                for offset in range(0, total, chunk_rows):
                    buffer = io.BytesIO()
                    frame.slice(offset, chunk_rows).write_csv(buffer, include_header=False, null_value=_NULL)
                    copy.write(buffer.getbuffer())
                    if progress:
                        progress(table, min(offset + chunk_rows, total), total)
        else:
            sql = f"INSERT INTO {qn(table)} ({column_list}) VALUES ({', '.join('?' * len(columns))})"
            cursor = raw.cursor()
            try:
                for offset in range(0, total, chunk_rows):
                    chunk = _sqlite_frame(frame.slice(offset, chunk_rows))
                    cursor.executemany(sql, chunk.iter_rows())
                    if progress:
                        progress(table, min(offset + chunk_rows, total), total)
            finally:
                cursor.close()
    return total


def load_rows(
    target,
    columns: Sequence[str],
    rows: Iterable[Sequence],
    *,
    using: str = DEFAULT_DB_ALIAS,
    progress: Progress | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> int:
    """Insert row tuples (values in ``columns`` order, as the database driver takes them) from any iterable.

    For streams too large for one DataFrame. With a model, fields left out get their model default. On SQLite give
    datetimes as naive UTC text (Django's storage form).
    """
    vendor = _vendor(using)
    defaults = _defaults(target, columns)
    if defaults:
        extra = tuple(_sqlite_value(v) if vendor == "sqlite" else v for v in defaults.values())
        columns = [*columns, *defaults]
        rows = (tuple(row) + extra for row in rows)
    table, db_columns = _resolve(target, columns)
    qn = connections[using].ops.quote_name
    column_list = ", ".join(qn(c) for c in db_columns)
    done = 0
    iterator = iter(rows)
    # Driver errors come out as django.db errors (IntegrityError …), as from the ORM.
    with transaction.atomic(using=using), connections[using].wrap_database_errors:
        raw = _raw_connection(using)
        if vendor == "postgresql":
            with raw.cursor() as cursor, cursor.copy(f"COPY {qn(table)} ({column_list}) FROM STDIN") as copy:
                while batch := list(islice(iterator, chunk_rows)):
                    for row in batch:
                        copy.write_row(row)
                    done += len(batch)
                    if progress:
                        progress(table, done, None)
        else:
            sql = f"INSERT INTO {qn(table)} ({column_list}) VALUES ({', '.join('?' * len(db_columns))})"
            cursor = raw.cursor()
            try:
                while batch := list(islice(iterator, chunk_rows)):
                    cursor.executemany(sql, batch)
                    done += len(batch)
                    if progress:
                        progress(table, done, None)
            finally:
                cursor.close()
    return done
