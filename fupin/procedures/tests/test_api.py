"""Procedures API: the chain from start to approval, refusals as 422, scope as 404, public notices without a token."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from fupin.procedures.models import (
    Adjustment,
    Candidate,
    Notice,
    Objection,
    PovertyLine,
    Procedure,
)
from fupin.regions.models import Level
from fupin.registry.choices import HouseholdStatus

from .conftest import YEAR, days_later, upload


def post(client, url, data):
    return client.post(url, json.dumps(data, default=str), content_type="application/json")


@pytest.fixture
def applicant(regions, household, accounts):
    h = household(regions["village_a1"], status=HouseholdStatus.CANCELLED, category="4", head_name="刘二柱")
    accounts(h, 2000)
    return h


def test_identification_chain_through_the_api(applicant, users, api_client, monkeypatch):
    village, town, county = (api_client(users[n]) for n in ("village_a1", "town_a", "county"))
    start = {"household": applicant.pk, "kind": "identification", "year": YEAR,
             "details": {"category": "2", "main_cause": "2"}, "reason": "因残"}
    check = post(village, "/api/procedures/check", {**start, "details": {}}).json()
    assert check["ok"] is False and "请选择主要致贫原因" in check["problems"]
    assert check["figures"]["line"]["amount"] == "2952.00"
    response = post(village, "/api/procedures", start)
    assert response.status_code == 201, response.content
    body = response.json()
    pid = body["id"]
    assert body["current_step"] == "户申请" and body["steps"][0]["attachment_kinds"] == ["application"]
    refused = post(village, f"/api/procedures/{pid}/decide", {"decision": "pass"})
    assert refused.status_code == 422 and "缺少必传附件：户申请书" in refused.json()["detail"]
    for kind in ("application", "minutes"):
        response = village.post(f"/api/procedures/{pid}/attachments", {"kind": kind, "file": upload(f"{kind}.pdf")})
        assert response.status_code == 201, response.content
        assert post(village, f"/api/procedures/{pid}/decide", {"decision": "pass"}).status_code == 200
    eligible = village.get("/api/notices/eligible").json()
    assert [p["id"] for p in eligible] == [pid]
    today = timezone.localdate()
    notice = post(village, "/api/notices", {"procedures": [pid], "start_date": today,
                                            "end_date": today + dt.timedelta(days=6)}).json()
    assert notice["status"] == "draft"
    assert post(village, f"/api/notices/{notice['id']}/publish", {}).json()["status"] == "published"
    public = Client()
    listed = public.get("/api/notices/public?region=410481100201").json()
    assert [n["id"] for n in listed] == [notice["id"]]
    content = public.get(f"/api/notices/public/{notice['id']}").json()
    assert content["items"][0]["row"]["head_name"] == "刘二柱"
    assert "procedure" not in content["items"][0]
    item = content["items"][0]["id"]
    lodged = post(public, f"/api/notices/public/{notice['id']}/objections",
                  {"item": item, "name": "李", "contact": "139", "content": "有车"})
    assert lodged.status_code == 201
    with days_later(monkeypatch, 7):
        held = post(village, f"/api/procedures/{pid}/decide", {"decision": "pass"})
        assert held.status_code == 422 and "异议尚未答复" in held.json()["detail"]
    objection = village.get(f"/api/notices/{notice['id']}").json()["objections"][0]
    assert post(village, f"/api/notices/objections/{objection['id']}/answer",
                {"answer": "经核实无车"}).json()["status"] == "answered"
    with days_later(monkeypatch, 7):
        assert post(village, f"/api/procedures/{pid}/decide", {"decision": "pass"}).status_code == 200
    assert post(village, f"/api/procedures/{pid}/decide", {"decision": "pass"}).status_code == 403
    town.post(f"/api/procedures/{pid}/attachments", {"kind": "survey", "file": upload()})
    assert post(town, f"/api/procedures/{pid}/decide", {"decision": "pass", "comment": "属实"}).status_code == 200
    period = {"procedures": [pid], "start_date": today, "end_date": today + dt.timedelta(days=6)}
    town_notice = post(town, "/api/notices", period).json()  # 乡镇公示
    assert post(town, f"/api/notices/{town_notice['id']}/publish", {}).json()["status"] == "published"
    with days_later(monkeypatch, 7):
        assert post(town, f"/api/procedures/{pid}/decide", {"decision": "pass"}).status_code == 200
    approval = post(county, f"/api/procedures/{pid}/decide", {"decision": "pass"}).json()  # 县级审批
    assert (approval["status"], approval["current_step"]) == ("in_progress", "县级公告")
    refused = post(county, f"/api/procedures/{pid}/decide", {"decision": "pass"})
    assert refused.status_code == 422 and "尚未发布“县级公告”公告" in refused.json()["detail"]
    announcement = post(county, "/api/notices", {**period, "kind": "announcement"}).json()
    assert post(county, f"/api/notices/{announcement['id']}/publish", {}).json()["status"] == "published"
    with days_later(monkeypatch, 7):
        approved = post(county, f"/api/procedures/{pid}/decide", {"decision": "pass"}).json()
    assert approved["status"] == "approved"
    household = county.get(f"/api/households/{applicant.pk}").json()
    assert (household["status"], household["identification_year"]) == ("4", YEAR)
    history = county.get(f"/api/households/{applicant.pk}/history?page_size=200").json()["items"]
    assert any(f"识别纳入程序 #{pid}" in (e.get("note") or "") for e in history)
    pdf = village.get(f"/api/notices/{notice['id']}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_scope_and_auth(applicant, users, api_client):
    village = api_client(users["village_a1"])
    pid = post(village, "/api/procedures", {"household": applicant.pk, "kind": "identification", "year": YEAR,
                                            "details": {"category": "1", "main_cause": "1"}}).json()["id"]
    other = api_client(users["village_b1"])
    assert other.get(f"/api/procedures/{pid}").status_code == 404
    assert post(other, f"/api/procedures/{pid}/decide", {"decision": "pass"}).status_code == 404
    assert other.get("/api/procedures").json()["count"] == 0
    assert api_client(users["town_a"]).get("/api/procedures").json()["count"] == 1
    assert post(other, "/api/procedures", {"household": applicant.pk, "kind": "exit", "year": YEAR}).status_code == 404
    assert Client().get("/api/procedures").status_code == 401
    attachment_id = village.post(f"/api/procedures/{pid}/attachments",
                                 {"kind": "application", "file": upload()}).json()["id"]
    assert village.get(f"/api/procedures/attachments/{attachment_id}").status_code == 200
    assert other.get(f"/api/procedures/attachments/{attachment_id}").status_code == 404
    refused = post(village, "/api/procedures", {"household": applicant.pk, "kind": "exit", "year": YEAR})
    assert refused.status_code == 422 and "办理中的识别纳入程序" in refused.json()["detail"]
    assert post(village, "/api/procedures", {"household": applicant.pk, "kind": "nonsense",
                                             "year": YEAR}).status_code == 422


def test_lines_and_definitions_api(users, api_client, regions):
    admin = api_client(users["admin"])
    resolved = admin.get("/api/poverty-lines/resolve?year=2016&region=410481100201").json()
    assert resolved["amount"] == "2952.00" or float(resolved["amount"]) == 2952
    created = post(admin, "/api/poverty-lines", {"year": 2016, "region": "410481000000", "amount": "3300"})
    assert created.status_code == 201
    assert float(admin.get("/api/poverty-lines/resolve?year=2016&region=410481100201").json()["amount"]) == 3300
    assert post(admin, "/api/poverty-lines", {"year": 2016, "amount": "1"}).status_code == 403
    assert post(api_client(users["county"]), "/api/poverty-lines",
                {"year": 2019, "region": "410481000000", "amount": "1"}).status_code == 403
    definitions = admin.get("/api/procedure-definitions").json()
    exit_def = next(d for d in definitions if d["kind"] == "exit")
    copy = admin.post(f"/api/procedure-definitions/{exit_def['id']}/copy?region=410481000000")
    assert copy.status_code == 201
    steps = copy.json()["steps"]
    steps[2]["notice_days"] = 5
    response = admin.put(f"/api/procedure-definitions/{copy.json()['id']}",
                         json.dumps({"name": "舞钢脱贫退出", "steps": steps}), content_type="application/json")
    assert response.status_code == 200 and response.json()["steps"][2]["notice_days"] == 5
    steps[0]["actor_level"] = 9
    response = admin.put(f"/api/procedure-definitions/{copy.json()['id']}",
                         json.dumps({"name": "x", "steps": steps}), content_type="application/json")
    assert response.status_code == 422 and "办理层级" in response.json()["detail"]
    assert PovertyLine.objects.filter(region_id="410481000000").count() == 1


def test_adjustment_api(users, api_client, regions, household, accounts, django_capture_on_commit_callbacks):
    h = household(regions["village_a1"], head_name="脱贫甲")
    accounts(h, 3500)
    county, village = api_client(users["county"]), api_client(users["village_a1"])
    opened = post(county, "/api/adjustments", {"year": YEAR})
    assert opened.status_code == 201
    aid = opened.json()["id"]
    assert post(api_client(users["town_a"]), "/api/adjustments", {"year": 2017}).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        job = post(county, f"/api/adjustments/{aid}/propose", {})
    assert job.status_code == 202
    candidates = village.get(f"/api/adjustments/{aid}/candidates").json()
    assert candidates["count"] == 1 and candidates["items"][0]["kind"] == "exit"
    assert api_client(users["village_b1"]).get(f"/api/adjustments/{aid}/candidates").json()["count"] == 0
    cid = candidates["items"][0]["id"]
    assert post(village, f"/api/adjustments/{aid}/candidates/decide",
                {"candidates": [cid], "confirm": True}).json() == {"count": 1}
    with django_capture_on_commit_callbacks(execute=True):
        assert post(village, f"/api/adjustments/{aid}/start", {}).status_code == 202
    assert Candidate.objects.get().procedure_id == Procedure.objects.get().pk
    refused = post(county, f"/api/adjustments/{aid}/close", {})
    assert refused.status_code == 422 and "未办结" in refused.json()["detail"]
    Procedure.objects.update(status="withdrawn")
    closed = post(county, f"/api/adjustments/{aid}/close", {}).json()
    assert closed["households"] == 1
    assert county.get(f"/api/adjustments/{aid}/snapshot").json()["by_status"]["1"]["households"] == 1
    assert post(county, f"/api/adjustments/{aid}/reopen", {"reason": ""}).status_code == 422
    assert post(county, f"/api/adjustments/{aid}/reopen", {"reason": "补录"}).json()["status"] == "open"
    assert Adjustment.objects.get().events.count() == 5
    assert Notice.objects.count() == 0


def test_public_objections_through_the_api_share_the_page_throttle(regions, settings):
    settings.FUPIN_THROTTLES = {**settings.FUPIN_THROTTLES, "objection_ip": (2, 600)}
    today = timezone.localdate()
    notice = Notice.objects.create(kind="publicity", level=Level.VILLAGE, region=regions["village_a1"], title="公示",
                                   start_date=today, end_date=today + dt.timedelta(days=6), status="published")
    objection = {"name": "李群众", "contact": "13912345678", "content": "有车"}
    public = Client()
    assert public.post(f"/public/notices/{notice.pk}/", objection).status_code == 200  # the page counts too
    assert post(public, f"/api/notices/public/{notice.pk}/objections", objection).status_code == 201
    refused = post(public, f"/api/notices/public/{notice.pk}/objections", objection)
    assert refused.status_code == 429 and "本次提交没有保存" in refused.json()["detail"]
    assert Objection.objects.filter(notice=notice).count() == 2
    responses = Client().get("/api/openapi.json").json()["paths"][
        "/api/notices/public/{notice_id}/objections"]["post"]["responses"]
    assert "429" in responses
