"""退出享受政策台账: the 稳定脱贫户 the county stops enjoying policies go on their own ledger (page with filters,
pagination and Excel export, API) and are published on a county 公告 with only public columns."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from python_calamine import CalamineWorkbook

from fupin.audit.models import AuditLog
from fupin.core.channels import Channel
from fupin.procedures import notices, services
from fupin.procedures.models import NoticeKind, NoticeStatus, PolicyEnd
from fupin.regions.models import Level
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import Household

PUBLIC_COLUMNS = {"head_name", "village", "size", "category", "cause", "matter", "year"}


@pytest.fixture
def ended(users, regions, household):
    """Two exited households, one in each township, whose policies the county ended."""
    a = household(regions["village_a1"], status=HouseholdStatus.EXITED, exit_year=2016, head_name="甲户主")
    b = household(regions["village_b1"], status=HouseholdStatus.EXITED, exit_year=2017, head_name="乙户主")
    count = services.end_policies(Household.objects.filter(pk__in=[a.pk, b.pk]), reason="县政府〔2021〕5号",
                                  acting_user=users["county"], channel=Channel.PAGE)
    assert count == 2
    return a, b


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_ending_policies_enters_the_ledger(ended, users):
    a, b = ended
    entry = PolicyEnd.objects.get(household=a)
    assert (entry.reason, entry.decided_by, entry.exit_year, entry.date) == (
        "县政府〔2021〕5号", users["county"], 2016, timezone.localdate())
    assert AuditLog.objects.filter(object_type="policyend", object_id=str(entry.pk)).exists()
    assert list(PolicyEnd.objects.visible_to(users["village_a1"]).values_list("household", flat=True)) == [a.pk]
    # Ending again changes nothing and adds no ledger row.
    assert services.end_policies(Household.objects.filter(pk=a.pk), reason="再次", acting_user=users["county"],
                                 channel=Channel.PAGE) == 0
    assert PolicyEnd.objects.count() == 2


def test_the_ledger_is_published_on_a_county_announcement(ended, users):
    a, b = ended
    today = timezone.localdate()
    entries = PolicyEnd.objects.all()
    with pytest.raises(PermissionDenied, match="县级"):
        notices.announce_policy_ends(entries, start_date=today, end_date=today, acting_user=users["town_a"],
                                     channel=Channel.PAGE)
    notice = notices.announce_policy_ends(entries, start_date=today, end_date=today + dt.timedelta(days=6),
                                          acting_user=users["county"], channel=Channel.PAGE)
    assert (notice.kind, notice.level, notice.status) == (NoticeKind.ANNOUNCEMENT, Level.COUNTY, NoticeStatus.DRAFT)
    assert "稳定脱贫户退出享受政策公告" in notice.title
    with pytest.raises(ValidationError, match="已在其他公告中"):
        notices.announce_policy_ends(PolicyEnd.objects.filter(household=a), start_date=today, end_date=today,
                                     acting_user=users["county"], channel=Channel.PAGE)
    notices.publish_notice(notice, acting_user=users["county"], channel=Channel.PAGE)
    public = Client().get(f"/api/notices/public/{notice.pk}").json()
    rows = [item["row"] for item in public["items"]]
    assert {row["head_name"] for row in rows} == {"甲户主", "乙户主"}
    assert all(set(row) == PUBLIC_COLUMNS and row["matter"] == "稳定脱贫户退出享受政策" for row in rows)
    text = str(public)
    assert a.phone not in text and a.bank_account not in text and a.head_id_number not in text
    page = Client().get(f"/public/notices/{notice.pk}/").content.decode()
    assert "甲户主" in page and "稳定脱贫户退出享受政策" in page


def test_ledger_page_filters_export_and_announcement(ended, users, regions):
    a, b = ended
    county = client_for(users["county"])
    page = county.get("/procedures/policy-ends/").content.decode()
    assert a.number in page and b.number in page and "未公告" in page
    page = county.get("/procedures/policy-ends/", {"region": regions["village_a1"].code}).content.decode()
    assert a.number in page and b.number not in page
    page = county.get("/procedures/policy-ends/", {"exit_year": 2017}).content.decode()
    assert b.number in page and a.number not in page
    household_page = county.get(f"/registry/households/{a.pk}/").content.decode()
    assert 'data-testid="policy-end"' in household_page and "县政府〔2021〕5号" in household_page
    village = client_for(users["village_a1"]).get("/procedures/policy-ends/").content.decode()
    assert a.number in village and b.number not in village and 'data-testid="announce"' not in village
    response = county.get("/procedures/policy-ends/export/")
    content = b"".join(response.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert "户编号" in rows[0] and {row[rows[0].index("户编号")] for row in rows[1:]} == {a.number, b.number}
    assert AuditLog.objects.filter(action="export", object_type="policyend", object_repr__contains="退出享受政策台账").exists()
    today = timezone.localdate()
    entry = PolicyEnd.objects.get(household=a)
    response = county.post("/procedures/policy-ends/", {
        "policy_ends": [entry.pk], "start_date": today.isoformat(),
        "end_date": (today + dt.timedelta(days=6)).isoformat(), "contact": "县乡村振兴局"})
    assert response.status_code == 302 and "/procedures/notices/" in response["Location"]
    detail = county.get(response["Location"]).content.decode()
    assert "甲户主" in detail and f"台账 #{entry.pk}" in detail
    page = county.get("/procedures/policy-ends/", {"announced": "yes"}).content.decode()
    assert a.number in page and b.number not in page and 'data-testid="policy-end-notice"' in page


def test_ledger_api(ended, users, api_client):
    a, b = ended
    county = api_client(users["county"])
    listing = county.get("/api/procedures/policy-ends").json()
    assert {item["household_number"] for item in listing["items"]} == {a.number, b.number}
    assert all(item["notices"] == [] and item["decided_by"] == users["county"].username for item in listing["items"])
    village = api_client(users["village_a1"]).get("/api/procedures/policy-ends").json()
    assert [item["head_name"] for item in village["items"]] == ["甲户主"]
    entry = PolicyEnd.objects.get(household=b)
    today = timezone.localdate()
    response = county.post("/api/procedures/policy-ends/notice", {
        "policy_ends": [entry.pk], "start_date": today.isoformat(), "end_date": today.isoformat()},
        content_type="application/json")
    assert response.status_code == 201, response.content
    assert [item["row"]["head_name"] for item in response.json()["items"]] == ["乙户主"]
    announced = county.get("/api/procedures/policy-ends", {"announced": "yes"}).json()["items"]
    assert [item["household_number"] for item in announced] == [b.number]
    assert announced[0]["notices"] == [response.json()["id"]]


def test_ledger_cli_export(ended, users, tmp_path):
    a, b = ended
    target = tmp_path / "台账.xlsx"
    call_command("export_policy_ends", str(target), "--user", users["town_a"].username, stdout=io.StringIO())
    rows = CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0).to_python()
    assert [row[rows[0].index("户编号")] for row in rows[1:]] == [a.number]
