"""Pages (query counts pinned, CSP-clean chart), API and CLI of 政策模拟."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from conftest import PASSWORD
from fupin.core.channels import Channel
from fupin.whatif import services
from fupin.whatif.models import Scenario, ScenarioChangeKind, ScenarioStatus

from .conftest import YEAR


@pytest.fixture
def ran(household, regions, scenario_of, users):
    for village, income in (("village_a1", 7200), ("village_a2", 7300), ("village_b1", 7400), ("village_b1", 6000)):
        household(regions[village], income=income, last=income)
    scenario = scenario_of((ScenarioChangeKind.MONITORING_LINE, "", Decimal(7700)))
    return services.start_run(scenario, acting_user=users["county"], channel=Channel.PAGE, run_now=True)


def client_for(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.mark.django_db
def test_pages_of_a_run_scenario(ran, users, django_assert_max_num_queries):
    client = client_for(users["county"])
    for name in ("scenario_detail", "result", "households", "adopt"):
        with django_assert_max_num_queries(30):
            response = client.get(reverse(f"whatif:{name}", args=[ran.pk]))
        assert response.status_code == 200, name
    with django_assert_max_num_queries(20):
        response = client.get(reverse("whatif:scenario_list"))
    assert ran.name in response.content.decode()
    page = client.get(reverse("whatif:result", args=[ran.pk])).content.decode()
    assert 'data-testid="whatif-chart"' in page and "whatif/result.js" in page and "新纳入监测预警 3 户" in page
    listed = client.get(reverse("whatif:households", args=[ran.pk]), {"outcome": "enter", "region": "410481101000"})
    assert listed.context["page"].paginator.count == 1
    export = client.get(reverse("whatif:household_export", args=[ran.pk]), {"outcome": "enter"})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(export.streaming_content))).get_sheet_by_index(0).to_python()
    assert len(rows) == 1 + 3 and "户主证件号码" in rows[0]
    head_id = rows[1][rows[0].index("户主证件号码")]
    assert "*" in head_id
    form = client.get(reverse("whatif:change_create", args=[ran.pk])).content.decode()
    assert 'data-testid="live-values"' in form and ">7000 元/人·年<" in form


@pytest.mark.django_db
def test_a_township_account_is_refused_everywhere(ran, users):
    client = client_for(users["town_a"])
    for url in (reverse("whatif:scenario_list"), reverse("whatif:result", args=[ran.pk]),
                reverse("whatif:households", args=[ran.pk])):
        assert client.get(url).status_code == 403
    assert client.get(f"/api/whatif/scenarios/{ran.pk}/result").status_code == 403


@pytest.mark.django_db
def test_create_run_and_adopt_through_the_pages(household, regions, users, django_capture_on_commit_callbacks):
    household(regions["village_a1"], income=7200, last=7200)
    client = client_for(users["admin"])
    response = client.post(reverse("whatif:scenario_create"), {"name": "页面方案", "year": YEAR, "description": ""})
    scenario = Scenario.objects.get(name="页面方案")
    assert response.status_code == 302 and scenario.county == regions["county"]
    bad = client.post(reverse("whatif:change_create", args=[scenario.pk]), {"kind": "poverty_line", "value": "0"})
    assert "模拟取值必须大于0" in bad.content.decode()
    client.post(reverse("whatif:change_create", args=[scenario.pk]), {"kind": "monitoring_line", "value": "7700"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("whatif:run", args=[scenario.pk]))
    scenario.refresh_from_db()
    assert scenario.status == ScenarioStatus.DONE and scenario.result["totals"]["enter"] == 1
    client.post(reverse("whatif:adopt", args=[scenario.pk]))
    scenario.refresh_from_db()
    assert scenario.status == ScenarioStatus.ADOPTED


@pytest.mark.django_db
def test_api(household, regions, users, api_client, django_capture_on_commit_callbacks):
    household(regions["village_b1"], income=7200, last=7200)
    client = api_client(users["admin"])

    class api:  # JSON bodies
        get, delete = client.get, client.delete

        @staticmethod
        def post(url, data=None):
            return client.post(url, json.dumps(data or {}), content_type="application/json")

    created = api.post("/api/whatif/scenarios", {"name": "接口方案", "year": YEAR})
    assert created.status_code == 201, created.json()
    sid = created.json()["id"]
    bad = api.post(f"/api/whatif/scenarios/{sid}/changes", {"kind": "parameter", "target": "nope", "value": "1"})
    assert bad.status_code == 422 and "监测参数" in bad.json()["errors"]["target"]
    change = api.post(f"/api/whatif/scenarios/{sid}/changes", {"kind": "monitoring_line", "value": "7700"})
    assert change.status_code == 201 and change.json()["live_value"] == "7000.00"
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"/api/whatif/scenarios/{sid}/run").status_code == 202
    result = api.get(f"/api/whatif/scenarios/{sid}/result").json()
    assert [t["enter"] for t in result["townships"]] == [1]
    listed = api.get(f"/api/whatif/scenarios/{sid}/households", {"outcome": "enter"}).json()
    assert listed["count"] == 1 and "*" in listed["items"][0]["head_id_number"]
    assert api.post(f"/api/whatif/scenarios/{sid}/adopt").json()["status"] == "adopted"
    assert api.delete(f"/api/whatif/scenarios/{sid}").status_code == 422


@pytest.mark.django_db
def test_cli_run_json_and_adopt(household, regions, scenario_of, users):
    household(regions["village_a2"], income=7200, last=7200)
    scenario = scenario_of((ScenarioChangeKind.MONITORING_LINE, "", Decimal(7700)))
    out, err = io.StringIO(), io.StringIO()
    call_command("whatif_run", scenario=scenario.pk, json=True, user=users["county"].username, stdout=out, stderr=err)
    data = json.loads(out.getvalue())
    assert data["totals"]["enter"] == 1 and data["townships"][0]["name"] == "尹集镇"
    with pytest.raises(CommandError, match="系统管理员"):
        call_command("whatif_adopt", scenario=scenario.pk, user=users["county"].username, stdout=io.StringIO())
    call_command("whatif_adopt", scenario=scenario.pk, user=users["admin"].username, stdout=io.StringIO())
    scenario.refresh_from_db()
    assert scenario.status == ScenarioStatus.ADOPTED
    with pytest.raises(CommandError, match="不存在"):
        call_command("whatif_run", scenario=scenario.pk, user=users["town_a"].username, stdout=io.StringIO())
