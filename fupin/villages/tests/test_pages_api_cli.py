"""Pages (query counts pinned), Excel export and import, the API and the CLI's JSON lines."""

import io
import json
from decimal import Decimal

from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from conftest import PASSWORD
from fupin.core import excel

JSON_KEYS = ["village_code", "village", "year", "rural_population", "remaining_poor", "incidence", "limit",
             "indicators", "verdict", "reasons"]


def _client(user):
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    return client


def test_list_filters_and_exports(passing, users, regions, django_assert_max_num_queries):
    client = _client(users["county"])
    with django_assert_max_num_queries(15):
        response = client.get(reverse("villages:list"), {"year": 2025})
    body = response.content.decode()
    assert response.status_code == 200 and "张庄村" in body and "赵庄村" in body and "1.00%" in body
    body = client.get(reverse("villages:list"), {"year": 2025, "verdict": "pass", "poor_only": "on"}).content.decode()
    assert "张庄村" in body and "王庄村" not in body and "赵庄村" not in body
    body = client.get(reverse("villages:list"), {"year": 2025, "township": regions["town_b"].code}).content.decode()
    assert "王庄村" in body and "张庄村" not in body
    response = client.get(reverse("villages:export"), {"year": 2025, "verdict": "pass"})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content))).get_sheet_by_index(
        0).to_python()
    assert rows[0][:3] == ["村代码", "乡镇", "村"] and len(rows) == 2 and rows[1][2] == "张庄村"
    assert rows[1][8] == "1.00%" and rows[1][13] == "达标"


def test_village_page_explains_each_figure(passing, users, django_assert_max_num_queries):
    client = _client(users["village_a1"])
    with django_assert_max_num_queries(22):
        response = client.get(reverse("villages:detail", args=[passing.code]), {"year": 2025})
    body = response.content.decode()
    assert "未脱贫人口1人 ÷ 农业户籍人口100人（2025年录入） = 1.00%" in body
    assert "有主导产业" in body and 'data-testid="start-exit"' in body


def test_scope_village_sees_only_itself(passing, users, regions):
    client = _client(users["village_a1"])
    body = client.get(reverse("villages:list"), {"year": 2025}).content.decode()
    assert "张庄村" in body and "李庄村" not in body
    assert client.get(reverse("villages:detail", args=[regions["village_b1"].code])).status_code == 404
    assert _client(users["department"]).get(reverse("villages:list")).status_code == 403


def test_form_saves_data_and_answers(regions, users):
    from fupin.villages.models import IndicatorAnswer, VillageYear
    from fupin.villages.services import indicators_for

    village = regions["village_b1"]
    first = indicators_for([village.code])[village.code][0]
    response = _client(users["village_b1"]).post(
        f"{reverse('villages:edit', args=[village.code])}?year=2025",
        {"year": 2025, "rural_population": "800", "collective_income": "52000", "per_capita_income": "",
         "remarks": "", f"met_{first.pk}": "1", f"note_{first.pk}": "茶叶合作社"})
    assert response.status_code == 302
    assert VillageYear.objects.get(village=village, year=2025).rural_population == 800
    assert IndicatorAnswer.objects.get(village=village, indicator=first).note == "茶叶合作社"
    response = _client(users["village_b1"]).post(f"{reverse('villages:edit', args=[village.code])}?year=2025",
                                                 {"year": 2025, "rural_population": "-3"})
    assert response.status_code == 200 and VillageYear.objects.get(village=village, year=2025).rural_population == 800


def test_import_is_all_or_nothing(regions, users, tmp_path):
    from fupin.villages.imports import import_village_data
    from fupin.villages.models import IndicatorAnswer, VillageYear

    header = ["村代码", "年度", "农业户籍人口", "村集体经济收入（元）", "人均可支配收入（元）", "有主导产业"]
    path = tmp_path / "v.xlsx"
    excel.write_table(path, "村年度数据", [excel.Col(h) for h in header], [
        [regions["village_a1"].code, "2025", "1000", "60000", "9000", "是"],
        [regions["village_b1"].code, "2025", "abc", "", "", "也许"],
        ["410481999999", "2025", "", "", "", ""]])
    result = import_village_data(path, acting_user=users["county"], channel="page")
    assert [str(e) for e in result.errors] == ["第3行「农业户籍人口」：应为数字", "第3行「有主导产业」：应填“是”或“否”",
                                               "第4行「村代码」：村级区划代码 410481999999 不存在"]
    assert not VillageYear.objects.exists()
    excel.write_table(path, "村年度数据", [excel.Col(h) for h in header],
                      [[regions["village_a1"].code, "2025", "1000", "60000", "9000", "是"]])
    result = import_village_data(path, acting_user=users["county"], channel="page")
    assert (result.rows, result.answers, result.errors) == (1, 1, [])
    assert VillageYear.objects.get().collective_income == Decimal("60000.00")
    assert IndicatorAnswer.objects.get().met is True
    refused = import_village_data(path, acting_user=users["village_b1"], channel="page")
    assert str(refused.errors[0]) == "第2行「村代码」：张庄村不在当前账号的管辖范围内"


def test_cli_prints_one_json_object_per_village(passing, regions, capsys):
    call_command("villages_assess", "--year", "2025", "--region", regions["town_a"].code, "--json")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [list(line) for line in lines] == [JSON_KEYS, JSON_KEYS]
    first = lines[0]
    assert (first["village_code"], first["incidence"], first["limit"], first["verdict"]) == (
        passing.code, "0.0100", "0.02", "pass")
    assert first["indicators"][0] == {"code": "collective_income", "name": "村集体经济收入", "value": "60000.00",
                                      "required": True, "passed": True}
    assert lines[1]["verdict"] == "fail" and lines[1]["reasons"]


def test_api_assessments_and_data(passing, users, regions, api_client):
    client = api_client(users["town_a"])
    page = client.get("/api/villages/assessments", {"year": 2025, "verdict": "pass"}).json()
    assert page["count"] == 1 and page["items"][0]["village_code"] == passing.code
    assert page["items"][0]["explanations"][0].startswith("贫困发生率：未脱贫人口1人")
    other = regions["village_b1"].code
    assert client.get(f"/api/villages/villages/{other}/assessment").status_code == 404
    response = client.put(f"/api/villages/villages/{regions['village_a2'].code}/yearly/2025",
                          data=json.dumps({"rural_population": 500, "collective_income": "70000"}),
                          content_type="application/json")
    assert response.status_code == 200 and response.json()["rural_population"] == 500
    response = client.put(f"/api/villages/villages/{regions['village_a2'].code}/checklist/2025",
                          data=json.dumps([{"indicator": "road", "met": True}]), content_type="application/json")
    assert response.status_code == 200 and [i["met"] for i in response.json() if i["indicator"] == "road"] == [True]
    response = client.put(f"/api/villages/villages/{regions['village_a2'].code}/checklist/2025",
                          data=json.dumps([{"indicator": "nope", "met": True}]), content_type="application/json")
    assert response.status_code == 422 and "nope" in response.json()["detail"]


def test_api_exit_start(passing, users, api_client):
    response = api_client(users["village_a1"]).post(f"/api/villages/villages/{passing.code}/exit",
                                                    data=json.dumps({"year": 2025}), content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["steps"][0]["status"] == "active"
    response = api_client(users["county"]).post(f"/api/villages/exits/{response.json()['id']}/decision",
                                                data=json.dumps({"decision": "pass"}), content_type="application/json")
    assert response.status_code == 403 and "村级" in response.json()["detail"]
