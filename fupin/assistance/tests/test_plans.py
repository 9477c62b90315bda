"""走访计划: next-due dates from the configured frequency per household kind, the overdue list (scope, filters,
export, query count) and the offline queue's dedup on the server (same client UUID twice → one visit)."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import PASSWORD
from fupin.accounts.models import Role, User
from fupin.assistance import plans, services
from fupin.assistance.models import AssistanceParameter, Helper, Pairing, ParameterCode, Visit
from fupin.audit.models import AuditLog
from fupin.core.channels import Channel
from fupin.registry.models import Household

PAGE = Channel.PAGE
TODAY = timezone.localdate()


@pytest.fixture
def paired(household, regions, users):
    """Three households of 张庄村 paired with one helper 100 days ago: monitored, 脱贫户, 一般农户."""
    account = User.objects.create_user("helper_p", password=PASSWORD, role=Role.DEPARTMENT,
                                       region=regions["county"], full_name="孙帮扶")
    helper = services.save_helper(Helper(name="孙帮扶", unit="县水利局", region=regions["town_a"], user=account),
                                  acting_user=users["town_a"], channel=PAGE)
    made = {}
    for kind, fields in (("monitored", {"monitoring_kind": "1", "household_type": "2"}),
                         ("exited", {"household_type": "2"}), ("ordinary", {"household_type": "1"})):
        h = household(regions["village_a1"], income=9000, head_name=f"{kind}户主")
        Household.objects.filter(pk=h.pk).update(**fields)
        Pairing.objects.create(helper=helper, household=h, village_id=h.village_id,
                               start=TODAY - dt.timedelta(days=100))
        made[kind] = h
    return {"helper": helper, "account": account, **made}


def visit(h, helper, days_ago, user, **extra):
    return services.record_visit(Visit(household=h, helper=helper, date=TODAY - dt.timedelta(days=days_ago),
                                       content="入户走访", **extra), acting_user=user, channel=PAGE)


def test_next_due_from_the_last_visit_and_the_configured_frequency(paired, users, regions):
    helper = paired["helper"]
    visit(paired["monitored"], helper, 40, users["village_a1"])
    visit(paired["exited"], helper, 40, users["village_a1"])
    rows = {p.household_id: p for p in plans.schedule()}
    monitored, exited, ordinary = (rows[paired[k].pk] for k in ("monitored", "exited", "ordinary"))
    assert monitored.kind == "monitored" and monitored.interval_days == 30
    assert plans.next_due(monitored) == TODAY - dt.timedelta(days=10)
    assert plans.due_state(monitored)[1] == "已逾期10天"
    assert exited.kind == "exited" and plans.next_due(exited) == TODAY + dt.timedelta(days=50)
    assert plans.due_state(ordinary) == ("none", "不作要求")
    assert {p.household_id for p in plans.overdue(plans.schedule())} == {paired["monitored"].pk}
    # The county visits 脱贫户 monthly too: most specific wins, and the 脱贫户 is overdue by 10 days.
    AssistanceParameter.objects.create(code=ParameterCode.VISIT_DAYS_EXITED, region=regions["county"], value=30,
                                       source="县防返贫工作方案", year=TODAY.year)
    assert {p.household_id for p in plans.overdue(plans.schedule())} == {paired["monitored"].pk,
                                                                          paired["exited"].pk}
    # A visit today clears it.
    visit(paired["monitored"], helper, 0, users["village_a1"])
    assert paired["monitored"].pk not in {p.household_id for p in plans.overdue(plans.schedule())}


def test_never_visited_counts_from_the_start(paired):
    rows, _form = plans.filter_plans(Pairing.objects.all(), {})
    # Counted from the pairing's start 100 days ago: past 30 (监测对象) and 90 (脱贫户) days; no plan for 一般农户.
    assert {p.household_id for p in rows} == {paired["monitored"].pk, paired["exited"].pk}
    rows, _form = plans.filter_plans(Pairing.objects.all(), {"state": "overdue", "kind": "exited"})
    assert [p.household_id for p in rows] == [paired["exited"].pk]


def test_overdue_page_scope_export_and_queries(client, paired, users, django_assert_num_queries):
    assert client.login(username=users["town_b"].username, password=PASSWORD)
    assert paired["monitored"].number not in client.get("/assistance/visit-plans/").content.decode()
    client.logout()
    assert client.login(username=users["town_a"].username, password=PASSWORD)
    client.get("/assistance/visit-plans/")
    with django_assert_num_queries(10):  # session, user, menu, parameters, count, rows …
        page = client.get("/assistance/visit-plans/").content.decode()
    assert paired["monitored"].number in page and "已逾期70天" in page
    export = client.get("/assistance/visit-plans/export/")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditLog.objects.filter(action="export", note__contains="逾期走访").exists() or AuditLog.objects.filter(
        action="export").exists()


def test_the_helper_sees_their_own_due_dates(client, paired):
    assert client.login(username="helper_p", password=PASSWORD)
    page = client.get("/assistance/mine/").content.decode()
    assert "已逾期70天" in page and "不作要求" in page


def test_same_client_uuid_twice_is_one_visit(paired, users):
    key = uuid.uuid4()
    h, helper, account = paired["monitored"], paired["helper"], paired["account"]
    first, created = services.record_visit_once(
        Visit(household=h, helper=helper, date=TODAY, content="离线记录", client_uuid=key), acting_user=account,
        channel=PAGE)
    again, created_again = services.record_visit_once(
        Visit(household=h, helper=helper, date=TODAY, content="离线记录", client_uuid=key), acting_user=account,
        channel=PAGE)
    assert created and not created_again and again.pk == first.pk
    assert Visit.objects.filter(client_uuid=key).count() == 1
    with pytest.raises(ValidationError, match="其他户"):
        services.record_visit_once(Visit(household=paired["exited"], helper=helper, date=TODAY, content="x",
                                         client_uuid=key), acting_user=account, channel=PAGE)


def test_sync_endpoint_answers_the_existing_visit(client, api_client, paired):
    h = paired["monitored"]
    assert client.login(username="helper_p", password=PASSWORD)
    key = str(uuid.uuid4())
    data = {"helper": paired["helper"].pk, "date": TODAY.isoformat(), "content": "离线走访", "client_uuid": key}
    url = f"/assistance/households/{h.pk}/visits/sync/"
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["visit"] == second.json()["visit"]
    assert Visit.objects.filter(household=h).count() == 1
    bad = client.post(url, {**data, "client_uuid": str(uuid.uuid4()), "content": ""})
    assert bad.status_code == 400 and "走访内容" in bad.json()["error"]
    api = api_client(paired["account"])
    body = {"helper": paired["helper"].pk, "date": TODAY.isoformat(), "content": "接口走访",
            "client_uuid": str(uuid.uuid4())}
    one = api.post(f"/api/assistance/households/{h.pk}/visits", body, content_type="application/json")
    two = api.post(f"/api/assistance/households/{h.pk}/visits", body, content_type="application/json")
    assert (one.status_code, two.status_code) == (201, 200) and one.json()["id"] == two.json()["id"]
