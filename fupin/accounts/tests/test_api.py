"""Accounts API: obtaining tokens under the login lockout, listing and revoking them, /me, scoped user management."""

import json

import pytest
from django.test import Client

from conftest import PASSWORD
from fupin.accounts.models import ApiToken, LoginLog, Role, User
from fupin.accounts.services import LOGIN_FAILED
from fupin.audit.models import AuditLog
from fupin.core.channels import Channel
from fupin.regions.models import Level, Region

pytestmark = pytest.mark.django_db


def post(client, path, body):
    return client.post(path, data=json.dumps(body), content_type="application/json")


def patch(client, path, body):
    return client.patch(path, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def other_county(regions):
    return Region.objects.create(code="410482000000", name="汝州市", level=Level.COUNTY, parent=regions["city"])


# --- tokens -----------------------------------------------------------------------------------------------------


def test_obtain_token_and_use_it(users):
    response = post(Client(), "/api/auth/token", {"username": "cun_a1", "password": PASSWORD, "name": "同步"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["username"], body["name"], body["key_prefix"]) == ("cun_a1", "同步", body["key"][:8])
    me = Client(HTTP_AUTHORIZATION=f"Bearer {body['key']}").get("/api/accounts/me")
    assert me.status_code == 200
    assert (me.json()["username"], me.json()["role_label"], me.json()["scope"]) == ("cun_a1", "村级", "410481100201")
    log = LoginLog.objects.get()
    assert (log.username, log.success, log.region_code) == ("cun_a1", True, "410481100201")


def test_wrong_password_is_401_and_logged(users):
    response = post(Client(), "/api/auth/token", {"username": "cun_a1", "password": "wrong"})
    assert response.status_code == 401
    assert response.json()["detail"] == LOGIN_FAILED
    assert not ApiToken.objects.exists()
    log = LoginLog.objects.get()
    assert (log.success, log.reason, log.user) == (False, "密码错误", users["village_a1"])


def test_token_endpoint_respects_lockout(users, settings):
    client = Client()
    for _ in range(settings.FUPIN_LOGIN_MAX_FAILURES):
        assert post(client, "/api/auth/token", {"username": "cun_a1", "password": "wrong"}).status_code == 401
    response = post(client, "/api/auth/token", {"username": "cun_a1", "password": PASSWORD})
    assert response.status_code == 401
    assert response.json()["detail"] == LOGIN_FAILED  # the same answer as a wrong password: nothing to learn
    assert not ApiToken.objects.exists()
    assert LoginLog.objects.filter(success=False).count() == settings.FUPIN_LOGIN_MAX_FAILURES + 1


def test_disabled_account_gets_no_token(users):
    users["village_a1"].is_active = False
    users["village_a1"].save()
    response = post(Client(), "/api/auth/token", {"username": "cun_a1", "password": PASSWORD})
    assert response.status_code == 401
    assert not ApiToken.objects.exists()


def test_list_create_and_revoke_own_tokens(users, api_client):
    from fupin.accounts.services import issue_token
    from fupin.audit.models import AuditLog, Channel

    client = api_client(users["town_a"])
    other, _ = issue_token(users["town_b"], "他人", channel=Channel.PAGE)
    created = post(client, "/api/auth/tokens", {"name": "报表"})
    assert created.status_code == 201
    tokens = client.get("/api/auth/tokens").json()
    assert len(tokens) == 2
    assert "key" not in tokens[0]
    assert [t["current"] for t in sorted(tokens, key=lambda t: t["id"])] == [True, False]
    assert client.delete(f"/api/auth/tokens/{other.pk}").status_code == 404
    assert ApiToken.objects.filter(pk=other.pk).exists()
    assert client.delete(f"/api/auth/tokens/{created.json()['id']}").status_code == 204
    current = ApiToken.objects.get(user=users["town_a"])
    assert client.delete(f"/api/auth/tokens/{current.pk}").status_code == 204
    # The token that made the request is gone: the next request with it is refused.
    assert client.get("/api/auth/tokens").status_code == 401
    # Keys are stored only as digests, and issuing and revoking leave a trace.
    assert not ApiToken.objects.filter(key_hash__contains=created.json()["key"]).exists()
    assert AuditLog.objects.filter(object_type="apitoken", action="delete", user=users["town_a"]).count() == 2


def test_me_shows_rights(users, api_client):
    leader = api_client(users["leader"]).get("/api/accounts/me").json()
    assert (leader["can_write"], leader["can_administer"], leader["role_label"]) == (False, False, "领导（只读）")
    admin = api_client(users["admin"]).get("/api/accounts/me").json()
    assert (admin["can_write"], admin["can_administer"], admin["region_name"]) == (True, True, "舞钢市")


# --- users ------------------------------------------------------------------------------------------------------


def new_user(region, **extra):
    return {
        "username": "new_cun",
        "password": "Strong2024x",
        "full_name": "新村干部",
        "role": "village",
        "region": region.code if region else None,
        **extra,
    }


def test_only_administrators_manage_users(users, regions, api_client):
    client = api_client(users["county"])
    response = client.get("/api/accounts/users")
    assert response.status_code == 403
    assert response.json()["detail"] == "只有系统管理员可以管理用户"
    assert post(client, "/api/accounts/users", new_user(regions["village_a1"])).status_code == 403
    assert not User.objects.filter(username="new_cun").exists()


def test_user_list_is_scoped(users, other_county, api_client):
    User.objects.create_user("ruzhou", password=PASSWORD, role=Role.COUNTY, region=other_county)
    User.objects.create_superuser("root", password=PASSWORD)
    body = api_client(users["admin"]).get("/api/accounts/users?page_size=100").json()
    names = {u["username"] for u in body["items"]}
    assert body["count"] == len(users) and names == {u.username for u in users.values()}
    only_a = api_client(users["admin"]).get("/api/accounts/users?region=410481100000").json()
    assert {u["username"] for u in only_a["items"]} == {"cun_a1", "xiang_a"}
    outsider = User.objects.get(username="ruzhou")
    assert api_client(users["admin"]).get(f"/api/accounts/users/{outsider.pk}").status_code == 404


def test_admin_creates_user_in_scope(users, regions, api_client):
    response = post(api_client(users["admin"]), "/api/accounts/users", new_user(regions["village_a1"]))
    assert response.status_code == 201, response.content
    assert (response.json()["role_label"], response.json()["region_name"]) == ("村级", "张庄村")
    user = User.objects.get(username="new_cun")
    assert user.check_password("Strong2024x") and user.password_changed_at is not None
    entry = AuditLog.objects.get(object_type="user", object_id=str(user.pk))
    assert entry.channel == Channel.API
    assert "Strong2024x" not in json.dumps(entry.changes) and user.password not in json.dumps(entry.changes)


def test_admin_cannot_create_outside_scope_or_superuser(users, regions, other_county, api_client):
    client = api_client(users["admin"])
    response = post(client, "/api/accounts/users", new_user(other_county, role="county"))
    assert response.status_code == 403
    assert response.json()["detail"] == "只能管理本辖区内的用户"
    response = post(client, "/api/accounts/users", new_user(regions["county"], role="admin", is_superuser=True))
    assert response.status_code == 403
    assert "超级管理员" in response.json()["detail"]
    assert not User.objects.filter(username="new_cun").exists()


def test_user_validation_is_422_in_chinese(users, regions, api_client):
    client = api_client(users["admin"])
    response = post(client, "/api/accounts/users", new_user(regions["village_a1"], password="12345678"))
    assert response.status_code == 422
    assert "密码" in response.json()["errors"]["password"]
    response = post(client, "/api/accounts/users", new_user(regions["town_a"]))
    assert response.status_code == 422
    assert response.json()["errors"]["region"] == "村级账号必须绑定到村级区划"
    response = post(client, "/api/accounts/users", new_user(regions["village_a1"], username="cun_a1"))
    assert response.status_code == 422
    assert "已被使用" in response.json()["errors"]["username"]
    response = post(client, "/api/accounts/users", new_user(regions["village_a1"], role="boss"))
    assert response.status_code == 422
    assert response.json()["errors"]["role"].startswith("应为以下之一：'village'")
    response = post(client, "/api/accounts/users", {**new_user(regions["village_a1"]), "region": "999999999999"})
    assert response.json()["errors"]["region"] == "区划代码 999999999999 不存在"


def test_admin_updates_user_and_resets_password(users, regions, other_county, api_client):
    client = api_client(users["admin"])
    target = users["village_a1"]
    response = patch(client, f"/api/accounts/users/{target.pk}", {"full_name": "张主任", "phone": "13800000000"})
    assert response.status_code == 200
    assert response.json()["full_name"] == "张主任"
    assert patch(client, f"/api/accounts/users/{target.pk}", {"password": "abc"}).status_code == 422
    assert patch(client, f"/api/accounts/users/{target.pk}", {"password": "Wq7rTz2024"}).status_code == 200
    target.refresh_from_db()
    assert target.check_password("Wq7rTz2024")
    response = patch(client, f"/api/accounts/users/{target.pk}", {"role": "county", "region": other_county.code})
    assert response.status_code == 403
    response = patch(client, f"/api/accounts/users/{target.pk}", {"is_superuser": True})
    assert response.status_code == 403
    target.refresh_from_db()
    assert (target.region_id, target.is_superuser) == (regions["village_a1"].code, False)


def test_unlock(users, admins, api_client, settings):
    for _ in range(settings.FUPIN_LOGIN_MAX_FAILURES):
        post(Client(), "/api/auth/token", {"username": "cun_a1", "password": "wrong"})
    assert api_client(users["admin"]).post(f"/api/accounts/users/{users['village_a1'].pk}/unlock").status_code == 403
    client = api_client(admins["security"])
    detail = client.get(f"/api/accounts/users/{users['village_a1'].pk}").json()
    assert detail["locked"] is True
    response = client.post(f"/api/accounts/users/{users['village_a1'].pk}/unlock")
    assert response.status_code == 200 and response.json()["locked"] is False
    assert post(Client(), "/api/auth/token", {"username": "cun_a1", "password": PASSWORD}).status_code == 201
