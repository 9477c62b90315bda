"""Benchmark of the fund anomaly check (资金异常检查): 1M disbursements against a 10M-person register.

Everything is generated with a seed as columns straight into DuckDB (like ``compare.py engine``): the register
(``compare.generate_register``), allocations, disbursements (registered payees, strangers, companies without an
ID, repeats of the same item), a death list and a 财政供养人员 list. Then, in the same process and on the same
tables:

``fupin`` — the product's path from the raw relations to anomaly rows: ``checks.facts.build`` (the
disbursement-facts and allocation-facts tables with every documented column: payee in the register, death,
public employee, repeats, allocation totals, idle days, progress target) and ``checks.engine.evaluate`` (the seven
built-in rules from ``migrations/builtin_rules.json``, validated by ``checks.conditions.validate``, as one
statement, figures as JSON, fetched into Polars) — the functions a check run calls after its database pull.

``bare`` — hand-written DuckDB SQL doing the same joins and windows and returning the same anomaly rows (rule,
subject, answering region, amount), no figures JSON, no documented columns it does not need.

Usage (repository root, virtualenv active):

    python bench/funds_check.py                                   # 10M register, 1M disbursements
    python bench/funds_check.py --members 1000000 --disbursements 200000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from compare import Phases, _id_sql, generate_register  # noqa: E402  (the benchmark's shared generators)

REFERENCE = dt.date(2026, 12, 31)
YEAR = 2026
ITEMS = ("产业奖补", "雨露计划", "到户补贴", "光伏收益", "公益岗位工资")


def generate_funds(con, members: int, disbursements: int, seed: int) -> None:
    """Allocations (one per 50 payments) and disbursements; a death list and a public-employee list.

    Payment r pays member (r * 7919 + seed) % members, except every 97th (a person from outside the register) and
    every 89th (a company, no ID number). Allocation amounts are drawn so that some are overrun and some lag the
    target; every 40th allocation has no payment at all (its payments are paid from the fund directly).
    """
    allocations = max(disbursements // 50, 1)
    con.execute(f"SELECT setseed({(seed % 1000) / 1000})")
    con.execute(f"""
        CREATE OR REPLACE TABLE _allocations AS
        SELECT a AS allocation_id, 1 + a % 30 AS fund_id,
               '41' || lpad(CAST(1000 + a % 90 AS VARCHAR), 4, '0') || lpad(CAST(100 + a % 7 AS VARCHAR), 3, '0')
                    || lpad(CAST(200 + a % 13 AS VARCHAR), 3, '0') AS region_code,
               '{ITEMS[0]}' AS item,
               CAST(50 * 1000 * (0.6 + random()) AS DOUBLE) AS amount,
               DATE '2026-01-10' + CAST(a % 200 AS INTEGER) AS allocated_on
        FROM range({allocations}) t(a)""")
    # Every 101st payment repeats the previous one's payee and item (a second payment for the same item).
    con.execute(f"""
        CREATE OR REPLACE TABLE _disbursements AS
        WITH d AS (
          SELECT r, CASE WHEN r % 101 = 0 THEN r - 1 ELSE r END AS base,
                 CASE WHEN (r // 50) % 40 = 0 THEN NULL ELSE r // 50 END AS allocation_id
          FROM range({disbursements}) t(r)
        )
        SELECT r AS disbursement_id, d.allocation_id, CASE WHEN d.allocation_id IS NULL THEN 1 + r % 30 END AS fund_id,
               h.village_code, list_element({list(ITEMS)}, 1 + CAST(base % 5 AS INTEGER)) AS item,
               'V' || r AS voucher_number, m.name AS payee_name,
               CASE WHEN base % 89 = 0 THEN ''
                    WHEN base % 97 = 0 THEN {_id_sql("'52' || lpad(CAST(base % 9000 AS VARCHAR), 4, '0')",
                                                     "base % 30000", "(base // 9000) % 1000")}
                    ELSE m.id_number END AS payee_id_number,
               CAST(round(200 + random() * 1800, 2) AS DOUBLE) AS amount,
               DATE '2026-01-15' + CAST(r % 330 AS INTEGER) AS paid_on
        FROM d JOIN _members m ON m.member_id = (d.base * 7919 + {seed}) % {members}
        JOIN _households h ON h.household_id = m.household_id""")
    # Deaths: one member in 200 of the register (and so about one payee in 200), dated through 2026.
    con.execute("""
        CREATE OR REPLACE TABLE _deaths AS
        SELECT id_number, DATE '2026-01-01' + CAST(member_id % 360 AS INTEGER) AS death_date
        FROM _members WHERE member_id % 200 = 3""")
    con.execute("""
        CREATE OR REPLACE TABLE _employees AS
        SELECT id_number, '县直单位' || (member_id % 50) AS employer FROM _members WHERE member_id % 500 = 11""")


def parameter_values(con) -> dict:
    """The national defaults (migration 0002) for every region the facts name, as ``parameters.resolve`` gives
    them when no county overrides."""
    defaults = {"disclosure_days": 10, "idle_days": 180, "target_03": 15, "target_06": 50, "target_09": 75,
                "target_11": 90, "target_12": 100}
    codes = [r[0] for r in con.execute(
        "SELECT DISTINCT region_code FROM _allocations UNION SELECT DISTINCT village_code FROM _disbursements"
    ).fetchall()]
    return {code: dict(defaults) for code in codes}


BARE_SQL = """
CREATE OR REPLACE TEMP TABLE bare_hits AS
WITH pay AS (
  SELECT disbursement_id, allocation_id, village_code, payee_id_number AS pid, item, paid_on,
         CAST(round(amount, 2) AS DECIMAL(16,2)) AS amount
  FROM _disbursements
),
ids AS (SELECT DISTINCT pid FROM pay WHERE pid <> ''),
payee AS (
  SELECT ids.pid, bool_or(h.in_register) AS in_register, min(dd.death_date) AS death_date,
         bool_or(e.id_number IS NOT NULL) AS employee
  FROM ids LEFT JOIN register_members m ON m.id_number = ids.pid
  LEFT JOIN register_households h ON h.household_id = m.household_id
  LEFT JOIN _deaths dd ON dd.id_number = ids.pid LEFT JOIN _employees e ON e.id_number = ids.pid
  GROUP BY ids.pid
),
ranked AS (
  SELECT p.*, CASE WHEN p.pid <> '' THEN row_number() OVER (PARTITION BY p.pid, p.item, date_trunc('month', p.paid_on) ORDER BY p.paid_on,
         p.disbursement_id) END AS rank_in_item FROM pay p
),
alloc AS (
  SELECT a.allocation_id, a.region_code, CAST(round(a.amount, 2) AS DECIMAL(16,2)) AS amount,
         COALESCE(s.paid, 0) AS paid, COALESCE(s.last_paid, a.allocated_on) AS since
  FROM _allocations a LEFT JOIN (SELECT allocation_id, sum(amount) AS paid, max(paid_on) AS last_paid
                                 FROM pay GROUP BY allocation_id) s ON s.allocation_id = a.allocation_id
),
payments AS (
  SELECT r.*, y.in_register, y.death_date, y.employee FROM ranked r LEFT JOIN payee y ON y.pid = r.pid
)
SELECT 'payee_unregistered' AS rule, disbursement_id AS subject, village_code AS region, amount FROM payments
  WHERE length(pid) = 18 AND NOT COALESCE(in_register, FALSE)
UNION ALL SELECT 'payee_deceased', disbursement_id, village_code, amount FROM payments WHERE paid_on > death_date
UNION ALL SELECT 'duplicate_payment', disbursement_id, village_code, amount FROM payments WHERE rank_in_item > 1
UNION ALL SELECT 'public_employee', disbursement_id, village_code, amount FROM payments WHERE employee
UNION ALL SELECT 'over_allocation', allocation_id, substr(region_code, 1, 9) || '000', paid - amount FROM alloc
  WHERE paid > amount
UNION ALL SELECT 'allocation_idle', allocation_id, substr(region_code, 1, 9) || '000', amount - paid FROM alloc
  WHERE amount > paid AND $reference - since > 180
UNION ALL SELECT 'behind_schedule', allocation_id, substr(region_code, 1, 9) || '000', amount - paid FROM alloc
  WHERE amount > 0 AND round(CAST(paid AS DOUBLE) * 100 / CAST(amount AS DOUBLE), 2) < 100
"""


def best(run) -> dict:
    """The best of three after a warm-up, wall and CPU, so neither side pays for first touch."""
    run()
    wall, cpu = [], []
    for _ in range(3):
        started, used = time.perf_counter(), time.process_time()
        run()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - used)
    return {"seconds": round(min(wall), 2), "cpu_seconds": round(min(cpu), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000_000, help="register people (default 10M)")
    parser.add_argument("--disbursements", type=int, default=1_000_000, help="disbursement rows (default 1M)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    import django

    django.setup()
    from fupin.comparison.engine import Workspace
    from fupin.funds.checks import engine, facts, parameters
    from fupin.funds.checks.conditions import validate

    rules_file = ROOT / "fupin" / "funds" / "migrations" / "builtin_rules.json"
    rules = [engine.CheckRule(r["code"], validate(r["condition"]))
             for r in json.loads(rules_file.read_text(encoding="utf-8"))]
    needed = engine.needed_facts(rules)
    phases = Phases()
    workspace = Workspace()
    con = workspace.con
    with phases("generate_register", members=args.members):
        generate_register(con, args.members)
    with phases("generate_funds", disbursements=args.disbursements):
        generate_funds(con, args.members, args.disbursements, args.seed)
    workspace.finish_register(REFERENCE)
    parameter_table = parameters.table(parameter_values(con), REFERENCE)

    frames = []

    def fupin_path():
        facts.build(con, reference_date=REFERENCE, parameter_table=parameter_table,
                    parameter_codes=list(parameters.CODES), needed=needed)
        frames.append(engine.evaluate(con, rules))

    def bare_path():
        con.execute(BARE_SQL.replace("$reference", f"DATE '{REFERENCE}'"))
        frames.append(con.execute("SELECT rule, count(*) FROM bare_hits GROUP BY rule").fetchall())

    results = {"fupin": best(fupin_path)}
    fupin_counts = frames[-1].group_by("rule").len().sort("rule").rows()
    results["bare"] = best(bare_path)
    bare_counts = sorted(frames[-1])
    results["fupin_all_documented_columns"] = best(lambda: facts.build(
        con, reference_date=REFERENCE, parameter_table=parameter_table, parameter_codes=list(parameters.CODES)))
    workspace.close()
    print(json.dumps({
        "members": args.members, "disbursements": args.disbursements, "seed": args.seed,
        "phases": phases.results, "runs": results,
        "fupin_vs_bare": {"wall": round(results["fupin"]["seconds"] / results["bare"]["seconds"], 2),
                          "cpu": round(results["fupin"]["cpu_seconds"] / results["bare"]["cpu_seconds"], 2)},
        "anomalies_by_rule": dict(fupin_counts), "bare_by_rule": dict(bare_counts),
        "same_counts": dict(fupin_counts) == dict(bare_counts),
        "peak_rss_mb": round(max(p.get("peak_rss_mb", 0) for p in phases.results.values())),
    }, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
