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
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from fupin.monitoring.engine import ALLOWED_NODES, NODE_NAMES, PREDICATES, RULE_DIALECT, ConditionError

from . import facts as fact_table
from .parameters import CODES

__all__ = ["Condition", "ConditionError", "validate", "plan_error", "is_allocation_rule"]


@dataclass(frozen=True)
class Condition:
    text: str
    expression: exp.Expression
    columns: tuple[str, ...]
    parameters: tuple[str, ...]

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
    text = (text or "").strip()
    if not text:
        raise ConditionError("请填写触发条件")
    try:
        expressions = sqlglot.parse(text, read=RULE_DIALECT)
    except ParseError as exc:
        first = exc.errors[0] if exc.errors else {}
        where = f"（第{first.get('col')}列附近）" if first.get("col") else ""
        raise ConditionError(f"条件语法错误{where}：请检查括号、引号和运算符") from exc
    except TokenError as exc:
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
        raise ConditionError("条件应为判断式（如 allocation_disbursed > allocation_amount），而不是一个数值")
    columns = []
    for column in expression.find_all(exp.Column):
        if column.table:
            raise ConditionError(f"字段“{column.sql()}”不能带表名，请直接写字段名")
        if column.name not in fact_table.FACT_NAMES:
            raise ConditionError(f"未知字段“{column.name}”，可用字段见“拨付事实表字段说明”")
        columns.append(column.name)
    parameters = [p.name for p in expression.find_all(exp.Placeholder)]
    for name in parameters:
        if name not in CODES:
            raise ConditionError(f"未知参数“:{name}”，参数应为资金参数代码，如 :idle_days")
    condition = Condition(text, expression, tuple(dict.fromkeys(columns)), tuple(dict.fromkeys(parameters)))
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
