"""Fixtures of the assets tests: a 财政 reader, an accepted project with beneficiaries, an operating asset with two
beneficiary households and a year's income."""

import datetime as dt
from decimal import Decimal

import pytest

from conftest import PASSWORD

YEAR = dt.date.today().year - 1


@pytest.fixture
def finance(regions):
    from fupin.accounts.models import Role, User

    return User.objects.create_user("caizheng", password=PASSWORD, role=Role.DEPARTMENT, department="财政",
                                    region=regions["county"], full_name="财政局")


@pytest.fixture
def poor(make_household, regions):
    """Three households of 张庄村: two 脱贫户 and one 一般农户."""
    from fupin.registry.models import Household

    made = [make_household(regions["village_a1"], head_name=name) for name in ("王一", "王二", "王三")]
    Household.objects.filter(pk__in=[h.pk for h in made[:2]]).update(household_type="2", status="2")
    Household.objects.filter(pk=made[2].pk).update(household_type="1", status="")
    for household in made:
        household.refresh_from_db()
    return made


@pytest.fixture
def project(regions, users, poor):
    from fupin.projects.models import Project, ProjectBeneficiary, ProjectStatus

    made = Project.objects.create(
        year=YEAR, region=regions["village_a1"], name="张庄村光伏电站", kind="industry",
        status=ProjectStatus.ACCEPTED, planned_amount=Decimal("300000"), fund_source="special",
        implementing_unit="张庄村股份经济合作社", completed_on=dt.date(YEAR, 6, 30),
    )
    for household in poor:
        ProjectBeneficiary.objects.create(project=made, household=household)
    return made


@pytest.fixture
def make_asset(regions, users):
    from fupin.assets import services
    from fupin.assets.models import Asset
    from fupin.core.channels import Channel

    def make(region=None, **fields):
        values = {"name": "张庄村扶贫车间", "kind": "1", "sub_kind": "11", "value": Decimal("500000"),
                  "formed_on": dt.date(YEAR - 2, 5, 1), "fund_source": "special", "owner": "张庄村集体经济组织",
                  "operator": "舞钢市某农业公司", **fields}
        asset = Asset(region=region or regions["village_a1"], **values)
        return services.save_asset(asset, acting_user=users["county"], channel=Channel.PAGE)

    return make


@pytest.fixture
def operating(make_asset, users, poor):
    """An operating asset with an equal-share plan (60 % to households), two 脱贫户 and one 一般农户 as
    beneficiaries, and 10,000 元 of income in YEAR."""
    from fupin.assets import services
    from fupin.assets.models import Income
    from fupin.core.channels import Channel

    asset = make_asset(plan="equal", plan_share=Decimal(60))
    services.add_beneficiaries(asset, poor, acting_user=users["county"], channel=Channel.PAGE)
    services.record_income(Income(asset=asset, year=YEAR, amount=Decimal(10000), source="舞钢市某农业公司"),
                           acting_user=users["county"], channel=Channel.PAGE)
    return asset
