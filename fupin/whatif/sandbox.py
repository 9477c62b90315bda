"""The sandbox: a scenario evaluated against the live configuration by the same engines, on a snapshot.

* **Snapshot.** In one read transaction (repeatable read on PostgreSQL, so every statement sees the same data) the
  county's rows of the tables the monitoring engine's facts query reads are copied into an in-memory DuckDB
  workspace (``comparison.engine``) under their Django names; the exit check's set-based selection
  (``procedures.adjustment.exit_passing``) runs in the same transaction for the live and the scenario line.
  Nothing is written to the application database here.
* **Monitoring.** ``monitoring.planning.build_plan`` makes the live plan and, with the scenario's ``overrides``
  and rule ``conditions``, the scenario plan; ``monitoring.engine.run_duckdb`` evaluates both on the snapshot.
* **Comparison.** Per household (Polars): enters monitoring (the scenario's rules fire on a household not
  monitored, the live ones do not), leaves (the live rules fire, the scenario's do not), newly passes or fails the
  exit check, newly falls under the 低保 standard; per township the counts, and the cost with its formula.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from decimal import Decimal

import polars as pl
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction

from fupin.comparison.engine import Workspace, pull
from fupin.core.scope import code_range
from fupin.monitoring import engine, planning
from fupin.monitoring.models import Family, MonitoredHousehold, RiskEvent
from fupin.procedures import adjustment, policy
from fupin.regions.models import PREFIX_LENGTH, Level, Region
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import Household, IncomeAccount, Member, SecurityCheck
from fupin.sectors import figures
from fupin.sectors.choices import Figure, YuluStatus
from fupin.sectors.models import YuluApplication

from .changes import shown
from .models import Outcome

# The tables the facts query reads (monitoring.engine.Plan.facts_sql), households first.
SNAPSHOT_MODELS = (Household, Member, IncomeAccount, SecurityCheck, RiskEvent, MonitoredHousehold)
TOWNSHIP_DIGITS = PREFIX_LENGTH[Level.TOWNSHIP]
FACT_COLUMNS = ("household_id", "village_code", "size", "per_capita_income", "members_on_dibao", "monitored")
COUNTERS = ("households", "monitor_before", "monitor_after", "enter", "leave", "exit_before", "exit_after",
            "exit_pass", "exit_fail", "dibao_households", "dibao_people")


def _duck_type(model_field) -> str:
    target = model_field.target_field if model_field.is_relation else model_field
    if isinstance(target, models.BooleanField):
        return "BOOLEAN"
    if isinstance(target, (models.DateField,)) and not isinstance(target, models.DateTimeField):
        return "DATE"
    if isinstance(target, (models.DecimalField, models.FloatField)):
        return "DOUBLE"
    if isinstance(target, (models.IntegerField, models.AutoField, models.BigAutoField)):
        return "BIGINT"
    return "VARCHAR"


def _snapshot_sql(model, prefix: str) -> tuple[str, list[tuple[str, str]]]:
    """SELECT of the model's rows under the county (every concrete column; dates and times as text, so SQLite's
    driver builds no Python object per cell) and the DuckDB columns they load into."""
    low, high = code_range(prefix)
    table = model._meta.db_table
    columns, selects = [], []
    for f in model._meta.concrete_fields:
        kind = _duck_type(f)
        value = f"t.{connection.ops.quote_name(f.column)}"
        if kind in ("DATE", "VARCHAR") and not isinstance(f, (models.CharField, models.TextField, models.ForeignKey)):
            value = f"CAST({value} AS TEXT)"
        selects.append(value)
        columns.append((f.column, kind))
    if model is Household:
        where = f"t.village_id BETWEEN '{low}' AND '{high}'"
        join = ""
    else:
        join = f" JOIN {Household._meta.db_table} h ON h.id = t.household_id"
        where = f"h.village_id BETWEEN '{low}' AND '{high}'"
    return f"SELECT {', '.join(selects)} FROM {table} t{join} WHERE {where}", columns


def load_snapshot(con, prefix: str) -> dict[str, int]:
    """Copy the county's rows of ``SNAPSHOT_MODELS`` into DuckDB; row counts per table."""
    counts = {}
    for model in SNAPSHOT_MODELS:
        sql, columns = _snapshot_sql(model, prefix)
        pull(con, model._meta.db_table, sql, columns)
        counts[model._meta.db_table] = con.execute(f'SELECT count(*) FROM "{model._meta.db_table}"').fetchone()[0]
    return counts


@contextlib.contextmanager
def read_snapshot():
    """One read-only transaction for every read of the run; on PostgreSQL repeatable read, so all statements see
    the data as of the first. Inside an enclosing transaction (a test) that one's snapshot rules."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


@dataclass
class Inputs:
    """What the scenario overrides, by engine: plan overrides (lines, parameters), rule conditions, figures."""

    overrides: dict[str, Decimal] = field(default_factory=dict)
    conditions: dict[str, str] = field(default_factory=dict)
    figures: dict[str, Decimal] = field(default_factory=dict)


@dataclass
class Evaluation:
    households: pl.DataFrame  # one row per household of the county with the flags and the deciding figures
    lines: dict[str, dict]  # name → {"before", "after"} (监测范围, 扶贫标准, 低保标准, 雨露计划)
    costs: list[dict]
    warnings: list[str]
    snapshot: dict[str, int]


def _figure(code: str, year: int, county_code: str) -> Decimal | None:
    try:
        return figures.value(code, year, county_code)
    except ValidationError:
        return None


def _rules_frame(hits: pl.DataFrame, name: str) -> pl.DataFrame:
    return hits.select(pl.col("household_id"), pl.col("rules").alias(name))


def evaluate(county: Region, year: int, inputs: Inputs, progress=None) -> Evaluation:
    report = progress or (lambda *args, **kwargs: None)
    county_code = county.code[:PREFIX_LENGTH[Level.COUNTY]]
    with read_snapshot(), Workspace() as workspace:
        report(1, 6, "读取现行规则、参数与标准", force=True)
        live_plan, warnings = planning.build_plan(Family.MONITORING, county.code, year)
        scenario_plan, _same = planning.build_plan(Family.MONITORING, county.code, year,
                                                   overrides=inputs.overrides, conditions=inputs.conditions)
        report(2, 6, "建立数据快照", force=True)
        snapshot = load_snapshot(workspace.con, county.prefix)
        report(3, 6, "按现行与模拟规则测算监测预警", force=True)
        _scanned, live_hits = engine.run_duckdb(live_plan, workspace.con)
        _scanned, scenario_hits = engine.run_duckdb(scenario_plan, workspace.con)
        facts = workspace.fetch(f"SELECT {', '.join(FACT_COLUMNS)} FROM ({live_plan.sql(engine.RULE_DIALECT, 'facts')})"
                                " facts")
        report(4, 6, "按现行与模拟扶贫标准测算脱贫条件", force=True)
        live_values = live_plan.counties.get(county_code, {})
        scenario_values = scenario_plan.counties.get(county_code, {})
        line_before, line_after = live_values.get("poverty_line"), scenario_values.get("poverty_line")
        passing = {}
        if line_before is None or line_after is None:
            warnings.append(f"未设置{year}年度扶贫标准，未测算脱贫条件")
        else:
            ages = policy.ages(year, county.code)
            households = (Household.objects.filter(village__code__startswith=county.prefix)
                          .annotate(c_per_capita_income=adjustment.income_of(year)))
            for name, line in (("exit_before", line_before), ("exit_after", line_after)):
                passing[name] = list(adjustment.exit_passing(households, year, ages, line)
                                     .values_list("pk", flat=True).order_by())
        in_poverty = list(Household.objects.filter(village__code__startswith=county.prefix,
                                                   status__in=HouseholdStatus.IN_POVERTY).values_list("pk", flat=True))
        dibao_before = _figure(Figure.DIBAO_STANDARD, year, county.code)
        yulu_before = _figure(Figure.YULU_AMOUNT, year, county.code)
        yulu_recipients = YuluApplication.objects.filter(
            village__code__startswith=county.prefix, year=year, status__in=(YuluStatus.APPROVED, YuluStatus.PAID),
        ).count()
    report(5, 6, "汇总各乡镇结果与支出", force=True)
    dibao_after = inputs.figures.get(Figure.DIBAO_STANDARD, dibao_before)
    if dibao_before is None and Figure.DIBAO_STANDARD in inputs.figures:
        warnings.append(f"未设置{year}年农村低保标准现行值，未测算新增低保支出")
    frame = _compare(facts, live_hits, scenario_hits, passing, in_poverty, dibao_before, dibao_after)
    lines = {
        "monitoring_line": {"label": "监测范围", "before": live_values.get("monitoring_line"),
                            "after": scenario_values.get("monitoring_line")},
        "poverty_line": {"label": "扶贫标准", "before": line_before, "after": line_after},
        "dibao_standard": {"label": "农村低保标准", "before": dibao_before, "after": dibao_after},
    }
    costs = _costs(frame, year, dibao_before, dibao_after, yulu_before,
                   inputs.figures.get(Figure.YULU_AMOUNT, yulu_before), yulu_recipients)
    return Evaluation(frame, lines, costs, warnings, snapshot)


def _compare(facts, live_hits, scenario_hits, passing, in_poverty, dibao_before, dibao_after) -> pl.DataFrame:
    frame = (facts.with_columns(pl.col("household_id").cast(pl.Int64))
             .join(_rules_frame(live_hits, "rules_before"), on="household_id", how="left")
             .join(_rules_frame(scenario_hits, "rules_after"), on="household_id", how="left"))
    ids = pl.col("household_id")
    poor = ids.is_in(list(in_poverty))
    before = pl.col("rules_before").is_not_null()
    after = pl.col("rules_after").is_not_null()
    flags = [
        before.alias("monitor_before"), after.alias("monitor_after"),
        (after & ~before & (pl.col("monitored") == 0)).alias("enter"),
        (before & ~after).alias("leave"),
    ]
    for name in ("exit_before", "exit_after"):
        flags.append((poor & ids.is_in(list(passing.get(name, [])))).alias(name))
    frame = frame.with_columns(flags).with_columns(
        (pl.col("exit_after") & ~pl.col("exit_before")).alias("exit_pass"),
        (pl.col("exit_before") & ~pl.col("exit_after")).alias("exit_fail"),
    )
    income = pl.col("per_capita_income")
    if dibao_before is not None and dibao_after is not None and dibao_after > dibao_before:
        dibao = (income.is_not_null() & (income < float(dibao_after)) & (income >= float(dibao_before))
                 & (pl.col("members_on_dibao") == 0))
    else:
        dibao = pl.lit(False)
    return frame.with_columns(
        dibao.alias("dibao_households"),
        pl.col("village_code").str.slice(0, TOWNSHIP_DIGITS).str.pad_end(12, "0").alias("township_code"),
    )


def _costs(frame, year, dibao_before, dibao_after, yulu_before, yulu_after, yulu_recipients) -> list[dict]:
    """The extra yearly spending of the scenario, each with its formula (元; negative is a saving)."""
    costs = []
    if dibao_before is not None and dibao_after is not None and dibao_after != dibao_before:
        new = frame.filter(pl.col("dibao_households"))
        people = int(new["size"].fill_null(0).sum())
        costs.append({
            "label": "新增低保对象保障金",
            "formula": f"新低于低保标准且未享受低保的 {new.height} 户 {people} 人 × 模拟低保标准 {shown(dibao_after)} 元/人·年",
            "amount": str(Decimal(people) * dibao_after),
        })
        existing = int(frame["members_on_dibao"].fill_null(0).sum())
        costs.append({
            "label": "现有低保对象标准调整",
            "formula": f"现享受低保 {existing} 人 × （{shown(dibao_after)} − {shown(dibao_before)}）元/人·年",
            "amount": str(Decimal(existing) * (dibao_after - dibao_before)),
        })
    if yulu_before is not None and yulu_after is not None and yulu_after != yulu_before:
        costs.append({
            "label": "雨露计划补助",
            "formula": f"{year}年已审核、已发放 {yulu_recipients} 人 × （{shown(yulu_after)} − {shown(yulu_before)}）元/学年",
            "amount": str(Decimal(yulu_recipients) * (yulu_after - yulu_before)),
        })
    return costs


def township_rows(frame: pl.DataFrame, price: Decimal | None) -> list[dict]:
    """Per township: households and each count (baseline 'before', scenario 'after', and the moves), with the
    新增低保 people and their cost at the scenario's standard."""
    sums = [pl.len().alias("households")] + [pl.col(c).cast(pl.Int64).sum().alias(c) for c in COUNTERS[1:-1]]
    sums.append(pl.col("size").filter(pl.col("dibao_households")).fill_null(0).sum().alias("dibao_people"))
    grouped = frame.group_by("township_code").agg(sums).sort("township_code")
    names = dict(Region.objects.filter(code__in=grouped["township_code"].to_list()).values_list("code", "name"))
    rows = []
    for row in grouped.iter_rows(named=True):
        row = {k: (int(v) if k != "township_code" else v) for k, v in row.items()}
        row["name"] = names.get(row["township_code"], row["township_code"])
        row["dibao_cost"] = str(Decimal(row["dibao_people"]) * price) if price is not None else "0"
        rows.append(row)
    return rows


def changed_households(frame: pl.DataFrame, lines: dict) -> pl.DataFrame:
    """One row per household and outcome it has, with the standard that decided it before and after."""
    decide = {Outcome.ENTER: "monitoring_line", Outcome.LEAVE: "monitoring_line", Outcome.EXIT_PASS: "poverty_line",
              Outcome.EXIT_FAIL: "poverty_line", Outcome.DIBAO: "dibao_standard"}
    flag = {Outcome.ENTER: "enter", Outcome.LEAVE: "leave", Outcome.EXIT_PASS: "exit_pass",
            Outcome.EXIT_FAIL: "exit_fail", Outcome.DIBAO: "dibao_households"}
    parts = []
    for outcome, column in flag.items():
        line = lines[decide[outcome]]
        parts.append(frame.filter(pl.col(column)).select(
            "household_id", "village_code", pl.col("size").fill_null(0), "per_capita_income",
            pl.lit(outcome.value).alias("outcome"),
            pl.lit(None if line["before"] is None else float(line["before"]), dtype=pl.Float64).alias("before"),
            pl.lit(None if line["after"] is None else float(line["after"]), dtype=pl.Float64).alias("after"),
            pl.col("rules_before").fill_null(""), pl.col("rules_after").fill_null(""),
        ))
    return pl.concat(parts) if parts else pl.DataFrame()
