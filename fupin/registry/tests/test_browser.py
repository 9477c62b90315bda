"""End-to-end: the registry in headless Chromium, as a village and a township would use it."""

import re

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_village_account_searches_edits_and_sees_history(page_as, live_server, make_household, regions, users):
    mine = make_household(regions["village_a1"], head_name="张建国")
    make_household(regions["village_a1"], head_name="张建军")
    make_household(regions["village_b1"], head_name="王外村")

    call_command("stats_rebuild")  # the overview reads the aggregates
    page = page_as(users["village_a1"])
    assert page.get_by_test_id("card-registry.households").inner_text().startswith("2")  # only this village
    page.get_by_role("link", name="贫困户", exact=True).click()
    table = page.get_by_test_id("household-table")
    assert "张建国" in table.inner_text() and "王外村" not in table.inner_text()
    assert "共 2 条" in page.get_by_test_id("total-count").inner_text()

    page.fill("input[name=q]", "张建国")
    page.get_by_role("button", name="查询").click()
    assert "共 1 条" in page.get_by_test_id("total-count").inner_text()
    page.get_by_role("link", name=mine.number).click()
    assert "张建国户" in page.locator("h1").inner_text()

    page.get_by_role("link", name="编辑户信息").click()
    page.fill("input[name=address]", "尹集镇张庄村幸福路3号")
    page.fill("input[name=phone]", "13912345678")
    page.get_by_test_id("save").click()
    page.wait_for_url(re.compile(rf"/registry/households/{mine.pk}/$"))
    page.get_by_test_id("history-tab").click()
    history = page.get_by_test_id("history").inner_text()
    assert "幸福路3号" in history and "cun_a1" in history and "页面" in history and "修改" in history

    # Opening a full ID number shows it and is recorded.
    member = mine.members.get()
    page.get_by_role("tab", name=re.compile("家庭成员")).click()
    page.get_by_test_id(f"reveal-{member.pk}").click()
    assert page.get_by_test_id("full-id").inner_text() == member.id_number


def test_township_cannot_reach_other_township_by_url_or_api(page_as, live_server, make_household, regions, users):
    other = make_household(regions["village_b1"], head_name="枣林户")
    page = page_as(users["town_a"])
    response = page.goto(f"{live_server.url}/registry/households/{other.pk}/")
    assert response.status == 404
    api = page.request.get(f"{live_server.url}/api/households/{other.pk}")
    assert api.status == 404
    page.goto(f"{live_server.url}/registry/households/?q=枣林户")
    assert "枣林户" not in page.get_by_test_id("household-table").inner_text()


def test_phone_layout_shows_household_list(browser, live_server, make_household, regions, users):
    from conftest import PASSWORD

    make_household(regions["village_a1"], head_name="手机户")
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", users["village_a1"].username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"{live_server.url}/registry/households/")
    assert "手机户" in page.get_by_test_id("household-table").inner_text()
    # The menu collapses behind the toggler on a phone.
    assert page.locator(".navbar-toggler").is_visible()
    context.close()
