"""The demo's 扶贫项目: fifteen projects in the demo villages (and one of a township) across the kinds and every
stage — in the library, at the village 公示, at the township, rejected, approved with its 公示 and the county 公告,
in implementation with milestones, accepted, and one 出库 — made by the projects services with the accounts of
each level on the days they would have acted, with beneficiaries from the village's households."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fupin.audit.models import Channel
from fupin.monitoring.models import MonitoredStatus
from fupin.procedures import notices
from fupin.procedures.models import Decision
from fupin.projects import services
from fupin.projects.models import AcceptanceResult, PlannedSource, Project, ProjectKind
from fupin.regions.models import Level
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import Household

from .workflows import Actors, on

PAGE = Channel.PAGE
STARTED_DAYS_AGO = 150
# (name, kind, amount, source, unit, scale, mechanism, stage)
PLANS = [
    ("{v}道路硬化", ProjectKind.INFRASTRUCTURE, 420000, PlannedSource.INTEGRATED, "{t}人民政府", "硬化村组道路3.2公里",
     "方便群众出行和农产品运输，优先吸纳脱贫户务工", "accepted"),
    ("{v}肉牛养殖基地", ProjectKind.INDUSTRY, 860000, PlannedSource.SPECIAL, "{v}股份经济合作社", "新建牛舍1200平方米，引进肉牛80头",
     "资产归村集体，收益按比例分红到脱贫户和监测户，基地优先用工", "in_progress"),
    ("{v}安全饮水巩固提升", ProjectKind.PUBLIC_SERVICE, 260000, PlannedSource.SECTOR, "县水利局", "新打机井1眼，铺设管网4.5公里",
     "解决全村饮水安全，脱贫户免收入户费", "approved"),
    ("{v}光伏电站", ProjectKind.INDUSTRY, 640000, PlannedSource.EAST_WEST, "县发展和改革委员会", "建设村级光伏电站200千瓦",
     "发电收益用于设置公益岗位和奖补", "publicity"),
    ("{v}公益岗位开发", ProjectKind.EMPLOYMENT, 180000, PlannedSource.SPECIAL, "{t}人民政府", "开发保洁、护林公益岗位30个",
     "岗位安置有劳动能力的脱贫户和监测户", "declared"),
    ("{v}危房改造", ProjectKind.HOUSING, 300000, PlannedSource.SECTOR, "县住房和城乡建设局", "改造C、D级危房10户",
     "保障住房安全，按户补助", "in_progress"),
    ("{v}雨露计划补助", ProjectKind.EDUCATION, 90000, PlannedSource.SPECIAL, "县乡村振兴局", "补助中高职在校生30人次",
     "脱贫家庭、监测户子女每学年补助", "township"),
    ("{v}小额信贷贴息", ProjectKind.FINANCE, 120000, PlannedSource.SPECIAL, "县财政局", "贴息贷款150万元",
     "脱贫户发展产业贷款全额贴息", "rejected"),
    ("{v}村卫生室改造", ProjectKind.HEALTH, 150000, PlannedSource.PAIRED, "县卫生健康委员会", "改造卫生室120平方米，配置设备",
     "方便群众就近就医，家庭医生签约服务", "accepted"),
    ("{v}设施蔬菜大棚", ProjectKind.INDUSTRY, 520000, PlannedSource.INTEGRATED, "{v}股份经济合作社", "新建温室大棚20座",
     "大棚出租给经营主体，租金收益分配到户，务工带动", "in_progress"),
    ("{v}农田水利设施", ProjectKind.INFRASTRUCTURE, 380000, PlannedSource.BOND, "县农业农村局", "新建灌溉渠道2.8公里",
     "改善灌溉条件，受益农户增收", "approved"),
    ("{v}文化广场", ProjectKind.PUBLIC_SERVICE, 200000, PlannedSource.DONATION, "{v}村民委员会", "建设文化广场1500平方米",
     "改善公共服务设施", "removed"),
    ("{v}技能培训", ProjectKind.EMPLOYMENT, 60000, PlannedSource.SPECIAL, "县人力资源和社会保障局", "培训脱贫劳动力80人次",
     "培训后推荐就业", "declared"),
    ("{v}易地搬迁后续扶持", ProjectKind.RELOCATION, 240000, PlannedSource.INTEGRATED, "{t}人民政府", "安置点配套扶贫车间1座",
     "车间吸纳搬迁群众就业", "publicity"),
]
TOWNSHIP_PLAN = ("{t}农产品冷链仓储", ProjectKind.INDUSTRY, 980000, PlannedSource.INTEGRATED, "{t}人民政府",
                 "新建冷库2000立方米", "冷库租赁收益分配到各村，带动脱贫户销售", "approved")
MILESTONES = [(10, "完成招标，施工单位进场"), (35, "基础工程完成"), (60, "主体工程完成"), (80, "附属工程施工"),
              (100, "全部完工，申请验收")]
BENEFICIARIES = 8


def _document() -> SimpleUploadedFile:
    return SimpleUploadedFile("验收报告.pdf", b"%PDF-1.4\n% fupin demo\n", content_type="application/pdf")


def _publish(project: Project, step, user, day: dt.date) -> None:
    notice = services.create_notice([project], kind=step.notice_kind, start_date=day,
                                    end_date=day + dt.timedelta(days=step.notice_days - 1), acting_user=user,
                                    channel=PAGE)
    notices.publish_notice(notice, acting_user=user, channel=PAGE)


def _approve(project: Project, actors: Actors, day: dt.date, stage: str, today: dt.date) -> tuple[Project, dt.date]:
    """Declare and take the project through its chain as far as its stage asks; returns it and the day reached."""
    first = Level.VILLAGE if project.region.level == Level.VILLAGE else Level.TOWNSHIP
    with on(day):
        project = services.start_approval(project, acting_user=actors.by_level[first], channel=PAGE)
    while project.current_order is not None:
        day = min(day + dt.timedelta(days=2), today)
        step = project.steps.get(order=project.current_order)
        user = actors.by_level[step.actor_level]
        if stage == "township" and step.actor_level == Level.TOWNSHIP:
            return project, day
        with on(day):
            if stage == "rejected" and step.actor_level == Level.COUNTY:
                project = services.decide(project, Decision.REJECT, comment="项目带贫效益不明显，建议调整后重新申报",
                                          acting_user=user, channel=PAGE)
                return project, day
            if step.is_notice:
                _publish(project, step, user, day)
                if stage == "publicity":
                    return project, day
                day += dt.timedelta(days=step.notice_days)
        with on(day):
            project = services.decide(project, Decision.PASS, comment="同意", acting_user=user, channel=PAGE)
    return project, day


def _implement(project: Project, user, day: dt.date, stage: str, index: int, today: dt.date) -> None:
    day = min(day + dt.timedelta(days=5), today)
    with on(day):
        project = services.start_implementation(project, date=day, acting_user=user, channel=PAGE)
    reached = MILESTONES if stage == "accepted" else MILESTONES[: 2 + index % 3]
    for progress, text in reached:
        day = min(day + dt.timedelta(days=12), today)
        with on(day):
            services.add_milestone(project, date=day, text=text, progress=progress, acting_user=user, channel=PAGE)
    if stage == "accepted":
        day = min(day + dt.timedelta(days=3), today)
        with on(day):
            services.record_acceptance(project, date=day, team="县乡村振兴局、财政局、行业主管部门及村民代表",
                                       result=AcceptanceResult.PASSED, remarks="工程质量合格，资料齐全，同意验收",
                                       documents=[_document()], acting_user=user, channel=PAGE)


def _beneficiaries(project: Project, user) -> None:
    """The village's 建档立卡 and monitored households first, then others, up to BENEFICIARIES."""
    households = Household.objects.in_region(project.region.prefix)
    reached = list(households.filter(status__in=HouseholdStatus.REGISTERED).order_by("number")[:BENEFICIARIES // 2])
    reached += list(households.filter(monitoring_records__status=MonitoredStatus.MONITORING).distinct()
                    .order_by("number")[:2])
    reached += list(households.exclude(pk__in=[h.pk for h in reached]).order_by("number")[:BENEFICIARIES - len(reached)])
    if reached:
        services.add_beneficiaries(project, reached, note=project.get_kind_display(), acting_user=user, channel=PAGE)


def _enter(plan, region, actors: Actors, day: dt.date, year: int) -> tuple[Project, str]:
    name, kind, amount, source, unit, scale, mechanism, stage = plan
    township = actors.by_level[Level.TOWNSHIP].region.name
    words = {"v": region.name, "t": township}
    project = Project(
        year=year, region=region, name=name.format(**words), kind=kind, planned_amount=Decimal(amount),
        fund_source=source, implementing_unit=unit.format(**words), scale=scale, benefit_mechanism=mechanism,
        content=f"{scale}。", planned_start=dt.date(year, 3, 1), planned_end=dt.date(year, 11, 30),
        expected_households=40, expected_people=130, expected_poor_households=12, expected_monitored_households=3,
        library_reason="村民代表大会讨论通过",
    )
    with on(day):
        project.library_date = day
        return services.save_project(project, acting_user=actors.by_level[Level.COUNTY], channel=PAGE), stage


def create_projects(actors: list[Actors], today: dt.date | None = None) -> int:
    """The projects of the demo villages, dated up to ``today`` (the demo's day, never after the real one: the
    services refuse future dates); returns how many were entered."""
    if not actors:
        return 0
    today = min(today or timezone.localdate(), timezone.localdate())
    year = today.year
    start = today - dt.timedelta(days=STARTED_DAYS_AGO)
    entered = []
    for index, plan in enumerate(PLANS):
        village = actors[index % len(actors)]
        entered.append((*_enter(plan, village.village.region, village, start + dt.timedelta(days=index), year), village))
    first = actors[0]
    entered.append((*_enter(TOWNSHIP_PLAN, first.by_level[Level.TOWNSHIP].region, first, start, year), first))
    for index, (project, stage, village) in enumerate(entered):
        county = village.by_level[Level.COUNTY]
        day = project.library_date + dt.timedelta(days=3)
        if stage == "removed":
            with on(day):
                services.remove_from_library(project, date=day, reason="选址调整，并入下年度规划", acting_user=county,
                                             channel=PAGE)
            continue
        _beneficiaries(project, county)
        if stage == "declared":
            continue
        project, day = _approve(project, village, day, stage, today)
        if stage in ("in_progress", "accepted"):
            _implement(project, county, day, stage, index, today)
    return len(entered)
