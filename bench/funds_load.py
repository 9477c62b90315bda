"""Benchmark of the bank disbursement import (fupin funds load): N rows of a CSV or .xlsx into one batch.

Builds a throwaway database with one county (10 townships × 20 villages), a fund and one allocation per village,
writes a bank file of N valid payments (Polars; ID numbers made by ``fupin.core.idnumber.make``), and times
``fupin.funds.imports.load_disbursements`` — reading, the column-wise checks, and the all-or-nothing write
(PostgreSQL COPY / SQLite executemany through ``fupin.core.bulkload``) — then the same file with one bad row
(which must write nothing).

Usage (from the repository root, with the virtualenv active):

    python bench/funds_load.py                       # 1,000,000 rows, CSV, SQLite file under var/bench/
    python bench/funds_load.py --database postgres://postgres@127.0.0.1:5432/fupin_funds_bench
    python bench/funds_load.py --rows 100000 --format xlsx

The database named is dropped and recreated (SQLite file deleted; PostgreSQL database dropped).
"""

import argparse
import datetime as dt
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from adjust import prepare_database  # noqa: E402  (bench/ is a folder of scripts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="PostgreSQL URL (dropped and recreated); default: an SQLite file")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    args = parser.parse_args()
    if args.database is None:
        path = ROOT / "var" / "bench" / "funds_load.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["FUPIN_DATABASE_URL"] = f"sqlite:///{path}"
    else:
        os.environ["FUPIN_DATABASE_URL"] = prepare_database(args.database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import polars as pl
    from django.core.management import call_command
    from django.db import connection

    from fupin.core import excel, idnumber
    from fupin.core.channels import Channel
    from fupin.funds.imports import FIELDS, create_batch, load_disbursements
    from fupin.funds.models import Allocation, Disbursement, Fund, FundSource
    from fupin.regions.models import Level, Region

    call_command("migrate", verbosity=0)
    province = Region.objects.create(code="410000000000", name="河南省", level=Level.PROVINCE)
    city = Region.objects.create(code="410400000000", name="平顶山市", level=Level.CITY, parent=province)
    county = Region.objects.create(code="410481000000", name="舞钢市", level=Level.COUNTY, parent=city)
    villages = []
    for t in range(10):
        town = Region.objects.create(code=f"410481{100 + t}000", name=f"第{t + 1}镇", level=Level.TOWNSHIP,
                                     parent=county)
        villages += [Region.objects.create(code=f"410481{100 + t}{200 + v}", name=f"{t + 1}镇{v + 1}村",
                                           level=Level.VILLAGE, parent=town) for v in range(20)]
    fund = Fund.objects.create(region=county, year=2026, source=FundSource.CENTRAL, document_number="豫财农〔2026〕8号",
                               title="基准测试资金", amount=10**11)
    allocations = [Allocation.objects.create(fund=fund, region=v, item="产业奖补", amount=10**8,
                                             allocated_on=dt.date(2026, 2, 1)) for v in villages]

    n = args.rows
    ids = [idnumber.make("410481", dt.date(1950 + i % 50, 1 + i % 12, 1 + i % 28), i % 1000) for i in range(n)]
    frame = pl.DataFrame({
        "凭证号": [f"NS{i:09d}" for i in range(n)], "收款人": [f"收款人{i % 5000}" for i in range(n)],
        "证件号码": ids, "银行账号": ["6228480402564890018"] * n,
        "金额": [f"{100 + i % 900}.50" for i in range(n)], "拨付日期": ["2026-03-05"] * n,
        "村代码": [villages[i % len(villages)].code for i in range(n)],
        "资金分配编号": [str(allocations[i % len(allocations)].pk) for i in range(n)],
        "资金文号": [""] * n, "资金项目": [""] * n,
    })
    assert list(frame.columns) == [f.label for f in FIELDS]
    folder = ROOT / "var" / "bench"
    source = folder / f"funds_load.{args.format}"
    started = time.perf_counter()
    if args.format == "csv":
        frame.write_csv(source)
    else:
        excel.write_table(source, "拨付明细", [excel.Col(h) for h in frame.columns], frame.iter_rows())
    write_seconds = time.perf_counter() - started

    batch = create_batch(source.name, acting_user=None, channel=Channel.CLI)
    started = time.perf_counter()
    report = load_disbursements(source, batch, acting_user=None, channel=Channel.CLI)
    load_seconds = time.perf_counter() - started
    assert report["error_count"] == 0, report["errors"][:5]
    loaded = Disbursement.objects.count()

    bad = frame.with_columns(pl.when(pl.int_range(n) == n // 2).then(pl.lit("-1")).otherwise(pl.col("金额"))
                             .alias("金额"))
    bad_source = folder / "funds_load_bad.csv"
    bad.write_csv(bad_source)
    batch = create_batch(bad_source.name, acting_user=None, channel=Channel.CLI)
    started = time.perf_counter()
    refused = load_disbursements(bad_source, batch, acting_user=None, channel=Channel.CLI)
    refuse_seconds = time.perf_counter() - started
    assert refused["error_count"] == 1 and Disbursement.objects.count() == loaded

    print(json.dumps({
        "database": connection.vendor, "format": args.format, "rows": n, "loaded": loaded,
        "write_file_seconds": round(write_seconds, 1), "load_seconds": round(load_seconds, 1),
        "rows_per_second": round(n / load_seconds), "phases": report["seconds"],
        "bad_row_refused_seconds": round(refuse_seconds, 1), "bad_row_phases": refused["seconds"],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
