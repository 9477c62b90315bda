"""Regions API: scoped listing and lookup, the subtree, and administrator-only writes within scope."""

import json

import pytest
from django.test import Client

from fupin.audit.models import AuditLog
from fupin.core.channels import Channel
from fupin.regions.models import Level, Region

pytestmark = pytest.mark.django_db


def send(client, method, path, body):
    return getattr(client, method)(path, data=json.dumps(body), content_type="application/json")


def codes(response):
    return [r["code"] for r in response.json()["items"]]


def test_requires_authentication(regions):
    assert Client().get("/api/regions").status_code == 401


def test_list_is_scoped_and_filtered(regions, users, api_client):
    county = api_client(users["county"])
    assert county.get("/api/regions").json()["count"] == 7  # the county, two townships, four villages
    assert codes(county.get("/api/regions?parent=410481100000")) == ["410481100201", "410481100202"]
    assert codes(county.get("/api/regions?level=4")) == ["410481100000", "410481101000"]
    assert codes(county.get("/api/regions?q=王庄")) == ["410481101201"]
    assert codes(county.get("/api/regions?q=4104811012")) == ["410481101201", "410481101202"]
    assert codes(county.get("/api/regions?level=5&is_poor_village=true")) == ["410481100201", "410481101201"]
    assert county.get("/api/regions?level=9").status_code == 422
    village = api_client(users["village_a1"]).get("/api/regions").json()
    assert [r["code"] for r in village["items"]] == ["410481100201"]
    page = county.get("/api/regions?page_size=2&page=2").json()
    assert (page["pages"], len(page["items"])) == (4, 2)


def test_get_region_and_out_of_scope_404(regions, users, api_client):
    client = api_client(users["town_a"])
    body = client.get("/api/regions/410481100201").json()
    assert (body["name"], body["level_label"], body["parent"], body["full_name"]) == (
        "张庄村",
        "村",
        "410481100000",
        "舞钢市尹集镇张庄村",
    )
    assert [r["code"] for r in body["path"]] == [
        "410000000000",
        "410400000000",
        "410481000000",
        "410481100000",
        "410481100201",
    ]
    assert client.get("/api/regions/410481101201").status_code == 404
    assert client.get("/api/regions/410481000000").status_code == 404  # the county is above a township account


def test_subtree(regions, users, api_client):
    client = api_client(users["county"])
    tree = client.get("/api/regions/410481000000/tree").json()
    assert tree["name"] == "舞钢市"
    assert [t["name"] for t in tree["children"]] == ["尹集镇", "枣林镇"]
    assert [v["name"] for v in tree["children"][0]["children"]] == ["张庄村", "李庄村"]
    assert tree["children"][0]["children"][0]["is_poor_village"] is True
    shallow = client.get("/api/regions/410481000000/tree?depth=1").json()
    assert all(t["children"] == [] for t in shallow["children"])
    assert api_client(users["town_b"]).get("/api/regions/410481100000/tree").status_code == 404


def test_admin_creates_and_updates_within_scope(regions, users, api_client):
    client = api_client(users["admin"])
    response = send(
        client, "post", "/api/regions", {"code": "410481100203", "name": "刘庄村", "level": 5, "is_poor_village": True}
    )
    assert response.status_code == 201, response.content
    assert response.json()["parent"] == "410481100000"
    assert response.json()["full_name"] == "舞钢市尹集镇刘庄村"
    response = send(client, "patch", "/api/regions/410481100203", {"name": "刘家庄村", "exit_year": 2018})
    assert response.status_code == 200
    assert Region.objects.get(code="410481100203").name == "刘家庄村"
    entries = AuditLog.objects.filter(object_type="region", object_id="410481100203").order_by("id")
    assert [e.channel for e in entries] == [Channel.API, Channel.API]
    assert entries[1].changes["name"] == ["刘庄村", "刘家庄村"]


def test_region_writes_refused_for_non_admins_and_outside_scope(regions, users, api_client):
    body = {"code": "410481100203", "name": "刘庄村", "level": 5}
    response = send(api_client(users["county"]), "post", "/api/regions", body)
    assert response.status_code == 403
    assert response.json()["detail"] == "只有系统管理员可以维护行政区划"
    response = send(
        api_client(users["admin"]), "post", "/api/regions", {"code": "410482000000", "name": "汝州市", "level": 3}
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "只能维护本辖区内的行政区划"
    response = send(api_client(users["admin"]), "patch", "/api/regions/410400000000", {"name": "x"})
    assert response.status_code == 404  # the city is above the county admin: invisible
    assert not Region.objects.filter(code__in=["410481100203", "410482000000"]).exists()


def test_region_validation_is_422_in_chinese(regions, users, api_client):
    client = api_client(users["admin"])
    response = send(client, "post", "/api/regions", {"code": "410481100000", "name": "重复", "level": 4})
    assert response.status_code == 422
    assert response.json()["errors"]["code"] == "区划代码 410481100000 已存在"
    response = send(client, "post", "/api/regions", {"code": "410481100203", "name": "错级", "level": 4})
    assert response.status_code == 422
    assert "不符" in response.json()["errors"]["level"]
    response = send(client, "post", "/api/regions", {"code": "41048110020", "name": "短", "level": 5})
    assert response.status_code == 422
    assert "12" in response.json()["errors"]["code"]
    response = send(client, "post", "/api/regions", {"code": "410481102201", "name": "无上级", "level": 5})
    assert response.status_code == 422
    assert "不存在" in response.json()["errors"]["parent"]
    response = send(client, "patch", "/api/regions/410481100000", {"is_poor_village": True})
    assert response.status_code == 422
    assert response.json()["errors"] == {"is_poor_village": "只有村级区划可以标记为贫困村"}
    assert Region.objects.filter(level=Level.VILLAGE).count() == 4
