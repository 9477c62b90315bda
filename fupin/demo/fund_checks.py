"""The demo's fund anomaly check (资金异常): after the funds demo (``demo/funds.py``) has allocated and paid, the
county runs the check for each year with funds, so the planted anomalies (a payee outside the register, a repeat
payment, an overrun …) show in 资金异常; the first village answers one of its anomalies."""

from __future__ import annotations

from fupin.audit.models import Channel
from fupin.funds.checks.answers import answer_anomaly
from fupin.funds.checks.runs import start_check
from fupin.funds.models import Anomaly, AnomalyStatus, Fund
from fupin.regions.models import Level

from .workflows import Actors


def check_funds(actors: list[Actors]) -> int:
    """Run the check over the county for every year with funds; returns the anomalies found."""
    county_user = actors[0].by_level[Level.COUNTY]
    years = sorted(set(Fund.objects.in_region(county_user.region.prefix).values_list("year", flat=True)))
    for year in years:
        start_check(year=year, region_code=county_user.region_id, acting_user=county_user, channel=Channel.PAGE,
                    run_now=True)
    village = actors[0].village
    first = Anomaly.objects.filter(region_id=village.region_id, status=AnomalyStatus.PENDING).order_by("pk").first()
    if first is not None:
        answer_anomaly(first, status=AnomalyStatus.CONFIRMED, answer="经村委会核实属实，已通知收款人退回资金",
                       acting_user=village, channel=Channel.PAGE)
    return Anomaly.objects.exclude(status=AnomalyStatus.CLOSED).count()
