"""等保 2.0 identity controls: throttles without enumeration, password policy and change, TOTP, token lifetime,
三员分立 — on the pages and the API."""

import datetime as dt
import json
import re
import time

import pyotp
import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from fupin.accounts import services
from fupin.accounts.models import ApiToken, LoginLog, Role, User
from fupin.accounts.passwords import PatternPasswordValidator
from fupin.audit.models import AuditLog
from fupin.core.channels import Channel

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Wq7rTz2024"


def page_login(client, username, password, ip="10.0.0.1"):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def api_token(username, password, ip="10.0.0.1", **extra):
    return Client().post("/api/auth/token", data=json.dumps({"username": username, "password": password, **extra}),
                         content_type="application/json", REMOTE_ADDR=ip)


def bearer(key):
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


class CountingHasher(MD5PasswordHasher):
    """MD5 (as every test) that counts the hashes it computes."""

    algorithm = "md5"
    calls = 0

    def encode(self, password, salt):
        type(self).calls += 1
        return super().encode(password, salt)


# --- throttles ----------------------------------------------------------------------------------------------------


def test_unknown_user_wrong_password_and_locked_account_get_the_same_answer(users, settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    User.objects.filter(pk=users["village_a1"].pk).update(password=CountingHasher().encode(PASSWORD, "salt"))
    for _ in range(settings.FUPIN_LOGIN_MAX_FAILURES):
        page_login(Client(), "cun_a1", "Wrong2024x", ip="10.0.0.9")
    answers = []
    for username, password in (("nobody", PASSWORD), ("cun_b1", "Wrong2024x"), ("cun_a1", PASSWORD)):
        CountingHasher.calls = 0
        page = page_login(Client(), username, password, ip="10.0.0.9")
        errors = re.findall(r'class="[^"]*alert[^"]*"[^>]*>(.*?)<', page.content.decode(), re.S)
        api = api_token(username, password, ip="10.0.0.9")
        answers.append((page.status_code, errors, api.status_code, api.json()))
        assert CountingHasher.calls >= 2  # a password was hashed on both routes, whichever the case
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][2:] == (401, {"detail": services.LOGIN_FAILED})
    reasons = list(LoginLog.objects.filter(time__gte=timezone.now() - dt.timedelta(minutes=1)).values_list(
        "username", "reason").order_by("-id")[:2])
    assert reasons[1] == ("cun_a1", "已锁定（本IP连续失败）")  # the log tells the security administrator why


def test_failures_lock_the_account_only_from_the_attacking_ip(users, api_client, settings):
    token_client = api_client(users["village_a1"])
    for _ in range(settings.FUPIN_LOGIN_MAX_FAILURES):
        page_login(Client(), "cun_a1", "Wrong2024x", ip="192.0.2.66")
    assert page_login(Client(), "cun_a1", PASSWORD, ip="192.0.2.66").status_code == 200  # refused there
    assert api_token("cun_a1", PASSWORD, ip="192.0.2.66").status_code == 401
    # The owner, at his own desk, logs in and keeps using his existing token.
    assert page_login(Client(), "cun_a1", PASSWORD, ip="10.1.1.1").status_code == 302
    assert api_token("cun_a1", PASSWORD, ip="10.1.1.1").status_code == 201
    assert token_client.get("/api/accounts/me", REMOTE_ADDR="10.1.1.1").status_code == 200
    # The window passes: the attacker's failures no longer count.
    LoginLog.objects.filter(ip="192.0.2.66").update(time=timezone.now() - dt.timedelta(minutes=60))
    assert page_login(Client(), "cun_a1", PASSWORD, ip="192.0.2.66").status_code == 302


def test_an_ip_failing_over_many_accounts_is_refused(users, settings):
    settings.FUPIN_LOGIN_MAX_FAILURES_PER_IP = 4
    for username in ("cun_a1", "cun_b1", "xiang_a", "xiang_b"):
        page_login(Client(), username, "Wrong2024x", ip="198.51.100.7")
    assert page_login(Client(), "xian", PASSWORD, ip="198.51.100.7").status_code == 200
    assert LoginLog.objects.filter(username="xian").get().reason == "本IP失败次数过多"
    assert page_login(Client(), "xian", PASSWORD, ip="10.2.2.2").status_code == 302


def test_success_resets_the_pair_count(users, settings):
    for _ in range(settings.FUPIN_LOGIN_MAX_FAILURES - 1):
        page_login(Client(), "cun_a1", "Wrong2024x")
    assert page_login(Client(), "cun_a1", PASSWORD).status_code == 302
    page_login(Client(), "cun_a1", "Wrong2024x")
    assert page_login(Client(), "cun_a1", PASSWORD).status_code == 302


# --- password policy ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("password", [
    "Fupin2025", "fupin2025", "Fupin@2025", "FUPIN2024!", "tuopin2020", "Admin@2023", "qwer1234", "1qaz2wsx",
    "asdf;lkj12", "aaaa1111", "Abab1212ab", "zxcvbnm123", "Password1",
])
def test_pattern_passwords_are_refused(password):
    with pytest.raises(ValidationError) as exc:
        PatternPasswordValidator().validate(password)
    assert "密码过于简单" in exc.value.messages[0]


def test_personal_words_are_refused(users, regions):
    validator = PatternPasswordValidator()
    user = User(username="zhangwei", full_name="zhang", region=regions["village_a1"])
    for password in ("zhangwei9Rq", "Kq9zhangT3x", "舞钢Kq9T3x7"):
        with pytest.raises(ValidationError, match="用户名、姓名或所属地区"):
            validator.validate(password, user)
    for password in (NEW_PASSWORD, "Kx7mq2Tzv", "Hn4r8Wlq5"):
        validator.validate(password, user)


def test_policy_applies_to_new_accounts_and_changes(users, regions, client):
    with pytest.raises(ValidationError, match="密码过于简单"):
        services.create_user(User(username="new1", role=Role.VILLAGE, region=regions["village_a1"]), "Fupin2025",
                             acting_user=users["admin"], channel=Channel.PAGE)
    client.force_login(users["village_a1"])
    response = client.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": "Fupin@2025", "new_password2": "Fupin@2025"})
    assert response.status_code == 200 and "密码过于简单" in response.content.decode()


# --- first login and periodic change -------------------------------------------------------------------------------


def test_password_set_by_an_administrator_must_be_changed_at_first_login(users, regions):
    user = services.create_user(User(username="new1", role=Role.VILLAGE, region=regions["village_a1"]),
                                "Kx7mq2Tzv", acting_user=users["admin"], channel=Channel.PAGE)
    assert user.must_change_password
    client = Client()
    assert page_login(client, "new1", "Kx7mq2Tzv").status_code == 302
    for url in ("/", reverse("registry:household_list"), reverse("accounts:tokens")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("accounts:password_change"), url
    page = client.get(reverse("accounts:password_change"))
    assert "首次登录须修改初始密码" in page.content.decode()
    response = client.get("/api/accounts/me")
    assert response.status_code == 403 and "修改" in response.json()["detail"]
    # A token issued before (by any route) is refused with the reason, and none is issued now.
    key = ApiToken.generate_key()
    ApiToken.objects.create(user=user, key_hash=ApiToken.digest(key), prefix=key[:8])
    response = bearer(key).get("/api/accounts/me")
    assert response.status_code == 403 and "初始密码" in response.json()["detail"]
    assert api_token("new1", "Kx7mq2Tzv").status_code == 403
    response = client.post(reverse("accounts:password_change"), {
        "old_password": "Kx7mq2Tzv", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("registry:household_list")).status_code == 200
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password(NEW_PASSWORD)
    # The change revoked every token of the account, each in the audit log.
    assert not ApiToken.objects.filter(user=user).exists()
    assert AuditLog.objects.filter(object_type="apitoken", action="delete", note="密码已修改，令牌作废").count() == 1
    assert AuditLog.objects.filter(object_type="user", object_id=str(user.pk), note="修改密码").exists()


def test_expired_password_redirects_every_page(users, settings, client):
    settings.FUPIN_PASSWORD_MAX_AGE_DAYS = 90
    User.objects.filter(pk=users["county"].pk).update(password_changed_at=timezone.now() - dt.timedelta(days=91))
    client.force_login(User.objects.get(pk=users["county"].pk))
    assert client.get("/").headers["Location"] == reverse("accounts:password_change")
    assert "超过 90 天未修改" in client.get(reverse("accounts:password_change")).content.decode()
    assert client.get("/api/households").status_code == 403
    settings.FUPIN_PASSWORD_MAX_AGE_DAYS = 0
    assert client.get(reverse("registry:household_list")).status_code == 200


def test_administrator_password_reset_revokes_tokens(users, api_client):
    target = users["village_a1"]
    api_client(target)
    services.update_user(target, acting_user=users["admin"], channel=Channel.API, password=NEW_PASSWORD)
    assert not ApiToken.objects.filter(user=target).exists()
    target.refresh_from_db()
    assert target.must_change_password
    assert AuditLog.objects.filter(object_type="apitoken", action="delete", note="密码已重置，令牌作废").exists()


# --- TOTP -----------------------------------------------------------------------------------------------------------


def _enrol_on_page(client):
    page = client.get(reverse("accounts:login_totp_setup")).content.decode()
    assert "<svg" in page
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page).group(1)
    response = client.post(reverse("accounts:login_totp_setup"), {"code": pyotp.TOTP(secret).now()})
    return secret, response


def test_administrator_must_enrol_before_getting_a_session(users):
    client = Client()
    response = page_login(client, "guanli", PASSWORD)
    assert response["Location"] == reverse("accounts:login_totp_setup")
    assert client.get(reverse("registry:household_list")).status_code == 302  # no session yet
    assert client.post(reverse("accounts:login_totp_setup"), {"code": "000000"}).status_code == 200
    secret, response = _enrol_on_page(client)
    assert response.status_code == 302
    assert client.get(reverse("registry:household_list")).status_code == 200
    admin = User.objects.get(username="guanli")
    assert admin.totp_enabled and admin.totp_secret == secret
    entry = AuditLog.objects.get(object_type="user", object_id=str(admin.pk), note="启用动态口令")
    assert "totp_secret" not in json.dumps(entry.changes) or secret not in json.dumps(entry.changes)
    assert LoginLog.objects.filter(username="guanli", success=True).count() == 1

    # The next login asks for the code; a wrong or a replayed code is refused and counted.
    client = Client()
    assert page_login(client, "guanli", PASSWORD)["Location"] == reverse("accounts:login_otp")
    assert client.get(reverse("registry:household_list")).status_code == 302
    assert client.post(reverse("accounts:login_otp"), {"code": "123456"}).status_code == 200
    code = pyotp.TOTP(secret).at(time.time() + 30)
    assert client.post(reverse("accounts:login_otp"), {"code": code}).status_code == 302
    assert client.get(reverse("registry:household_list")).status_code == 200
    replay = Client()
    page_login(replay, "guanli", PASSWORD)
    assert services.OTP_FAILED in replay.post(reverse("accounts:login_otp"), {"code": code}).content.decode()
    assert LoginLog.objects.filter(username="guanli", reason="动态口令错误").count() == 2


def test_demo_mode_lets_an_administrator_in_without_totp_with_a_warning(users, settings):
    settings.FUPIN_DEMO_MODE = True
    client = Client()
    assert page_login(client, "guanli", PASSWORD)["Location"] == "/"
    assert "演示模式" in client.get(reverse("registry:household_list"), follow=True).content.decode()


def test_totp_is_optional_for_others_and_enrolled_from_the_security_page(users):
    client = Client()
    assert page_login(client, "cun_a1", PASSWORD).status_code == 302
    assert "未启用" in client.get(reverse("accounts:security")).content.decode()
    page = client.get(reverse("accounts:totp_setup")).content.decode()
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page).group(1)
    assert client.post(reverse("accounts:totp_setup"), {"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert "已启用" in client.get(reverse("accounts:security")).content.decode()
    other = Client()
    assert page_login(other, "cun_a1", PASSWORD)["Location"] == reverse("accounts:login_otp")
    client.post(reverse("accounts:security"), {"disable_totp": "1"})
    assert not User.objects.get(username="cun_a1").totp_enabled
    assert page_login(Client(), "cun_a1", PASSWORD)["Location"] == "/"


def test_security_administrator_resets_totp_audited(users, admins):
    admin = users["admin"]
    services.enable_totp(admin, (secret := services.new_totp_secret()), pyotp.TOTP(secret).now(), channel=Channel.PAGE)
    with pytest.raises(PermissionDenied):
        services.disable_totp(admin, acting_user=admin, channel=Channel.PAGE)  # required for him
    with pytest.raises(PermissionDenied):
        services.disable_totp(admin, acting_user=users["county"], channel=Channel.PAGE)
    client = Client()
    client.force_login(admins["security"])
    response = client.post(reverse("accounts:user_security", args=[admin.pk, "reset_totp"]))
    assert response.status_code == 302
    admin.refresh_from_db()
    assert not admin.totp_enabled and admin.totp_secret == ""
    entry = AuditLog.objects.get(object_type="user", object_id=str(admin.pk), note="重置动态口令")
    assert entry.user == admins["security"] and entry.changes["totp_enabled_at"][1] is None


def test_administrator_token_needs_a_totp_code(users, settings):
    assert api_token("guanli", PASSWORD).status_code == 403
    assert "动态口令" in api_token("guanli", PASSWORD).json()["detail"]
    admin = users["admin"]
    secret = services.new_totp_secret()
    services.enable_totp(admin, secret, pyotp.TOTP(secret).now(), channel=Channel.PAGE)
    assert api_token("guanli", PASSWORD).status_code == 401
    assert api_token("guanli", PASSWORD, otp="000000").json()["detail"] == services.OTP_FAILED
    response = api_token("guanli", PASSWORD, otp=pyotp.TOTP(secret).at(time.time() + 30))
    assert response.status_code == 201
    assert bearer(response.json()["key"]).get("/api/accounts/me").json()["can_administer"] is True
    assert api_token("cun_a1", PASSWORD).status_code == 201  # optional for others


# --- API tokens -----------------------------------------------------------------------------------------------------


def test_expired_token_is_401(users, settings):
    key = api_token("cun_a1", PASSWORD).json()["key"]
    assert bearer(key).get("/api/accounts/me").status_code == 200
    ApiToken.objects.update(created=timezone.now() - dt.timedelta(days=settings.FUPIN_API_TOKEN_DAYS, seconds=1))
    response = bearer(key).get("/api/accounts/me")
    assert response.status_code == 401 and response.json()["detail"] == "令牌已过期，请重新获取"


def test_tokens_per_user_are_limited(users, settings):
    settings.FUPIN_API_TOKENS_PER_USER = 2
    first = api_token("cun_a1", PASSWORD).json()
    assert "expires" in first
    client = bearer(first["key"])
    assert client.post("/api/auth/tokens", data="{}", content_type="application/json").status_code == 201
    response = client.post("/api/auth/tokens", data="{}", content_type="application/json")
    assert response.status_code == 422 and "最多同时持有2个" in response.json()["detail"]
    assert api_token("cun_a1", PASSWORD).status_code == 422
    assert ApiToken.objects.filter(user=users["village_a1"]).count() == 2  # nothing revoked behind the user's back
    # Expired tokens do not count.
    ApiToken.objects.exclude(key_hash=ApiToken.digest(first["key"])).update(created=timezone.now() - dt.timedelta(days=60))
    assert client.post("/api/auth/tokens", data="{}", content_type="application/json").status_code == 201


def test_security_administrator_revokes_a_users_tokens(users, admins, api_client):
    api_client(users["village_a1"])
    response = api_client(admins["security"]).post(f"/api/accounts/users/{users['village_a1'].pk}/tokens/revoke")
    assert response.status_code == 200
    assert not ApiToken.objects.filter(user=users["village_a1"]).exists()
    assert AuditLog.objects.filter(object_type="apitoken", action="delete", user=admins["security"]).exists()
    assert api_client(users["admin"]).post(
        f"/api/accounts/users/{users['county'].pk}/tokens/revoke").status_code == 403


# --- 三员分立 ---------------------------------------------------------------------------------------------------------


def test_each_administrator_holds_one_power(users, admins):
    admin, security, audit = users["admin"], admins["security"], admins["audit"]
    assert (admin.can_administer, admin.can_manage_security, admin.can_read_audit) == (True, False, False)
    assert (security.can_administer, security.can_manage_security, security.can_read_audit) == (False, True, False)
    assert (audit.can_administer, audit.can_manage_security, audit.can_read_audit) == (False, False, True)
    root = User.objects.create_superuser("root", password=PASSWORD, role=Role.ADMIN)
    assert (root.can_administer, root.can_manage_security, root.can_read_audit) == (True, False, False)
    assert all(u.totp_required for u in (admin, security, audit, root)) and not users["county"].totp_required


def test_system_administrator_cannot_grant_security_or_audit_roles(users, admins, regions):
    admin = users["admin"]
    for role in (Role.SECURITY_ADMIN, Role.AUDIT_ADMIN):
        with pytest.raises(PermissionDenied, match="服务器运维人员"):
            services.create_user(User(username=f"x_{role}", role=role, region=regions["county"]), NEW_PASSWORD,
                                 acting_user=admin, channel=Channel.PAGE)
    himself = User.objects.get(pk=admin.pk)
    himself.role = Role.AUDIT_ADMIN
    with pytest.raises(PermissionDenied):
        services.update_user(himself, acting_user=admin, channel=Channel.PAGE)
    himself.role = Role.COUNTY
    with pytest.raises(PermissionDenied, match="自己的角色"):
        services.update_user(himself, acting_user=admin, channel=Channel.PAGE)
    assert User.objects.get(pk=admin.pk).role == Role.ADMIN
    security = admins["security"]
    security.password = ""
    with pytest.raises(PermissionDenied):  # nor take over a security administrator by resetting his password
        services.update_user(security, acting_user=users["admin"], channel=Channel.PAGE, password=NEW_PASSWORD)
    # The server operator creates them.
    services.create_user(User(username="anquan2", role=Role.SECURITY_ADMIN, region=regions["county"]),
                         NEW_PASSWORD, acting_user=None, channel=Channel.CLI)


def test_superuser_flag_only_with_the_system_administrator_role(regions):
    with pytest.raises(ValidationError, match="超级管理员只能是系统管理员"):
        services.create_user(User(username="root2", role=Role.AUDIT_ADMIN, is_superuser=True), NEW_PASSWORD,
                             acting_user=None, channel=Channel.CLI)


def test_role_changes_are_audited(users):
    target = users["village_a1"]
    target.role, target.region = Role.TOWNSHIP, target.region.parent
    services.update_user(target, acting_user=users["admin"], channel=Channel.PAGE)
    entry = AuditLog.objects.get(object_type="user", object_id=str(target.pk))
    assert entry.changes["role"] == ["village", "township"] and entry.user == users["admin"]


def test_pages_follow_the_three_roles(users, admins):
    def client_of(user):
        client = Client()
        client.force_login(user)
        return client

    admin, security, audit = (client_of(u) for u in (users["admin"], admins["security"], admins["audit"]))
    target = users["village_a1"].pk
    assert admin.get(reverse("accounts:user_edit", args=[target])).status_code == 200
    assert security.get(reverse("accounts:user_edit", args=[target])).status_code == 403
    listing = security.get(reverse("accounts:user_list")).content.decode()
    assert "重置动态口令" not in listing and "作废令牌" in listing and "新建用户" not in listing
    assert "作废令牌" not in admin.get(reverse("accounts:user_list")).content.decode()
    assert admin.post(reverse("accounts:user_security", args=[target, "unlock"])).status_code == 403
    assert security.post(reverse("accounts:user_security", args=[target, "unlock"])).status_code == 302
    for client, allowed in ((admin, False), (security, True), (audit, True)):
        assert (client.get(reverse("accounts:login_log")).status_code == 200) is allowed
    assert security.get(reverse("accounts:password_policy")).status_code == 200
    assert "密码有效期" in security.get(reverse("accounts:password_policy")).content.decode()
    assert admin.get(reverse("accounts:password_policy")).status_code == 403
    assert audit.get(reverse("accounts:user_list")).status_code == 403


def test_operator_resets_a_security_administrators_totp_from_the_command_line(admins):
    from django.core.management import call_command

    security = admins["security"]
    services.enable_totp(security, (secret := services.new_totp_secret()), pyotp.TOTP(secret).now(),
                         channel=Channel.PAGE)
    call_command("accountsecurity", "anquan", "--reset-totp", "--unlock")
    security.refresh_from_db()
    assert not security.totp_enabled and security.lockout_reset_at is not None
    entry = AuditLog.objects.get(object_type="user", object_id=str(security.pk), note="重置动态口令")
    assert entry.channel == Channel.CLI


def test_user_form_offers_no_operator_roles(users, admins):
    client = Client()
    client.force_login(users["admin"])
    page = client.get(reverse("accounts:user_create")).content.decode()
    assert 'value="admin"' in page and 'value="security_admin"' not in page and 'value="audit_admin"' not in page


def test_user_list_api_shows_locks_in_one_query(users, admins, api_client, settings, django_assert_max_num_queries):
    for _ in range(settings.FUPIN_LOGIN_MAX_FAILURES):
        page_login(Client(), "cun_a1", "Wrong2024x")
    client = api_client(admins["security"])
    with django_assert_max_num_queries(8):
        body = client.get("/api/accounts/users?page_size=100").json()
    assert {u["username"] for u in body["items"] if u["locked"]} == {"cun_a1"}
    services.unlock(users["village_a1"], acting_user=admins["security"], channel=Channel.API)
    assert not any(u["locked"] for u in client.get("/api/accounts/users?page_size=100").json()["items"])


def test_behind_our_proxy_the_visitor_ip_is_throttled_not_the_proxy(users, settings):
    settings.FUPIN_TRUSTED_PROXIES = ["127.0.0.1"]
    for _ in range(settings.FUPIN_LOGIN_MAX_FAILURES):
        Client().post(reverse("accounts:login"), {"username": "cun_a1", "password": "Wrong2024x"},
                      REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert set(LoginLog.objects.values_list("ip", flat=True)) == {"203.0.113.5"}
    response = Client().post(reverse("accounts:login"), {"username": "cun_a1", "password": PASSWORD},
                             REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert response.status_code == 302
