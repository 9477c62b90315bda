"""Fund anomaly checks from the outside: the CLI's JSON lines, the pages (pinned query counts), the API."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from conftest import PASSWORD, new_id
from fupin.funds.tests.test_checks import YEAR, anomalies, batch, check, dataset, pay, world  # noqa: F401


@pytest.fixture
def found(world, check, allocations, pay):
    """Four anomalies: a stranger paid in 张庄村 and one in 王庄村, each village's allocation overrun by it (the
    townships answer those)."""
    pay(allocations["a1"], "李外", new_id(), "1000", item="到户补贴")
    pay(allocations["b1"], "王外", new_id(), "800", item="到户补贴")
    return check()


def table(response) -> str:
    return response.content.decode().split('data-testid="anomaly-table"')[1].split("</table>")[0]


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_cli_prints_one_json_object_per_anomaly(world, allocations, pay):
    stranger = new_id()
    pay(allocations["a1"], "李外", stranger, "1000", item="到户补贴")
    out, err = io.StringIO(), io.StringIO()
    call_command("funds_check", "--year", str(YEAR), "--json", stdout=out, stderr=err)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    by_rule = {line["rule"]: line for line in lines}
    assert set(by_rule) == {"payee_unregistered", "over_allocation"}
    line = by_rule["payee_unregistered"]
    assert line["id_number"] == stranger and line["amount"] == 1000.0
    assert line["figures"]["payee_in_register"] == 0 and line["figures"]["payee_has_id"] == 1
    assert by_rule["over_allocation"]["figures"]["allocation_over"] == 1000.0
    assert by_rule["over_allocation"]["summary"] == "已拨付 301,000.00 元，分配 300,000.00 元，超出 1,000.00 元"
    assert "发现异常 2 条" in err.getvalue()
    assert len(anomalies()) == 2  # stored
    out = io.StringIO()
    call_command("funds_check", "--year", str(YEAR), "--json", "--dry-run", "--rule", "payee_unregistered",
                 stdout=out, stderr=io.StringIO())
    assert [json.loads(line)["rule"] for line in out.getvalue().splitlines()] == ["payee_unregistered"]


def test_list_scope_filters_and_queries(found, client, users, django_assert_num_queries):
    login(client, users["village_a1"])
    url = reverse("funds:anomaly_list")
    response = client.get(url)
    assert response.status_code == 200
    rows = table(response)
    assert "李外" in rows and "王外" not in rows and "拨付超出分配" not in rows
    client.logout()
    login(client, users["county"])
    client.get(url)  # warm the session and caches
    with django_assert_num_queries(10):
        response = client.get(url, {"rule": "over_allocation", "year": YEAR})
    rows = table(response)
    assert "已拨付 301,000.00 元，分配 300,000.00 元，超出 1,000.00 元" in rows
    assert "李外" not in rows
    response = client.get(reverse("funds:anomaly_export"), {"full": "0"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")


def test_detail_answer_and_finance_reads_only(found, client, users, finance, django_assert_num_queries):
    [anomaly] = [a for a in anomalies("payee_unregistered") if a.region_id == users["village_a1"].region_id]
    url = reverse("funds:anomaly_detail", args=[anomaly.pk])
    login(client, finance)
    response = client.get(url)
    assert response.status_code == 200 and "answer-form" not in response.content.decode()
    assert client.post(url, {"status": "confirmed", "answer": "x"}).status_code == 403
    client.logout()
    login(client, users["village_b1"])
    assert client.get(url).status_code == 404  # another village's anomaly does not exist for it
    client.logout()
    login(client, users["village_a1"])
    client.get(url)
    with django_assert_num_queries(11):  # … and the 问题台账 panel (its open problem, the ledger right)
        response = client.get(url)
    assert "answer-form" in response.content.decode()
    response = client.post(url, {"status": "rejected", "answer": ""})
    assert "请说明" in response.content.decode() or "这个字段是必填项" in response.content.decode()
    response = client.post(url, {"status": "rectified", "answer": "已追回 1000 元"})
    assert response.status_code == 302
    anomaly.refresh_from_db()
    assert anomaly.status == "rectified"


def test_run_page_starts_a_job(world, client, users, django_capture_on_commit_callbacks):
    login(client, users["county"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("funds:anomaly_runs"), {"year": YEAR, "region": ""})
    assert response.status_code == 302
    run_page = client.get(response["Location"])
    assert run_page.status_code == 200 and "检查完成" in run_page.content.decode()
    client.logout()
    login(client, users["village_a1"])
    assert client.post(reverse("funds:anomaly_runs"), {"year": YEAR}).status_code == 403


def test_rule_pages(db, client, users):
    login(client, users["county"])
    assert client.get(reverse("funds:anomaly_rules")).status_code == 200
    assert client.get(reverse("funds:anomaly_rule_create")).status_code == 403
    client.logout()
    login(client, users["admin"])
    response = client.post(reverse("funds:anomaly_rule_create"), {
        "code": "big", "name": "大额", "condition": "salary > 1", "severity": 2, "enabled": "on"})
    assert "未知字段“salary”" in response.content.decode()
    response = client.post(reverse("funds:anomaly_rule_create"), {
        "code": "big", "name": "大额", "condition": "amount > 100000", "severity": 2, "enabled": "on"})
    assert response.status_code == 302


def test_api(found, api_client, users, finance, django_capture_on_commit_callbacks):
    base = "/api/funds/checks"
    village = api_client(users["village_a1"])
    body = village.get(f"{base}/anomalies").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["rule"] == "payee_unregistered" and "*" in item["id_number"] and item["summary"]
    assert village.get(f"{base}/anomalies", {"status": "nonsense"}).status_code == 422
    other = next(a for a in anomalies() if a.region_id != users["village_a1"].region_id)
    assert village.get(f"{base}/anomalies/{other.pk}").status_code == 404
    reader = api_client(finance)
    assert reader.post(f"{base}/anomalies/{item['id']}/answer", {"status": "confirmed", "answer": "属实"},
                       content_type="application/json").status_code == 403
    answered = village.post(f"{base}/anomalies/{item['id']}/answer", {"status": "confirmed", "answer": "属实，已追回"},
                            content_type="application/json")
    assert answered.status_code == 200 and answered.json()["status"] == "confirmed"
    rules = reader.get(f"{base}/rules").json()
    assert {r["code"] for r in rules} >= {"payee_unregistered", "over_allocation", "allocation_idle"}
    admin = api_client(users["admin"])
    bad = admin.post(f"{base}/rules", {"code": "big", "name": "大额", "condition": "amount >"},
                     content_type="application/json")
    assert bad.status_code == 422 and "条件语法错误" in json.dumps(bad.json(), ensure_ascii=False)
    created = admin.post(f"{base}/rules", {"code": "big", "name": "大额", "condition": "amount > 100000"},
                         content_type="application/json")
    assert created.status_code == 201
    patched = admin.patch(f"{base}/rules/{created.json()['id']}", {"enabled": False}, content_type="application/json")
    assert patched.json()["enabled"] is False
    county = api_client(users["county"])
    with django_capture_on_commit_callbacks(execute=True):
        run = county.post(f"{base}/runs", {"year": YEAR}, content_type="application/json")
    assert run.status_code == 202
    status = county.get(f"{base}/runs/{run.json()['id']}").json()
    assert status["status"] == "done"
    assert reader.post(f"{base}/runs", {"year": YEAR}, content_type="application/json").status_code == 403
