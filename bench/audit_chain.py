"""Benchmark of the audit log's hash chain on the bulk path (a monitoring province run writes ~1M audit rows).

Builds N audit rows shaped like the ones a monitoring run writes for new alerts (``changes`` as JSON text with
nested figures), then times:

- ``hash``: ``audit.chain.chain_frame`` — the Python pass over the rows: parse ``changes``, the ID-number probe,
  the canonical serialisation (orjson) and the SHA-256 link of every row;
- ``sha256``: the SHA-256 links alone (hashlib over the same number of rows of the same size);
- ``append``: ``audit.chain.append_frame`` end to end into the table (lock + hash + bulk load);
- ``bare_load``: ``core.bulkload.load_frame`` of the same rows without any chain (the load before this change);
- ``verify``: ``audit.chain.verify`` reading the whole table back and checking every link.

Usage (from the repository root, with the virtualenv active):

    python bench/audit_chain.py                        # 1,000,000 rows, SQLite file under var/bench/
    python bench/audit_chain.py --rows 200000 --database postgres://postgres@127.0.0.1:5432/fupin_audit_bench
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def prepare_database(url: str | None) -> str:
    if url is None:
        path = ROOT / "var" / "bench" / "audit-chain.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return url


def timed(fn):
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def alert_rows(n: int):
    import polars as pl

    ids = pl.int_range(1, n + 1, dtype=pl.Int64, eager=True)
    frame = pl.DataFrame({"id": ids}).with_columns(
        household_id=(pl.col("id") * 7 % 3_000_000).cast(pl.String),
        village=pl.lit("4104811002") + (pl.col("id") % 90 + 10).cast(pl.String),
    )
    changes = pl.concat_str([
        pl.lit('{"household": [null, '), pl.col("household_id"), pl.lit('], "village": [null, "'), pl.col("village"),
        pl.lit('"], "year": [null, 2025], "source": [null, "rule"], "status": [null, "pending"], "rules": [null, '
               '"M01,M05"], "figures": [null, {"M01": {"per_capita_income": 5123.5, "monitoring_line": 7000.0}}], '
               '"severity": [null, 2], "due": [null, "2026-01-05"]}'),
    ])
    return frame.select(
        pl.lit("system").alias("channel"), pl.lit("create").alias("action"), pl.lit("alert").alias("object_type"),
        pl.col("id").cast(pl.String).alias("object_id"),
        (pl.lit("预警 #") + pl.col("id").cast(pl.String)).alias("object_repr"),
        pl.lit("household").alias("parent_type"), pl.col("household_id").alias("parent_id"),
        pl.col("village").alias("region_code"), changes.alias("changes"), pl.lit("预警运行 #1 新增预警").alias("note"),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database", help="PostgreSQL URL (dropped and recreated); default: a SQLite file")
    args = parser.parse_args()
    os.environ["FUPIN_DATABASE_URL"] = prepare_database(args.database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from fupin.audit import chain
    from fupin.audit.models import AuditLog
    from fupin.core import bulkload

    call_command("migrate", verbosity=0)
    frame = alert_rows(args.rows)
    chained, hash_s = timed(lambda: chain.chain_frame(frame, chain.GENESIS))
    size = len(chain.content([chained["time"][0], *chained.select(chain.HASHED[1:-1]).row(0),
                              json.loads(chained["changes"][0])]))
    del chained

    def links():
        prev, data = chain.GENESIS, b"x" * size
        for _ in range(args.rows):
            prev = chain.link(prev, data)

    _, sha256 = timed(links)
    _, append = timed(lambda: chain.append_frame(frame))
    report, verify = timed(chain.verify)
    assert report.ok and report.rows == args.rows, report

    # The same rows loaded bare (no chain columns), then rolled back: the table keeps only the chained rows.
    def bare():
        with transaction.atomic():
            bulkload.load_frame(AuditLog, frame)
            transaction.set_rollback(True)

    _, bare_load = timed(bare)
    figures = {"database": connection.vendor, "rows": args.rows, "row_bytes": size, "hash_s": round(hash_s, 2),
               "sha256_s": round(sha256, 2), "append_s": round(append, 2), "bare_load_s": round(bare_load, 2),
               "verify_s": round(verify, 2), "load_avg": os.getloadavg()[0]}
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
