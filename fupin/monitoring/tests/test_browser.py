"""The monitoring loop in a browser: a household's income collapses → the county runs the early warning → the
village verifies and starts inclusion → the procedure is approved → a measure and (on a phone) a visit are
recorded → income recovers → risk elimination closes it."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from fupin.accounts.models import Role, User
from fupin.assistance.models import Helper, Pairing
from fupin.core.channels import Channel
from fupin.monitoring.models import (
    Alert,
    AlertStatus,
    MonitoredHousehold,
    MonitoredStatus,
    Parameter,
)
from fupin.registry.models import IncomeAccount
from fupin.registry.services import save_income_account

from .conftest import YEAR

SECURE = {"food_secure": True, "clothing_secure": True, "education_secure": True, "medical_secure": True,
          "housing_secure": True, "water_secure": True}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_alert_to_risk_elimination(page_as, live_server, household, regions, users, flow):
    h = household(regions["village_a1"], income=3500, last=9500, security=SECURE, head_name="周大海")
    # The county lets risk elimination follow as soon as income is stable (the default waits six months).
    Parameter.objects.create(code="elimination_stable_months", name="风险消除收入稳定期", value=0,
                             region=regions["county"])
    helper_user = User.objects.create_user("bangfu1", password=PASSWORD, role=Role.VILLAGE,
                                           region=regions["village_a1"], full_name="李帮扶")
    helper = Helper.objects.create(name="李帮扶", unit="县财政局", region=regions["town_a"], user=helper_user,
                                   phone="13900000000")
    Pairing.objects.create(helper=helper, household=h, village=regions["village_a1"], start=timezone.localdate())

    # 1. The county runs the early warning from the page; the job page shows it finished.
    county = page_as(users["county"])
    county.goto(f"{live_server.url}/monitoring/runs/")
    county.select_option("select[name=region]", regions["county"].code)
    county.fill("input[name=year]", str(YEAR))
    county.click("[data-testid=run-monitoring]")
    county.wait_for_url(re.compile(r"/jobs/\d+/"))
    county.goto(f"{live_server.url}/monitoring/runs/")
    expect(county.get_by_test_id("run-table")).to_contain_text("监测预警")
    alert = Alert.objects.get(household=h)
    assert set(alert.rule_codes) == {"M01", "M02"}

    # 2. The village sees the alert with its explanation, verifies it and starts inclusion.
    village = page_as(users["village_a1"])
    village.goto(f"{live_server.url}/monitoring/alerts/")
    village.get_by_test_id("alert-link").filter(has_text=h.number).click()
    explanation = village.get_by_test_id("explanation")
    expect(explanation).to_contain_text("人均纯收入低于监测范围")
    expect(explanation).to_contain_text("3,500 元")
    expect(explanation).to_contain_text("收入大幅下降")
    form = village.get_by_test_id("include-form")
    form.locator("select[name=include-kind]").select_option("1")
    form.get_by_label("因务工就业不稳").check()
    form.locator("textarea[name=include-reason]").fill("入户核实：户主务工中断，家庭收入骤降")
    form.get_by_role("button", name="发起认定程序").click()
    expect(village.get_by_test_id("alert-status")).to_have_text("认定中")
    alert.refresh_from_db()

    # 3. Village appraisal and notice, township review and county decision on the procedures engine.
    flow.to_end(alert.procedure)
    village.reload()
    expect(village.get_by_test_id("alert-status")).to_have_text("已纳入监测")

    # 4. A measure is recorded on the monitored household's page.
    village.goto(f"{live_server.url}/monitoring/monitored/")
    village.get_by_test_id("monitored-link").filter(has_text=h.number).click()
    expect(village.get_by_test_id("monitored-status")).to_have_text("监测帮扶中")
    village.get_by_test_id("add-measure").click()
    village.select_option("select[name=kind]", "public_job")
    village.fill("input[name=content]", "安排村保洁公益岗位")
    village.fill("input[name=amount]", "6000")
    village.get_by_role("button", name="保存").click()
    expect(village.get_by_test_id("measure-table")).to_contain_text("安排村保洁公益岗位")

    # 5. The helper records a visit from a phone: my households → record visit → one tap phrase → save.
    phone = page_as(helper_user)
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(f"{live_server.url}/assistance/mine/")
    phone.get_by_test_id(f"visit-{h.number}").click()
    phone.get_by_role("button", name="落实措施").click()
    phone.set_input_files("input[name=photos]", files=[
        {"name": "visit.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8\xff\xe0fake-jpeg"}])
    phone.get_by_test_id("save-visit").click()
    # The phone's queue sends the visit at once when there is signal (fupin/assistance/tests/test_offline_browser.py).
    expect(phone.get_by_test_id("queued-visit").get_by_test_id("queue-state")).to_contain_text("已发送")
    phone.goto(f"{live_server.url}/assistance/mine/")
    expect(phone.get_by_test_id("my-households")).to_contain_text("上次走访")
    visit = h.visits.get()
    assert visit.helper == helper and "落实帮扶措施" in visit.content and visit.photos.count() == 1

    # 6. Income recovers; the village starts risk elimination, which is approved and closes the monitoring.
    account = IncomeAccount.objects.get(household=h, year=YEAR)
    account.wage_income = Decimal(12000)
    save_income_account(account, acting_user=users["county"], channel=Channel.PAGE)
    village.reload()
    # The village records the dated income check that elimination counts the stable months from.
    check = village.get_by_test_id("income-check-form")
    check.locator("input[name=income-per_capita_income]").fill("12000")
    check.get_by_role("button", name="登记收入核查").click()
    expect(village.get_by_test_id("income-checks")).to_contain_text("12000")
    form = village.get_by_test_id("elimination-form")
    form.locator("select[name=eliminate-method]").select_option("assisted")
    form.locator("textarea[name=eliminate-reason]").fill("公益岗位收入稳定，人均纯收入超过监测范围")
    form.get_by_role("button", name="发起风险消除程序").click()
    expect(village.get_by_test_id("monitoring-procedure").first).to_contain_text("风险消除")
    monitored = MonitoredHousehold.objects.get(household=h)
    flow.to_end(monitored.household.procedures.filter(kind="elimination").get())
    village.reload()
    expect(village.get_by_test_id("monitored-status")).to_have_text("风险已消除")
    monitored.refresh_from_db()
    assert monitored.status == MonitoredStatus.ELIMINATED and monitored.elimination_method == "assisted"
    assert Alert.objects.get(household=h).status == AlertStatus.INCLUDED
