import pytest

from fupin.monitoring import engine


@pytest.mark.parametrize("text", [
    "per_capita_income < monitoring_line",
    "income_change_pct <= -:income_drop_pct AND NOT monitored = 1",
    "phone <> '' AND LENGTH(phone) <> 11",
    "main_cause IN ('1', '2') OR house_area IS NULL",
    "COALESCE(per_capita_income, 0) BETWEEN 0 AND monitoring_line * 1.5",
])
def test_valid_conditions(text):
    condition = engine.validate(text)
    assert condition.columns


@pytest.mark.parametrize("text, message", [
    ("", "请填写"),
    ("per_capita_income <", "语法错误"),
    ("salary > 3", "未知字段“salary”"),
    ("h.size > 3", "不能带表名"),
    ("size > (SELECT MAX(size) FROM registry_household)", "不允许"),
    ("read_csv('x') > 0", "不允许"),
    ("per_capita_income + 1", "判断式"),
    ("size > 1; DROP TABLE registry_household", "一个表达式"),
])
def test_invalid_conditions(text, message):
    with pytest.raises(engine.ConditionError, match=message):
        engine.validate(text)


def test_plan_transpiles_to_every_dialect():
    rule = engine.PlanRule("M02", engine.validate("income_change_pct <= -:income_drop_pct"), "4104", ("410481",))
    plan = engine.Plan(prefix="41", year=2024, rules=[rule],
                       counties={"410481": {"income_drop_pct": 30, "monitoring_line": 7000}})
    for dialect in ("duckdb", "sqlite", "postgres", "spark"):
        sql = plan.sql(dialect)
        assert "p_income_drop_pct" in sql
        assert "410481%" in sql
    assert plan.figure_columns == ["income_change_pct", "p_income_drop_pct"]
