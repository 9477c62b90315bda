"""The demo's assistance: in each demo village two helpers (帮扶责任人), paired with the village's monitored
households, a measure for each and a few visits, made by the assistance services with the village's account."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fupin.assistance import services
from fupin.assistance.models import Helper, Measure, MeasureKind, MeasureStatus, UnitLevel, Visit
from fupin.audit.models import Channel
from fupin.monitoring.models import MonitoredHousehold, MonitoredStatus

from .workflows import Actors

PAGE = Channel.PAGE
HELPERS = [("县农业农村局", UnitLevel.COUNTY, "科员"), ("乡镇人民政府", UnitLevel.TOWNSHIP, "驻村干部")]
HELPER_NAMES = ["王建国", "李秀英", "张志强", "刘桂兰", "陈卫东", "杨海燕"]
MEASURES = {  # risk type → measure
    "01": (MeasureKind.HEALTH, "落实大病保险和医疗救助，家庭医生签约服务", 3000),
    "04": (MeasureKind.SAFETY_NET, "纳入低保，落实临时救助", 2400),
    "07": (MeasureKind.EMPLOYMENT, "推荐到县产业园务工，落实一次性交通补贴", 500),
    "03": (MeasureKind.PUBLIC_JOB, "安排村级保洁公益岗位", 6000),
}
DEFAULT_MEASURE = (MeasureKind.INDUSTRY, "发放产业奖补，扶持发展养殖", 2000)
PAIRED_PER_VILLAGE = 6


def create_assistance(actors: list[Actors]) -> int:
    """Helpers, pairings, measures and visits in the demo villages; returns the number of pairings."""
    today = timezone.localdate()
    pairings = 0
    names = iter(HELPER_NAMES * len(actors))
    for position, village in enumerate(actors):
        user = village.village
        helpers = [
            services.save_helper(
                Helper(name=next(names), unit=unit, unit_level=level, position=title, region=user.region,
                       phone=f"1393750{position:02d}{index:02d}"),
                acting_user=user, channel=PAGE)
            for index, (unit, level, title) in enumerate(HELPERS)
        ]
        monitored = MonitoredHousehold.objects.filter(
            village=user.region, status=MonitoredStatus.MONITORING).select_related("household")
        for index, record in enumerate(monitored.order_by("identified_on")[:PAIRED_PER_VILLAGE]):
            helper, household = helpers[index % len(helpers)], record.household
            start = max(record.identified_on, today - dt.timedelta(days=300))
            services.pair(helper, household, start=start, acting_user=user, channel=PAGE)
            kind, content, amount = MEASURES.get(record.risk_codes[0], DEFAULT_MEASURE)
            services.save_measure(
                Measure(household=household, kind=kind, content=content, amount=amount, helper=helper,
                        date=start + dt.timedelta(days=10), status=MeasureStatus.ONGOING),
                acting_user=user, channel=PAGE)
            for visit_day in (start + dt.timedelta(days=5), today - dt.timedelta(days=7 + index)):
                services.record_visit(
                    Visit(household=household, helper=helper, date=max(visit_day, start),
                          content="入户走访，了解家庭收支和帮扶措施落实情况，宣传防返贫政策"),
                    acting_user=user, channel=PAGE)
            pairings += 1
    return pairings
