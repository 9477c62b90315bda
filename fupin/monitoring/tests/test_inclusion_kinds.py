"""监测对象认定 by 户类型 (中农组发〔2021〕7号, docs/domain-facts.md §2.2): 一般农户 → 边缘易致贫户 or 突发严重困难户;
脱贫户 → 脱贫不稳定户 or 突发严重困难户; an unexited 贫困户 is not included. The household's 监测对象类别 is set on
inclusion and cleared on risk elimination, through the registry."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fupin.audit.models import AuditLog
from fupin.core.channels import Channel
from fupin.monitoring import criteria, services
from fupin.monitoring.models import Alert, EliminationMethod, IncomeCheck, MonitoredHousehold, MonitoredKind
from fupin.registry.choices import HouseholdStatus, HouseholdType
from fupin.registry.models import Household, Member

from .conftest import YEAR
from .test_services import SECURE, run, set_income

PAGE = Channel.PAGE


def refusals(household, kind):
    return criteria.inclusion_check(household, YEAR, {"kind": kind, "risks": ["01"]}).problems


@pytest.mark.parametrize(("status", "kind", "refusal"), [
    ("", MonitoredKind.UNSTABLE, "脱贫不稳定户须为脱贫户，该户为一般农户"),
    (HouseholdStatus.EXITED, MonitoredKind.EDGE, "边缘易致贫户须为一般农户，该户为脱贫户"),
    (HouseholdStatus.POOR, MonitoredKind.SUDDEN, "未脱贫的建档立卡贫困户不能认定为突发严重困难户"),
    (HouseholdStatus.NEW, MonitoredKind.EDGE, "未脱贫的建档立卡贫困户不能认定为边缘易致贫户"),
])
def test_refusal_names_the_rule(household, regions, status, kind, refusal):
    h = household(regions["village_a1"], income=4000, status=status)
    assert any(refusal in p for p in refusals(h, kind))


@pytest.mark.parametrize(("status", "kind", "income"), [
    ("", MonitoredKind.EDGE, 4000),
    ("", MonitoredKind.SUDDEN, 9000),
    (HouseholdStatus.EXITED, MonitoredKind.UNSTABLE, 4000),
    (HouseholdStatus.EXITED, MonitoredKind.SUDDEN, 9000),
])
def test_allowed_kinds(household, regions, status, kind, income):
    h = household(regions["village_a1"], income=income, status=status)
    assert refusals(h, kind) == []


def test_ordinary_farmer_included_as_edge_then_eliminated(household, regions, users, flow):
    h = household(regions["village_a1"], income=4000, last=9000, security=SECURE, status="")
    run(regions, users)
    alert = Alert.objects.get(household=h)
    with pytest.raises(ValidationError, match="脱贫不稳定户须为脱贫户，该户为一般农户"):
        services.start_inclusion(alert, kind=MonitoredKind.UNSTABLE, risks=["01"], reason="x",
                                 acting_user=users["village_a1"], channel=PAGE)
    alert = services.start_inclusion(alert, kind=MonitoredKind.EDGE, risks=["01"], reason="入户核实：户主住院",
                                     acting_user=users["village_a1"], channel=PAGE)
    flow.to_end(alert.procedure)
    h.refresh_from_db()
    monitored = MonitoredHousehold.objects.get(household=h)
    assert (monitored.kind, h.monitoring_kind) == (MonitoredKind.EDGE, MonitoredKind.EDGE)
    entry = AuditLog.objects.filter(object_type="household", object_id=str(h.pk)).order_by("-id").first()
    assert entry.changes["monitoring_kind"][1] in ("2", "边缘易致贫户")
    # Income recovers and stays above the line for more than six months: the risk is eliminated.
    set_income(h, users, 9000)
    MonitoredHousehold.objects.filter(pk=monitored.pk).update(identified_on=timezone.localdate() - dt.timedelta(days=200))
    IncomeCheck.objects.create(household=h, village_id=h.village_id, per_capita_income=9000,
                               checked_on=timezone.localdate() - dt.timedelta(days=190))
    Member.objects.filter(household=h).update(pension_insurance=True)
    monitored.refresh_from_db()
    procedure = services.start_elimination(monitored, method=EliminationMethod.NATURAL, reason="收入稳定超过监测范围",
                                           acting_user=users["village_a1"], channel=PAGE)
    flow.to_end(procedure)
    h.refresh_from_db()
    assert h.monitoring_kind == ""


def test_alert_pages_show_the_type_and_the_kinds_it_allows(household, regions, users, client):
    h = household(regions["village_a1"], income=4000, status="")
    Household.objects.filter(pk=h.pk).update(household_type=HouseholdType.ORDINARY)  # the fixture writes around it
    run(regions, users)
    alert = Alert.objects.get(household=h)
    client.force_login(users["village_a1"])
    assert "一般农户" in client.get(reverse("monitoring:alert_list")).content.decode()
    page = client.get(reverse("monitoring:alert_detail", args=[alert.pk])).content.decode()
    assert "该户为一般农户，可认定为边缘易致贫户或突发严重困难户" in page
