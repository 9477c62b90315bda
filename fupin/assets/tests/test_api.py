"""REST API of 扶贫项目资产: scope, read-only 财政, the distribution cap, the plan once, approval, 移交."""

import json

import pytest

from fupin.assets.models import Asset, Distribution

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_list_is_scoped_and_filtered(api_client, make_asset, users, regions):
    make_asset()
    make_asset(name="王庄村大棚", region=regions["village_b1"], kind="2", sub_kind="21")
    county = api_client(users["county"])
    assert county.get("/api/assets").json()["count"] == 2
    assert [a["name"] for a in county.get("/api/assets", {"kind": "2"}).json()["items"]] == ["王庄村大棚"]
    items = api_client(users["village_a1"]).get("/api/assets").json()["items"]
    assert [a["name"] for a in items] == ["张庄村扶贫车间"] and items[0]["kind_label"] == "经营性资产"
    other = Asset.objects.get(name="王庄村大棚")
    assert api_client(users["village_a1"]).get(f"/api/assets/{other.pk}").status_code == 404
    assert county.get("/api/assets", {"year": 1900}).status_code == 422


def test_create_and_finance_is_refused(api_client, users, regions, finance):
    body = {"name": "李庄村光伏", "kind": "1", "sub_kind": "11", "region": regions["village_a2"].code,
            "value": "200000", "formed_on": f"{YEAR}-01-05", "fund_source": "special", "owner": "李庄村集体"}
    response = post(api_client(users["town_a"]), "/api/assets", body)
    assert response.status_code == 201 and response.json()["status_label"] == "在用"
    assert api_client(finance).get("/api/assets").json()["count"] == 1
    response = post(api_client(finance), "/api/assets", {**body, "name": "别的"})
    assert response.status_code == 403 and "只能查看" in response.json()["detail"]
    response = post(api_client(users["town_a"]), "/api/assets", {**body, "sub_kind": "21"})
    assert response.status_code == 422 and "sub_kind" in response.json()["errors"]


def test_distribution_cap_and_plan_once(api_client, operating, poor, users):
    client = api_client(users["village_a1"])
    path = f"/api/assets/{operating.pk}/distributions"
    response = post(client, path, {"year": YEAR, "shares": [
        {"household": poor[0].pk, "amount": "6000", "reason": "分红"},
        {"household": poor[1].pk, "amount": "4500", "reason": "分红"}]})
    assert response.status_code == 422 and "超过该资产" in response.json()["detail"]
    assert post(client, f"/api/assets/{operating.pk}/plan", {"year": YEAR}).json()["households"] == 2
    again = post(client, f"/api/assets/{operating.pk}/plan", {"year": YEAR}).json()
    assert again["applied"] and again["households"] == 0 and Distribution.objects.count() == 2
    rows = client.get(f"/api/assets/households/{poor[0].pk}/distributions").json()
    assert rows[0]["amount"] == "3000.00" and rows[0]["method_label"] == "按方案分配"


def test_change_needs_the_county(api_client, make_asset, users):
    asset = make_asset()
    village = api_client(users["village_a1"])
    change = post(village, f"/api/assets/{asset.pk}/change-requests",
                  {"kind": "disposal", "reason": "损毁", "method": "scrap", "proceeds": "100"}).json()
    path = f"/api/assets/{asset.pk}/change-requests/{change['id']}/decide"
    assert post(village, path, {"approve": True}).status_code == 403
    assert post(api_client(users["county"]), path, {"approve": True}).json()["status"] == "approved"
    assert api_client(users["county"]).get(f"/api/assets/{asset.pk}").json()["status"] == "disposed"


def test_patch_keeps_the_rights(api_client, make_asset, users):
    asset = make_asset()
    response = api_client(users["county"]).patch(f"/api/assets/{asset.pk}", json.dumps({"owner": "别人"}),
                                                 content_type="application/json")
    assert response.status_code == 422  # not a field of the edit
    response = api_client(users["county"]).patch(f"/api/assets/{asset.pk}", json.dumps({"location": "村东"}),
                                                 content_type="application/json")
    assert response.json()["location"] == "村东"


def test_handover_through_the_api(api_client, project, users, poor):
    response = post(api_client(users["village_a1"]), f"/api/assets/handover/{project.pk}",
                    {"kind": "1", "sub_kind": "11", "owner": "张庄村集体经济组织"})
    assert response.status_code == 201 and response.json()["project"] == project.pk
    assert response.json()["value"] == "300000.00"
    project.refresh_from_db()
    assert project.status == "handed_over"
