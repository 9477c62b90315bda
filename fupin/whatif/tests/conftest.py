"""Fixtures for whatif tests: the monitoring tests' lines and households, and a small county to compute by hand."""

import pytest

from fupin.monitoring.tests.conftest import YEAR, household, lines  # noqa: F401


@pytest.fixture
def scenario_of(users, regions):
    """``scenario_of(*changes)``: a scenario of the county for YEAR with the given (kind, target, value/condition)."""
    from fupin.core.channels import Channel
    from fupin.whatif import services
    from fupin.whatif.models import Scenario, ScenarioChange, ScenarioChangeKind

    def make(*changes, name="测试方案"):
        scenario = services.save_scenario(Scenario(year=YEAR, name=name), acting_user=users["county"],
                                          channel=Channel.PAGE)
        for kind, target, value in changes:
            change = ScenarioChange(scenario=scenario, kind=kind, target=target)
            if kind == ScenarioChangeKind.RULE:
                change.condition = value
            else:
                change.value = value
            services.save_change(change, acting_user=users["county"], channel=Channel.PAGE)
        return scenario

    return make
