"""The comparison engine: a DuckDB workspace holding the register and data sets as columns, and rules run on it.

Columns come out of the application database in bulk — PostgreSQL streams ``COPY … TO STDOUT`` into a temporary
CSV that DuckDB reads in parallel; SQLite hands over ``fetchmany`` batches as NumPy arrays — so no Django model
instance is ever built per row. Rules are SQL (``rules.py``); the workspace adds the household's number and
village, keeps one hit per subject, and returns a Polars frame. ``bench/compare.py`` builds a workspace from
generated columns and calls the same ``evaluate``.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

import duckdb
import polars as pl
import sqlglot
from django.db import connection

from fupin.core.scope import code_range
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import Household, Member

from .kinds import ID_FIELD, NAME_FIELD
from .models import DatasetRow
from .rules import HOUSEHOLD, Rule

FETCH_ROWS = 100_000
DUCK_TYPES = {"text": "VARCHAR", "date": "DATE", "number": "DOUBLE"}
_SAFE = re.compile(r"^[A-Za-z0-9_]+$")

HOUSEHOLD_COLUMNS = [("household_id", "BIGINT"), ("number", "VARCHAR"), ("village_code", "VARCHAR"),
                     ("status", "VARCHAR"), ("category", "VARCHAR")]
MEMBER_COLUMNS = [("member_id", "BIGINT"), ("household_id", "BIGINT"), ("id_number", "VARCHAR"), ("name", "VARCHAR"),
                  ("sex", "VARCHAR"), ("birth_date", "DATE"), ("relation", "VARCHAR"), ("schooling", "VARCHAR"),
                  ("health", "VARCHAR"), ("disability_cert", "VARCHAR"), ("basic_medical_insurance", "BOOLEAN"),
                  ("on_dibao", "BOOLEAN"), ("on_tekun", "BOOLEAN"), ("active", "BOOLEAN")]


def _safe(name: str) -> str:
    if not _SAFE.match(name):
        raise ValueError(f"unsafe identifier {name!r}")
    return name


class Workspace:
    """One DuckDB database in memory (spilling to a temporary directory) for one comparison run."""

    def __init__(self, memory_limit: str | None = None):
        self.tmp = tempfile.TemporaryDirectory(prefix="fupin-compare-")
        self.con = duckdb.connect(config={"temp_directory": self.tmp.name, "preserve_insertion_order": False,
                                          **({"memory_limit": memory_limit} if memory_limit else {})})
        self.kinds: dict[str, dict[str, str]] = {}  # kind code → {column: DuckDB type}

    def close(self):
        self.con.close()
        self.tmp.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- relations -------------------------------------------------------------------------------------------

    def finish_register(self, reference_date: dt.date) -> None:
        """Turn the raw ``_households``/``_members`` tables into the relations rules see."""
        statuses = ", ".join(f"'{s}'" for s in HouseholdStatus.REGISTERED)
        ref = int(reference_date.strftime("%Y%m%d"))
        self.con.execute(f"""
            CREATE OR REPLACE TABLE register_households AS
            SELECT *, COALESCE(status IN ({statuses}), FALSE) AS in_register FROM _households""")
        # Only members in the register (active) are kept, so rules never filter on it — and a filter on the big
        # side of a join would make DuckDB build its hash table there. Age is in full years on the reference
        # date: (yyyymmdd − yyyymmdd of birth) ÷ 10000, rounded down.
        self.con.execute(f"""
            CREATE OR REPLACE TABLE register_members AS
            SELECT * EXCLUDE (active),
                   CAST(({ref} - (year(birth_date) * 10000 + month(birth_date) * 100 + day(birth_date))) // 10000
                        AS INTEGER) AS age
            FROM _members WHERE active""")
        self.con.execute("DROP TABLE _households; DROP TABLE _members")

    def load_register(self, prefix: str, reference_date: dt.date) -> dict[str, int]:
        """Households and members of villages under ``prefix`` (a code prefix, '' for all) from the database."""
        if prefix and not prefix.isdigit():
            raise ValueError("区划代码只能是数字")
        h, m = Household._meta.db_table, Member._meta.db_table
        low, high = code_range(prefix)
        where = f"WHERE h.village_id BETWEEN '{low}' AND '{high}'" if prefix else ""
        pull(self.con, "_households", f"SELECT h.id, h.number, h.village_id, h.status, h.category FROM {h} h {where}",
             HOUSEHOLD_COLUMNS)
        # Dates as text: SQLite's driver would otherwise build a Python date for each one.
        member_columns = ", ".join(f"CAST(m.{c} AS TEXT)" if t == "DATE" else f"m.{c}" for c, t in MEMBER_COLUMNS[2:])
        pull(self.con, "_members",
             f"SELECT m.id, m.household_id, {member_columns} FROM {m} m JOIN {h} h ON h.id = m.household_id {where}",
             MEMBER_COLUMNS)
        self.finish_register(reference_date)
        return self.counts()

    def counts(self) -> dict[str, int]:
        result = {"households": self.scalar("SELECT count(*) FROM register_households"),
                  "members": self.scalar("SELECT count(*) FROM register_members")}
        for code in self.kinds:
            result[code] = self.scalar(f'SELECT count(*) FROM "ds_{code}"')
        return result

    def scalar(self, sql: str):
        return self.con.execute(sql).fetchone()[0]

    def load_datasets(self, kind_code: str, fields: list[tuple[str, str]], dataset_ids: list[int]) -> int:
        """The rows of the given data sets of one kind as relation ``ds_<kind>``; ``fields`` are (name, type)."""
        table = DatasetRow._meta.db_table
        ids = ", ".join(str(int(i)) for i in dataset_ids) or "NULL"
        extra = [(_safe(name), DUCK_TYPES[type_]) for name, type_ in fields if name not in (ID_FIELD, NAME_FIELD)]
        if connection.vendor == "postgresql":
            getters = [f"data->>'{name}'" for name, _ in extra]
        else:
            getters = [f"json_extract(data, '$.{name}')" for name, _ in extra]
        columns = [("dataset_id", "BIGINT"), ("row_no", "INTEGER"), ("id_number", "VARCHAR"), ("name", "VARCHAR"),
                   *extra]
        select = ", ".join(["dataset_id", "row_no", "id_number", "name", *getters])
        pull(self.con, f"ds_{_safe(kind_code)}", f"SELECT {select} FROM {table} WHERE dataset_id IN ({ids})", columns)
        self.kinds[kind_code] = dict(columns)
        return self.scalar(f'SELECT count(*) FROM "ds_{kind_code}"')

    # --- rules -----------------------------------------------------------------------------------------------

    def match(self, rule: Rule, params: dict | None = None, reference_date: dt.date | None = None) -> str:
        """Run the rule inside DuckDB into a temporary table of hits — one per subject (the earliest evidence row
        wins), with household number, village code and the member's ID number and name added — and name it."""
        if rule.kind is not None:
            if rule.kind not in self.kinds:
                raise LookupError(f"没有载入 {rule.kind} 类数据")
            self.con.execute(f'CREATE OR REPLACE TEMP VIEW dataset AS SELECT * FROM "ds_{rule.kind}"')
        values = {**rule.params, **(params or {}), "reference_date": reference_date or dt.date.today()}
        selects = sqlglot.parse_one(rule.sql, read="duckdb").named_selects
        key = lambda column: f"hits.{column}" if column in selects else "NULL"
        subject = "h.number" if rule.subject == HOUSEHOLD else "m.id_number"
        order = "hits.dataset_id, hits.row_no" if "row_no" in selects else "hits.household_id"
        evidence = [c for c in selects if c not in ("household_id", "member_id", "dataset_id", "row_no")]
        table = f"hits_{_safe(rule.code)}"
        # The rule's own result is materialised first: it is small next to the relations it joined, and with its
        # exact size known DuckDB builds the enrichment joins on it rather than on the register.
        self.con.execute(f'CREATE OR REPLACE TEMP TABLE "raw_{table}" AS {rule.sql}',
                         {n: values[n] for n in rule.parameter_names()})
        self.con.execute(f"""
CREATE OR REPLACE TEMP TABLE "{table}" AS
WITH ranked AS (
  SELECT {subject} AS subject_key, hits.household_id, {key('member_id')} AS member_id,
         {key('dataset_id')} AS dataset_id, {key('row_no')} AS row_no,
         h.number AS household_number, h.village_code, m.id_number AS member_id_number, m.name AS member_name
         {''.join(f', hits."{c}" AS "ev_{c}"' for c in evidence)},
         row_number() OVER (PARTITION BY {subject} ORDER BY {order}) AS rank_in_subject
  FROM "raw_{table}" AS hits
  JOIN register_households AS h ON h.household_id = hits.household_id AND h.in_register
  LEFT JOIN register_members AS m ON m.member_id = {key('member_id')}
)
SELECT * EXCLUDE (rank_in_subject) FROM ranked WHERE rank_in_subject = 1""")
        self.con.execute(f'DROP TABLE "raw_{table}"')
        return table

    def evaluate(self, rule: Rule, params: dict | None = None, reference_date: dt.date | None = None) -> pl.DataFrame:
        """The rule's hits as a Polars frame (see ``match``); an empty frame when nothing matches."""
        table = self.match(rule, params, reference_date)
        return self.fetch(f'SELECT * FROM "{table}"')

    def fetch(self, sql: str) -> pl.DataFrame:
        # Row tuples keep DuckDB's types (dates stay dates); hit lists are small next to the data compared.
        result = self.con.execute(sql)
        names = [column[0] for column in result.description]
        return pl.DataFrame(result.fetchall(), schema=names, orient="row")


def plan_error(rule: Rule, fields: list[tuple[str, str]]) -> str | None:
    """DuckDB's complaint when the rule runs on empty relations with the real column types (an unknown function,
    a text compared with a number …), or None when it runs."""
    with Workspace() as workspace:
        con = workspace.con
        con.execute(f"CREATE TABLE _households ({', '.join(f'{n} {t}' for n, t in HOUSEHOLD_COLUMNS)})")
        con.execute(f"CREATE TABLE _members ({', '.join(f'{n} {t}' for n, t in MEMBER_COLUMNS)})")
        workspace.finish_register(dt.date.today())
        if rule.kind is not None:
            columns = [("dataset_id", "BIGINT"), ("row_no", "INTEGER"), ("id_number", "VARCHAR"), ("name", "VARCHAR"),
                       *((_safe(n), DUCK_TYPES[t]) for n, t in fields if n not in (ID_FIELD, NAME_FIELD))]
            con.execute(f'CREATE TABLE "ds_{_safe(rule.kind)}" ({", ".join(f"{n} {t}" for n, t in columns)})')
            workspace.kinds[rule.kind] = dict(columns)
        try:
            workspace.match(rule)
        except duckdb.Error as exc:
            return str(exc).splitlines()[0]
    return None


# How SQLite hands each DuckDB type to Python (dates as text, booleans as 0/1), for the batches written as CSV.
_SQLITE_TYPES = {"BIGINT": pl.Int64, "INTEGER": pl.Int64, "VARCHAR": pl.String, "DATE": pl.String,
                 "BOOLEAN": pl.Int8, "DOUBLE": pl.Float64}
_NULL = r"\N"


def pull(con: duckdb.DuckDBPyConnection, table: str, sql: str, columns: list[tuple[str, str]]) -> None:
    """Run ``sql`` on the application database and store the result in DuckDB as ``table`` with these columns.

    Either database writes a temporary CSV that DuckDB reads in parallel: PostgreSQL by ``COPY … TO STDOUT``,
    SQLite by batches of rows that Polars writes out (cheaper than building arrays for DuckDB from Python).
    ``sql`` is built by this module from identifiers and digits only (COPY takes no bind parameters).
    """
    connection.ensure_connection()
    with tempfile.NamedTemporaryFile(suffix=".csv", dir=_tmp_dir(con)) as fh:
        if connection.vendor == "postgresql":
            copy_sql = f"COPY ({sql}) TO STDOUT (FORMAT csv, NULL '{_NULL}')"
            with connection.connection.cursor() as cursor, cursor.copy(copy_sql) as copy:
                for block in copy:
                    fh.write(block)
        else:
            schema = {name: _SQLITE_TYPES[type_] for name, type_ in columns}
            # The driver's own cursor: Django's converters would turn every date into a Python object first.
            cursor = connection.connection.cursor()
            try:
                cursor.execute(sql)
                while rows := cursor.fetchmany(FETCH_ROWS):
                    pl.DataFrame(rows, schema=schema, orient="row", strict=False).write_csv(
                        fh, include_header=False, null_value=_NULL)
            finally:
                cursor.close()
        fh.flush()
        spec = ", ".join(f"'{name}': '{type_}'" for name, type_ in columns)
        con.execute(
            f'CREATE OR REPLACE TABLE "{table}" AS SELECT * FROM read_csv(?, header = false, columns = {{{spec}}}, '
            f"nullstr = '{_NULL}', allow_quoted_nulls = false, quote = '\"', escape = '\"', auto_detect = false)",
            [fh.name],
        )


def _tmp_dir(con) -> str | None:
    path = con.execute("SELECT current_setting('temp_directory')").fetchone()[0]
    return path if path and Path(path).is_dir() else None
