"""Duplicate ID numbers across scopes: a village registering a number held in another township learns only that
it is registered elsewhere, and the lowest level covering both villages gets a report it can list, export and
resolve (and the village cannot see)."""

import io
import json

import pytest
import python_calamine
from django.test import Client
from django.urls import reverse

from conftest import new_id
from fupin.audit.models import AuditLog
from fupin.core.channels import Channel
from fupin.registry import services
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import DuplicateIdReport, Household, Member
from fupin.registry.tests.test_import_export import row, workbook

ELSEWHERE = "在其他地区已登记"


@pytest.fixture
def taken(regions, make_household):
    """A household in 枣林镇王庄村 (another township than the village account's) holding the number."""
    number = new_id()
    household = make_household(regions["village_b1"], head_name="赵秘密", head_id=number, address="王庄村东头")
    return household, number


def secrets_of(household) -> list[str]:
    """What must not reach an account outside the household's scope."""
    return [household.head_name, household.number, household.village.name, household.village.parent.name]


def assert_discloses_nothing(text: str, household) -> None:
    assert ELSEWHERE in text
    for secret in secrets_of(household):
        assert secret not in text, secret


def text_of(response) -> str:
    return json.dumps(response.json(), ensure_ascii=False)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def only_report(regions, household, village):
    report = DuplicateIdReport.objects.get()
    assert (report.region, report.village, report.existing_household) == (regions["county"], village, household)
    return report


def test_api_create_household(api_client, users, regions, taken):
    household, number = taken
    response = api_client(users["village_a1"]).post("/api/households", json.dumps({
        "number": "4104811002010001", "village": regions["village_a1"].code, "status": "2",
        "members": [{"name": "张新", "id_number": number, "relation": "01"}],
    }), content_type="application/json")
    assert response.status_code == 422
    assert_discloses_nothing(text_of(response), household)
    report = only_report(regions, household, regions["village_a1"])
    assert (report.name, report.household_number, report.channel) == ("张新", "4104811002010001", Channel.API)
    assert report.id_number_masked == number[:6] + "********" + number[-4:]
    assert not Member.objects.filter(name="张新").exists()


def test_api_add_member(api_client, users, regions, taken, make_household):
    household, number = taken
    mine = make_household(regions["village_a1"])
    response = api_client(users["village_a1"]).post(f"/api/households/{mine.pk}/members", json.dumps(
        {"name": "张新", "id_number": number, "relation": "20"}), content_type="application/json")
    assert response.status_code == 422
    assert_discloses_nothing(text_of(response), household)
    assert only_report(regions, household, regions["village_a1"]).household_number == mine.number


def test_api_update_member(api_client, users, regions, taken, make_household):
    household, number = taken
    mine = make_household(regions["village_a1"])
    member = mine.members.get()
    response = api_client(users["village_a1"]).patch(f"/api/members/{member.pk}", json.dumps(
        {"id_number": number}), content_type="application/json")
    assert response.status_code == 422
    assert_discloses_nothing(text_of(response), household)
    only_report(regions, household, regions["village_a1"])
    member.refresh_from_db()
    assert member.id_number != number


def test_api_procedure_check(api_client, users, regions, taken, make_household):
    household, number = taken
    mine = make_household(regions["village_a1"])
    response = api_client(users["village_a1"]).post("/api/procedures/check", json.dumps({
        "household": mine.pk, "kind": "natural", "year": 2016,
        "details": {"change": "birth", "name": "张新", "relation": "20", "id_number": number},
    }), content_type="application/json")
    assert response.status_code == 200 and response.json()["ok"] is False
    assert_discloses_nothing(text_of(response), household)
    only_report(regions, household, regions["village_a1"])
    # A merge from another village's household goes ahead for the levels above to approve, naming no household.
    response = api_client(users["village_a1"]).post("/api/procedures/check", json.dumps({
        "household": mine.pk, "kind": "natural", "year": 2016,
        "details": {"change": "merge", "name": "张新", "relation": "20", "id_number": number},
    }), content_type="application/json")
    assert household.number not in text_of(response) and "from_household" not in response.json()["figures"]


def test_page_import_error_list_and_workbook(client, users, regions, taken, tmp_path,
                                             django_capture_on_commit_callbacks):
    household, number = taken
    client.force_login(users["village_a1"])
    path = workbook(tmp_path, [row("4104811002010001", regions["village_a1"].code, "张新", number)])
    with django_capture_on_commit_callbacks(execute=True), open(path, "rb") as fh:
        response = client.post(reverse("registry:household_import"), {"file": fh})
    page = client.get(response.url).content.decode()
    assert_discloses_nothing(page, household)
    job_id = response.url.rstrip("/").split("/")[-1]
    errors = client.get(reverse("jobs:download", args=[job_id, "errors"]))
    content = b"".join(errors.streaming_content)
    cells = " ".join(str(v) for line in python_calamine.load_workbook(io.BytesIO(content)).get_sheet_by_index(0)
                     .iter_rows() for v in line)
    assert_discloses_nothing(cells, household)
    report = only_report(regions, household, regions["village_a1"])
    assert (report.channel, report.household_number) == (Channel.IMPORT, "4104811002010001")


def test_page_forms_say_only_elsewhere(client, users, regions, taken, make_household):
    household, number = taken
    mine = make_household(regions["village_a1"])
    client.force_login(users["village_a1"])
    response = client.post(reverse("registry:member_create", args=[mine.pk]),
                           {"name": "张新", "id_number": number, "relation": "20", "work_months": 0})
    assert response.status_code == 200
    assert_discloses_nothing(response.content.decode(), household)
    only_report(regions, household, regions["village_a1"])


def test_in_scope_duplicates_name_the_household_and_file_no_report(api_client, users, regions, make_household):
    number = new_id()
    other = make_household(regions["village_a2"], head_name="李老实", head_id=number)
    mine = make_household(regions["village_a1"])
    response = api_client(users["town_a"]).post(f"/api/households/{mine.pk}/members", json.dumps(
        {"name": "张新", "id_number": number, "relation": "20"}), content_type="application/json")
    assert response.status_code == 422
    text = text_of(response)
    assert "李老实" in text and other.number in text and ELSEWHERE not in text
    assert not DuplicateIdReport.objects.exists()


def test_report_goes_to_the_township_for_two_of_its_villages(api_client, users, regions, make_household):
    number = new_id()
    make_household(regions["village_a2"], head_id=number)
    mine = make_household(regions["village_a1"])
    village = api_client(users["village_a1"])
    for _ in range(2):
        village.post(f"/api/households/{mine.pk}/members", json.dumps(
            {"name": "张新", "id_number": number, "relation": "20"}), content_type="application/json")
    report = DuplicateIdReport.objects.get()
    assert (report.region, report.attempts) == (regions["town_a"], 2)
    assert api_client(users["town_a"]).get("/api/duplicate-reports").json()["count"] == 1
    assert api_client(users["town_b"]).get("/api/duplicate-reports").json()["count"] == 0
    assert AuditLog.objects.filter(object_type="duplicateidreport", action="create").count() == 1
    assert AuditLog.objects.filter(object_type="duplicateidreport", action="update").count() == 1


def test_report_is_listed_exported_and_resolved_by_the_level_above_only(api_client, users, regions, taken):
    household, number = taken
    target = Household.objects.create(number="4104811002010001", village=regions["village_a1"], status=HouseholdStatus.POOR)
    with pytest.raises(services.DuplicateIdError):
        services.save_member(Member(household=target, name="张新", id_number=number, relation="20"),
                             acting_user=users["village_a1"], channel=Channel.PAGE)
    report = DuplicateIdReport.objects.get()
    entry = AuditLog.objects.get(object_type="duplicateidreport")
    assert entry.user == users["village_a1"] and entry.region_code == regions["county"].code

    # The village (and the other township) see nothing: not on the home page, the list, the export or the API.
    for user in (users["village_a1"], users["town_a"], users["town_b"], users["department"]):
        page = client_for(user)
        assert 'data-testid="duplicate-reports"' not in page.get(reverse("registry:dashboard")).content.decode()
        listing = page.get(reverse("registry:duplicate_report_list"))
        assert listing.status_code in (200, 403) and household.head_name not in listing.content.decode()
        assert api_client(user).get("/api/duplicate-reports").json().get("count", 0) == 0
        assert api_client(user).post(f"/api/duplicate-reports/{report.pk}/resolve", json.dumps(
            {"resolution": "x"}), content_type="application/json").status_code == 404

    county = client_for(users["county"])
    assert 'data-testid="duplicate-reports"' in county.get(reverse("registry:dashboard")).content.decode()
    listing = county.get(reverse("registry:duplicate_report_list")).content.decode()
    assert household.number in listing and "张新" in listing and household.village.name in listing
    export = county.get(reverse("registry:duplicate_report_export"))
    rows = list(python_calamine.load_workbook(io.BytesIO(b"".join(export.streaming_content)))
                .get_sheet_by_index(0).iter_rows())
    assert len(rows) == 2 and household.number in rows[1] and number not in " ".join(map(str, rows[1]))
    items = api_client(users["county"]).get("/api/duplicate-reports").json()["items"]
    assert [(i["existing_household_number"], i["region"]) for i in items] == [(household.number,
                                                                                regions["county"].code)]

    # The leader reads but cannot resolve; the county resolves, and the report leaves the open list.
    leader = api_client(users["leader"])
    assert leader.post(f"/api/duplicate-reports/{report.pk}/resolve", json.dumps({"resolution": "x"}),
                       content_type="application/json").status_code == 403
    response = county.post(reverse("registry:duplicate_report_resolve", args=[report.pk]),
                           {"resolution": "王庄村核实后办理迁出"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.resolution, report.resolved_by) == ("resolved", "王庄村核实后办理迁出", users["county"])
    assert api_client(users["county"]).get("/api/duplicate-reports").json()["count"] == 0
    assert api_client(users["county"]).get("/api/duplicate-reports", {"status": "resolved"}).json()["count"] == 1
    assert AuditLog.objects.filter(object_type="duplicateidreport", action="update").exists()


def test_common_region(regions):
    assert services.common_region("410481100201", "410481100202") == regions["town_a"]
    assert services.common_region("410481100201", "410481101201") == regions["county"]
    assert services.common_region("410481100201", "410402100201") == regions["city"]
    assert services.common_region("410481100201", "420100100201") is None
