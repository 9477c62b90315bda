"""The demo's 政策模拟 (fupin.demo.whatif): one scenario in the demo county, already run, with its result."""

import datetime as dt

import pytest

from fupin.demo import generator
from fupin.whatif.models import Scenario, ScenarioStatus

TODAY = dt.date(2026, 6, 15)


@pytest.mark.django_db
def test_a_run_scenario_in_the_demo_county():
    result = generator.run(300, seed=7, today=TODAY)
    scenario = Scenario.objects.get()
    assert scenario.status == ScenarioStatus.DONE and scenario.county.level == 3
    assert result.activity["whatif_households"] == scenario.households.count() > 0
    assert scenario.result["townships"] and scenario.result["costs"]
    assert {c.kind for c in scenario.changes.all()} == {"monitoring_line", "figure"}
