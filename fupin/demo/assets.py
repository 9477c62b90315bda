"""The demo's 扶贫项目资产: in the first demo villages the accepted projects handed over as assets (移交), an
operating 扶贫车间 with its beneficiary households, last year's income distributed by its equal-share plan, a 到户类
asset, a maintenance record, an approved change of operator and one disposal request waiting for the county — made
by the assets services with the village's and the county's accounts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q

from fupin.assets import services
from fupin.assets.choices import AssetKind, ChangeKind, DisposalMethod, DistributionPlan, SubKind
from fupin.assets.models import Asset, ChangeRequest, Income, Maintenance
from fupin.audit.models import Channel
from fupin.projects.models import PlannedSource, Project, ProjectStatus
from fupin.regions.models import Level
from fupin.registry.choices import HouseholdType
from fupin.registry.models import Household

from .workflows import Actors

PAGE = Channel.PAGE
VILLAGES = 3
BENEFICIARIES = 10
INCOME = Decimal(36000)


def _beneficiaries(village_code: str) -> list[Household]:
    return list(Household.objects.filter(village_id=village_code).filter(
        Q(household_type__in=[HouseholdType.POOR, HouseholdType.EXITED]) | ~Q(monitoring_kind=""))
        .order_by("number")[:BENEFICIARIES])


def create_assets(actors: list[Actors], today: dt.date) -> int:
    """Returns the number of assets registered."""
    year = today.year - 1
    made = 0
    for position, actor in enumerate(actors[:VILLAGES]):
        user, county = actor.village, actor.by_level[Level.COUNTY]
        village = user.region
        owner = f"{village.name}股份经济合作社"
        for project in Project.objects.filter(region=village, status=ProjectStatus.ACCEPTED).order_by("id")[:2]:
            fields = services.handover_initial(project)
            fields.update(owner=owner, supervisor=f"{village.parent.name}人民政府、{village.name}村务监督委员会",
                          beneficiary=f"{village.name}全体村民", registered_on=min(today, fields["formed_on"]
                                                                                    + dt.timedelta(days=20)),
                          certificate=f"ZC{project.year}{project.pk:05d}")
            services.handover(project, Asset(**fields), acting_user=user, channel=PAGE)
            made += 1
        workshop = services.save_asset(Asset(
            name=f"{village.name}扶贫车间", kind=AssetKind.OPERATING, sub_kind=SubKind.INDUSTRY_FIXED, region=village,
            location=f"{village.name}村委会东侧", value=Decimal(480000 + 20000 * position),
            formed_on=dt.date(year - 3, 9, 1), fund_source=PlannedSource.INTEGRATED, quantity=Decimal(1), unit="座",
            registered_on=dt.date(year - 3, 12, 1), certificate=f"ZC{year - 3}{position + 1:05d}", owner=owner,
            operator="舞钢市兴农农业发展有限公司", beneficiary=f"{village.name}村集体及脱贫户、监测户",
            supervisor=f"{village.parent.name}人民政府", plan=DistributionPlan.EQUAL, plan_share=Decimal(60),
            note="租赁给经营主体，年租金按合同支付"), acting_user=user, channel=PAGE)
        households = _beneficiaries(village.code)
        services.add_beneficiaries(workshop, households, acting_user=user, channel=PAGE)
        for past in (year - 1, year):
            services.record_income(Income(asset=workshop, year=past, amount=INCOME, source=workshop.operator,
                                          received_on=dt.date(past, 12, 20)), acting_user=user, channel=PAGE)
        services.apply_plan(workshop, year, acting_user=user, channel=PAGE)
        services.record_maintenance(Maintenance(
            asset=workshop, date=today - dt.timedelta(days=30 + position), responsible=f"{village.name}村委会",
            content="检修车间屋顶和消防设施", cost=Decimal(2600)), acting_user=user, channel=PAGE)
        made += 1
        if households:
            services.save_asset(Asset(
                name=f"能繁母牛（{households[0].head_name}户）", kind=AssetKind.HOUSEHOLD, sub_kind=SubKind.BIOLOGICAL,
                region=village, value=Decimal(12000), formed_on=dt.date(year, 4, 10), fund_source=PlannedSource.SPECIAL,
                quantity=Decimal(1), unit="头", owner=f"{households[0].head_name}户", operator=f"{households[0].head_name}户",
                beneficiary=f"{households[0].head_name}户", supervisor=f"{village.name}村委会"),
                acting_user=user, channel=PAGE)
            made += 1
        if position == 0:
            change = services.request_change(ChangeRequest(
                asset=workshop, kind=ChangeKind.OPERATOR, new_holder=f"{village.name}农民专业合作社",
                reason="原经营主体租期届满，经村民代表大会同意由本村合作社经营"), acting_user=user, channel=PAGE)
            services.decide(change, approve=True, opinion="同意变更经营主体", acting_user=county, channel=PAGE)
            pump = services.save_asset(Asset(
                name=f"{village.name}提灌站", kind=AssetKind.PUBLIC, sub_kind=SubKind.INFRASTRUCTURE, region=village,
                value=Decimal(85000), formed_on=dt.date(2014, 5, 1), fund_source=PlannedSource.SPECIAL, owner=owner,
                operator=f"{village.name}村委会", supervisor=f"{village.parent.name}人民政府"),
                acting_user=user, channel=PAGE)
            services.request_change(ChangeRequest(
                asset=pump, kind=ChangeKind.DISPOSAL, method=DisposalMethod.SCRAP, proceeds=Decimal(3000),
                reason="设备老化、管道损毁，已由新建灌溉渠道替代，申请报废处置"), acting_user=user, channel=PAGE)
            made += 1
    return made
