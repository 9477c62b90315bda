"""The demo's statistics: the figures rebuilt over everything the other demo modules made (this year and last),
and the county's yearly targets (目标任务) set against them, so the dashboards, targets and reports show data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from fupin.audit.models import Channel
from fupin.regions.models import Level
from fupin.stats import services
from fupin.stats.models import Figure, Rebuild
from fupin.stats.rebuild import rebuild

from .workflows import Actors

# (indicator, how the target follows from the county's figures): spend what was allocated, eliminate half the
# risks, visit every paired household four times a year, and people to lift out as the county plans them.
TARGETS = (
    ("funds.disbursed", lambda f, code: f.value(code, "funds.allocated")),
    ("monitoring.eliminated", lambda f, code: (f.value(code, "monitoring.monitored")
                                               + f.value(code, "monitoring.eliminated")) / 2),
    ("assistance.visits", lambda f, code: f.value(code, "assistance.pairings") * 4),
    ("projects.count", lambda f, code: f.value(code, "projects.count") + 2),
)


def create_stats(actors: list[Actors], today: dt.date) -> int:
    """Rebuild the figures (replacing any left from an earlier demo), then set the county's targets for this year
    and one per township; returns the number of targets."""
    Figure.objects.all().delete()
    Rebuild.objects.all().delete()
    for year in (today.year - 1, today.year):
        rebuild("", year, trigger="演示数据")
    county_user = actors[0].by_level[Level.COUNTY]
    county = county_user.region
    wanted = {code for code, _ in TARGETS} | {"funds.allocated", "monitoring.monitored", "assistance.pairings"}
    townships = list(county.children.order_by("code")[:5])
    figures = services.read([county.code, *(t.code for t in townships)], today.year, wanted)
    made = 0
    for code, rule in TARGETS:
        value = Decimal(rule(figures, county.code)).quantize(Decimal("1"))
        services.save_target(county_user, region=county, year=today.year, indicator=code, value=value,
                             note="县脱贫攻坚领导小组年度任务", channel=Channel.PAGE)
        made += 1
    for township in townships:
        services.save_target(county_user, region=township, year=today.year, indicator="funds.disbursed",
                             value=figures.value(township.code, "funds.allocated").quantize(Decimal("1")),
                             note="乡镇资金支出任务", channel=Channel.PAGE)
        made += 1
    return made
