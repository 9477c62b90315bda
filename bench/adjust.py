"""Benchmark of the yearly dynamic adjustment on one county of about 100,000 households.

Loads the demo registry (``fupin.demo``: ~300,000 people per county, income accounts and 两不愁三保障
checks) into a throwaway database, opens the county's adjustment and times:

- propose: the set-based candidate proposal (four INSERT … SELECT statements over households, accounts, checks
  and members) — the figure the issue asks for;
- close: the frozen yearly snapshot of the register (one INSERT … SELECT);
- start: starting procedures for a sample of confirmed candidates, per household (services.start_procedure).

Usage (from the repository root, with the virtualenv active):

    python bench/adjust.py                                   # SQLite file under var/bench/
    python bench/adjust.py --database postgres://postgres@127.0.0.1:5432/fupin_adjust_bench
    python bench/adjust.py --people 30000 --start-sample 200 # a quicker run

The database named is dropped and recreated (SQLite file deleted; PostgreSQL database dropped).
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
        path = ROOT / "var" / "bench" / "adjust.sqlite3"
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="PostgreSQL URL (dropped and recreated); default: an SQLite file")
    parser.add_argument("--people", type=int, default=300_000, help="people in the demo county (default 300000)")
    parser.add_argument("--start-sample", type=int, default=500, help="confirmed candidates to start one by one")
    args = parser.parse_args()

    os.environ["FUPIN_DATABASE_URL"] = prepare_database(args.database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from fupin.accounts.models import User
    from fupin.core.channels import Channel
    from fupin.demo import generator as demo
    from fupin.procedures import adjustment
    from fupin.procedures.models import (
        Candidate,
        CandidateStatus,
        LineKind,
        PovertyLine,
    )
    from fupin.regions.models import Level, Region
    from fupin.registry.models import Household, SecurityCheck

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    demo.run(args.people, reset=True)
    load_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics, as autovacuum would gather after a bulk load

    county = Region.objects.filter(level=Level.COUNTY).order_by("code").first()
    county_user = User.objects.get(username="xian")
    year = SecurityCheck.objects.order_by("-year").values_list("year", flat=True).first()
    if not PovertyLine.objects.filter(kind=LineKind.POVERTY, year=year).exists():
        # Years after 2020 have no national line; a county line stands in, as provinces set their own.
        PovertyLine.objects.create(kind=LineKind.POVERTY, year=year, region=county, amount=6000,
                                   document="基准测试用县定标准")
    households = Household.objects.filter(village__code__startswith=county.prefix).count()
    opened = adjustment.open_adjustment(county, year, acting_user=county_user, channel=Channel.CLI)

    started = time.perf_counter()
    proposed = adjustment.propose(opened, acting_user=county_user)
    propose_seconds = time.perf_counter() - started
    started = time.perf_counter()
    adjustment.propose(opened, acting_user=county_user)  # again: undecided candidates are replaced
    repropose_seconds = time.perf_counter() - started

    # Confirm a sample as its villages would, then start their procedures one by one.
    sample = list(Candidate.objects.filter(adjustment=opened).exclude(kind="identification")
                  .values_list("pk", flat=True)[: args.start_sample])
    village_user = User.objects.filter(role="village").first()
    Candidate.objects.filter(pk__in=sample).update(status=CandidateStatus.CONFIRMED, decided_by=village_user)
    Candidate.objects.filter(adjustment=opened, status=CandidateStatus.PROPOSED).update(
        status=CandidateStatus.REJECTED, reason="基准测试", decided_by=village_user)
    started = time.perf_counter()
    started_result = adjustment.start_confirmed(opened, acting_user=county_user)
    start_seconds = time.perf_counter() - started

    from fupin.procedures.models import Procedure

    Procedure.objects.filter(adjustment=opened).update(status="withdrawn")  # let the year close
    started = time.perf_counter()
    closed = adjustment.close_adjustment(opened, acting_user=county_user, channel=Channel.CLI)
    close_seconds = time.perf_counter() - started

    by_kind = dict(Candidate.objects.filter(adjustment=opened).values_list("kind").annotate(n=Count("pk")))
    report = {
        "database": connection.vendor,
        "county": county.name,
        "year": year,
        "households_in_county": households,
        "demo_load_seconds": round(load_seconds, 1),
        "propose_seconds": round(propose_seconds, 2),
        "repropose_seconds": round(repropose_seconds, 2),
        "proposed": proposed["proposed"],
        "candidates_by_kind": by_kind,
        "start_sample": len(sample),
        "start_result": started_result,
        "start_seconds": round(start_seconds, 2),
        "start_per_procedure_ms": round(start_seconds * 1000 / max(1, len(sample)), 1),
        "close_snapshot_households": closed["households"],
        "close_seconds": round(close_seconds, 2),
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
