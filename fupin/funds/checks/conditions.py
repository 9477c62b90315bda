"""Conditions of fund rules: one SQL boolean expression over the disbursement-facts table, checked with SQLGlot.

The language is the monitoring rules' (``fupin.monitoring.engine``): the same admitted expression nodes —
comparisons, AND/OR/NOT, arithmetic, CASE and a few scalar functions, no statements, subqueries, aggregates or
other functions — and ``:code`` placeholders for parameters; only the columns differ (``facts.FACTS``) and the
parameters are ``FundParameter`` codes. ``plan_error`` then runs the condition on an empty facts table in DuckDB,
so that a text compared with a number is refused when the rule is saved, not when a check runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
from sqlglot import exp

from fupin.monitoring import engine
from fupin.monitoring.engine import RULE_DIALECT, ConditionError

from . import facts as fact_table
from .parameters import CODES

__all__ = ["Condition", "ConditionError", "validate", "plan_error", "is_allocation_rule"]


@dataclass(frozen=True)
class Condition(engine.Condition):
    @property
    def allocation_level(self) -> bool:
        """Whether the rule is about an allocation (reads allocation facts only) rather than a payment."""
        return bool(self.columns) and all(
            fact_table.FACT_NAMES[c].level == fact_table.ALLOCATION for c in self.columns)

    def sql(self) -> str:
        """The condition in DuckDB with each ``:code`` read from the facts row's ``p_code`` column."""
        def swap(node):
            if isinstance(node, exp.Placeholder):
                return exp.column(fact_table.param_column(node.name))
            return node

        return self.expression.copy().transform(swap).sql(RULE_DIALECT)


def validate(text: str) -> Condition:
    """Parse and check a condition; raise ConditionError with a Chinese message naming what is wrong."""
    checked = engine.validate(
        text, columns=fact_table.FACT_NAMES, fields="拨付事实表字段说明",
        example="allocation_disbursed > allocation_amount", parameters=CODES,
        parameter_help="参数应为资金参数代码，如 :idle_days")
    condition = Condition(checked.text, checked.expression, checked.columns, checked.parameters)
    problem = plan_error(condition)
    if problem:
        raise ConditionError(problem)
    return condition


def is_allocation_rule(text: str) -> bool:
    return validate(text).allocation_level


def plan_error(condition: Condition) -> str | None:
    """A Chinese complaint when the condition does not run on the facts' real column types, or None."""
    from fupin.comparison.engine import Workspace

    from .engine import prepare_empty

    with Workspace() as workspace:
        prepare_empty(workspace, dt.date.today())
        table = "allocation_facts" if condition.allocation_level else "disbursement_facts"
        # One empty row, so that a literal that does not convert to its column's type ('abc' for a date) is
        # found too: DuckDB converts constants only when a row reaches them.
        workspace.con.execute(f"INSERT INTO {table} DEFAULT VALUES")
        try:
            workspace.con.execute(f"SELECT count(*) FROM {table} WHERE {condition.sql()}").fetchone()
        except duckdb.Error as exc:
            kind = type(exc).__name__
            if "Binder" in kind or "Conversion" in kind:
                return "条件无法执行：字段类型不匹配（如文字与数字比较、日期写法有误），请检查字段和取值"
            return "条件无法执行，请检查字段、函数和取值"
    return None
