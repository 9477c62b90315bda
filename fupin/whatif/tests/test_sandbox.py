"""The sandbox reuses the engines: a threshold change moves exactly the households around it, figures match a
county computed by hand, and a run writes no live row."""

from decimal import Decimal

import pytest

from fupin.core.channels import Channel
from fupin.whatif import services
from fupin.whatif.models import Outcome, ScenarioChangeKind, ScenarioHousehold, ScenarioStatus

SECURE = {name: True for name in ("food_secure", "clothing_secure", "education_secure", "medical_secure",
                                  "housing_secure", "water_secure")}


@pytest.fixture
def county(household, regions):
    """Monitoring line 7000, poverty line 4500, 低保 standard 4000 (installed default)."""
    made = {
        "below": household(regions["village_a1"], income=6500, last=6500),
        "between": household(regions["village_a1"], income=7200, last=7200),
        "above": household(regions["village_a2"], income=7800, last=7800),
        "between_b": household(regions["village_b1"], income=7600, last=7600),
        # In poverty, secure, insured: passes the exit check at 4500, not at 5000; under a 5000 低保 standard.
        "poor": household(regions["village_b1"], income=4800, last=4800, status="1", security=SECURE),
    }
    return made


def outcomes(scenario):
    return {(row.household_id, row.outcome) for row in ScenarioHousehold.objects.filter(scenario=scenario)}


@pytest.mark.django_db
def test_threshold_raised_moves_exactly_the_households_between(county, scenario_of, users):
    scenario = scenario_of((ScenarioChangeKind.MONITORING_LINE, "", Decimal(7700)))
    scenario = services.start_run(scenario, acting_user=users["county"], channel=Channel.PAGE, run_now=True)
    assert scenario.status == ScenarioStatus.DONE, scenario.job.message
    assert outcomes(scenario) == {(county["between"].pk, Outcome.ENTER), (county["between_b"].pk, Outcome.ENTER)}
    towns = {row["township_code"]: row for row in scenario.result["townships"]}
    assert towns["410481100000"]["enter"] == 1 and towns["410481101000"]["enter"] == 1
    assert scenario.result["totals"]["monitor_after"] - scenario.result["totals"]["monitor_before"] == 2
    row = ScenarioHousehold.objects.get(scenario=scenario, household=county["between"])
    assert (row.per_capita_income, row.before, row.after) == (Decimal(7200), Decimal(7000), Decimal(7700))


@pytest.mark.django_db
def test_poverty_line_and_dibao_figures_by_hand(county, scenario_of, users):
    scenario = scenario_of((ScenarioChangeKind.POVERTY_LINE, "", Decimal(5000)),
                           (ScenarioChangeKind.FIGURE, "dibao_standard", Decimal(5000)))
    scenario = services.start_run(scenario, acting_user=users["county"], channel=Channel.PAGE, run_now=True)
    assert scenario.status == ScenarioStatus.DONE, scenario.job.message
    assert outcomes(scenario) == {(county["poor"].pk, Outcome.EXIT_FAIL), (county["poor"].pk, Outcome.DIBAO)}
    totals = scenario.result["totals"]
    assert (totals["exit_before"], totals["exit_after"], totals["exit_fail"]) == (1, 0, 1)
    costs = {c["label"]: c for c in scenario.result["costs"]}
    # One person newly under the standard × 5000; nobody on 低保 yet, so the raise costs nothing.
    assert Decimal(costs["新增低保对象保障金"]["amount"]) == 5000
    assert "1 户 1 人 × 模拟低保标准 5,000" in costs["新增低保对象保障金"]["formula"]
    assert Decimal(costs["现有低保对象标准调整"]["amount"]) == 0
    assert Decimal(scenario.result["cost_total"]) == 5000


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_run_outside_a_transaction_reads_in_its_own_snapshot(county, scenario_of, users):
    """As the worker runs it (no enclosing transaction): the read-only snapshot transaction, then the result."""
    scenario = scenario_of((ScenarioChangeKind.MONITORING_LINE, "", Decimal(7700)))
    scenario = services.start_run(scenario, acting_user=users["county"], channel=Channel.PAGE, run_now=True)
    assert scenario.status == ScenarioStatus.DONE, scenario.job.message
    assert scenario.result["totals"]["enter"] == 2
