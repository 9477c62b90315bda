"""Benchmark of the data comparison (数据比对): province-scale matching, and the whole upload-to-suspects path.

Two parts, each printing one JSON object (seconds, rows, peak memory of the process during each phase):

``engine`` — a province-scale register (default 10M people in 3M households) generated as columns straight into
DuckDB, against a 5M-row department file (a CSV written with dirty ID numbers: spaces, lower-case x, full-width
digits, 15-digit numbers, Excel-mangled floats). Times the parse (``reader.read_frame``), the column-wise ID
normalisation (``ids.normalize``), the hand-over to DuckDB, and the match of the ``deceased_registered`` rule
(``Workspace.match``: the rule's joins and filters, one hit per person, household number and village added)
next to the bare DuckDB join of the same two ID columns.

``path`` — the whole path a county user takes, through Django and the database: a register loaded by the demo
generator (default 300,000 people, one county), then a 1M-row .xlsx death file: ``load_dataset`` (read,
normalise, validate, store rows) and a comparison run (pull register and data set columns out of the database,
match, write suspects with their audit rows).

Usage (repository root, virtualenv active):

    python bench/compare.py engine                    # 10M × 5M
    python bench/compare.py engine --members 1000000 --rows 500000
    python bench/compare.py path                      # SQLite file under var/bench/
    python bench/compare.py path --database postgres://postgres@127.0.0.1:5432/fupin_compare_bench

The database named for ``path`` is dropped and recreated.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = ROOT / "var" / "bench"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Phases:
    """Wall time, CPU time (all threads of the process) and peak resident memory of each phase (memory sampled every
    20 ms by a thread). On a shared machine CPU time is the steadier figure: wall time includes waiting for a core."""

    def __init__(self):
        self.results: dict[str, dict] = {}
        self._peak = 0.0
        self._stop = False
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self):
        while not self._stop:
            self._peak = max(self._peak, rss_mb())
            time.sleep(0.02)

    @contextmanager
    def __call__(self, name: str, **extra):
        self._peak = rss_mb()
        started, cpu = time.perf_counter(), time.process_time()
        yield extra
        self.results[name] = {"seconds": round(time.perf_counter() - started, 2),
                              "cpu_seconds": round(time.process_time() - cpu, 2),
                              "peak_rss_mb": round(max(self._peak, rss_mb())), **extra}
        print(f"  {name}: {self.results[name]}", file=sys.stderr, flush=True)


# --- generated columns ------------------------------------------------------------------------------------------

def _id_sql(area: str, day: str, seq: str) -> str:
    """DuckDB SQL for a valid 18-character ID from an area code, a day number (since 1930-01-01) and a sequence."""
    body = f"({area} || strftime(DATE '1930-01-01' + CAST({day} AS INTEGER), '%Y%m%d') || lpad(CAST({seq} AS VARCHAR), 3, '0'))"
    total = " + ".join(f"CAST(substr(b, {i + 1}, 1) AS INTEGER) * {w}" for i, w in enumerate(WEIGHTS))
    return f"(SELECT b || substr('10X98765432', (({total}) % 11) + 1, 1) FROM (SELECT {body} AS b))"


def generate_register(con, members: int) -> None:
    """``_households`` and ``_members`` as the workspace's database pull would leave them; every ID unique."""
    households = members * 10 // 33
    con.execute(f"""
        CREATE TABLE _households AS
        SELECT i AS household_id, '41' || lpad(CAST(i AS VARCHAR), 10, '0') AS number,
               '41' || lpad(CAST(1000 + i % 90 AS VARCHAR), 4, '0') || lpad(CAST(100 + i % 7 AS VARCHAR), 3, '0')
                    || lpad(CAST(200 + i % 13 AS VARCHAR), 3, '0') AS village_code,
               CASE WHEN i % 20 = 0 THEN '5' WHEN i % 3 = 0 THEN '2' ELSE '1' END AS status,
               CASE WHEN i % 5 = 0 THEN '2' ELSE '1' END AS category
        FROM range({households}) t(i)""")
    # Member i: area 410100 + i % 97, day (i // 97) % 30000, sequence i // (97 * 30000): unique for i < 2.9e9.
    con.execute(f"""
        CREATE TABLE _members AS
        SELECT i AS member_id, i * 10 // 33 AS household_id,
               {_id_sql("CAST(410100 + i % 97 AS VARCHAR)", "(i // 97) % 30000", f"i // {97 * 30000}")} AS id_number,
               '成员' || i AS name, CASE WHEN i % 2 = 0 THEN '1' ELSE '2' END AS sex,
               DATE '1930-01-01' + CAST((i // 97) % 30000 AS INTEGER) AS birth_date, '01' AS relation,
               '' AS schooling, '1' AS health, '' AS disability_cert, TRUE AS basic_medical_insurance,
               FALSE AS on_dibao, FALSE AS on_tekun, i % 53 <> 7 AS active
        FROM range({members}) t(i)""")


def write_department_csv(con, path: Path, rows: int, members: int, share: float) -> None:
    """A death file: ``share`` of its rows are registered people, the rest people from elsewhere; about 5% of the
    ID cells are dirty in ways the normaliser repairs, 0.1% are Excel-mangled floats."""
    matched = int(rows * share)
    step = max(members // max(matched, 1), 1)
    con.execute(f"""
        COPY (
          WITH ids AS (
            SELECT r, CASE WHEN r < {matched} THEN m.id_number
                           ELSE {_id_sql("'52' || lpad(CAST(r % 9000 AS VARCHAR), 4, '0')", "r % 30000", "(r // 9000) % 1000")}
                      END AS id
            FROM range({rows}) t(r) LEFT JOIN _members m ON m.member_id = r * {step} AND r < {matched}
          )
          SELECT '死者' || r AS 姓名,
                 CASE r % 1000
                   WHEN 1 THEN substr(id, 1, 6) || ' ' || substr(id, 7)
                   WHEN 2 THEN lower(id)
                   WHEN 3 THEN replace(replace(id, '1', '１'), '8', '８')
                   WHEN 4 THEN substr(id, 1, 6) || substr(id, 9, 9)
                   WHEN 5 THEN '4.10481E+17'
                   ELSE id END AS 公民身份号码,
                 strftime(DATE '2024-01-01' + CAST(r % 365 AS INTEGER), '%Y-%m-%d') AS 死亡日期,
                 '医院' AS 死亡地点
          FROM ids ORDER BY r
        ) TO '{path}' (HEADER, DELIMITER ',')""")


# --- the engine part --------------------------------------------------------------------------------------------

def engine_part(args) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    import django

    django.setup()
    import polars as pl

    from fupin.comparison import ids, reader, rules
    from fupin.comparison.engine import Workspace

    phases = Phases()
    WORK.mkdir(parents=True, exist_ok=True)
    csv_path = WORK / f"deaths_{args.rows}.csv"
    workspace = Workspace()
    con = workspace.con
    with phases("generate_register", members=args.members):
        generate_register(con, args.members)
    with phases("write_department_csv", rows=args.rows):
        write_department_csv(con, csv_path, args.rows, args.members, args.share)
    workspace.finish_register(dt.date(2025, 1, 1))
    csv_mb = round(csv_path.stat().st_size / 2**20)

    with phases("parse", file_mb=csv_mb):
        source = reader.open_source(csv_path)
        frame = reader.read_frame(source, {"name": 0, "id_number": 1, "death_date": 2}, "id_number")
    with phases("normalise") as extra:
        frame = ids.normalize(frame.lazy(), "id_number", number_cell=reader.ID_IS_NUMBER, prefix="id") \
            .collect()
        extra["valid"] = frame["id_error"].null_count()
        extra["rejected"] = frame.height - extra["valid"]
    with phases("hand_over_to_duckdb"):
        parquet = WORK / "dataset.parquet"
        frame.filter(pl.col("id_error").is_null()).select(
            pl.lit(1, pl.Int64).alias("dataset_id"), pl.col(reader.ROW_NO).cast(pl.Int32).alias("row_no"),
            pl.col("id_number"), pl.col("name"), reader.parse_dates("death_date").alias("death_date"),
        ).write_parquet(parquet, compression="uncompressed")
        del frame
        con.execute(f"CREATE TABLE ds_death AS SELECT * FROM read_parquet('{parquet}')")
        workspace.kinds["death"] = {}

    rule = rules.get("deceased_registered")
    bare_sql = ("CREATE OR REPLACE TEMP TABLE bare AS SELECT d.row_no, m.member_id FROM ds_death d "
                "JOIN register_members m ON m.id_number = d.id_number")
    count_sql = "SELECT count(*) FROM ds_death d JOIN register_members m ON m.id_number = d.id_number"

    def best(run) -> dict:
        """The best of three (after one warm-up), wall and CPU, so neither side pays for first touch."""
        run()
        wall, cpu = [], []
        for _ in range(3):
            started, used = time.perf_counter(), time.process_time()
            run()
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - used)
        return {"seconds": round(min(wall), 2), "cpu_seconds": round(min(cpu), 2)}

    tables = []
    phases.results["match_rule"] = best(lambda: tables.append(workspace.match(rule)))
    phases.results["match_rule"]["hits"] = workspace.scalar(f'SELECT count(*) FROM "{tables[-1]}"')
    phases.results["bare_join_materialised"] = best(lambda: con.execute(bare_sql))
    phases.results["bare_join_materialised"]["rows"] = workspace.scalar("SELECT count(*) FROM bare")
    phases.results["bare_join_count"] = best(lambda: con.execute(count_sql).fetchone())
    table = tables[-1]
    started = time.perf_counter()
    hits_frame = workspace.fetch(f'SELECT * FROM "{table}"')
    phases.results["fetch_hits_to_polars"] = {"seconds": round(time.perf_counter() - started, 2),
                                               "rows": hits_frame.height}
    workspace.close()
    csv_path.unlink(missing_ok=True)
    parquet.unlink(missing_ok=True)
    return {
        "part": "engine", "members": args.members, "department_rows": args.rows, "matched_share": args.share,
        "phases": phases.results,
        "match_vs_bare_join": {
            "wall": round(phases.results["match_rule"]["seconds"] / phases.results["bare_join_materialised"]["seconds"], 2),
            "cpu": round(phases.results["match_rule"]["cpu_seconds"]
                         / phases.results["bare_join_materialised"]["cpu_seconds"], 2),
        },
        "peak_rss_mb": round(max(p.get("peak_rss_mb", 0) for p in phases.results.values())),
    }


# --- the path part ----------------------------------------------------------------------------------------------

def prepare_database(url: str | None) -> str:
    if url is None:
        path = WORK / "compare.sqlite3"
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


def write_xlsx(path: Path, rows: int, registered: list[str], seed: int = 7) -> None:
    """A 1M-row death workbook as a department exports it: IDs as text cells, a few dirty, some registered."""
    import random

    import xlsxwriter

    from fupin.core import idnumber

    rng = random.Random(seed)
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet()
    for col, text in enumerate(("序号", "姓名", "公民身份号码", "死亡日期", "死亡地点")):
        sheet.write_string(0, col, text)
    for r in range(1, rows + 1):
        if r <= len(registered):
            number = registered[r - 1]
        else:
            number = idnumber.make(f"52{r % 9000:04d}", dt.date(1930, 1, 1) + dt.timedelta(days=r % 30000), r // 9000 % 1000)
        kind = r % 1000
        if kind == 1:
            number = number.lower()
        elif kind == 2:
            number = number[:6] + " " + number[6:]
        sheet.write_number(r, 0, r)
        sheet.write_string(r, 1, f"死者{r}")
        if kind == 3:
            sheet.write_number(r, 2, float(number[:17]))  # Excel's mangled float: rejected, never matched
        else:
            sheet.write_string(r, 2, number)
        sheet.write_string(r, 3, f"2024-{1 + r % 12:02d}-{1 + r % 28:02d}")
        sheet.write_string(r, 4, rng.choice(("家中", "县人民医院", "乡卫生院")))
    workbook.close()


def path_part(args) -> dict:
    os.environ["FUPIN_DATABASE_URL"] = prepare_database(args.database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from fupin.comparison.actions.datasets import load_dataset
    from fupin.comparison.actions.runs import start_run
    from fupin.comparison.models import DatasetKind, Suspect
    from fupin.core.channels import Channel
    from fupin.demo import generator as demo
    from fupin.registry.models import Member

    call_command("migrate", verbosity=0)
    phases = Phases()
    with phases("demo_register", people=args.people):
        demo.run(args.people, reset=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    registered = list(Member.objects.filter(active=True, household__status__in=["1", "2", "3", "4"])
                      .order_by("id").values_list("id_number", flat=True)[: int(args.xlsx_rows * args.share)])
    # The workbook depends only on the (seeded, repeatable) demo register: kept between runs, it is written once.
    xlsx = WORK / f"deaths_{args.xlsx_rows}_{args.people}_{args.share}.xlsx"
    if not xlsx.exists():
        with phases("write_xlsx_fixture", rows=args.xlsx_rows):
            write_xlsx(xlsx, args.xlsx_rows, registered)
    mb = round(xlsx.stat().st_size / 2**20, 1)

    started = time.perf_counter()
    with phases("load_dataset", file_mb=mb) as extra:
        dataset = load_dataset(xlsx, kind=DatasetKind.objects.get(code="death"), acting_user=None,
                               channel=Channel.CLI, title="基准测试死亡名单")
        extra.update(rows_read=dataset.rows_read, rows_stored=dataset.rows_stored, ids_rejected=dataset.ids_rejected,
                     ids_changed=dataset.ids_changed, steps=dataset.report["seconds"])
    with phases("comparison_run") as extra:
        run = start_run(datasets=[dataset], acting_user=None, channel=Channel.CLI, run_now=True)
        extra.update(status=run.status, counts=run.summary.get("counts"), steps=run.summary.get("seconds"),
                     new_suspects=run.summary["rules"]["deceased_registered"]["new"])
    total = time.perf_counter() - started
    with phases("comparison_rerun") as extra:
        again = start_run(datasets=[dataset], acting_user=None, channel=Channel.CLI, run_now=True)
        extra.update(new_suspects=again.summary["rules"]["deceased_registered"]["new"],
                     unchanged=again.summary["rules"]["deceased_registered"]["unchanged"])
    return {
        "part": "path", "database": connection.vendor, "register_people": args.people,
        "xlsx_rows": args.xlsx_rows, "suspects": Suspect.objects.count(), "phases": phases.results,
        "upload_to_suspects_seconds": round(total, 1),
        "peak_rss_mb": round(max(phases.results[p]["peak_rss_mb"] for p in ("load_dataset", "comparison_run"))),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=["engine", "path"])
    parser.add_argument("--members", type=int, default=10_000_000, help="engine: register people (default 10M)")
    parser.add_argument("--rows", type=int, default=5_000_000, help="engine: department file rows (default 5M)")
    parser.add_argument("--share", type=float, default=0.02, help="share of file rows that are registered people")
    parser.add_argument("--people", type=int, default=300_000, help="path: demo register people (default 300000)")
    parser.add_argument("--xlsx-rows", type=int, default=1_000_000, help="path: rows of the .xlsx (default 1M)")
    parser.add_argument("--database", help="path: PostgreSQL URL (dropped and recreated); default an SQLite file")
    args = parser.parse_args()
    result = engine_part(args) if args.part == "engine" else path_part(args)
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
