"""The demo's 政策模拟: the county asks what raising its monitoring range (监测范围) and its 农村低保 standard by
10 % would do, and has run it — the result page shows the households per township that would enter monitoring or
fall under the 低保 standard, and the extra 低保 spending. Not adopted: adoption stays the county's decision."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from fupin.audit.models import Channel
from fupin.procedures import lines
from fupin.procedures.models import LineKind
from fupin.regions.models import Level
from fupin.sectors import figures
from fupin.sectors.choices import Figure
from fupin.whatif import services
from fupin.whatif.models import Scenario, ScenarioChange, ScenarioChangeKind

from .workflows import Actors

RAISE = Decimal("1.1")


def _raised(value: Decimal) -> Decimal:
    return (value * RAISE).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def create_scenario(actors: list[Actors], year: int) -> int:
    """One run scenario in the demo county; returns the households it moves."""
    county_user = actors[0].by_level[Level.COUNTY]
    county = county_user.region
    line = lines.resolve(LineKind.MONITORING, year, county.code)
    if line is None:
        return 0
    scenario = services.save_scenario(
        Scenario(year=year, name="监测范围与低保标准上调10%",
                 description="测算监测范围、农村低保标准各上调10%后新纳入监测的户数和新增低保支出"),
        acting_user=county_user, channel=Channel.PAGE)
    services.save_change(ScenarioChange(scenario=scenario, kind=ScenarioChangeKind.MONITORING_LINE, value=_raised(line.amount)),
                         acting_user=county_user, channel=Channel.PAGE)
    dibao = figures.value(Figure.DIBAO_STANDARD, year, county.code)
    services.save_change(ScenarioChange(scenario=scenario, kind=ScenarioChangeKind.FIGURE, target=Figure.DIBAO_STANDARD,
                                        value=_raised(dibao)), acting_user=county_user, channel=Channel.PAGE)
    scenario = services.start_run(scenario, acting_user=county_user, channel=Channel.PAGE, run_now=True)
    return scenario.households.count()
