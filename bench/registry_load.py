"""Registry load benchmark: demo generation + bulk load at county or province scale, against a bare baseline.

    python bench/registry_load.py --scale county --db both
    python bench/registry_load.py --scale province --db postgres
    python bench/registry_load.py --scale 1000000 --db sqlite --no-export

For each database it runs, each step in a fresh process (so peak memory is that step's own):

1. ``demo``: ``fupin.demo.generator.run`` (generate per county with NumPy/Polars, load with fupin.core.bulkload,
   build the plain indexes once at the end), timed per phase.
2. ``baseline``: the same rows, dumped from the tables beforehand, loaded again with nothing but the driver —
   psycopg ``COPY FROM STDIN`` of the dumped CSV, or sqlite3 ``executemany`` of the dumped tuples — into the same
   tables, once with the indexes kept (``indexed``) and once with the same drop-and-rebuild of plain indexes the
   demo does (``deferred``).
3. ``export``: the member export of ``fupin.registry.jobs`` (the page's export, masked IDs, code labels, region
   names) of a database holding ``--export-people`` people, next to a bare export: the same columns read with the
   driver and written with XlsxWriter ``constant_memory``, no labels or masking.

Figures are printed, not asserted (benchmarks are not tests). Peak memory is the step process's maximum resident
set size (``wait4`` rusage): tracemalloc does not see NumPy/Polars/driver buffers, so it would understate.

Databases: SQLite files under ``--workdir``; PostgreSQL at ``--postgres`` (default $FUPIN_BENCH_DATABASE_URL or
postgres://postgres@127.0.0.1:5432/fupin_bench), created if missing. Their registry data is replaced.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TABLES = ["registry_household", "registry_member", "registry_incomeaccount", "registry_securitycheck",
          "audit_auditlog"]  # parents first
SCALES = {"county": 300_000, "province": 10_000_000}
BATCH = 50_000


# ---------------------------------------------------------------------------------------------------------------
# Steps (run in a child process; each prints one JSON line with its figures)


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    import django

    django.setup()


def step_migrate(args):
    _django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return {}


def step_demo(args):
    _django()
    from fupin.demo import generator as demo

    started = time.perf_counter()
    result = demo.run(args.people, args.seed, reset=True)
    return {
        "seconds": time.perf_counter() - started,
        "rows": sum(result.counts.values()),
        "counts": result.counts,
        "wipe": result.wipe_seconds,
        "generate": result.generate_seconds,
        "load": result.load_seconds,
        "index": result.index_seconds,
    }


def _pg_connect(url):
    import psycopg

    return psycopg.connect(url)


def _sqlite_connect(path):
    import sqlite3

    db = sqlite3.connect(path, isolation_level=None)
    # As fupin's settings and bulkload.bulk_session have them.
    for pragma in ("journal_mode=WAL", "synchronous=OFF", "cache_size=-262144", "foreign_keys=ON"):
        db.execute(f"PRAGMA {pragma}")
    return db


def _columns(cursor, table, vendor):
    if vendor == "postgresql":
        cursor.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                       "ORDER BY ordinal_position", [table])
        return [r[0] for r in cursor.fetchall()]
    return [r[1] for r in cursor.execute(f'PRAGMA table_info("{table}")').fetchall()]


def step_dump(args):
    """Copy the demo's rows out of the tables, for the baseline to load again (not timed)."""
    out = Path(args.dump_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = 0
    if args.vendor == "postgresql":
        with _pg_connect(args.url) as db, db.cursor() as cursor:
            for table in TABLES:
                cols = ", ".join(f'"{c}"' for c in _columns(cursor, table, args.vendor))
                with open(out / f"{table}.csv", "wb") as f, cursor.copy(
                    f"COPY (SELECT {cols} FROM {table} ORDER BY id) TO STDOUT WITH (FORMAT csv, NULL '\\N')"
                ) as copy:
                    f.writelines(copy)
                cursor.execute(f"SELECT count(*) FROM {table}")
                rows += cursor.fetchone()[0]
    else:
        db = _sqlite_connect(args.sqlite_path)
        for table in TABLES:
            cursor = db.execute(f"SELECT * FROM {table} ORDER BY id")
            with open(out / f"{table}.pickle", "wb") as f:
                while batch := cursor.fetchmany(BATCH):
                    pickle.dump(batch, f, protocol=pickle.HIGHEST_PROTOCOL)
                    rows += len(batch)
        db.close()
    return {"rows": rows}


def _plain_indexes(cursor, vendor):
    """(name, CREATE statement) of the non-unique secondary indexes of the registry tables."""
    found = []
    for table in TABLES:
        if vendor == "postgresql":
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = %s::regclass AND NOT x.indisunique AND NOT x.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)", [table])
            found += cursor.fetchall()
        else:
            found += [(n, s) for n, s in cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name=? AND sql IS NOT NULL", [table]
            ).fetchall() if not s.upper().startswith("CREATE UNIQUE")]
    return found


def step_baseline(args):
    """Load the dumped rows into the emptied tables with the driver alone; only the load phases are timed."""
    dump = Path(args.dump_dir)
    deferred = args.mode == "deferred"
    phases = {}
    rows = 0
    if args.vendor == "postgresql":
        db = _pg_connect(args.url)
        cursor = db.cursor()
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} CASCADE")
        cursor.execute("SET synchronous_commit TO off")
        started = time.perf_counter()
        indexes = _plain_indexes(cursor, "postgresql") if deferred else []
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        for table in TABLES:
            cols = ", ".join(f'"{c}"' for c in _columns(cursor, table, "postgresql"))
            with open(dump / f"{table}.csv", "rb") as f, cursor.copy(
                f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
            ) as copy:
                while block := f.read(1 << 20):
                    copy.write(block)
            rows += cursor.rowcount
        phases["load"] = time.perf_counter() - started
        started = time.perf_counter()
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign-key checks
        phases["fk_checks"] = time.perf_counter() - started
        started = time.perf_counter()
        for _, statement in indexes:
            cursor.execute(statement)
        phases["index"] = time.perf_counter() - started
        started = time.perf_counter()
        db.commit()
        phases["commit"] = time.perf_counter() - started
        db.close()
    else:
        db = _sqlite_connect(args.sqlite_path)
        db.execute("BEGIN IMMEDIATE")
        for table in reversed(TABLES):
            db.execute(f"DELETE FROM {table}")
        started = time.perf_counter()
        indexes = _plain_indexes(db, "sqlite") if deferred else []
        for name, _ in indexes:
            db.execute(f'DROP INDEX "{name}"')
        for table in TABLES:
            n = len(_columns(db, table, "sqlite"))
            sql = f"INSERT INTO {table} VALUES ({', '.join('?' * n)})"
            with open(dump / f"{table}.pickle", "rb") as f:
                while True:
                    try:
                        batch = pickle.load(f)
                    except EOFError:
                        break
                    db.executemany(sql, batch)
                    rows += len(batch)
        phases["load"] = time.perf_counter() - started
        started = time.perf_counter()
        for _, statement in indexes:
            db.execute(statement)
        phases["index"] = time.perf_counter() - started
        started = time.perf_counter()
        db.execute("COMMIT")
        phases["commit"] = time.perf_counter() - started
        db.close()
    return {"rows": rows, "seconds": sum(phases.values()), **phases}


def _zip64_workbooks():
    """Let every XlsxWriter workbook grow past 4 GiB of XML (ZIP64). 1M members × 49 columns need it, and
    fupin.core.excel.XlsxStream does not turn it on yet: without this the export fails when the file is closed."""
    import xlsxwriter

    init = xlsxwriter.Workbook.__init__

    def init_zip64(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.use_zip64()

    xlsxwriter.Workbook.__init__ = init_zip64


def step_export(args):
    _django()
    from fupin.core.channels import Channel
    from fupin.registry.jobs import member_export

    _zip64_workbooks()

    started = time.perf_counter()
    count = member_export.write(None, {}, args.output, full=False, channel=Channel.CLI)
    return {"rows": count, "seconds": time.perf_counter() - started, "bytes": Path(args.output).stat().st_size}


def step_export_bare(args):
    """The same member and household columns, read with the driver and written with XlsxWriter directly."""
    import xlsxwriter

    _django()  # only to read the column list of the app's export; no app code runs per row
    from fupin.registry.tables import members

    fields = [c.field for c in members.columns if c.region_level is None]
    select = ", ".join(
        f"h.{f.removeprefix('household__')}" if f.startswith("household__") else f"m.{f}" for f in fields
    )
    sql = (f"SELECT {select} FROM registry_member m JOIN registry_household h ON h.id = m.household_id "
           "ORDER BY h.village_id, h.number, m.relation, m.birth_date, m.id")
    started = time.perf_counter()
    workbook = xlsxwriter.Workbook(args.output, {"constant_memory": True, "strings_to_numbers": False})
    workbook.use_zip64()
    sheet = workbook.add_worksheet("家庭成员")
    sheet.write_row(0, 0, [c.header for c in members.columns if c.region_level is None])
    count = 0
    if args.vendor == "postgresql":
        db = _pg_connect(args.url)
        cursor = db.cursor(name="bare_export")
        cursor.itersize = 10_000
        cursor.execute(sql)
    else:
        db = _sqlite_connect(args.sqlite_path)
        cursor = db.execute(sql)
    for count, row in enumerate(cursor, start=1):
        sheet.write_row(count, 0, [v if isinstance(v, (str, int, float)) or v is None else str(v) for v in row])
    workbook.close()
    db.close()
    return {"rows": count, "seconds": time.perf_counter() - started, "bytes": Path(args.output).stat().st_size}


STEPS = {f.__name__.removeprefix("step_"): f for f in (step_migrate, step_demo, step_dump, step_baseline,
                                                        step_export, step_export_bare)}


# ---------------------------------------------------------------------------------------------------------------
# Driver


class Target:
    def __init__(self, vendor: str, workdir: Path, postgres_url: str):
        self.vendor = vendor
        if vendor == "sqlite":
            self.sqlite_path = workdir / "bench.sqlite3"
            self.url = f"sqlite:///{self.sqlite_path}"
        else:
            self.sqlite_path = None
            self.url = postgres_url

    @property
    def label(self):
        return "SQLite" if self.vendor == "sqlite" else "PostgreSQL"

    def ensure(self):
        if self.vendor == "postgresql":
            import psycopg
            from psycopg import sql

            base, name = self.url.rsplit("/", 1)
            with psycopg.connect(f"{base}/postgres", autocommit=True) as db:
                if not db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                    db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def size_bytes(self) -> int:
        if self.vendor == "sqlite":
            return sum(p.stat().st_size for p in self.sqlite_path.parent.glob(self.sqlite_path.name + "*"))
        import psycopg

        with psycopg.connect(self.url) as db:
            return db.execute("SELECT pg_database_size(current_database())").fetchone()[0]


def run_step(name: str, target: Target, workdir: Path, **extra) -> dict:
    """Run a step in a child process; wall time and peak RSS come from the parent's view of it."""
    env = dict(os.environ, FUPIN_DATABASE_URL=target.url, FUPIN_DATA_DIR=str(workdir / "var"))
    argv = [sys.executable, __file__, "--step", name, "--vendor", target.vendor, "--url", target.url,
            "--sqlite-path", str(target.sqlite_path or "")]
    for key, value in extra.items():
        argv += [f"--{key.replace('_', '-')}", str(value)]
    started = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, cwd=ROOT, text=True)
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"step {name} failed on {target.label}:\n{output}")
    result = json.loads(output.strip().splitlines()[-1])
    result.setdefault("seconds", wall)
    result["wall"] = wall
    result["peak_mb"] = usage.ru_maxrss / 1024
    return result


def line(label, result):
    rows = result.get("rows", 0)
    rate = rows / result["seconds"] if result.get("seconds") else 0
    print(f"  {label:<34} {rows:>12,} rows {result['seconds']:>8.1f} s {rate:>11,.0f} rows/s "
          f"{result['peak_mb']:>8.0f} MB peak")


def bench(target: Target, args, workdir: Path) -> dict:
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n== {target.label}: {args.people:,} people (load average {load}) ==", flush=True)
    target.ensure()
    figures = {}
    run_step("migrate", target, workdir)
    if "load" in args.steps:
        figures.update(bench_load(target, args, workdir))
    if "export" in args.steps and args.export_people:
        figures.update(bench_export(target, args, workdir))
    return figures


def bench_load(target: Target, args, workdir: Path) -> dict:
    figures = {}
    demo = figures["demo"] = run_step("demo", target, workdir, people=args.people, seed=args.seed)
    line("demo (generate + load + index)", demo)
    print(f"    wipe {demo['wipe']:.1f} s, generate {demo['generate']:.1f} s, load {demo['load']:.1f} s, "
          f"index {demo['index']:.1f} s; rows {demo['counts']}", flush=True)
    print(f"    database size {target.size_bytes() / 2**30:.2f} GiB", flush=True)
    if args.baseline != "none":
        dump_dir = workdir / f"dump-{target.vendor}"
        run_step("dump", target, workdir, dump_dir=dump_dir)
        modes = ["deferred", "indexed"] if args.baseline == "both" else [args.baseline]
        for mode in modes:
            result = figures[f"baseline_{mode}"] = run_step("baseline", target, workdir, dump_dir=dump_dir, mode=mode)
            line(f"bare baseline, indexes {mode}", result)
            print("    " + ", ".join(f"{k} {result[k]:.1f} s" for k in ("load", "fk_checks", "index", "commit")
                                     if k in result), flush=True)
        shutil.rmtree(dump_dir, ignore_errors=True)
        loading = {"rows": demo["rows"], "seconds": demo["load"] + demo["index"], "peak_mb": demo["peak_mb"]}
        line("demo load + index only (no gen.)", loading)
    return figures


def bench_export(target: Target, args, workdir: Path) -> dict:
    figures = {}
    if args.export_people != args.people or "load" not in args.steps:
        demo = figures["export_demo"] = run_step("demo", target, workdir, people=args.export_people, seed=args.seed)
        line(f"demo of {args.export_people:,} people to export", demo)
        print(f"    wipe {demo['wipe']:.1f} s, generate {demo['generate']:.1f} s, load {demo['load']:.1f} s, "
              f"index {demo['index']:.1f} s", flush=True)
    for step in ("export", "export_bare"):
        path = workdir / f"{step}.xlsx"
        result = figures[step] = run_step(step, target, workdir, output=path)
        line(f"{'member export (app)' if step == 'export' else 'bare xlsxwriter export'}", result)
        print(f"    file {result['bytes'] / 2**20:.0f} MiB", flush=True)
        path.unlink(missing_ok=True)
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="county", help="county (300,000 people), province (10,000,000) or a number")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seed", type=int, default=2014)
    parser.add_argument("--steps", default="load,export", help="load, export or both (default load,export)")
    parser.add_argument("--baseline", choices=["both", "deferred", "indexed", "none"], default="both")
    parser.add_argument("--export-people", type=int, default=1_000_000,
                        help="people in the database the member export reads (0: skip the export bench)")
    parser.add_argument("--postgres", default=os.environ.get(
        "FUPIN_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fupin_bench"))
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where SQLite files and dumps go (default: a temp dir)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    # Internal: a child process running one step.
    for name in ("--step", "--vendor", "--url", "--sqlite-path", "--dump-dir", "--mode", "--output"):
        parser.add_argument(name, help=argparse.SUPPRESS)
    parser.add_argument("--people", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.step:
        print(json.dumps(STEPS[args.step](args)), flush=True)
        return
    args.people = SCALES.get(args.scale) or int(args.scale)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="fupin-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"fupin registry load bench: {args.people:,} people, seed {args.seed}, {os.cpu_count()} CPUs, "
          f"workdir {workdir}")
    vendors = ["sqlite", "postgresql"] if args.db == "both" else ["postgresql" if args.db == "postgres" else "sqlite"]
    results = {}
    for vendor in vendors:
        target = Target(vendor, workdir, args.postgres)
        results[vendor] = bench(target, args, workdir)
        if vendor == "sqlite":
            for leftover in workdir.glob("bench.sqlite3*"):
                leftover.unlink()
    if args.json:
        args.json.write_text(json.dumps({"people": args.people, "results": results}, indent=2))
    if args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
