"""Pages, exports, API and CLI of monitoring: data scope holds everywhere, and the CLI prints what it promises."""

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from python_calamine import CalamineWorkbook

from conftest import PASSWORD
from fupin.core.channels import Channel
from fupin.monitoring import services
from fupin.monitoring.models import Alert, AlertStatus, Family, Rule

from .conftest import YEAR


@pytest.fixture
def alerts(household, regions, users):
    a = household(regions["village_a1"], income=5000, last=5000, head_name="甲户主")
    b = household(regions["village_b1"], income=5000, last=5000, head_name="乙户主")
    services.run(Family.MONITORING, regions["county"], YEAR, acting_user=users["county"], channel=Channel.PAGE)
    services.run(Family.QUALITY, regions["county"], YEAR, acting_user=users["county"], channel=Channel.PAGE)
    return Alert.objects.get(household=a), Alert.objects.get(household=b)


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_pages_show_only_the_village_in_scope(client, alerts, users):
    mine, other = alerts
    login(client, users["village_a1"])
    page = client.get("/monitoring/alerts/").content.decode()
    assert mine.household.number in page and other.household.number not in page
    assert client.get(f"/monitoring/alerts/{other.pk}/").status_code == 404
    detail = client.get(f"/monitoring/alerts/{mine.pk}/").content.decode()
    assert "人均纯收入低于监测范围" in detail and "5000" in detail
    quality = client.get("/monitoring/quality/").content.decode()
    assert mine.household.number in quality and other.household.number not in quality
    overview = client.get("/monitoring/").content.decode()
    assert "张庄村" in overview and "王庄村" not in overview


def test_exports_keep_scope_and_write_ids_as_text(client, alerts, users):
    mine, _other = alerts
    login(client, users["village_a1"])
    response = client.get("/monitoring/alerts/export/")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    numbers = [row[4] for row in rows[1:]]
    assert numbers == [mine.household.number]
    assert isinstance(numbers[0], str)
    assert rows[1][6].endswith(mine.household.head_id_number[-4:]) and "*" in rows[1][6]
    login(client, users["county"])
    rows = CalamineWorkbook.from_filelike(io.BytesIO(client.get("/monitoring/alerts/export/").content)) \
        .get_sheet_by_index(0).to_python()
    assert len(rows) == 3


def test_verify_from_the_page(client, alerts, users):
    mine, _other = alerts
    login(client, users["village_a1"])
    response = client.post(f"/monitoring/alerts/{mine.pk}/", {"action": "dismiss", "dismiss-reason": ""})
    assert "这个字段是必填项" in response.content.decode() or response.status_code == 200
    client.post(f"/monitoring/alerts/{mine.pk}/", {"action": "dismiss", "dismiss-reason": "子女按月赡养"})
    mine.refresh_from_db()
    assert mine.status == AlertStatus.NO_RISK and mine.verification == "子女按月赡养"


def test_api_scope_and_actions(api_client, alerts, users):
    mine, other = alerts
    village = api_client(users["village_a1"])
    listing = village.get("/api/monitoring/alerts").json()
    assert [a["household_number"] for a in listing["items"]] == [mine.household.number]
    assert listing["items"][0]["figures"]["M01"]["monitoring_line"] == 7000.0
    assert village.get(f"/api/monitoring/alerts/{other.pk}").status_code == 404
    assert village.post(f"/api/monitoring/alerts/{other.pk}/dismiss", {"reason": "x"},
                        content_type="application/json").status_code == 404
    response = village.post(f"/api/monitoring/alerts/{mine.pk}/dismiss", {"reason": "核实无风险"},
                            content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == AlertStatus.NO_RISK
    lead = village.post("/api/monitoring/leads", {"household_number": mine.household.number, "source": "self",
                                                  "description": "申报：孩子上大学学费困难"},
                        content_type="application/json")
    assert lead.status_code == 201 and lead.json()["source_label"] == "农户自主申报"
    findings = village.get("/api/monitoring/findings").json()
    assert findings["count"] and all(f["village"] == mine.village_id for f in findings["items"])


def test_api_run_and_rules(api_client, alerts, users, regions, django_capture_on_commit_callbacks):
    county = api_client(users["county"])
    with django_capture_on_commit_callbacks(execute=True):
        response = county.post("/api/monitoring/runs", {"region": regions["county"].code, "year": YEAR},
                               content_type="application/json")
    assert response.status_code == 202
    runs = county.get("/api/monitoring/runs").json()
    assert runs["items"][0]["unchanged"] == 2 and runs["items"][0]["opened"] == 0
    assert api_client(users["village_a1"]).post(
        "/api/monitoring/runs", {"region": regions["village_a1"].code}, content_type="application/json"
    ).status_code == 403
    admin = api_client(users["admin"])
    bad = admin.post("/api/monitoring/rules", {"code": "X9", "name": "坏", "condition": "DROP TABLE x",
                                               "region": regions["county"].code}, content_type="application/json")
    assert bad.status_code == 422 and "condition" in bad.json()["errors"]
    good = admin.post("/api/monitoring/rules", {"code": "X9", "name": "低保户收入低", "region": regions["county"].code,
                                                "condition": "members_on_dibao > 0 AND per_capita_income < 6000"},
                      content_type="application/json")
    assert good.status_code == 201 and Rule.objects.filter(code="X9").exists()


def test_cli_run_and_alerts(alerts, regions, capsys):
    call_command("monitor_run", "--region", regions["county"].code, "--year", str(YEAR), "--json")
    summary = json.loads(capsys.readouterr().out)
    assert summary["households_scanned"] == 2 and summary["alerts_unchanged"] == 2 and summary["alerts_opened"] == 0
    assert {"alerts_closed", "seconds"} <= summary.keys()
    call_command("monitor_alerts", "--json")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 2
    assert {"household_number", "village_code", "rules", "figures"} <= lines[0].keys()
    assert lines[0]["rules"] == ["M01"]
    call_command("monitor_alerts", "--json", "--user", "cun_a1")
    assert len(capsys.readouterr().out.splitlines()) == 1


def test_public_self_report_enters_the_queue(client, household, regions):
    h = household(regions["village_a1"], income=9000, phone="13800000000")
    data = {"household_number": h.number, "id_tail": h.head_id_number[-6:], "phone": "13912345678",
            "description": "父亲脑梗住院，自付三万多元"}
    wrong = client.post("/public/monitoring/report/", {**data, "id_tail": "000000"}).content.decode()
    assert "户编号或户主证件号码后六位不正确" in wrong and not Alert.objects.exists()
    page = client.post("/public/monitoring/report/", data).content.decode()
    assert "已收到您的申报" in page
    alert = Alert.objects.get(household=h)
    assert (alert.source, alert.status, alert.reporter_contact) == ("self", AlertStatus.PENDING, "13912345678")
    client.post("/public/monitoring/report/", data)
    assert Alert.objects.filter(household=h).count() == 1


def test_public_self_report_is_throttled_per_ip_and_per_household(client, household, regions, settings):
    settings.FUPIN_THROTTLES = {**settings.FUPIN_THROTTLES, "self_report_ip": (3, 600),
                                "self_report_household": (4, 3600)}
    h = household(regions["village_a1"], income=9000, phone="13800000000")
    other = household(regions["village_a1"], income=9000, phone="13800000001")
    data = {"household_number": h.number, "id_tail": h.head_id_number[-6:], "phone": "13912345678",
            "description": "父亲脑梗住院，自付三万多元"}
    for guess in ("000000", "000001", "000002"):
        assert client.post("/public/monitoring/report/", {**data, "id_tail": guess}).status_code == 200
    refused = client.post("/public/monitoring/report/", data)
    assert refused.status_code == 429 and "操作过于频繁" in refused.content.decode()
    assert not Alert.objects.exists()
    # From another machine: one more guess at this household, then it is closed to everyone for the hour.
    elsewhere = Client(REMOTE_ADDR="10.9.8.7")
    assert elsewhere.post("/public/monitoring/report/", {**data, "id_tail": "000003"}).status_code == 200
    assert elsewhere.post("/public/monitoring/report/", data).status_code == 429
    assert not Alert.objects.exists()
    other_data = {**data, "household_number": other.number, "id_tail": other.head_id_number[-6:]}
    assert "已收到您的申报" in elsewhere.post("/public/monitoring/report/", other_data).content.decode()
    assert Alert.objects.filter(household=other).count() == 1


def test_household_file_shows_monitoring(client, alerts, users):
    mine, _other = alerts
    login(client, users["village_a1"])
    page = client.get(f"/registry/households/{mine.household_id}/").content.decode()
    assert 'data-testid="monitoring-panel"' in page and f"/monitoring/alerts/{mine.pk}/" in page
