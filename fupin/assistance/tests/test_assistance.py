"""Helpers, pairing, measures and visits: the rules, the data scope in pages and API, and the helper's phone page."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import PASSWORD
from fupin.accounts.models import Role, User
from fupin.assistance import services
from fupin.assistance.models import Helper, Measure, MeasureKind, MeasureStatus, Visit
from fupin.audit.models import AuditLog
from fupin.core.channels import Channel

PAGE = Channel.PAGE


@pytest.fixture
def setup(household, regions, users):
    a = household(regions["village_a1"], income=9000, head_name="甲户主")
    b = household(regions["village_b1"], income=9000, head_name="乙户主")
    account = User.objects.create_user("helper_a", password=PASSWORD, role=Role.DEPARTMENT, region=regions["county"],
                                       full_name="王帮扶")
    helper_a = services.save_helper(Helper(name="王帮扶", unit="县教育局", region=regions["town_a"], user=account),
                                    acting_user=users["town_a"], channel=PAGE)
    helper_b = services.save_helper(Helper(name="赵帮扶", unit="枣林镇政府", region=regions["town_b"]),
                                    acting_user=users["town_b"], channel=PAGE)
    services.pair(helper_a, a, start=timezone.localdate(), acting_user=users["village_a1"], channel=PAGE)
    return {"a": a, "b": b, "helper_a": helper_a, "helper_b": helper_b, "account": account}


def test_pairing_rules(setup, users):
    a, b, helper_a, helper_b = setup["a"], setup["b"], setup["helper_a"], setup["helper_b"]
    with pytest.raises(ValidationError, match="已与该户结对"):
        services.pair(helper_a, a, start=timezone.localdate(), acting_user=users["village_a1"], channel=PAGE)
    with pytest.raises(ValidationError, match="帮扶地区"):
        services.pair(helper_b, a, start=timezone.localdate(), acting_user=users["county"], channel=PAGE)
    with pytest.raises(PermissionDenied):
        services.pair(helper_b, b, start=timezone.localdate(), acting_user=users["village_a1"], channel=PAGE)
    pairing = a.pairings.get()
    with pytest.raises(ValidationError, match="取消结对原因"):
        services.end_pairing(pairing, end=timezone.localdate(), reason="", acting_user=users["village_a1"],
                             channel=PAGE)
    services.end_pairing(pairing, end=timezone.localdate(), reason="工作调动", acting_user=users["village_a1"],
                         channel=PAGE)
    assert not services.current_pairings(a).filter(end__gt=timezone.localdate()).exists()
    assert AuditLog.objects.filter(object_type="pairing", region_code=a.village_id).count() == 2


def test_measures(setup, users):
    a = setup["a"]
    with pytest.raises(ValidationError) as failure:
        services.save_measure(Measure(household=a, kind=MeasureKind.INDUSTRY, content="养牛", amount=-1,
                                      date=timezone.localdate() + dt.timedelta(days=3), helper=setup["helper_b"]),
                              acting_user=users["village_a1"], channel=PAGE)
    assert set(failure.value.message_dict) == {"amount", "date", "helper"}
    planned = services.save_measure(
        Measure(household=a, kind=MeasureKind.INDUSTRY, content="养牛", amount=5000, status=MeasureStatus.PLANNED,
                date=timezone.localdate() + dt.timedelta(days=3), helper=setup["helper_a"]),
        acting_user=users["village_a1"], channel=PAGE)
    assert planned.village_id == a.village_id and planned.monitored is None
    with pytest.raises(PermissionDenied):
        services.save_measure(Measure(household=setup["b"], kind=MeasureKind.HEALTH, content="x",
                                      date=timezone.localdate()), acting_user=users["village_a1"], channel=PAGE)


def test_a_paired_helper_records_visits_only_for_their_households(setup, users):
    a, b, account = setup["a"], setup["b"], setup["account"]
    photo = SimpleUploadedFile("p.jpg", b"\xff\xd8\xff", content_type="image/jpeg")
    visit = services.record_visit(
        Visit(household=a, helper=setup["helper_a"], date=timezone.localdate(), content="了解收支",
              latitude=33.3, longitude=113.5), [photo], acting_user=account, channel=PAGE)
    assert visit.photos.count() == 1 and visit.village_id == a.village_id
    with pytest.raises(PermissionDenied):
        services.record_visit(Visit(household=b, helper=setup["helper_a"], date=timezone.localdate(), content="x"),
                              acting_user=account, channel=PAGE)
    with pytest.raises(ValidationError) as failure:
        services.record_visit(Visit(household=a, helper=setup["helper_a"], content="",
                                    date=timezone.localdate() + dt.timedelta(days=1), latitude=1),
                              [SimpleUploadedFile("a.exe", b"MZ")], acting_user=account, channel=PAGE)
    assert set(failure.value.message_dict) == {"content", "date", "latitude", "photos"}


def test_my_households_page_and_visit_form(client, setup):
    a = setup["a"]
    assert client.login(username="helper_a", password=PASSWORD)
    page = client.get("/assistance/mine/").content.decode()
    assert a.head_name in page and "尚未走访" in page and setup["b"].head_name not in page
    form = client.get(f"/assistance/households/{a.pk}/visits/new/").content.decode()
    assert "capture" in form and "assistance/visit_form.js" in form  # the script that takes the position
    response = client.post(f"/assistance/households/{a.pk}/visits/new/", {
        "helper": setup["helper_a"].pk, "date": timezone.localdate().isoformat(), "content": "宣传帮扶政策",
        "latitude": "33.312345", "longitude": "113.512345",
        "photos": [SimpleUploadedFile("1.jpg", b"\xff\xd8a"), SimpleUploadedFile("2.jpg", b"\xff\xd8b")],
    })
    assert response.status_code == 302
    visit = Visit.objects.get(household=a)
    assert visit.photos.count() == 2 and str(visit.latitude) == "33.312345"
    assert client.get(f"/assistance/photos/{visit.photos.first().pk}/").status_code == 200
    assert client.get(f"/assistance/households/{setup['b'].pk}/visits/new/").status_code == 404
    assert "上次走访" in client.get("/assistance/mine/").content.decode()


def test_scope_in_pages_and_api(client, api_client, setup, users):
    a, b = setup["a"], setup["b"]
    services.record_visit(Visit(household=b, helper=setup["helper_b"], date=timezone.localdate(), content="走访"),
                          acting_user=users["village_b1"], channel=PAGE)
    assert client.login(username=users["village_a1"].username, password=PASSWORD)
    helpers = client.get("/assistance/helpers/").content.decode()
    assert "王帮扶" not in helpers and "赵帮扶" not in helpers  # helpers serve a township: outside a village's scope
    assert client.get(f"/assistance/households/{b.pk}/").status_code == 404
    assert "王帮扶" in client.get(f"/assistance/households/{a.pk}/").content.decode()
    town = api_client(users["town_a"])
    assert [h["name"] for h in town.get("/api/assistance/helpers").json()["items"]] == ["王帮扶"]
    assert town.get(f"/api/assistance/households/{b.pk}/visits").status_code == 404
    village = api_client(users["village_a1"])
    created = village.post(f"/api/assistance/households/{a.pk}/measures",
                           {"kind": "employment", "content": "推荐到县城务工", "amount": "0",
                            "date": timezone.localdate().isoformat()}, content_type="application/json")
    assert created.status_code == 201 and created.json()["kind_label"] == "就业帮扶"
    visit = village.post(f"/api/assistance/households/{a.pk}/visits",
                         {"helper": setup["helper_a"].pk, "date": timezone.localdate().isoformat(), "content": "电话回访"},
                         content_type="application/json")
    assert visit.status_code == 201
    mine = api_client(setup["account"]).get("/api/assistance/mine").json()
    assert [row["household_number"] for row in mine] == [a.number] and mine[0]["last_visit"]
