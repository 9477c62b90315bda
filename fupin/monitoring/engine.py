"""The rule engine shared by monitoring rules and data-quality checks (docs/architecture.md, "How data flows").

One shape for every rule family:

* **The household-facts table** (``FACTS``): one row per household and year with the columns rules may use. It is
  one SQL query over the registry tables (households, members, yearly accounts and checks) plus risk events,
  monitored households and the per-county lines and parameters of the year.
* **Conditions** are SQL boolean expressions over those columns, e.g. ``per_capita_income < monitoring_line`` or
  ``income_change_pct <= -:income_drop_pct``; ``:code`` is a parameter (threshold) resolved per year and county.
  ``validate()`` parses a condition with SQLGlot and admits only comparisons, boolean logic, arithmetic and a few
  scalar functions over known columns and parameters.
* **Execution** is set-based where the data lives: the facts query and the conditions are written once in the
  DuckDB dialect and transpiled by SQLGlot to SQLite, PostgreSQL (or Spark SQL later); the database returns only
  the firing rows, each with the evaluated figures that become the alert's explanation.

``Plan`` holds one evaluation (scope, year, rules, parameter values per county); ``plan.sql(dialect)`` is the
statement, ``run_django(plan)`` and ``run_duckdb(plan, con)`` execute it. The benchmark calls these directly.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import polars as pl
import sqlglot
from django.db import connections, transaction
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from fupin.core.scope import code_range
from fupin.procedures import policy
from fupin.regions.models import PREFIX_LENGTH, Level
from fupin.registry.choices import Health, HouseholdStatus, LabourSkill, Relation, Schooling
from fupin.registry.models import SecurityCheck

from .defaults import DEFAULTS, EVENT_WINDOW_DAYS

# The dialect conditions and the facts query are written in.
RULE_DIALECT = "duckdb"
# The parameters the engine itself reads per county (besides the rules' own): the policy ages of the member facts
# and the risk-event window; installed by migration 0008, defaults in ``defaults.DEFAULTS``.
POLICY_CODES = (*policy.AGE_CODES, EVENT_WINDOW_DAYS)
DJANGO_DIALECTS = {"sqlite": "sqlite", "postgresql": "postgres"}

SECURITY_FIELDS = ("food_secure", "clothing_secure", "education_secure", "medical_secure", "housing_secure",
                   "water_secure")
NUMBER, INTEGER, TEXT = "number", "integer", "text"


@dataclass(frozen=True)
class Fact:
    name: str
    kind: str
    label: str
    sql: str
    # Facts an alert keeps beside this one so that it names what failed (which 两不愁三保障 item, which costs).
    details: tuple[str, ...] = ()


def _money(column: str) -> str:
    return f"CAST({column} AS DOUBLE)"


def _in(values: Iterable[str]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _failed_items() -> str:
    """The 两不愁三保障 and drinking-water items a check records as not met, by their Chinese names (“、”-joined)."""
    parts = " || ".join(
        f"CASE WHEN s.{name} THEN '' ELSE '、{SecurityCheck._meta.get_field(name).verbose_name}' END"
        for name in SECURITY_FIELDS
    )
    return f"SUBSTRING({parts}, 2)"


# The documented columns rules may use, in the order the facts table has them. ``sql`` reads the CTE aliases of
# ``Plan.facts_sql``: h (household), mem (member aggregates), cur/prev (this and last year's account), sc (this
# year's 两不愁三保障 check), ev (risk events in the 12 months up to the end of the year), mon (open monitoring),
# p (lines and parameters of the household's county).
FACTS: tuple[Fact, ...] = (
    Fact("household_id", INTEGER, "户ID", "h.id"),
    Fact("village_code", TEXT, "所属村区划代码", "h.village_id"),
    Fact("status", TEXT, "户状态代码（1未脱贫 2已脱贫 3返贫 4新识别）", "h.status"),
    Fact("category", TEXT, "贫困户属性代码（1一般 2低保 3特困供养 4一般农户）", "h.category"),
    Fact("main_cause", TEXT, "主要致贫原因代码", "h.main_cause"),
    Fact("exit_year", INTEGER, "脱贫年度", "h.exit_year"),
    Fact("identification_year", INTEGER, "识别年度", "h.identification_year"),
    Fact("enjoys_policy", INTEGER, "享受政策（1是 0否）", "CASE WHEN h.enjoys_policy THEN 1 ELSE 0 END"),
    Fact("size", INTEGER, "家庭人口数", "h.size"),
    Fact("phone", TEXT, "联系电话", "h.phone"),
    Fact("house_area", NUMBER, "住房面积（㎡）", _money("h.house_area")),
    Fact("per_capita_income", NUMBER, "本年人均纯收入（元）", _money("cur.per_capita_net_income")),
    Fact("per_capita_income_last", NUMBER, "上年人均纯收入（元）", _money("prev.per_capita_net_income")),
    Fact("income_change_pct", NUMBER, "人均纯收入较上年变化（%）",
         "CASE WHEN prev.per_capita_net_income > 0 THEN (CAST(cur.per_capita_net_income AS DOUBLE) - "
         "prev.per_capita_net_income) * 100.0 / prev.per_capita_net_income END"),
    Fact("net_income", NUMBER, "本年家庭纯收入（元）", _money("cur.net_income")),
    Fact("net_income_last", NUMBER, "上年家庭纯收入（元）", _money("prev.net_income")),
    Fact("wage_income", NUMBER, "工资性收入（元）", _money("cur.wage_income")),
    Fact("business_income", NUMBER, "生产经营性收入（元）", _money("cur.business_income")),
    Fact("property_income", NUMBER, "财产性收入（元）", _money("cur.property_income")),
    Fact("transfer_income", NUMBER, "转移性收入（元）", _money("cur.transfer_income")),
    Fact("business_costs", NUMBER, "生产经营性支出（元）", _money("cur.business_costs")),
    Fact("medical_out_of_pocket", NUMBER, "合规自付医疗支出（元）", _money("cur.medical_out_of_pocket")),
    Fact("medical_share_pct", NUMBER, "合规自付医疗支出占家庭纯收入（%）",
         "CASE WHEN cur.net_income > 0 THEN CAST(cur.medical_out_of_pocket AS DOUBLE) * 100.0 / cur.net_income END",
         details=("medical_out_of_pocket", "net_income")),
    Fact("medical_in_policy_cost", NUMBER, "政策范围内医疗费用（元）", _money("cur.medical_in_policy_cost")),
    Fact("medical_self_pay_share_pct", NUMBER, "合规自付医疗费用占政策范围内费用（%）",
         "CASE WHEN cur.medical_in_policy_cost > 0 THEN CAST(cur.medical_out_of_pocket AS DOUBLE) * 100.0 / "
         "cur.medical_in_policy_cost END", details=("medical_out_of_pocket", "medical_in_policy_cost")),
    Fact("heads", INTEGER, "户主人数", "COALESCE(mem.heads, 0)"),
    Fact("head_spouse_same_sex", INTEGER, "户主与配偶同性别（1是 0否）",
         "CASE WHEN mem.head_sex IS NOT NULL AND (mem.spouse_sex_min = mem.head_sex OR mem.spouse_sex_max = "
         "mem.head_sex) THEN 1 ELSE 0 END"),
    Fact("members_serious_illness", INTEGER, "患大病成员数", "COALESCE(mem.serious_illness, 0)"),
    Fact("members_chronic", INTEGER, "长期慢性病成员数", "COALESCE(mem.chronic, 0)"),
    Fact("members_disabled", INTEGER, "残疾成员数", "COALESCE(mem.disabled, 0)"),
    Fact("students", INTEGER, "在校生人数", "COALESCE(mem.students, 0)"),
    Fact("school_age_out", INTEGER, "义务教育适龄（义务教育年龄参数，默认6至15周岁）未在校人数（除身体原因）", "COALESCE(mem.school_age_out, 0)"),
    Fact("members_on_dibao", INTEGER, "享受低保成员数", "COALESCE(mem.on_dibao, 0)"),
    Fact("members_on_tekun", INTEGER, "特困供养成员数", "COALESCE(mem.on_tekun, 0)"),
    Fact("workers", INTEGER, "有务工时间的成员数", "COALESCE(mem.workers, 0)"),
    Fact("labourers", INTEGER, "劳动年龄内（劳动年龄参数，默认16至59周岁）普通或技能劳动力人数", "COALESCE(mem.labourers, 0)"),
    Fact("able_to_work", INTEGER, "有劳动能力成员数（含弱劳动力）", "COALESCE(mem.able_to_work, 0)"),
    Fact("uninsured", INTEGER, "未参加基本医疗保险成员数", "COALESCE(mem.uninsured, 0)"),
    Fact("deaths", INTEGER, "风险事件统计期内（默认近365天）死亡成员数（减员记录与死亡事件）",
         "COALESCE(mem.deaths, 0) + COALESCE(ev.death, 0)"),
    Fact("illness_events", INTEGER, "新发重大疾病事件数", "COALESCE(ev.illness, 0)"),
    Fact("disability_events", INTEGER, "新增残疾事件数", "COALESCE(ev.disability, 0)"),
    Fact("disaster_events", INTEGER, "自然灾害事件数", "COALESCE(ev.disaster, 0)"),
    Fact("accident_events", INTEGER, "意外事故事件数", "COALESCE(ev.accident, 0)"),
    Fact("unemployment_events", INTEGER, "主要劳动力失业事件数", "COALESCE(ev.unemployment, 0)"),
    Fact("industry_events", INTEGER, "产业经营失败事件数", "COALESCE(ev.industry, 0)"),
    Fact("credit_events", INTEGER, "小额信贷逾期或违规使用事件数", "COALESCE(ev.credit, 0)"),
    Fact("event_amount", NUMBER, "风险事件损失与支出合计（元）", "COALESCE(ev.amount, 0)"),
    Fact("security_checked", INTEGER, "本年已做两不愁三保障核查（1是 0否）",
         "CASE WHEN sc.household_id IS NULL THEN 0 ELSE 1 END"),
    Fact("security_unmet", INTEGER, "两不愁三保障及饮水未达标项数", "sc.unmet", details=("security_failed",)),
    Fact("security_failed", TEXT, "未达标项目", "sc.failed"),
    Fact("house_grade", TEXT, "危房等级", "sc.house_grade"),
    Fact("monitored", INTEGER, "当前为监测对象（1是 0否）", "CASE WHEN mon.household_id IS NULL THEN 0 ELSE 1 END"),
    Fact("monitored_kind", TEXT, "监测对象类别代码", "mon.kind"),
    Fact("monitoring_line", NUMBER, "本年监测范围（元/人）", "p.monitoring_line"),
    Fact("poverty_line", NUMBER, "本年扶贫标准（元/人）", "p.poverty_line"),
)
FACT_NAMES = {f.name: f for f in FACTS}
CTE_REFERENCE = re.compile(r"\b(mem|ev|cur|prev|sc|mon|p)\.([a-z_]+)")
KEY_COLUMNS = ("household_id", "village_code")

# Expression nodes a condition may contain: predicates, boolean logic, arithmetic, literals, columns,
# parameters and a handful of scalar functions that every target dialect has.
ALLOWED_NODES = (
    exp.And, exp.Or, exp.Not, exp.Paren, exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Is, exp.In,
    exp.Between, exp.Like, exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.Neg, exp.Literal, exp.Boolean,
    exp.Null, exp.Column, exp.Identifier, exp.Placeholder, exp.Coalesce, exp.Abs, exp.Greatest, exp.Least,
    exp.Length, exp.Case, exp.If, exp.Round, exp.Substring,
)
PREDICATES = (exp.And, exp.Or, exp.Not, exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Is, exp.In,
              exp.Between, exp.Like, exp.Boolean)
NODE_NAMES = {exp.Select: "SELECT 查询", exp.Subquery: "子查询", exp.Anonymous: "函数"}


class ConditionError(ValueError):
    """A condition that cannot be used; the message is in Chinese and names the problem."""


@dataclass(frozen=True)
class Condition:
    text: str
    expression: exp.Expression
    columns: tuple[str, ...]
    parameters: tuple[str, ...]


def validate(
    text: str, *, columns=None, fields="户事实表字段说明", example="per_capita_income < monitoring_line",
    parameters=None, parameter_help="", empty="请填写触发条件",
) -> Condition:
    """Parse and check a condition; raise ConditionError with a Chinese message naming what is wrong.

    One grammar for every rule family (docs/architecture.md): the fund checks and the 应享未享 board call this with
    their own ``columns`` (names rules may read, default the household facts), the page that documents them
    (``fields``), an ``example`` predicate, and the ``parameters`` they admit (None: any ``:code``; a collection:
    only those, ``parameter_help`` saying what they are; empty: none, ``parameter_help`` saying where figures go).
    """
    names = FACT_NAMES if columns is None else columns
    text = (text or "").strip()
    if not text:
        raise ConditionError(empty)
    try:
        expressions = sqlglot.parse(text, read=RULE_DIALECT)
    except ParseError as exc:
        first = exc.errors[0] if exc.errors else {}
        where = f"（第{first.get('col')}列附近）" if first.get("col") else ""
        raise ConditionError(f"条件语法错误{where}：{first.get('description') or exc}") from exc
    except TokenError as exc:
        # An unterminated string, quoted name or comment: the tokenizer stops before the parser starts.
        raise ConditionError("条件语法错误：请检查引号或注释是否成对闭合") from exc
    if len(expressions) != 1 or expressions[0] is None:
        raise ConditionError("条件只能是一个表达式，不能包含分号或多条语句")
    expression = expressions[0]
    for node in expression.walk():
        if not isinstance(node, ALLOWED_NODES):
            name = next((v for k, v in NODE_NAMES.items() if isinstance(node, k)), None)
            what = name or getattr(node, "key", type(node).__name__).upper()
            raise ConditionError(f"条件中不允许使用 {what}；只能使用比较、AND/OR/NOT、算术运算和 COALESCE、ABS 等函数")
    if not isinstance(expression.unnest(), PREDICATES):
        raise ConditionError(f"条件应为判断式（如 {example}），而不是一个数值")
    found = []
    for column in expression.find_all(exp.Column):
        if column.table:
            raise ConditionError(f"字段“{column.sql()}”不能带表名，请直接写字段名")
        if column.name not in names:
            raise ConditionError(f"未知字段“{column.name}”，可用字段见“{fields}”")
        found.append(column.name)
    placeholders = [p.name for p in expression.find_all(exp.Placeholder)]
    if any(not p for p in placeholders):
        raise ConditionError("参数应写作“:参数代码”，如 :income_drop_pct")
    if parameters is not None:
        for name in placeholders:
            if name not in parameters:
                raise ConditionError(f"未知参数“:{name}”，{parameter_help}" if parameters else parameter_help)
    return Condition(text, expression, tuple(dict.fromkeys(found)), tuple(dict.fromkeys(placeholders)))


def param_column(code: str) -> str:
    return f"p_{code}"


def _with_param_columns(expression: exp.Expression) -> exp.Expression:
    def swap(node):
        if isinstance(node, exp.Placeholder):
            return exp.column(param_column(node.name))
        return node

    return expression.copy().transform(swap)


# Grades of an alert (monitoring.models.Severity): a rule's 较重 and 严重 conditions raise its base grade.
HEAVIER, SEVERE = 2, 3


@dataclass(frozen=True)
class PlanRule:
    """A rule as the engine sees it: code, condition, and the region prefixes it covers or must leave alone;
    ``heavier`` and ``severe`` grade a hit by how far past the threshold the figures are."""

    code: str
    condition: Condition
    include_prefix: str = ""
    exclude_prefixes: tuple[str, ...] = ()
    severity: int = 1
    heavier: Condition | None = None
    severe: Condition | None = None

    @property
    def gradings(self) -> list[Condition]:
        return [c for c in (self.heavier, self.severe) if c is not None]

    @property
    def parameters(self) -> list[str]:
        """Every parameter the rule reads, its grading conditions' included."""
        return list(dict.fromkeys(p for c in (self.condition, *self.gradings) for p in c.parameters))

    @property
    def columns(self) -> list[str]:
        """Every fact the rule reads, its grading conditions' and the details that name what failed included."""
        return list(dict.fromkeys([*self.figure_facts(), *(c for g in self.gradings for c in g.columns)]))

    def figure_facts(self) -> list[str]:
        """The facts an alert keeps for this rule: those its condition reads, each followed by its details."""
        names = []
        for column in self.condition.columns:
            names += [column, *FACT_NAMES[column].details]
        return [n for n in dict.fromkeys(names) if n not in KEY_COLUMNS]

    def figure_columns(self) -> list[str]:
        return [*self.figure_facts(), *(param_column(p) for p in self.condition.parameters)]

    def guarded(self) -> exp.Expression:
        """The condition limited to the rule's region (minus the regions that override it)."""
        parts = []
        if self.include_prefix:
            parts.append(_prefix_test(self.include_prefix))
        parts += [exp.Not(this=_prefix_test(prefix)) for prefix in self.exclude_prefixes]
        parts.append(exp.Paren(this=_with_param_columns(self.condition.expression)))
        return exp.and_(*parts)

    def grade_sql(self) -> str:
        """The hit's grade: 严重 when the severe condition holds, else 较重 when the heavier one does, else the base."""
        cases = [(self.severe, max(SEVERE, self.severity)), (self.heavier, max(HEAVIER, self.severity))]
        whens = " ".join(
            f"WHEN {_with_param_columns(c.expression).sql(RULE_DIALECT)} THEN {grade}" for c, grade in cases if c
        )
        return f"CASE {whens} ELSE {int(self.severity)} END" if whens else str(int(self.severity))


def _prefix_test(prefix: str) -> exp.Expression:
    return exp.Like(this=exp.column("village_code"), expression=exp.Literal.string(f"{prefix}%"))


def _literal(value) -> str:
    if value is None:
        return "CAST(NULL AS DOUBLE)"
    return f"CAST({float(value)!r} AS DOUBLE)"


@dataclass
class Plan:
    """One evaluation: households under ``prefix`` for ``year`` against ``rules``.

    ``counties`` maps each 6-digit county code in scope to its values: ``monitoring_line``, ``poverty_line`` and
    every parameter code the rules use (None when not configured: the conditions using it never fire there).
    """

    prefix: str
    year: int
    rules: list[PlanRule]
    counties: dict[str, dict[str, Decimal | float | None]]
    today: dt.date = field(default_factory=dt.date.today)
    household_ids: tuple[int, ...] = ()
    exclude_monitored: bool = False
    # Join each per-household aggregate to the households in scope; a run over (nearly) the whole register skips
    # it, since the final join to the households restricts the rows anyway and the extra joins cost more.
    scope_join: bool = True

    @property
    def parameter_codes(self) -> list[str]:
        return list(dict.fromkeys(p for r in self.rules for p in r.parameters))

    @property
    def figure_columns(self) -> list[str]:
        """The facts and parameter columns the alerts keep as their explanation."""
        return list(dict.fromkeys(c for r in self.rules for c in r.figure_columns()))

    def policy(self, county: str) -> dict:
        """The policy ages and the event window of a county (``POLICY_CODES``), installed defaults where unset."""
        values = self.counties.get(county, {})
        return {code: DEFAULTS[code] if values.get(code) is None else values[code] for code in POLICY_CODES}

    def event_window(self, county: str) -> tuple[dt.date, dt.date]:
        """Risk events and deaths count in the county's event window (``event_window_days``, 365 by default) up to
        today when the year is the current or the last complete one (a run reads last year's accounts but this
        year's events); for older years, up to the year's end."""
        end = self.today if self.year >= self.today.year - 1 else dt.date(self.year, 12, 31)
        return end - dt.timedelta(days=int(self.policy(county)[EVENT_WINDOW_DAYS])), end

    def _scope_counties(self) -> list[str]:
        return sorted(self.counties) or [self.prefix[:PREFIX_LENGTH[Level.COUNTY]]]

    def _per_county(self, alias: str, condition) -> str:
        """``condition(county)`` (SQL) for each county's households: the one condition when the counties agree
        (the usual case, and the same SQL as a single county), else one branch per group of counties."""
        groups: dict[str, list[str]] = {}
        for county in self._scope_counties():
            groups.setdefault(condition(county), []).append(county)
        if len(groups) == 1:
            return next(iter(groups))
        branches = [f"(SUBSTRING({alias}.village_id, 1, {PREFIX_LENGTH[Level.COUNTY]}) IN {_in(counties)} AND {sql})"
                    for sql, counties in groups.items()]
        return f"({' OR '.join(branches)})"

    def varies_by_county(self) -> bool:
        """Whether the counties in scope differ in policy ages or event window (then member and event conditions
        name the household's county)."""
        return len({tuple(self.policy(c).values()) for c in self._scope_counties()}) > 1

    def _household_filter(self, alias: str) -> str:
        low, high = code_range(self.prefix)
        where = (f"{alias}.village_id >= '{low}' AND {alias}.village_id <= '{high}' "
                 f"AND {alias}.status NOT IN {_in(HouseholdStatus.OFF_REGISTER)}")
        if self.household_ids:
            where += f" AND {alias}.id IN ({', '.join(str(int(i)) for i in self.household_ids)})"
        return where

    def _params_sql(self) -> str:
        names = ["monitoring_line", "poverty_line", *(param_column(c) for c in self.parameter_codes)]
        counties = self.counties or {self.prefix[:PREFIX_LENGTH[Level.COUNTY]]: {}}
        rows = []
        for county, values in sorted(counties.items()):
            cells = [f"'{county}' AS county_code"]
            for name in names:
                key = name.removeprefix("p_")
                cells.append(f"{_literal(values.get(key))} AS {name}")
            rows.append("SELECT " + ", ".join(cells))
        return " UNION ALL ".join(rows)

    def _member_aggregates(self) -> dict[str, tuple[str, str]]:
        """Per-household member aggregates: name → (function, value, row condition); SUM counts the rows."""
        y = self.year

        def ages(county: str) -> policy.Ages:
            return policy.Ages(*(int(self.policy(county)[code]) for code in policy.AGE_CODES))

        def born_between(first_and_last) -> str:
            after, until = first_and_last
            return f"m.birth_date > '{after}' AND m.birth_date <= '{until}'"

        school_age = self._per_county("sh", lambda c: born_between(ages(c).school_birth_range(y)))
        labour_age = self._per_county("sh", lambda c: born_between(ages(c).labour_birth_range(y)))
        excused = " AND ".join(f"m.health NOT LIKE '%{c}%'" for c in Health.EXCUSES_SCHOOL)
        active = {
            "heads": f"m.relation = '{Relation.HEAD}'",
            "serious_illness": f"m.health LIKE '%{Health.SERIOUS_ILLNESS}%'",
            "chronic": f"m.health LIKE '%{Health.CHRONIC}%'",
            "disabled": f"m.health LIKE '%{Health.DISABLED}%'",
            "students": f"m.schooling IN {_in(Schooling.IN_SCHOOL)}",
            "school_age_out": f"{school_age} AND "
                              f"m.schooling NOT IN {_in(Schooling.IN_SCHOOL)} AND {excused}",
            "on_dibao": "m.on_dibao",
            "on_tekun": "m.on_tekun",
            "workers": "m.work_months > 0",
            "labourers": f"{labour_age} AND "
                         f"m.labour_skill IN {_in(LabourSkill.LABOURER)}",
            "able_to_work": f"m.labour_skill IN {_in(LabourSkill.ABLE_TO_WORK)}",
            "uninsured": "NOT m.basic_medical_insurance",
        }
        aggregates = {name: ("SUM", "1", f"m.active AND {condition}") for name, condition in active.items()}
        aggregates["head_sex"] = ("MAX", "m.sex", f"m.active AND m.relation = '{Relation.HEAD}'")
        aggregates["spouse_sex_min"] = ("MIN", "m.sex", f"m.active AND m.relation = '{Relation.SPOUSE}'")
        aggregates["spouse_sex_max"] = ("MAX", "m.sex", f"m.active AND m.relation = '{Relation.SPOUSE}'")
        def died_within(county: str) -> str:
            start, end = self.event_window(county)
            return f"m.updated > '{start}' AND m.updated < '{end + dt.timedelta(days=1)}'"

        window = self._per_county("sh", died_within)
        died = f"NOT m.active AND m.removed_reason LIKE '%死亡%' AND {window}"
        aggregates["deaths"] = ("SUM", "1", died)
        return aggregates

    def needed_facts(self, all_facts: bool = False) -> list[Fact]:
        """The facts the rules read (and the keys); everything for a household's file."""
        if all_facts:
            return list(FACTS)
        names = {*KEY_COLUMNS, *(c for r in self.rules for c in r.columns)}
        if self.exclude_monitored:
            names.add("monitored")
        return [f for f in FACTS if f.name in names]

    def facts_sql(self, all_facts: bool = False) -> str:
        """The household-facts table as one SELECT (DuckDB dialect).

        Only the facts the rules read are computed, and each per-household aggregate keeps only the rows some
        needed aggregate counts: a run whose rules read no member fact never groups the members at all.
        """
        facts = self.needed_facts(all_facts)
        used: dict[str, set[str]] = {}
        for fact in facts:
            for alias, column in CTE_REFERENCE.findall(fact.sql):
                used.setdefault(alias, set()).add(column)
        y = self.year
        # Each aggregate joins the households in scope itself (rather than a shared CTE, which PostgreSQL would
        # materialise and scan serially), so the database can run the scans in parallel.
        scope = (f"JOIN registry_household sh ON sh.id = {{}}.household_id AND {self._household_filter('sh')}"
                 if self.scope_join else "")
        # Conditions that differ by county read the household's village code.
        county_scope = scope or ("JOIN registry_household sh ON sh.id = {}.household_id"
                                 if self.varies_by_county() else "")
        ctes = {}
        if "mem" in used:
            aggregates = self._member_aggregates()
            chosen = {name: aggregates[name] for name in sorted(used["mem"])}
            columns = ", ".join(
                f"{function}(CASE WHEN {condition} THEN {value}{' ELSE 0' if function == 'SUM' else ''} END) AS {name}"
                for name, (function, value, condition) in chosen.items()
            )
            rows = " OR ".join(f"({condition})" for _function, _value, condition in chosen.values())
            ctes["mem"] = (f"SELECT m.household_id, {columns} FROM registry_member m {county_scope.format('m')} "
                           f"WHERE {rows} GROUP BY m.household_id")
        if "ev" in used:
            kinds = sorted(used["ev"] - {"amount"})
            columns = [f"SUM(CASE WHEN e.kind = '{k}' THEN 1 ELSE 0 END) AS {k}" for k in kinds]
            where = self._per_county("sh", lambda c: "e.date > '{}' AND e.date <= '{}'".format(*self.event_window(c)))
            if "amount" in used["ev"]:
                columns.append("SUM(COALESCE(CAST(e.amount AS DOUBLE), 0)) AS amount")
            else:
                where += f" AND e.kind IN {_in(kinds)}"
            ctes["ev"] = (f"SELECT e.household_id, {', '.join(columns)} FROM monitoring_riskevent e "
                          f"{county_scope.format('e')} WHERE {where} GROUP BY e.household_id")
        for alias, year in (("cur", y), ("prev", y - 1)):
            if alias in used:
                columns = ", ".join(f"a.{c}" for c in sorted(used[alias] | {"household_id"}))
                ctes[alias] = (f"SELECT {columns} FROM registry_incomeaccount a {scope.format('a')} "
                               f"WHERE a.year = {year}")
        if "sc" in used:
            unmet = " + ".join(f"CASE WHEN s.{f} THEN 0 ELSE 1 END" for f in SECURITY_FIELDS)
            ctes["sc"] = (f"SELECT s.household_id, {unmet} AS unmet, {_failed_items()} AS failed, s.house_grade "
                          f"FROM registry_securitycheck s {scope.format('s')} WHERE s.year = {y}")
        if "mon" in used:
            ctes["mon"] = ("SELECT o.household_id, MAX(o.kind) AS kind FROM monitoring_monitoredhousehold o "
                           f"{scope.format('o')} WHERE o.status = 'monitoring' GROUP BY o.household_id")
        params = self.parameter_codes
        if "p" in used or params:
            ctes["p"] = self._params_sql()
        joins = [f"LEFT JOIN {alias} ON {alias}.household_id = h.id" for alias in ctes if alias != "p"]
        if "p" in ctes:
            joins.append("LEFT JOIN p ON p.county_code = SUBSTRING(h.village_id, 1, 6)")
        select = ",\n  ".join([f"{f.sql} AS {f.name}" for f in facts]
                               + [f"p.{param_column(c)} AS {param_column(c)}" for c in params])
        with_clause = ("WITH " + ",\n".join(f"{alias} AS ({sql})" for alias, sql in ctes.items())) if ctes else ""
        return (f"{with_clause}\nSELECT\n  {select}\nFROM registry_household h\n" + "\n".join(joins)
                + f"\nWHERE {self._household_filter('h')}")

    def eval_sql(self) -> str:
        """The firing rows: keys, figure columns and one 0/1 column per rule (DuckDB dialect)."""
        flags = [
            f"CASE WHEN {rule.guarded().sql(RULE_DIALECT)} THEN 1 ELSE 0 END AS r{index}"
            for index, rule in enumerate(self.rules)
        ]
        grades = [f"{rule.grade_sql()} AS s{index}" for index, rule in enumerate(self.rules)]
        fired = " OR ".join(f"r{index} = 1" for index in range(len(self.rules))) or "1 = 0"
        where = "WHERE monitored = 0" if self.exclude_monitored else ""
        columns = ", ".join([*KEY_COLUMNS, *self.figure_columns, *flags, *grades])
        return (
            f"SELECT * FROM (SELECT {columns} FROM ({self.facts_sql()}) facts {where}) t WHERE {fired}"
        )

    def count_sql(self) -> str:
        return f"SELECT COUNT(*) FROM registry_household h WHERE {self._household_filter('h')}"

    def sql(self, dialect: str, statement: str = "eval") -> str:
        source = {"eval": self.eval_sql, "facts": lambda: self.facts_sql(all_facts=True),
                  "count": self.count_sql}[statement]()
        if dialect == RULE_DIALECT:
            return source
        return sqlglot.transpile(source, read=RULE_DIALECT, write=dialect)[0]


@dataclass
class Hit:
    """One firing household: the rules that fired and, per rule, the figures it read."""

    household_id: int
    village_code: str
    rules: list[str]
    figures: dict[str, dict]


def _plain(value):
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return round(value, 2)
    return value


HIT_SCHEMA = {"household_id": pl.Int64, "village_code": pl.String, "rules": pl.String, "severity": pl.Int64,
              "figures": pl.String}


def raw_schema(plan: Plan) -> dict[str, pl.DataType]:
    """Column types of the evaluation statement's result (keys, figure columns, one 0/1 flag per rule)."""
    kinds = {NUMBER: pl.Float64, INTEGER: pl.Int64, TEXT: pl.String}
    schema = {"household_id": pl.Int64, "village_code": pl.String}
    for column in plan.figure_columns:
        schema[column] = pl.Float64 if column.startswith("p_") else kinds[FACT_NAMES[column].kind]
    schema.update({f"r{i}": pl.Int64 for i in range(len(plan.rules))})
    schema.update({f"s{i}": pl.Int64 for i in range(len(plan.rules))})
    return schema


def hit_frame(plan: Plan, frame: pl.DataFrame) -> pl.DataFrame:
    """The firing rows as columns: household_id, village_code, rules ("M01,M03"), severity (the highest grade of
    the fired rules) and figures (JSON: per fired rule, the columns and parameters its condition read).

    Built with column expressions, not a Python loop per household: a first province run fires on hundreds of
    thousands of households.
    """
    if frame is None or not plan.rules:
        return pl.DataFrame(schema=HIT_SCHEMA)
    values = []
    for column in plan.figure_columns:
        dtype = frame.schema[column]
        if dtype == pl.Decimal or dtype.is_float():
            value = pl.col(column).cast(pl.Float64)
            values.append(pl.when(value.is_finite()).then(value.round(2)).alias(column))
    frame = frame.with_columns(values)
    fired = [pl.col(f"r{i}") == 1 for i in range(len(plan.rules))]
    pieces = []
    for rule, flag in zip(plan.rules, fired):
        columns = rule.figure_columns()
        encoded = pl.struct(columns).struct.json_encode() if columns else pl.lit("{}")
        pieces.append(pl.when(flag).then(pl.concat_str([pl.lit(f'"{rule.code}":'), encoded])))
    return frame.select(
        pl.col("household_id").cast(pl.Int64),
        pl.col("village_code").cast(pl.String),
        pl.concat_str([pl.when(flag).then(pl.lit(r.code)) for r, flag in zip(plan.rules, fired)],
                      separator=",", ignore_nulls=True).alias("rules"),
        pl.max_horizontal([pl.when(flag).then(pl.col(f"s{i}")) for i, flag in enumerate(fired)])
        .cast(pl.Int64).alias("severity"),
        pl.concat_str([pl.lit("{"), pl.concat_str(pieces, separator=",", ignore_nulls=True), pl.lit("}")])
        .alias("figures"),
    )


def hits(frame: pl.DataFrame) -> Iterator[Hit]:
    """Row objects for callers that handle few hits at a time (data-quality findings, one household)."""
    for household_id, village_code, rules, figures in frame.select(
        "household_id", "village_code", "rules", "figures"
    ).iter_rows():
        yield Hit(household_id, village_code, rules.split(","), json.loads(figures))


# PostgreSQL session settings for the one large analytic statement: JIT compilation costs more than it saves on
# these CASE-heavy aggregates, and hash aggregation over a province's members needs more than the 4 MB default.
POSTGRES_SETTINGS = ("SET LOCAL jit = off", "SET LOCAL work_mem = '256MB'")


def read_frame(sql: str, schema: dict[str, pl.DataType], *, using: str = "default") -> pl.DataFrame:
    """A query's result as a Polars frame: PostgreSQL streams it with ``COPY … TO STDOUT`` (no Python object per
    cell), SQLite hands over its rows."""
    connection = connections[using]
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        buffer = io.BytesIO()
        with connection.connection.cursor() as cursor, cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:
            for block in copy:
                buffer.write(block)
        if not buffer.tell():
            return pl.DataFrame(schema=schema)
        buffer.seek(0)
        return pl.read_csv(buffer, has_header=False, new_columns=list(schema), schema=schema)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return pl.DataFrame(cursor.fetchall(), schema=schema, orient="row")


def run_django(plan: Plan, *, using: str = "default") -> tuple[int, pl.DataFrame]:
    """Evaluate in the Django database (SQLite or PostgreSQL): (households scanned, hit frame)."""
    connection = connections[using]
    dialect = DJANGO_DIALECTS[connection.vendor]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for statement in POSTGRES_SETTINGS:
                cursor.execute(statement)
        cursor.execute(plan.sql(dialect, "count"))
        scanned = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM registry_household")
        if scanned * 2 >= cursor.fetchone()[0] and not plan.household_ids:
            plan = dataclasses.replace(plan, scope_join=False)
        raw = read_frame(plan.sql(dialect, "eval"), raw_schema(plan), using=using) if plan.rules else None
    return scanned, hit_frame(plan, raw)


def run_duckdb(plan: Plan, con) -> tuple[int, pl.DataFrame]:
    """Evaluate in DuckDB over tables named like the Django ones (the benchmark's bare engine, and department data
    that lives in DuckDB)."""
    scanned = con.execute(plan.sql(RULE_DIALECT, "count")).fetchone()[0]
    raw = None
    if plan.rules:
        raw = pl.DataFrame(con.execute(plan.sql(RULE_DIALECT, "eval")).fetchall(), schema=raw_schema(plan),
                           orient="row")
    return scanned, hit_frame(plan, raw)


def facts_rows(plan: Plan, *, using: str = "default") -> list[dict]:
    """The facts rows themselves (for one household's file, the procedures' criteria and tests)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(plan.sql(DJANGO_DIALECTS[connection.vendor], "facts"))
        names = [c[0] for c in cursor.description]
        return [{n: _plain(v) for n, v in zip(names, row)} for row in cursor.fetchall()]
