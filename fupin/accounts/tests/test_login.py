import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from conftest import PASSWORD
from fupin.accounts import services
from fupin.accounts.models import LoginLog, Role, User
from fupin.core.channels import Channel


def login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_login_logs_success_and_failure(client, users):
    assert login(client, "cun_a1", "wrong-pass1").status_code == 200
    response = login(client, "cun_a1", PASSWORD)
    assert response.status_code == 302
    logs = list(LoginLog.objects.filter(username="cun_a1").order_by("time"))
    assert [log.success for log in logs] == [False, True]
    assert logs[0].region_code == users["village_a1"].region_id


def test_lockout_after_repeated_failures(client, users, admins, settings):
    for _ in range(settings.FUPIN_LOGIN_MAX_FAILURES):
        response = login(client, "cun_a1", "wrong-pass1")
    assert services.locked_usernames(["cun_a1"]) == {"cun_a1"}
    # Even the right password is refused while locked.
    response = login(client, "cun_a1", PASSWORD)
    assert response.status_code == 200 and services.LOGIN_FAILED in response.content.decode()
    user = User.objects.get(username="cun_a1")
    with pytest.raises(PermissionDenied):  # 三员分立: unlocking is the security administrator's
        services.unlock(user, acting_user=users["admin"], channel=Channel.PAGE)
    services.unlock(user, acting_user=admins["security"], channel=Channel.PAGE)
    assert login(client, "cun_a1", PASSWORD).status_code == 302


def test_pages_need_login_and_session_is_idle_limited(client, db, settings):
    response = client.get(reverse("registry:household_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_COOKIE_AGE <= 3600


def test_password_policy(users):
    weak = User(username="new1", role=Role.VILLAGE, region=users["village_a1"].region)
    with pytest.raises(ValidationError) as exc:
        services.create_user(weak, "abcdefgh", acting_user=users["admin"], channel=Channel.PAGE)
    assert "字母和数字" in str(exc.value)
    services.create_user(weak, "Kx7mq2Tzv", acting_user=users["admin"], channel=Channel.PAGE)


def test_admin_manages_only_own_subtree(users, regions):
    from fupin.regions.models import Level, Region

    other_county = Region.objects.create(
        code="410482000000", name="外县", level=Level.COUNTY, parent=regions["city"]
    )
    with pytest.raises(PermissionDenied):
        services.create_user(
            User(username="x1", role=Role.COUNTY, region=other_county), "Kx7mq2Tzv",
            acting_user=users["admin"], channel=Channel.PAGE,
        )
    with pytest.raises(PermissionDenied):
        services.create_user(
            User(username="x2", role=Role.VILLAGE, region=regions["village_a1"]), "Kx7mq2Tzv",
            acting_user=users["county"], channel=Channel.PAGE,
        )
    with pytest.raises(ValidationError) as exc:
        services.create_user(
            User(username="x3", role=Role.VILLAGE, region=regions["town_a"]), "Kx7mq2Tzv",
            acting_user=users["admin"], channel=Channel.PAGE,
        )
    assert "村级" in str(exc.value)


def test_user_pages_scope(client, users):
    client.force_login(users["admin"])
    response = client.get(reverse("accounts:user_list"))
    assert response.status_code == 200 and "cun_a1" in response.content.decode()
    client.force_login(users["village_a1"])
    assert client.get(reverse("accounts:user_list")).status_code == 403


def test_createuser_cli(regions):
    from django.core.management import CommandError, call_command

    call_command("createuser", "cli_user", "--role", "township", "--region", regions["town_a"].code,
                 "--password", "Kx7mq2Tzv")
    user = User.objects.get(username="cli_user")
    assert user.check_password("Kx7mq2Tzv") and user.region == regions["town_a"]
    with pytest.raises(CommandError, match="字母和数字"):
        call_command("createuser", "cli_user2", "--role", "county", "--region", regions["county"].code,
                     "--password", "abcdefghij")
