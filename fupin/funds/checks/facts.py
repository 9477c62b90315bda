"""The disbursement-facts table (拨付事实表): the one relation every fund anomaly rule reads.

One row per disbursement (拨付明细) of the year in scope, plus one row per issued allocation that has no
disbursement yet (its payment columns empty), with columns joined from the register, the comparison app's death
(死亡人员) and 财政供养人员 data sets, the payee's other payments for the same item, the allocation's totals,
age and idle days, and the year's spending-progress target. Rule conditions are SQL boolean expressions over
these columns (``conditions.validate``); ``:code`` reads a ``FundParameter`` resolved for the row's region and the
year (``parameters``), and the facts table carries those values as ``p_<code>`` columns.

Allocation facts also form ``allocation_facts`` (one row per allocation): a rule that reads only allocation facts
is about the allocation and answered by its township or county, any other rule is about a payment and answered by
the payment's village.

Everything is built inside the comparison engine's DuckDB workspace (``fupin.comparison.engine.Workspace``) from
raw columns pulled out of the database in bulk, so no model instance is built per row; ``bench/funds_check.py``
generates the raw tables itself and calls the same ``build``.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass

PAYMENT, ALLOCATION, KEY = "payment", "allocation", "key"
MONEY, DAYS, COUNT, PCT, FLAG, DATE, TEXT = "money", "days", "count", "pct", "flag", "date", "text"
UNITS = {MONEY: "元", DAYS: "天", COUNT: "笔", PCT: "%"}
DUCK_TYPES = {MONEY: "DECIMAL(16,2)", DAYS: "INTEGER", COUNT: "INTEGER", PCT: "DOUBLE", FLAG: "INTEGER",
              DATE: "DATE", TEXT: "VARCHAR"}


@dataclass(frozen=True)
class Fact:
    name: str
    kind: str
    label: str
    level: str
    sql: str  # over the aliases of ``build``: p (payment), a (allocation), mem (payee), prm (parameters)
    # Facts an anomaly keeps beside this one so that its figures say what happened (the overrun beside the totals).
    details: tuple[str, ...] = ()
    help: str = ""

    @property
    def unit(self) -> str:
        return UNITS.get(self.kind, "")


def _flag(test: str) -> str:
    return f"CASE WHEN {test} THEN 1 ELSE 0 END"


# The documented columns, in table order. Labels are short, so that a figure reads "已拨付 12,000.00 元".
FACTS: tuple[Fact, ...] = (
    Fact("disbursement_id", KEY, "拨付明细ID", PAYMENT, "p.disbursement_id"),
    Fact("allocation_id", KEY, "资金分配ID", ALLOCATION, "a.allocation_id"),
    Fact("fund_id", KEY, "资金指标ID", ALLOCATION, "COALESCE(p.fund_id, a.fund_id)"),
    Fact("village_code", TEXT, "所属村区划代码", PAYMENT, "p.village_code",
         help="拨付明细所属村；尚无拨付的分配行为分配的实施地区"),
    Fact("allocation_region_code", TEXT, "实施地区区划代码", ALLOCATION, "a.region_code"),
    Fact("item", TEXT, "资金项目", PAYMENT, "p.item"),
    Fact("voucher_number", TEXT, "凭证号", PAYMENT, "p.voucher_number"),
    Fact("payee_name", TEXT, "收款人", PAYMENT, "p.payee_name"),
    Fact("payee_id_number", TEXT, "收款人证件号码", PAYMENT, "p.payee_id_number"),
    Fact("amount", MONEY, "本笔拨付", PAYMENT, "p.amount"),
    Fact("paid_on", DATE, "拨付日期", PAYMENT, "p.paid_on"),
    Fact("payee_has_id", FLAG, "收款人有居民身份证号", PAYMENT, _flag("length(p.payee_id_number) = 18"),
         help="1 是 0 否；单位收款没有身份证号"),
    Fact("payee_in_register", FLAG, "收款人为在册人员", PAYMENT, _flag("COALESCE(mem.in_register, FALSE)"),
         help="1 是 0 否：证件号码是在册户（未脱贫、已脱贫、返贫、新识别）的在册成员"),
    Fact("payee_household_status", TEXT, "收款人户状态代码", PAYMENT, "mem.status",
         help="1未脱贫 2已脱贫 3返贫 4新识别 …；不在档案中为空"),
    Fact("payee_household_category", TEXT, "收款人户类型代码", PAYMENT, "mem.category",
         help="贫困户属性：1一般 2低保 3特困供养 4一般农户"),
    Fact("payee_village_code", TEXT, "收款人户所在村代码", PAYMENT, "mem.village_code"),
    Fact("payee_other_village", FLAG, "收款人户不在拨付村", PAYMENT,
         _flag("mem.village_code IS NOT NULL AND mem.village_code <> p.village_code")),
    Fact("payee_deceased", FLAG, "收款人已死亡", PAYMENT, _flag("mem.death_date IS NOT NULL"),
         help="1 是 0 否，据比对数据中的死亡人员数据", details=("payee_death_date",)),
    Fact("payee_death_date", DATE, "死亡日期", PAYMENT, "mem.death_date"),
    Fact("days_after_death", DAYS, "死亡后拨付", PAYMENT, "CAST(p.paid_on - mem.death_date AS INTEGER)",
         details=("payee_death_date", "paid_on")),
    Fact("payee_public_employee", FLAG, "收款人为财政供养人员", PAYMENT, _flag("mem.public_employee"),
         help="1 是 0 否，据比对数据中最近一份财政供养人员名单", details=("payee_employer",)),
    Fact("payee_employer", TEXT, "工作单位", PAYMENT, "mem.employer"),
    Fact("same_item_count", COUNT, "同一收款人同一项目当月拨付", PAYMENT, "p.same_item_count",
         help="同一证件号码、同一资金项目在拨付当月的拨付笔数（按月发放的每月一笔不算重复）", details=("same_item_total",)),
    Fact("same_item_total", MONEY, "合计", PAYMENT, "p.same_item_total"),
    Fact("same_item_rank", COUNT, "本笔为当月同一项目第", PAYMENT, "p.same_item_rank",
         help="同一收款人同一项目当月的拨付按日期排序，首笔为 1", details=("same_item_count", "same_item_total", "same_item_first_paid_on")),
    Fact("same_item_first_paid_on", DATE, "当月首笔拨付日期", PAYMENT, "p.same_item_first_paid_on"),
    Fact("allocation_item", TEXT, "分配项目", ALLOCATION, "a.item"),
    Fact("allocation_disbursed", MONEY, "已拨付", ALLOCATION, "a.disbursed",
         details=("allocation_amount", "allocation_over")),
    Fact("allocation_amount", MONEY, "分配", ALLOCATION, "a.amount"),
    Fact("allocation_over", MONEY, "超出", ALLOCATION, "GREATEST(a.disbursed - a.amount, 0)"),
    Fact("allocation_remaining", MONEY, "未拨付", ALLOCATION, "GREATEST(a.amount - a.disbursed, 0)"),
    Fact("allocation_payments", COUNT, "拨付笔数", ALLOCATION, "a.payments"),
    Fact("allocation_progress_pct", PCT, "支出进度", ALLOCATION,
         "CASE WHEN a.amount > 0 THEN ROUND(CAST(a.disbursed AS DOUBLE) * 100 / CAST(a.amount AS DOUBLE), 2) END",
         details=("allocation_disbursed", "allocation_amount", "schedule_gap_pct")),
    Fact("schedule_target_pct", PCT, "当前支出进度目标", ALLOCATION, "prm.schedule_target_pct",
         help="检查日已过的最近一个进度节点（3、6、9、11、12月底）的目标，资金参数“支出进度目标”"),
    Fact("schedule_gap_pct", PCT, "低于目标", ALLOCATION,
         "CASE WHEN a.amount > 0 THEN ROUND(prm.schedule_target_pct - CAST(a.disbursed AS DOUBLE) * 100 / "
         "CAST(a.amount AS DOUBLE), 2) END"),
    Fact("allocation_date", DATE, "分配日期", ALLOCATION, "a.allocated_on"),
    Fact("allocation_age_days", DAYS, "分配已过", ALLOCATION, "CAST($reference_date - a.allocated_on AS INTEGER)"),
    Fact("allocation_last_paid_on", DATE, "最近拨付日期", ALLOCATION, "a.last_paid_on"),
    Fact("allocation_idle_days", DAYS, "闲置", ALLOCATION,
         "CAST($reference_date - COALESCE(a.last_paid_on, a.allocated_on) AS INTEGER)",
         help="自最近一笔拨付（尚无拨付的自分配日期）至检查日的天数",
         details=("allocation_remaining", "allocation_date", "allocation_last_paid_on")),
)
FACT_NAMES = {fact.name: fact for fact in FACTS}
ALLOCATION_FACTS = tuple(f for f in FACTS if f.level == ALLOCATION)

# Raw relations the facts are built from, as the database pull (or the benchmark) leaves them in the workspace.
DISBURSEMENT_COLUMNS = [("disbursement_id", "BIGINT"), ("allocation_id", "BIGINT"), ("fund_id", "BIGINT"),
                        ("village_code", "VARCHAR"), ("item", "VARCHAR"), ("voucher_number", "VARCHAR"),
                        ("payee_name", "VARCHAR"), ("payee_id_number", "VARCHAR"), ("amount", "DOUBLE"),
                        ("paid_on", "DATE")]
ALLOCATION_COLUMNS = [("allocation_id", "BIGINT"), ("fund_id", "BIGINT"), ("region_code", "VARCHAR"),
                      ("item", "VARCHAR"), ("amount", "DOUBLE"), ("allocated_on", "DATE")]
DEATH_COLUMNS = [("id_number", "VARCHAR"), ("death_date", "DATE")]
EMPLOYEE_COLUMNS = [("id_number", "VARCHAR"), ("employer", "VARCHAR")]
# The region that answers an allocation's anomaly: a village's township, otherwise the region itself.
ANSWER_REGION = "CASE WHEN substr({0}, 10, 3) <> '000' THEN substr({0}, 1, 9) || '000' ELSE {0} END"


def param_column(code: str) -> str:
    return f"p_{code}"


def create_raw_tables(con) -> None:
    """Empty raw relations (for planning a condition, and for data sets a county has not uploaded)."""
    for table, columns in (("_disbursements", DISBURSEMENT_COLUMNS), ("_allocations", ALLOCATION_COLUMNS),
                           ("_deaths", DEATH_COLUMNS), ("_employees", EMPLOYEE_COLUMNS)):
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(f'{n} {t}' for n, t in columns)})")


# How rows made from an allocation alone (no payment) fill the facts that otherwise read the payment.
ALLOCATION_ONLY = {"village_code": "a.region_code", "fund_id": "a.fund_id"}


def _select(facts, allocation_only: bool) -> str:
    cells = []
    for fact in facts:
        if allocation_only and fact.name in ALLOCATION_ONLY:
            sql = f"CAST({ALLOCATION_ONLY[fact.name]} AS {'BIGINT' if fact.kind == KEY else 'VARCHAR'})"
        elif allocation_only and fact.level == PAYMENT:
            sql = f"CAST(NULL AS {DUCK_TYPES.get(fact.kind, 'BIGINT')})"
        elif fact.kind == KEY:
            sql = f"CAST({fact.sql} AS BIGINT)"
        else:
            sql = f"CAST({fact.sql} AS {DUCK_TYPES[fact.kind]})"
        cells.append(f"{sql} AS {fact.name}")
    return ",\n  ".join(cells)


# A payment with the payee's other payments of the same item in the same month (a monthly wage or subsidy is one
# payment a month, not a repeat). One window (one sort) gives the rank
# and the totals: its frame spans the whole partition.
SAME_ITEM_SQL = """
  SELECT d.*,
         CASE WHEN d.payee_id_number <> '' THEN count(*) OVER same END AS same_item_count,
         CASE WHEN d.payee_id_number <> '' THEN sum(d.amount) OVER same END AS same_item_total,
         CASE WHEN d.payee_id_number <> '' THEN min(d.paid_on) OVER same END AS same_item_first_paid_on,
         CASE WHEN d.payee_id_number <> '' THEN row_number() OVER same END AS same_item_rank
  FROM fund_payments d
  WINDOW same AS (PARTITION BY d.payee_id_number, d.item, date_trunc('month', d.paid_on)
                  ORDER BY d.paid_on, d.disbursement_id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"""

# The payees looked up in the register and the data sets (only they: the hash tables are built on the smaller,
# payment side, and the register and data sets are each scanned once).
PAYEE_COLUMNS = {
    "in_register": "bool_or(h.in_register)", "status": "min(h.status)", "category": "min(h.category)",
    "village_code": "min(h.village_code)", "death_date": "min(dead.death_date)", "employer": "min(emp.employer)",
    "public_employee": "bool_or(emp.id_number IS NOT NULL)",
}
PAYEE_JOINS = {
    "h": "LEFT JOIN register_members m ON m.id_number = ids.id_number "
         "LEFT JOIN register_households h ON h.household_id = m.household_id",
    "dead": "LEFT JOIN _deaths dead ON dead.id_number = ids.id_number",
    "emp": "LEFT JOIN _employees emp ON emp.id_number = ids.id_number",
}


def payees_sql(reads: str) -> str:
    """The payee look-up with only the columns (and so the joins) the chosen facts read."""
    columns = {name: sql for name, sql in PAYEE_COLUMNS.items() if f"mem.{name}" in reads}
    joins = [join for alias, join in PAYEE_JOINS.items() if any(f"{alias}." in sql for sql in columns.values())]
    return (f"SELECT ids.id_number, {', '.join(f'{sql} AS {name}' for name, sql in columns.items())} "
            "FROM (SELECT DISTINCT payee_id_number AS id_number FROM fund_payments WHERE payee_id_number <> '') ids "
            f"{' '.join(joins)} GROUP BY ids.id_number")

# The payment facts every anomaly row reads (engine.hits_sql), whatever its rule.
ROW_KEYS = frozenset({"disbursement_id", "allocation_id", "fund_id", "village_code", "allocation_region_code",
                      "payee_name", "payee_id_number", "amount"})


def build(con, *, reference_date: dt.date, parameter_table, parameter_codes: list[str],
          needed=None) -> dict[str, int]:
    """Turn the raw relations into ``disbursement_facts`` and ``allocation_facts``; return their row counts.

    ``parameter_table`` is a frame of ``region_code``, ``schedule_target_pct`` and one ``p_<code>`` column per
    parameter code, one row per region code the facts name (``parameters.table``). ``needed`` names the facts
    the run's rules read (None: all): only those payment columns are computed, and the payee look-ups and the
    same-item window only when a needed fact reads them — the allocation facts are always all there.
    """
    chosen = [f for f in FACTS if needed is None or f.name in needed or f.name in ROW_KEYS
              or f.level == ALLOCATION]
    reads = " ".join(f.sql for f in chosen)
    params = "".join(f", prm.{param_column(c)}" for c in parameter_codes)
    ref = f"DATE '{reference_date.isoformat()}'"
    # Handed over as a Parquet file (no pyarrow here for a zero-copy registration; SQL literals of thousands of
    # villages would take seconds to parse).
    with tempfile.NamedTemporaryFile(suffix=".parquet") as fh:
        parameter_table.write_parquet(fh.name)
        con.execute("CREATE OR REPLACE TEMP TABLE fund_parameters AS SELECT * FROM read_parquet(?)", [fh.name])
    # Amounts come over as doubles (SQLite has no decimal); two decimals restore the exact cents.
    con.execute("""
        CREATE OR REPLACE TEMP VIEW fund_payments AS
        SELECT * REPLACE (CAST(round(amount, 2) AS DECIMAL(16,2)) AS amount,
                          COALESCE(item, '') AS item, COALESCE(payee_id_number, '') AS payee_id_number)
        FROM _disbursements""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE fund_allocations AS
        SELECT al.allocation_id, al.fund_id, al.region_code, al.item,
               CAST(round(al.amount, 2) AS DECIMAL(16,2)) AS amount, al.allocated_on,
               COALESCE(s.disbursed, 0) AS disbursed, COALESCE(s.payments, 0) AS payments, s.last_paid_on
        FROM _allocations al
        LEFT JOIN (SELECT allocation_id, sum(amount) AS disbursed, count(*) AS payments, max(paid_on) AS last_paid_on
                   FROM fund_payments WHERE allocation_id IS NOT NULL GROUP BY allocation_id) s
          ON s.allocation_id = al.allocation_id""")
    payees = "mem." in reads
    payments = SAME_ITEM_SQL if "p.same_item" in reads else "SELECT * FROM fund_payments"
    # One statement, as a hand-written query would be: DuckDB pipelines the look-ups into the facts.
    facts_sql = f"""
WITH p AS ({payments})
SELECT
  {_select(chosen, False)}{params}
FROM p
LEFT JOIN fund_allocations a ON a.allocation_id = p.allocation_id
{f"LEFT JOIN ({payees_sql(reads)}) AS mem ON mem.id_number = p.payee_id_number" if payees else ""}
LEFT JOIN fund_parameters prm ON prm.region_code = COALESCE(a.region_code, p.village_code)
UNION ALL
SELECT
  {_select(chosen, True)}{params}
FROM fund_allocations a
LEFT JOIN fund_parameters prm ON prm.region_code = a.region_code
WHERE a.payments = 0"""
    con.execute(f"CREATE OR REPLACE TEMP TABLE disbursement_facts AS {facts_sql.replace('$reference_date', ref)}")
    allocation_sql = f"""
SELECT
  {_select(ALLOCATION_FACTS, True)}{params}
FROM fund_allocations a
LEFT JOIN fund_parameters prm ON prm.region_code = a.region_code"""
    con.execute(f"CREATE OR REPLACE TEMP TABLE allocation_facts AS {allocation_sql.replace('$reference_date', ref)}")
    return {"disbursements": con.execute("SELECT count(*) FROM _disbursements").fetchone()[0],
            "allocations": con.execute("SELECT count(*) FROM allocation_facts").fetchone()[0]}
