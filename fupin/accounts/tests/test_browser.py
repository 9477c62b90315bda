"""End-to-end in headless Chromium: an administrator's first login binds a TOTP authenticator; the next asks for
the code; a new account's first login changes its password."""

import time

import pyotp
import pytest

from conftest import PASSWORD
from fupin.accounts import services
from fupin.accounts.models import Role, User
from fupin.core.channels import Channel

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _login(browser, live_server, username, password):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    return context, page


def test_administrator_binds_totp_then_logs_in_with_a_code(browser, live_server, users):
    context, page = _login(browser, live_server, "guanli", PASSWORD)
    page.wait_for_url("**/accounts/login/totp/")
    assert page.get_by_test_id("totp-qr").locator("svg").count() == 1
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.get_by_role("button", name="绑定").click()
    page.wait_for_url(lambda url: "/accounts/login" not in url)
    assert "guanli" in page.get_by_test_id("whoami").inner_text()
    context.close()

    context, page = _login(browser, live_server, "guanli", PASSWORD)
    page.wait_for_url("**/accounts/login/otp/")
    page.fill("input[name=code]", "000000")
    page.get_by_role("button", name="验证并登录").click()
    assert services.OTP_FAILED in page.content()
    page.fill("input[name=code]", pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="验证并登录").click()
    page.wait_for_url(lambda url: "/accounts/login" not in url)
    assert "guanli" in page.get_by_test_id("whoami").inner_text()
    context.close()


def test_first_login_changes_the_initial_password(browser, live_server, users, regions):
    services.create_user(User(username="xin", role=Role.VILLAGE, region=regions["village_a1"]), "Kx7mq2Tzv",
                         acting_user=users["admin"], channel=Channel.PAGE)
    context, page = _login(browser, live_server, "xin", "Kx7mq2Tzv")
    page.wait_for_url("**/accounts/password/")
    assert "首次登录须修改初始密码" in page.get_by_test_id("password-required").inner_text()
    page.goto(f"{live_server.url}/registry/households/")
    page.wait_for_url("**/accounts/password/")
    page.fill("input[name=old_password]", "Kx7mq2Tzv")
    page.fill("input[name=new_password1]", "Wq7rTz2024")
    page.fill("input[name=new_password2]", "Wq7rTz2024")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(lambda url: "/accounts/password/" not in url)
    page.goto(f"{live_server.url}/registry/households/")
    assert page.url.endswith("/registry/households/")
    context.close()
