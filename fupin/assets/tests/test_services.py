import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fupin.assets import services
from fupin.assets.choices import AssetStatus, ChangeKind, DistributionMethod, RequestStatus
from fupin.assets.models import Asset, ChangeRequest, Distribution, Income, Maintenance
from fupin.audit.models import AuditLog
from fupin.core.channels import Channel

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def test_register_writes_an_audit_row_and_checks_the_sub_kind(make_asset, regions, users):
    asset = make_asset()
    entry = AuditLog.objects.get(object_type="asset", object_id=str(asset.pk))
    assert entry.region_code == regions["village_a1"].code and entry.user == users["county"]
    with pytest.raises(ValidationError) as caught:
        make_asset(kind="2", sub_kind="11")
    assert "公益性资产的子类应为" in str(caught.value)
    with pytest.raises(ValidationError, match="平均分配方案需填写分配到户比例"):
        make_asset(plan="equal")


def test_an_edit_keeps_rights_and_status(make_asset, users):
    asset = make_asset()
    asset.owner, asset.status, asset.name = "别人", AssetStatus.DISPOSED, "新名称"
    services.save_asset(asset, acting_user=users["county"], channel=Channel.PAGE)
    asset.refresh_from_db()
    assert (asset.owner, asset.status, asset.name) == ("张庄村集体经济组织", AssetStatus.IN_USE, "新名称")


def test_finance_reads_but_cannot_write_and_scope_is_kept(make_asset, finance, users, regions):
    asset = make_asset()
    assert list(Asset.objects.visible_to(finance)) == [asset]
    with pytest.raises(PermissionDenied, match="只能查看"):
        services.save_asset(asset, acting_user=finance, channel=Channel.PAGE)
    with pytest.raises(PermissionDenied, match="管辖范围"):
        services.save_asset(asset, acting_user=users["village_b1"], channel=Channel.PAGE)
    assert not Asset.objects.visible_to(users["village_b1"]).exists()
    with pytest.raises(PermissionDenied):
        services.record_maintenance(Maintenance(asset=asset, date=dt.date.today(), responsible="李四", content="清扫"),
                                    acting_user=finance, channel=Channel.PAGE)


def test_handover_from_an_accepted_project(project, users, poor):
    from fupin.projects.models import ProjectStatus

    asset = Asset(**services.handover_initial(project), owner="张庄村集体经济组织")
    asset = services.handover(project, asset, acting_user=users["village_a1"], channel=Channel.PAGE)
    project.refresh_from_db()
    assert project.status == ProjectStatus.HANDED_OVER
    assert asset.project == project and asset.value == Decimal("300000") and asset.kind == "1"
    assert set(asset.beneficiaries.values_list("household_id", flat=True)) == {h.pk for h in poor}
    assert AuditLog.objects.filter(object_type="asset", object_id=str(asset.pk), note__contains="项目移交").exists()
    with pytest.raises(ValidationError):
        services.handover(project, Asset(**services.handover_initial(project), owner="x"),
                          acting_user=users["county"], channel=Channel.PAGE)


def test_handover_refuses_a_project_not_accepted(project, users):
    project.status = "in_progress"
    project.save()
    with pytest.raises(ValidationError, match="尚未验收"):
        services.handover(project, Asset(**services.handover_initial(project), owner="x"),
                          acting_user=users["county"], channel=Channel.PAGE)
    assert not Asset.objects.exists()


def test_distribution_may_not_exceed_the_income(operating, poor, users):
    share = services.Share
    services.distribute(operating, YEAR, [share(poor[0], Decimal(6000), "分红")], acting_user=users["village_a1"],
                        channel=Channel.PAGE)
    with pytest.raises(ValidationError) as caught:
        services.distribute(operating, YEAR, [share(poor[1], Decimal("4000.01"), "分红")],
                            acting_user=users["village_a1"], channel=Channel.PAGE)
    assert "超过该资产" in str(caught.value) and "10,000.00" in str(caught.value)
    with pytest.raises(ValidationError, match="已有"):
        services.distribute(operating, YEAR, [share(poor[0], Decimal(1), "再分")], acting_user=users["county"],
                            channel=Channel.PAGE)
    with pytest.raises(ValidationError, match="没有登记收益"):
        services.distribute(operating, YEAR - 1, [share(poor[1], Decimal(1), "分红")], acting_user=users["county"],
                            channel=Channel.PAGE)
    assert Distribution.objects.count() == 1


def test_plan_shares_equally_among_registered_households_once(operating, poor, users):
    outcome = services.apply_plan(operating, YEAR, acting_user=None, channel=Channel.CLI)
    rows = Distribution.objects.filter(asset=operating, year=YEAR).order_by("household__number")
    # 60 % of 10,000 between the two 脱贫户; the 一般农户 has no share.
    assert [(r.household_id, r.amount, r.method) for r in rows] == [
        (poor[0].pk, Decimal(3000), DistributionMethod.PLAN), (poor[1].pk, Decimal(3000), DistributionMethod.PLAN)]
    assert outcome.applied and outcome.pool == Decimal(6000)
    again = services.apply_plan(operating, YEAR, acting_user=None, channel=Channel.CLI)
    assert again.applied and not again.shares and Distribution.objects.count() == 2


def test_income_only_for_operating_assets(make_asset, users):
    public = make_asset(kind="2", sub_kind="21", name="村道")
    with pytest.raises(ValidationError, match="经营性资产"):
        services.record_income(Income(asset=public, year=YEAR, amount=Decimal(1), source="x"),
                               acting_user=users["county"], channel=Channel.PAGE)


def test_disposal_is_requested_by_the_village_and_approved_by_the_county(make_asset, users):
    asset = make_asset()
    change = services.request_change(
        ChangeRequest(asset=asset, kind=ChangeKind.DISPOSAL, reason="设备老化无法使用", method="scrap",
                      proceeds=Decimal(800)), acting_user=users["village_a1"], channel=Channel.PAGE)
    with pytest.raises(ValidationError, match="待审批"):
        services.request_change(ChangeRequest(asset=asset, kind=ChangeKind.OPERATOR, new_holder="新公司", reason="r"),
                                acting_user=users["village_a1"], channel=Channel.PAGE)
    for not_county in (users["village_a1"], users["town_a"]):
        with pytest.raises(PermissionDenied, match="县级审批"):
            services.decide(change, approve=True, opinion="", acting_user=not_county, channel=Channel.PAGE)
    asset.refresh_from_db()
    assert asset.status == AssetStatus.IN_USE
    services.decide(change, approve=True, opinion="同意报废", acting_user=users["county"], channel=Channel.PAGE)
    asset.refresh_from_db()
    change.refresh_from_db()
    assert asset.status == AssetStatus.DISPOSED and change.status == RequestStatus.APPROVED
    assert AuditLog.objects.filter(object_type="asset", object_id=str(asset.pk), note__contains="经县级审批").exists()
    with pytest.raises(ValidationError, match="已处置"):
        services.save_asset(asset, acting_user=users["county"], channel=Channel.PAGE)


def test_operator_change_and_rejection(make_asset, users):
    asset = make_asset()
    change = services.request_change(
        ChangeRequest(asset=asset, kind=ChangeKind.OPERATOR, new_holder="舞钢市新合作社", reason="原经营主体退出"),
        acting_user=users["town_a"], channel=Channel.API)
    with pytest.raises(ValidationError, match="驳回时请填写审批意见"):
        services.decide(change, approve=False, opinion="", acting_user=users["county"], channel=Channel.PAGE)
    services.decide(change, approve=False, opinion="材料不全", acting_user=users["county"], channel=Channel.PAGE)
    asset.refresh_from_db()
    assert asset.operator == "舞钢市某农业公司"
    change = services.request_change(
        ChangeRequest(asset=asset, kind=ChangeKind.OPERATOR, new_holder="舞钢市新合作社", reason="补齐材料"),
        acting_user=users["town_a"], channel=Channel.API)
    services.decide(change, approve=True, opinion="", acting_user=users["county"], channel=Channel.PAGE)
    asset.refresh_from_db()
    assert asset.operator == "舞钢市新合作社"


def test_summary_counts_by_kind_and_status(operating, make_asset, users, finance):
    make_asset(kind="2", sub_kind="21", name="村道", value=Decimal(100))
    figures = services.summary(finance, YEAR)
    kinds = {k["kind"]: (k["count"], k["value"]) for k in figures["kinds"]}
    assert kinds["1"] == (1, Decimal(500000)) and kinds["2"] == (1, Decimal(100)) and kinds["3"] == (0, 0)
    assert figures["income"] == Decimal(10000)
    assert services.summary(users["village_b1"], YEAR)["income"] == 0
