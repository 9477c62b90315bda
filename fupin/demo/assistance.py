"""The demo's assistance: in each demo village two helpers (帮扶责任人), paired with the village's monitored
households, a measure for each and a few visits, made by the assistance services with the village's account; a
驻村工作队 with last month's attendance, a 定点帮扶单位 with its plans, and overdue visits (``create_teams``)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fupin.assistance import services, teams, units
from fupin.assistance.models import (
    AttendanceStatus,
    Helper,
    Measure,
    MeasureKind,
    MeasureStatus,
    Pairing,
    PlanKind,
    TeamMember,
    TeamRole,
    UnitLevel,
    UnitPairing,
    UnitPlan,
    Visit,
    WorkTeam,
)
from fupin.audit.models import Channel
from fupin.monitoring.models import MonitoredHousehold, MonitoredStatus
from fupin.regions.models import Level
from fupin.registry.choices import HouseholdType
from fupin.registry.models import Household

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


TEAM_MEMBERS = [("周文斌", TeamRole.FIRST_SECRETARY), ("吴晓燕", TeamRole.LEADER), ("郑国庆", TeamRole.MEMBER)]
UNITS = ["县财政局", "县人力资源和社会保障局", "县供电公司"]
OVERDUE_PER_VILLAGE = 2


def create_teams(actors: list[Actors]) -> int:
    """A 驻村工作队 in each demo village (the last one a member short, so it is flagged), last month's attendance,
    a 定点帮扶单位 with its plans and summary (the last village's lacking this year's plan), and 脱贫户 paired months
    ago and not visited since, so the visit plan shows overdue visits. Returns the number of team members."""
    today = timezone.localdate()
    start = today - dt.timedelta(days=400)
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    members = 0
    villages = list({a.village.region_id: a for a in actors}.values())  # one team a village
    for position, village in enumerate(villages):
        user, region = village.by_level[Level.TOWNSHIP], village.village.region
        unit = UNITS[position % len(UNITS)]
        team = teams.save_team(WorkTeam(village=region, name=f"{unit}驻{region.name}工作队", lead_unit=unit,
                                        start=start), acting_user=user, channel=PAGE)
        roster = TEAM_MEMBERS if position < len(villages) - 1 else TEAM_MEMBERS[:2]
        staff = [teams.save_member(TeamMember(team=team, name=name, unit=unit, role=role,
                                              phone=f"1383750{position:02d}{index:02d}", term_start=start,
                                              term_end=start.replace(year=start.year + 2)),
                                   acting_user=user, channel=PAGE)
                 for index, (name, role) in enumerate(roster)]
        members += len(staff)
        for day in range(1, last_month_end.day + 1):
            date = last_month_end.replace(day=day)
            if date.weekday() < 5:
                teams.record_attendance(team, date, {
                    m: (AttendanceStatus.LEAVE if (day + i) % 11 == 0 else AttendanceStatus.PRESENT, "")
                    for i, m in enumerate(staff)}, acting_user=village.village, channel=PAGE)
        pairing = units.save_pairing(UnitPairing(unit=unit, unit_level=UnitLevel.COUNTY, village=region,
                                                 start=dt.date(today.year - 1, 1, 1), contact="办公室"),
                                     acting_user=user, channel=PAGE)
        filed = [(PlanKind.THREE_YEAR, today.year - 1, "三年帮扶规划：发展特色种养、稳岗就业、完善基础设施"),
                 (PlanKind.PLAN, today.year - 1, "年度帮扶计划：产业奖补、公益岗位、技能培训各一项"),
                 (PlanKind.SUMMARY, today.year - 1, "年度帮扶总结：落实产业奖补12户，培训务工人员30人次")]
        if position < len(villages) - 1:
            filed.append((PlanKind.PLAN, today.year, "年度帮扶计划：巩固产业项目，开展消费帮扶"))
        for kind, year, text in filed:
            units.save_plan(UnitPlan(pairing=pairing, kind=kind, year=year, text=text), acting_user=user,
                            channel=PAGE)
        _overdue_pairings(village.village, today)
    return members


def _overdue_pairings(user, today: dt.date) -> None:
    helper = Helper.objects.filter(region=user.region).order_by("pk").first()
    if helper is None:
        return
    paired = Pairing.objects.filter(end__isnull=True).values("household_id")
    exited = Household.objects.filter(village=user.region, household_type=HouseholdType.EXITED.value,
                                      monitoring_kind="").exclude(pk__in=paired).order_by("number")
    for index, household in enumerate(exited[:OVERDUE_PER_VILLAGE]):
        services.pair(helper, household, start=today - dt.timedelta(days=200), acting_user=user, channel=PAGE)
        if index == 0:
            services.record_visit(Visit(household=household, helper=helper, date=today - dt.timedelta(days=120),
                                        content="入户走访，了解家庭收入和就业情况"), acting_user=user, channel=PAGE)
