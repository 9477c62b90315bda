"""Benchmark of the monitoring early-warning run at county (~300k people) and province (~10M people) scale.

For each scale it loads the demo register (``fupin.demo``) into a throwaway database, sets the year's
monitoring line, and times:

- ``app_first``: ``monitoring.services.run`` over the whole province — the plan, the set-based evaluation of the
  nine default rules in the database (the facts query and the conditions transpiled by SQLGlot), and the
  reconciliation that opens the alerts (bulk insert, with their audit rows);
- ``app_again``: the same run again — the idempotent steady state (no alert opened or closed);
- ``app_eval``: the database evaluation alone (``engine.run_django``), without reconciliation;
- ``bare_engine``: DuckDB evaluating the same statement (``engine.run_duckdb``) over the same tables already in
  memory — the bare engine the issue compares against; ``bare_load`` is the time to pull those tables out of the
  database into DuckDB (``comparison.engine.pull``: COPY on PostgreSQL), reported separately.

Usage (from the repository root, with the virtualenv active):

    python bench/monitor.py --database postgres://postgres@127.0.0.1:5432/fupin_monitor_bench
    python bench/monitor.py --people 300000                 # county only, SQLite file under var/bench/
    python bench/monitor.py --people 10000000 --keep --database …   # reuse a loaded province

The database named is dropped and recreated unless ``--keep`` finds it already holding the demo.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINE = 7000  # monitoring line for the benchmark year (yuan per person), so income rules fire on the demo data


def prepare_database(url: str | None, people: int, keep: bool) -> str:
    if url is None:
        path = ROOT / "var" / "bench" / f"monitor-{people}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not keep:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    if keep:
        return url
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


# Columns the facts query reads, per table, with their DuckDB types.
BARE_TABLES = {
    "registry_household": [
        ("id", "BIGINT"), ("village_id", "VARCHAR"), ("status", "VARCHAR"), ("category", "VARCHAR"),
        ("main_cause", "VARCHAR"), ("exit_year", "INTEGER"), ("identification_year", "INTEGER"),
        ("enjoys_policy", "BOOLEAN"), ("size", "INTEGER"), ("phone", "VARCHAR"), ("house_area", "DOUBLE"),
    ],
    "registry_member": [
        ("household_id", "BIGINT"), ("active", "BOOLEAN"), ("relation", "VARCHAR"), ("sex", "VARCHAR"),
        ("health", "VARCHAR"), ("schooling", "VARCHAR"), ("birth_date", "DATE"), ("on_dibao", "BOOLEAN"),
        ("on_tekun", "BOOLEAN"), ("work_months", "INTEGER"), ("labour_skill", "VARCHAR"),
        ("basic_medical_insurance", "BOOLEAN"), ("removed_reason", "VARCHAR"), ("updated", "VARCHAR"),
    ],
    "registry_incomeaccount": [
        ("household_id", "BIGINT"), ("year", "INTEGER"), ("wage_income", "DOUBLE"), ("business_income", "DOUBLE"),
        ("property_income", "DOUBLE"), ("transfer_income", "DOUBLE"), ("business_costs", "DOUBLE"),
        ("medical_out_of_pocket", "DOUBLE"), ("net_income", "DOUBLE"), ("per_capita_net_income", "DOUBLE"),
    ],
    "registry_securitycheck": [
        ("household_id", "BIGINT"), ("year", "INTEGER"), ("food_secure", "BOOLEAN"), ("clothing_secure", "BOOLEAN"),
        ("education_secure", "BOOLEAN"), ("medical_secure", "BOOLEAN"), ("housing_secure", "BOOLEAN"),
        ("water_secure", "BOOLEAN"), ("house_grade", "VARCHAR"),
    ],
    "monitoring_riskevent": [("household_id", "BIGINT"), ("kind", "VARCHAR"), ("date", "DATE"), ("amount", "DOUBLE")],
    "monitoring_monitoredhousehold": [("household_id", "BIGINT"), ("kind", "VARCHAR"), ("status", "VARCHAR")],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="PostgreSQL URL (dropped and recreated); default: an SQLite file")
    parser.add_argument("--people", type=int, default=300_000, help="people in the demo (default 300000)")
    parser.add_argument("--keep", action="store_true", help="reuse the database if it already holds the demo")
    args = parser.parse_args()

    os.environ["FUPIN_DATABASE_URL"] = prepare_database(args.database, args.people, args.keep)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import duckdb
    from django.core.management import call_command
    from django.db import connection

    from fupin.comparison.engine import pull
    from fupin.core.channels import Channel
    from fupin.demo import generator as demo
    from fupin.monitoring import engine, planning, services
    from fupin.monitoring.models import Alert, Family
    from fupin.procedures.models import LineKind, PovertyLine
    from fupin.regions.models import Region
    from fupin.registry.models import Household, Member

    call_command("migrate", verbosity=0)
    figures = {"people": args.people, "database": connection.vendor}
    if not (args.keep and Member.objects.exists()):
        _, figures["load_seconds"] = timed(lambda: demo.run(args.people, reset=True))
    year = services.default_year()
    PovertyLine.objects.update_or_create(kind=LineKind.MONITORING, year=year, region=None, defaults={"amount": LINE})
    Alert.objects.all().delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    root = Region.objects.get(parent__isnull=True)
    figures.update(households=Household.objects.count(), members=Member.objects.count(), year=year)

    first, figures["app_first"] = timed(
        lambda: services.run(Family.MONITORING, root, year, acting_user=None, channel=Channel.CLI))
    again, figures["app_again"] = timed(
        lambda: services.run(Family.MONITORING, root, year, acting_user=None, channel=Channel.CLI))
    figures["first_run"] = first.summary()
    figures["second_run"] = again.summary()
    plan, _warnings = planning.build_plan(Family.MONITORING, root.code, year, exclude_monitored=True)
    (scanned, hits), figures["app_eval"] = timed(lambda: engine.run_django(plan))

    con = duckdb.connect()
    started = time.perf_counter()
    # Only the years the statement reads: this and last year's accounts, this year's checks.
    where = {"registry_incomeaccount": f"WHERE year IN ({year}, {year - 1})", "registry_securitycheck": f"WHERE year = {year}"}
    for table, columns in BARE_TABLES.items():
        # Dates and times as ISO text: the SQLite driver would hand over Python date objects.
        names = ", ".join(f"CAST({name} AS TEXT)" if name in ("birth_date", "date", "updated") else name
                          for name, _type in columns)
        pull(con, table, f"SELECT {names} FROM {table} {where.get(table, '')}", columns)
    figures["bare_load"] = time.perf_counter() - started
    (bare_scanned, bare_hits), figures["bare_engine"] = timed(lambda: engine.run_duckdb(plan, con))
    assert bare_scanned == scanned, "DuckDB and the database disagree"
    assert bare_hits.sort("household_id").select("household_id", "rules").equals(
        hits.sort("household_id").select("household_id", "rules")), "DuckDB and the database disagree"
    figures["hits"] = hits.height
    figures["ratio_again_to_bare"] = figures["app_again"] / figures["bare_engine"]
    figures["ratio_again_to_bare_with_load"] = figures["app_again"] / (figures["bare_engine"] + figures["bare_load"])
    for key, value in figures.items():
        if isinstance(value, float):
            figures[key] = round(value, 2)
    print(json.dumps(figures, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
