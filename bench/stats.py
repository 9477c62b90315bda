"""Benchmark of the statistics: the aggregate rebuild and the dashboards' response, county (~300k people) and
province (~10M people) scale, next to the bare SQL doing the same GROUP BYs in the same run.

It loads the demo (``fupin.demo``, which ends with the demo's own rebuild and targets) into a throwaway database
and times:

- ``rebuild``: ``stats.rebuild.rebuild('')`` for the current year — every family's grouped query into the staging
  table, the roll-up to township/county/city/province by code prefix, the old rows deleted and the new ones
  written, in one transaction; run twice (``rebuild_again`` is the steady state);
- ``bare_group_by``: the same grouped SELECTs (the SQL the families compile to) executed with the driver and
  fetched — no staging, no roll-up, no writes: the floor under the rebuild;
- ``board_<key>``: a dashboard page (median of 20 GETs with the test client, a county account, the whole
  rendered page) at the county and at the province;
- ``bare_board``: the SELECT of the figures one board reads, with the driver;
- ``live_status_count``: what the old 总览 did at page time — households by status over the scope, per request.

Usage (from the repository root, with the virtualenv active):

    python bench/stats.py --database postgres://postgres@127.0.0.1:5432/fupin_stats_bench
    python bench/stats.py --people 10000000 --database postgres://postgres@127.0.0.1:5432/fupin_stats_province
    python bench/stats.py --people 10000000 --keep --database …      # reuse a loaded province

The database named is dropped and recreated unless ``--keep`` finds it already holding the demo.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = 20


def prepare_database(url: str, keep: bool) -> str:
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


def median_ms(fn, times=REQUESTS) -> float:
    fn()  # warm: templates, code tables
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return round(statistics.median(samples) * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="PostgreSQL URL (dropped and recreated)")
    parser.add_argument("--people", type=int, default=300_000, help="people in the demo (default 300000)")
    parser.add_argument("--keep", action="store_true", help="reuse the database if it already holds the demo")
    args = parser.parse_args()

    os.environ["FUPIN_DATABASE_URL"] = prepare_database(args.database, args.keep)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from fupin.accounts.models import Role, User
    from fupin.demo import generator as demo
    from fupin.regions.models import Level, Region
    from fupin.registry.models import Household, Member
    from fupin.stats import dashboards
    from fupin.stats.indicators import CATALOGUE
    from fupin.stats.models import Figure
    from fupin.stats.rebuild import families, rebuild
    from fupin.stats.services import current_year

    call_command("migrate", verbosity=0)
    figures = {"people": args.people, "database": connection.vendor}
    if not (args.keep and Member.objects.exists()):
        _, figures["load_seconds"] = timed(lambda: demo.run(args.people, reset=True))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    year = current_year()
    figures.update(households=Household.objects.count(), members=Member.objects.count(),
                   villages=Region.objects.filter(level=Level.VILLAGE).count(), year=year,
                   indicators=len(CATALOGUE.indicators), families=len(families(year)))

    done, figures["rebuild"] = timed(lambda: rebuild("", year, trigger="bench"))
    _, figures["rebuild_again"] = timed(lambda: rebuild("", year, trigger="bench"))
    figures["figure_rows"] = done.rows

    def bare():
        with connection.cursor() as cursor:
            for family in families(year):
                keys = {"code": family.code, **({"dim": family.dim} if family.dim is not None else {})}
                grouped = family.rows(year).order_by().values(**keys).annotate(
                    **{f"v{i}": a for i, a in enumerate(family.values.values())})
                sql, params = grouped.query.sql_with_params()
                cursor.execute(sql, params)
                cursor.fetchall()

    _, figures["bare_group_by"] = timed(bare)
    figures["rebuild_to_bare"] = figures["rebuild_again"] / figures["bare_group_by"]

    setup_test_environment()
    county = Region.objects.filter(level=Level.COUNTY).order_by("code").first()
    province = Region.objects.get(parent__isnull=True)
    # Accounts of its own: the demo's must change their password at first login, which redirects every page.
    user = User.objects.filter(username="bench_stats").first() or User.objects.create_user(
        "bench_stats", password="Bench1234pass", role=Role.COUNTY, region=county, full_name="bench")
    leader = User.objects.filter(username="bench_stats_province").first() or User.objects.create_user(
        "bench_stats_province", password="Bench1234pass", role=Role.LEADER, region=province, full_name="bench")
    board = dashboards.BOARDS["overview"]
    for who, account in (("county", user), ("province", leader)):
        client = Client()
        client.force_login(account)
        for key in ("overview", "registry", "money"):
            url = reverse("stats:board", args=[key])

            def get(url=url, client=client):
                response = client.get(url)
                assert response.status_code == 200, response.status_code

            figures[f"board_{key}_{who}_ms"] = median_ms(get)
        figures[f"overview_page_{who}_ms"] = median_ms(lambda client=client: client.get(reverse("registry:dashboard")))
        region = account.region
        codes = [region.code, *(c.code for c in dashboards.children(region))]

        def bare_board(codes=codes):
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT region_code, indicator, dimension, value FROM {Figure._meta.db_table} "
                    f"WHERE year = %s AND region_code IN ({', '.join(['%s'] * len(codes))}) "
                    f"AND indicator IN ({', '.join(['%s'] * len(board.indicators))})",
                    [year, *codes, *board.indicators])
                cursor.fetchall()

        figures[f"bare_board_{who}_ms"] = median_ms(bare_board)
        figures[f"live_status_count_{who}_ms"] = median_ms(
            lambda region=region: list(Household.objects.in_region(region.prefix).values("status")
                                       .annotate(n=Count("id")).order_by()), times=3)
    for key, value in figures.items():
        if isinstance(value, float):
            figures[key] = round(value, 2)
    print(json.dumps(figures, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
