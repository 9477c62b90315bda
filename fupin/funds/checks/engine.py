"""Running fund rules: the comparison engine's DuckDB workspace, filled with the year's payments and allocations,
the register and the death and 财政供养人员 data sets, then every rule's condition over the facts, set-based.

``load`` pulls the raw columns from the database (``comparison.engine.pull``: PostgreSQL ``COPY``, SQLite
batches), ``facts.build`` joins them, ``evaluate`` runs all rules as one statement and returns one row per
anomaly (rule, subject, answering region, figures as JSON). The benchmark (``bench/funds_check.py``) fills the
raw tables itself and calls the same ``facts.build`` and ``evaluate``.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass

import polars as pl

from fupin.comparison.engine import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, Workspace, pull
from fupin.comparison.models import Dataset
from fupin.core.scope import code_range

from ..models import Allocation, AllocationStatus, Disbursement, Fund
from . import facts as fact_table
from . import parameters
from .conditions import Condition

DEATH_KIND, EMPLOYEE_KIND = "death", "public_employee"
HIT_COLUMNS = ("rule", "subject_key", "region_code", "disbursement_id", "allocation_id", "fund_id", "payee_name",
               "id_number", "amount", "figures")


@dataclass(frozen=True)
class CheckRule:
    """A rule as the engine runs it: its code and validated condition."""

    code: str
    condition: Condition

    def figure_names(self) -> list[str]:
        """The facts an anomaly keeps (those the condition reads, each with its details) and the parameters."""
        names = []
        for column in self.condition.columns:
            names += [column, *fact_table.FACT_NAMES[column].details]
        facts = [n for n in dict.fromkeys(names) if fact_table.FACT_NAMES[n].kind != fact_table.KEY]
        if self.condition.allocation_level:
            facts = [n for n in facts if fact_table.FACT_NAMES[n].level == fact_table.ALLOCATION]
        return facts


def _empty(con, table: str, columns) -> None:
    con.execute(f"CREATE OR REPLACE TABLE {table} ({', '.join(f'{n} {t}' for n, t in columns)})")


def prepare_empty(workspace: Workspace, reference: dt.date) -> None:
    """Empty relations with the real column types (to plan a condition before it is saved)."""
    _empty(workspace.con, "_households", HOUSEHOLD_COLUMNS)
    _empty(workspace.con, "_members", MEMBER_COLUMNS)
    workspace.finish_register(reference)
    fact_table.create_raw_tables(workspace.con)
    fact_table.build(workspace.con, reference_date=reference, parameter_table=parameters.table({}, reference),
                     parameter_codes=list(parameters.CODES))


def needed_facts(rules: list[CheckRule]) -> set[str]:
    """The facts a run computes: those its rules' conditions and figures read."""
    return {name for rule in rules for name in (*rule.condition.columns, *rule.figure_names())}


def load(workspace: Workspace, *, year: int, prefix: str, reference: dt.date, needed=None) -> dict[str, int]:
    """Pull the year's payments and issued allocations under ``prefix``, the register of the county (a payee
    may live in another village) and the data sets; build the facts. Returns row counts."""
    if prefix and not prefix.isdigit():
        raise ValueError("区划代码只能是数字")
    con = workspace.con
    low, high = code_range(prefix)
    d, a, f = Disbursement._meta.db_table, Allocation._meta.db_table, Fund._meta.db_table
    in_scope = (lambda column: f"{column} BETWEEN '{low}' AND '{high}'") if prefix else (lambda column: "1 = 1")
    year_start, year_end = f"'{year}-01-01'", f"'{year}-12-31'"
    # An allocation counts every payment made from it, wherever the payee's village is; a payment without a fund
    # counts in the year it was paid.
    pull(con, "_disbursements", f"""
        SELECT d.id, d.allocation_id, COALESCE(d.fund_id, al.fund_id), d.village_id, d.item, d.voucher_number,
               d.payee_name, d.payee_id_number, d.amount, CAST(d.paid_on AS TEXT)
        FROM {d} d
        LEFT JOIN {a} al ON al.id = d.allocation_id
        LEFT JOIN {f} fu ON fu.id = COALESCE(d.fund_id, al.fund_id)
        WHERE (fu.year = {int(year)} OR (fu.id IS NULL AND d.paid_on BETWEEN {year_start} AND {year_end}))
          AND ({in_scope('d.village_id')} OR {in_scope('al.region_id')})""", fact_table.DISBURSEMENT_COLUMNS)
    pull(con, "_allocations", f"""
        SELECT al.id, al.fund_id, al.region_id, al.item, al.amount, CAST(al.allocated_on AS TEXT)
        FROM {a} al JOIN {f} fu ON fu.id = al.fund_id
        WHERE fu.year = {int(year)} AND al.status = '{AllocationStatus.ISSUED}' AND {in_scope('al.region_id')}""",
         fact_table.ALLOCATION_COLUMNS)
    county = prefix[:6]
    counts = workspace.load_register(county, reference)
    _load_dataset(workspace, "_deaths", DEATH_KIND, "death_date", "date", latest_only=False)
    _load_dataset(workspace, "_employees", EMPLOYEE_KIND, "employer", "text", latest_only=True)
    regions = [row[0] for row in con.execute(
        "SELECT DISTINCT region_code FROM _allocations UNION SELECT DISTINCT village_code FROM _disbursements"
    ).fetchall() if row[0]]
    values = parameters.table(parameters.resolve(year, regions), reference)
    counts.update(fact_table.build(con, reference_date=reference, parameter_table=values,
                                   parameter_codes=list(parameters.CODES), needed=needed))
    counts["deaths"] = workspace.scalar("SELECT count(*) FROM _deaths")
    counts["public_employees"] = workspace.scalar("SELECT count(*) FROM _employees")
    return counts


def _load_dataset(workspace: Workspace, table: str, kind: str, field: str, type_: str, *, latest_only: bool) -> None:
    """A data set kind's ID numbers and one field as ``table``: every death list, or the latest full list."""
    datasets = Dataset.objects.filter(kind__code=kind).order_by("-reference_date", "-created")
    ids = list(datasets.values_list("pk", flat=True)[:1] if latest_only else datasets.values_list("pk", flat=True))
    con = workspace.con
    if not ids:
        fact_table.create_raw_tables(con)
        return
    workspace.load_datasets(kind, [(field, type_)], ids)
    con.execute(f'CREATE OR REPLACE TABLE {table} AS SELECT id_number, {field} FROM "ds_{kind}"')
    con.execute(f'DROP TABLE "ds_{kind}"')
    workspace.kinds.pop(kind, None)


def hits_sql(rules: list[CheckRule], prefix: str = "") -> str:
    """One statement: every rule's firing rows, one per subject, with their answering region and figures."""
    answer = fact_table.ANSWER_REGION.format("allocation_region_code")
    parts = []
    for rule in rules:
        names = rule.figure_names()
        packed = ", ".join([f"{n} := {n}" for n in names]
                           + [f"{c} := {fact_table.param_column(c)}" for c in rule.condition.parameters])
        figures = f"CAST(to_json(struct_pack({packed})) AS VARCHAR)" if packed else "'{}'"
        code = rule.code.replace("'", "''")
        if rule.condition.allocation_level:
            parts.append(f"""
SELECT '{code}' AS rule, 'a' || allocation_id AS subject_key, {answer} AS region_code,
       CAST(NULL AS BIGINT) AS disbursement_id, allocation_id, fund_id, '' AS payee_name, '' AS id_number,
       CASE WHEN allocation_over > 0 THEN allocation_over ELSE allocation_remaining END AS amount, {figures} AS figures
FROM allocation_facts WHERE {rule.condition.sql()}""")
        else:
            parts.append(f"""
SELECT '{code}' AS rule, COALESCE('d' || disbursement_id, 'a' || allocation_id) AS subject_key,
       CASE WHEN disbursement_id IS NULL THEN {answer} ELSE village_code END AS region_code,
       disbursement_id, allocation_id, fund_id, COALESCE(payee_name, '') AS payee_name,
       COALESCE(payee_id_number, '') AS id_number, amount, {figures} AS figures
FROM disbursement_facts WHERE {rule.condition.sql()}""")
    if not parts:
        return "SELECT " + ", ".join(f"NULL AS {c}" for c in HIT_COLUMNS) + " WHERE FALSE"
    union = "\nUNION ALL".join(parts)
    where = f"WHERE starts_with(region_code, '{prefix}')" if prefix else ""
    return f"SELECT * REPLACE (CAST(amount AS DOUBLE) AS amount) FROM ({union}) hits {where}"


HIT_SCHEMA = {"rule": pl.String, "subject_key": pl.String, "region_code": pl.String, "disbursement_id": pl.Int64,
              "allocation_id": pl.Int64, "fund_id": pl.Int64, "payee_name": pl.String, "id_number": pl.String,
              "amount": pl.Float64, "figures": pl.String}


def evaluate(con, rules: list[CheckRule], prefix: str = "") -> pl.DataFrame:
    """The anomalies the rules find in the facts table, as a Polars frame (``HIT_SCHEMA``)."""
    if prefix and not prefix.isdigit():
        raise ValueError("区划代码只能是数字")
    if not rules:
        return pl.DataFrame(schema=HIT_SCHEMA)
    con.execute(f"CREATE OR REPLACE TEMP TABLE fund_hits AS {hits_sql(rules, prefix)}")
    # Handed over as a Parquet file: a hundred thousand hits as Python tuples would cost more than finding them.
    with tempfile.NamedTemporaryFile(suffix=".parquet") as fh:
        con.execute(f"COPY (SELECT * FROM fund_hits ORDER BY rule, subject_key) TO '{fh.name}' (FORMAT parquet)")
        return pl.read_parquet(fh.name).cast(HIT_SCHEMA)
