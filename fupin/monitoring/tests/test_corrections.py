"""风险再标注 and 风险消除回退: procedures on the engine with a reason, a village notice, an audited outcome; started
from the monitored household's page (only where they can apply and by the level that starts them) and the API."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import PASSWORD
from fupin.audit.models import AuditLog
from fupin.core.channels import Channel
from fupin.monitoring import corrections
from fupin.monitoring.models import ELIMINATION, REFLAG, ROLLBACK, MonitoredHousehold, MonitoredStatus, Parameter
from fupin.procedures import services as procedures
from fupin.procedures.models import Procedure, ProcedureDefinition, Status

SECURE = {"food_secure": True, "clothing_secure": True, "education_secure": True, "medical_secure": True,
          "housing_secure": True, "water_secure": True}


@pytest.fixture
def eliminated(household, regions):
    """An exited household (脱贫户) whose monitoring as 脱贫不稳定户 was eliminated ten days ago by an approved
    风险消除 procedure; its income has fallen below the monitoring range again."""

    def make(days_ago=10, village="village_a1"):
        h = household(regions[village], income=4000, last=9000, security=SECURE)
        elimination = Procedure.objects.create(
            kind=ELIMINATION, definition=ProcedureDefinition.objects.get(kind=ELIMINATION, region=None), household=h,
            village_id=h.village_id, year=timezone.localdate().year, status=Status.APPROVED,
        )
        eliminated_on = timezone.localdate() - dt.timedelta(days=days_ago)
        return MonitoredHousehold.objects.create(
            household=h, village_id=h.village_id, kind="1", year=eliminated_on.year - 1,
            identified_on=eliminated_on - dt.timedelta(days=300), risks="01", status=MonitoredStatus.ELIMINATED,
            elimination_method="assisted", eliminated_on=eliminated_on, elimination_procedure=elimination,
        )

    return make


def test_definitions_are_installed_with_a_village_notice(db):
    for kind in (REFLAG, ROLLBACK):
        steps = list(ProcedureDefinition.objects.get(kind=kind, region=None).steps.order_by("order"))
        assert [s.actor_level for s in steps] == [5, 5, 4, 3]
        assert [s.notice_days for s in steps] == [0, 5, 0, 0]
    assert Parameter.objects.get(code=corrections.ROLLBACK_DAYS, region=None, year=None).value == 90


def test_reflag_makes_a_new_monitoring_record(eliminated, users, flow):
    old = eliminated()
    with pytest.raises(ValidationError, match="请填写风险再标注的原因"):
        corrections.start_reflag(old, risks=["02"], reason=" ", acting_user=users["village_a1"], channel=Channel.PAGE)
    procedure = corrections.start_reflag(old, risks=["02", "04"], reason="暴雨冲毁大棚", acting_user=users["village_a1"],
                                         channel=Channel.PAGE)
    assert procedure.kind == REFLAG and procedure.get_kind_display() == "风险再标注"
    assert [s.name for s in procedure.steps.all()][1] == "村内公示"
    flow.to_end(procedure)
    old.refresh_from_db()
    assert old.status == MonitoredStatus.ELIMINATED
    new = MonitoredHousehold.objects.get(household=old.household, status=MonitoredStatus.MONITORING)
    assert (new.kind, new.risk_codes, new.inclusion_procedure_id) == ("1", ["02", "04"], procedure.pk)
    old.household.refresh_from_db()
    assert old.household.monitoring_kind == "1"
    assert AuditLog.objects.filter(object_type="monitoredhousehold", object_id=str(new.pk)).exists()
    # Monitored again: neither correction applies any more.
    with pytest.raises(ValidationError, match="正在监测帮扶中"):
        corrections.start_reflag(new, risks=["01"], reason="x", acting_user=users["village_a1"], channel=Channel.PAGE)
    with pytest.raises(ValidationError, match="正在监测帮扶中"):
        corrections.start_rollback(new, reason="x", acting_user=users["village_a1"], channel=Channel.PAGE)


def test_reflag_checks_the_category_as_inclusion_does(eliminated, users):
    old = eliminated()
    with pytest.raises(ValidationError, match="边缘易致贫户须为一般农户"):
        corrections.start_reflag(old, kind="2", risks=["01"], reason="x", acting_user=users["village_a1"],
                                 channel=Channel.PAGE)


def test_rollback_restores_the_record_before_the_elimination(eliminated, users, flow):
    monitored = eliminated()
    elimination = monitored.elimination_procedure_id
    with pytest.raises(ValidationError, match="请填写回退原因"):
        corrections.start_rollback(monitored, reason="", acting_user=users["village_a1"], channel=Channel.PAGE)
    procedure = corrections.start_rollback(monitored, reason="收入核查数据录入有误", acting_user=users["village_a1"],
                                           channel=Channel.PAGE)
    assert procedure.get_kind_display() == "风险消除回退"
    assert procedure.details["elimination_procedure"] == elimination
    flow.to_end(procedure)
    monitored.refresh_from_db()
    assert monitored.status == MonitoredStatus.MONITORING
    assert (monitored.eliminated_on, monitored.elimination_method, monitored.elimination_procedure_id) == (None, "", None)
    monitored.household.refresh_from_db()
    assert monitored.household.monitoring_kind == "1"
    entry = AuditLog.objects.filter(object_type="monitoredhousehold", object_id=str(monitored.pk)).last()
    assert "风险消除回退" in entry.note
    assert MonitoredHousehold.objects.filter(household=monitored.household).count() == 1


def test_rollback_window_is_configuration(eliminated, users, regions):
    late = eliminated(days_ago=120)
    with pytest.raises(ValidationError, match="已过90天的回退期限"):
        corrections.start_rollback(late, reason="认定有误", acting_user=users["village_a1"], channel=Channel.PAGE)
    assert not corrections.may_start(users["village_a1"], ROLLBACK, late)
    assert corrections.may_start(users["village_a1"], REFLAG, late)
    Parameter.objects.create(code=corrections.ROLLBACK_DAYS, name="风险消除回退期限", region=regions["county"],
                             value=180, unit="天")
    procedure = corrections.start_rollback(late, reason="认定有误", acting_user=users["village_a1"], channel=Channel.PAGE)
    assert procedure.figures["rollback_days"] == 180


def test_rollback_needs_an_approved_elimination(eliminated, users):
    monitored = eliminated()
    MonitoredHousehold.objects.filter(pk=monitored.pk).update(elimination_procedure=None)
    monitored.refresh_from_db()
    with pytest.raises(ValidationError, match="不是经风险消除程序审定的"):
        corrections.start_rollback(monitored, reason="x", acting_user=users["village_a1"], channel=Channel.PAGE)


def test_page_offers_the_corrections_to_the_village_only(client, eliminated, users):
    monitored = eliminated()
    assert client.login(username=users["town_a"].username, password=PASSWORD)
    page = client.get(f"/monitoring/monitored/{monitored.pk}/").content.decode()
    assert 'data-testid="reflag-form"' not in page and 'data-testid="rollback-form"' not in page
    assert client.login(username=users["village_a1"].username, password=PASSWORD)
    page = client.get(f"/monitoring/monitored/{monitored.pk}/").content.decode()
    assert 'data-testid="reflag-form"' in page and 'data-testid="rollback-form"' in page
    response = client.post(f"/monitoring/monitored/{monitored.pk}/", {
        "action": "rollback", "rollback-reason": "入户复核发现收入计算有误"})
    procedure = Procedure.objects.get(kind=ROLLBACK, household=monitored.household)
    assert response.status_code == 302 and response["Location"] == f"/procedures/{procedure.pk}/"
    assert "入户复核发现收入计算有误" in client.get(response["Location"]).content.decode()
    # A procedure is running: no further correction is offered.
    page = client.get(f"/monitoring/monitored/{monitored.pk}/").content.decode()
    assert 'data-testid="reflag-form"' not in page and "风险消除回退程序" in page
    listing = client.get("/procedures/").content.decode()
    assert "风险消除回退" in listing


def test_api_starts_both(api_client, eliminated, users):
    monitored = eliminated()
    village = api_client(users["village_a1"])
    response = village.post(f"/api/monitoring/monitored/{monitored.pk}/reflag", {"risks": ["01"], "reason": "再次患病"},
                            content_type="application/json")
    assert response.status_code == 201, response.content
    procedure = Procedure.objects.get(pk=response.json()["procedure"])
    assert procedure.kind == REFLAG and procedure.details["kind"] == "1"
    procedures.withdraw(procedure, reason="改为回退", acting_user=users["village_a1"], channel=Channel.API)
    refused = api_client(users["county"]).post(f"/api/monitoring/monitored/{monitored.pk}/rollback",
                                               {"reason": "认定有误"}, content_type="application/json")
    assert refused.status_code == 403
    response = village.post(f"/api/monitoring/monitored/{monitored.pk}/rollback", {"reason": "认定有误"},
                            content_type="application/json")
    assert response.status_code == 201
    listed = village.get("/api/procedures", {"kind": ROLLBACK}).json()["items"]
    assert [p["kind_label"] for p in listed] == ["风险消除回退"]
    other = eliminated(village="village_b1")
    assert village.post(f"/api/monitoring/monitored/{other.pk}/rollback", {"reason": "x"},
                        content_type="application/json").status_code == 404
