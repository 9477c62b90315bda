"""Runs are idempotent and scoped; alerts go through verification, the inclusion procedure, measures and risk
elimination, and a household whose risk returns re-enters."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fupin.assistance import services as assistance
from fupin.assistance.models import Helper, Measure, MeasureKind, Visit
from fupin.audit.models import AuditLog
from fupin.core.channels import Channel
from fupin.monitoring import services
from fupin.monitoring.models import (
    Alert,
    AlertStatus,
    EliminationMethod,
    Family,
    Finding,
    IncomeCheck,
    MonitoredHousehold,
    MonitoredStatus,
    Parameter,
    Rule,
    Source,
)
from fupin.procedures.models import Status
from fupin.registry.models import IncomeAccount, Member
from fupin.registry.services import save_income_account

from .conftest import YEAR, days_later

SECURE = {"food_secure": True, "clothing_secure": True, "education_secure": True, "medical_secure": True,
          "housing_secure": True, "water_secure": True}


def run(regions, users, region="county", family=Family.MONITORING, user="county"):
    return services.run(family, regions[region], YEAR, acting_user=users[user], channel=Channel.PAGE)


def set_income(household, users, per_capita, year=YEAR):
    account = IncomeAccount.objects.get(household=household, year=year)
    account.wage_income = per_capita * account.household_size
    save_income_account(account, acting_user=users["county"], channel=Channel.PAGE)


def test_run_is_idempotent_and_closes_what_no_longer_fires(household, regions, users):
    poor = household(regions["village_a1"], income=5000, last=5200)
    well = household(regions["village_b1"], income=9000, last=9000)
    first = run(regions, users)
    assert (first.scanned, first.opened, first.closed) == (2, 1, 0)
    alert = Alert.objects.get(household=poor)
    assert alert.rule_codes == ["M01"]
    assert alert.figures["M01"] == {"per_capita_income": 5000.0, "monitoring_line": 7000.0}
    assert alert.due == timezone.localdate() + dt.timedelta(days=5)
    second = run(regions, users)
    assert (second.opened, second.updated_count, second.unchanged, second.closed) == (0, 0, 1, 0)
    assert Alert.objects.filter(household=poor).count() == 1
    # The other household's income collapses: one new alert; the first household recovers: closed.
    set_income(well, users, 3000)
    set_income(poor, users, 8000)
    third = run(regions, users)
    assert (third.opened, third.closed) == (1, 1)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED and not alert.firing
    fresh = Alert.objects.get(household=well)
    assert set(fresh.rule_codes) == {"M01", "M02"}
    assert fresh.figures["M02"]["income_change_pct"] == pytest.approx(-66.67)
    assert AuditLog.objects.filter(object_type="alert", region_code=regions["village_a1"].code).count() == 2


def test_changed_figures_update_the_open_alert(household, regions, users):
    h = household(regions["village_a1"], income=5000, last=5000)
    run(regions, users)
    set_income(h, users, 4000)
    record = run(regions, users)
    assert (record.opened, record.updated_count) == (0, 1)
    assert Alert.objects.get(household=h).figures["M01"]["per_capita_income"] == 4000.0


def test_township_run_touches_only_its_township(household, regions, users):
    a = household(regions["village_a1"], income=5000)
    b = household(regions["village_b1"], income=5000)
    record = run(regions, users, region="town_a", user="town_a")
    assert record.scanned == 1
    assert Alert.objects.filter(household=a).exists() and not Alert.objects.filter(household=b).exists()
    with pytest.raises(PermissionDenied):
        run(regions, users, region="town_b", user="town_a")
    with pytest.raises(PermissionDenied):
        run(regions, users, region="village_a1", user="village_a1")  # villages verify; they do not run monitoring
    run(regions, users, region="village_a1", user="village_a1", family=Family.QUALITY)  # but may check their data


def test_dismissed_alert_is_not_raised_again_for_the_same_rules(household, regions, users):
    h = household(regions["village_a1"], income=5000, last=5000)
    run(regions, users)
    alert = Alert.objects.get(household=h)
    with pytest.raises(ValidationError):
        services.dismiss_alert(alert, reason=" ", acting_user=users["village_a1"], channel=Channel.PAGE)
    with pytest.raises(PermissionDenied):
        services.dismiss_alert(alert, reason="x", acting_user=users["village_b1"], channel=Channel.PAGE)
    services.dismiss_alert(alert, reason="家有存款，子女赡养，无风险", acting_user=users["village_a1"], channel=Channel.PAGE)
    assert run(regions, users).opened == 0
    set_income(h, users, 3000)  # now also a sharp drop: a new rule fires, so the village looks again
    assert run(regions, users).opened == 1


def test_a_county_rule_overrides_the_national_one(household, regions, users):
    h = household(regions["village_a1"], income=5000, last=5000)
    national = Rule.objects.get(code="M01")
    county = services.override_rule(national, regions["county"])
    county.enabled = False
    services.save_rule(county, acting_user=users["admin"], channel=Channel.PAGE)
    assert run(regions, users).opened == 0
    county.enabled, county.condition = True, "per_capita_income < monitoring_line * 0.5"
    services.save_rule(county, acting_user=users["admin"], channel=Channel.PAGE)
    assert run(regions, users).opened == 0
    set_income(h, users, 3000)
    run(regions, users)
    assert Alert.objects.get(household=h, status=AlertStatus.PENDING).rule_codes == ["M01", "M02"]


def test_rule_validation_and_configuration_rights(regions, users, db):
    rule = Rule(family=Family.MONITORING, code="X1", name="测试", condition="salary > 1", region=regions["county"])
    with pytest.raises(ValidationError, match="未知字段"):
        services.save_rule(rule, acting_user=users["admin"], channel=Channel.PAGE)
    rule.condition = "per_capita_income < :no_such_param"
    with pytest.raises(ValidationError, match="未定义的参数"):
        services.save_rule(rule, acting_user=users["admin"], channel=Channel.PAGE)
    rule.condition = "per_capita_income < :income_drop_pct"
    with pytest.raises(PermissionDenied):
        services.save_rule(rule, acting_user=users["county"], channel=Channel.PAGE)
    services.save_rule(rule, acting_user=users["admin"], channel=Channel.PAGE)
    national = Rule.objects.get(code="M01")
    with pytest.raises(PermissionDenied, match="超级管理员"):
        services.save_rule(national, acting_user=users["admin"], channel=Channel.PAGE)


def test_parameters_per_year_and_region(household, regions, users):
    h = household(regions["village_a1"], income=13000, last=20000)  # −35 %
    Parameter.objects.create(code="income_drop_pct", name="x", value=40, region=regions["county"])
    assert run(regions, users).opened == 0
    Parameter.objects.create(code="income_drop_pct", name="x", value=30, region=regions["county"], year=YEAR)
    assert run(regions, users).opened == 1
    assert Alert.objects.get(household=h).figures["M02"]["p_income_drop_pct"] == 30.0


def test_leads_join_the_same_queue(household, regions, users):
    h = household(regions["village_a1"], income=9000)
    with pytest.raises(ValidationError, match="线索内容"):
        services.create_lead(h, source=Source.SELF_REPORT, description="", acting_user=users["village_a1"],
                             channel=Channel.PAGE)
    lead = services.create_lead(h, source=Source.SELF_REPORT, description="户主住院，花费较大", reporter="户主",
                                acting_user=users["village_a1"], channel=Channel.PAGE)
    assert lead.status == AlertStatus.PENDING and lead.due
    with pytest.raises(ValidationError, match="已有"):
        services.create_lead(h, source=Source.CADRE, description="再报", acting_user=users["village_a1"],
                             channel=Channel.PAGE)
    with pytest.raises(PermissionDenied):
        services.create_lead(household(regions["village_b1"], income=9000), source=Source.CADRE, description="x",
                             acting_user=users["village_a1"], channel=Channel.PAGE)
    set_income(h, users, 5000)
    run(regions, users)
    lead.refresh_from_db()
    assert lead.rule_codes == ["M01"] and lead.source == Source.SELF_REPORT
    assert Alert.objects.filter(household=h).count() == 1
    set_income(h, users, 9000)
    run(regions, users)
    lead.refresh_from_db()
    assert lead.status == AlertStatus.PENDING and not lead.firing  # a lead stays open, only marked


def test_scope_of_lists(household, regions, users):
    household(regions["village_a1"], income=5000)
    household(regions["village_b1"], income=5000)
    run(regions, users)
    run(regions, users, family=Family.QUALITY)
    for model in (Alert, Finding):
        assert model.objects.visible_to(users["village_a1"]).count() < model.objects.visible_to(users["county"]).count()
        assert all(r.village_id.startswith("410481100201") for r in model.objects.visible_to(users["village_a1"]))


def _include(alert, users, flow, kind="1", risks=("01",)):
    alert = services.start_inclusion(alert, kind=kind, risks=list(risks), reason="入户核实：户主住院，收入下降",
                                     acting_user=users["village_a1"], channel=Channel.PAGE)
    return flow.to_end(alert.procedure)


def test_full_loop_inclusion_measures_elimination_and_reentry(household, regions, users, flow, monkeypatch):
    h = household(regions["village_a1"], income=4000, last=9000, security=SECURE)
    run(regions, users)
    alert = Alert.objects.get(household=h)
    with pytest.raises(ValidationError, match="边缘易致贫户须为一般农户，该户为脱贫户"):
        services.start_inclusion(alert, kind="2", risks=["01"], reason="x", acting_user=users["village_a1"],
                                 channel=Channel.PAGE)
    procedure = _include(alert, users, flow)
    assert procedure.status == Status.APPROVED
    alert.refresh_from_db()
    assert alert.status == AlertStatus.INCLUDED
    monitored = MonitoredHousehold.objects.get(household=h)
    assert (monitored.kind, monitored.risk_codes, monitored.status) == ("1", ["01"], MonitoredStatus.MONITORING)
    assert float(monitored.per_capita_income) == 4000.0
    # Monitored households are not alerted again while monitored.
    assert run(regions, users).opened == 0
    helper = assistance.save_helper(Helper(name="李帮扶", unit="县财政局", region=regions["town_a"], phone="13900000000"),
                                    acting_user=users["town_a"], channel=Channel.PAGE)
    assistance.pair(helper, h, start=timezone.localdate(), acting_user=users["village_a1"], channel=Channel.PAGE)
    measure = assistance.save_measure(
        Measure(household=h, kind=MeasureKind.PUBLIC_JOB, content="安排护林员公益岗位", amount=6000,
                date=timezone.localdate(), helper=helper), acting_user=users["village_a1"], channel=Channel.PAGE)
    assert measure.monitored == monitored
    assistance.record_visit(Visit(household=h, helper=helper, date=timezone.localdate(), content="了解收支"),
                            acting_user=users["village_a1"], channel=Channel.PAGE)
    # Income recovers, but the household has been monitored for less than six months.
    set_income(h, users, 9000)
    with pytest.raises(ValidationError, match="未满6个月"):
        services.start_elimination(monitored, method=EliminationMethod.ASSISTED, reason="收入稳定",
                                   acting_user=users["village_a1"], channel=Channel.PAGE)
    MonitoredHousehold.objects.filter(pk=monitored.pk).update(identified_on=timezone.localdate() - dt.timedelta(days=200))
    # Income above the line in every dated income check for more than six months.
    IncomeCheck.objects.create(household=h, village_id=h.village_id, per_capita_income=9000,
                               checked_on=timezone.localdate() - dt.timedelta(days=190))
    procedure = services.start_elimination(monitored, method=EliminationMethod.ASSISTED, reason="收入稳定超过监测范围",
                                           acting_user=users["village_a1"], channel=Channel.PAGE)
    flow.to_end(procedure)
    monitored.refresh_from_db()
    assert monitored.status == MonitoredStatus.ELIMINATED
    assert monitored.elimination_method == EliminationMethod.ASSISTED and monitored.eliminated_on
    # The risk returns: the household is alerted and can be included again, as a new monitoring record.
    set_income(h, users, 3000)
    assert run(regions, users).opened == 1
    _include(Alert.objects.get(household=h, status=AlertStatus.PENDING), users, flow)
    assert MonitoredHousehold.objects.filter(household=h).count() == 2
    assert MonitoredHousehold.objects.filter(household=h, status=MonitoredStatus.MONITORING).count() == 1


def test_elimination_criteria(household, regions, users, flow):
    h = household(regions["village_a1"], income=4000, security={**SECURE, "water_secure": False})
    run(regions, users)
    _include(Alert.objects.get(household=h), users, flow, risks=("01", "08"))
    monitored = MonitoredHousehold.objects.get(household=h)
    MonitoredHousehold.objects.filter(pk=monitored.pk).update(identified_on=timezone.localdate() - dt.timedelta(days=400))
    with pytest.raises(ValidationError) as failure:
        services.start_elimination(monitored, method=EliminationMethod.ASSISTED, reason="",
                                   acting_user=users["village_a1"], channel=Channel.PAGE)
    message = " ".join(failure.value.messages)
    assert "未稳定超过" in message and "1项未达标" in message and "须已落实帮扶措施" in message
    # Nobody able to work: stays monitored after social-assistance cover.
    Member.objects.filter(household=h).update(labour_skill="5")
    set_income(h, users, 9000)
    with pytest.raises(ValidationError, match="整户无劳动能力"):
        services.start_elimination(monitored, method=EliminationMethod.NATURAL, reason="",
                                   acting_user=users["village_a1"], channel=Channel.PAGE)


def test_rejected_inclusion_closes_the_alert(household, regions, users, flow):
    from fupin.procedures import services as procedures
    from fupin.procedures.models import Decision

    h = household(regions["village_a1"], income=4000)
    run(regions, users)
    alert = services.start_inclusion(Alert.objects.get(household=h), kind="1", risks=["01"], reason="核实",
                                     acting_user=users["village_a1"], channel=Channel.PAGE)
    procedures.decide(alert.procedure, Decision.REJECT, comment="评议未通过", acting_user=users["village_a1"],
                      channel=Channel.PAGE)
    services.sync_procedure_outcomes(acting_user=users["county"], channel=Channel.PAGE)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.NOT_INCLUDED
    assert run(regions, users).opened == 0  # settled for this year for the same rule


def test_quality_findings_empty_as_records_are_fixed(household, regions, users):
    h = household(regions["village_a1"], income=5000, main_cause="3")
    record = services.recheck_village(regions["village_a1"], acting_user=users["village_a1"], channel=Channel.PAGE)
    assert Finding.objects.filter(household=h, rule__code="Q01", fixed__isnull=True).exists()
    again = services.recheck_village(regions["village_a1"], acting_user=users["village_a1"], channel=Channel.PAGE)
    assert again.opened == 0 and again.unchanged == record.opened
    Member.objects.filter(household=h).update(schooling="03", education="")
    services.recheck_village(regions["village_a1"], acting_user=users["village_a1"], channel=Channel.PAGE)
    assert not Finding.objects.filter(household=h, rule__code="Q01", fixed__isnull=True).exists()
    assert Finding.objects.get(household=h, rule__code="Q01").fixed is not None


def test_overdue_verification(household, regions, users, monkeypatch):
    household(regions["village_a1"], income=4000)
    run(regions, users)
    assert not services.overdue_alerts(users["village_a1"]).exists()
    with days_later(monkeypatch, 6):
        assert services.overdue_alerts(users["village_a1"]).count() == 1
        assert not services.overdue_alerts(users["village_b1"]).exists()
