"""End-to-end in headless Chromium: a household from application to approved identification.

village starts identification → application and appraisal minutes attached → village notice published and visible
on the public page → objection lodged (no login) and answered → the notice period ends → township review →
county approval → the household's status changed and its history shows each step.
"""

import re

import pytest

from fupin.procedures.models import NoticeItem
from fupin.registry.choices import HouseholdStatus

from .conftest import YEAR, days_later

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def submit(page, locator) -> None:
    """Click a control that submits a form and wait for the page that answers it."""
    with page.expect_navigation():
        locator.click()


def attach(page, kind: str, filename: str, tmp_path):
    path = tmp_path / filename
    path.write_bytes(b"%PDF-1.4 scanned document")
    page.get_by_test_id("attach-form").locator("select[name=kind]").select_option(kind)
    page.get_by_test_id("attach-form").locator("input[name=file]").set_input_files(str(path))
    submit(page, page.get_by_test_id("attach-submit"))
    assert "附件已上传" in page.content()


def decide(page, decision="pass", comment=""):
    form = page.get_by_test_id("decide-form")
    form.locator(f"input[name=decision][value={decision}]").check()
    if comment:
        form.locator("textarea[name=comment]").fill(comment)
    submit(page, page.get_by_test_id("decide-submit"))


def publish(page, live_server, kind="publicity") -> None:
    """The account's level batches its procedures at a notice step into a notice of that kind and publishes it."""
    page.goto(f"{live_server.url}/procedures/notices/new/?kind={kind}")
    submit(page, page.get_by_test_id("notice-submit"))
    submit(page, page.get_by_test_id("notice-publish"))


def test_identification_from_application_to_approval(page_as, browser, live_server, regions, users,
                                                     household, accounts, monkeypatch, tmp_path):
    applicant = household(regions["village_a1"], status=HouseholdStatus.CANCELLED, category="4", head_name="刘二柱")
    accounts(applicant, 2000)

    # The village starts the identification; the form checks the preconditions first.
    village = page_as(users["village_a1"])
    village.goto(f"{live_server.url}/procedures/start/{applicant.pk}/")
    village.get_by_test_id("start-identification").click()
    assert village.locator("input[name=year]").input_value() == str(YEAR)
    submit(village, village.get_by_test_id("start-submit"))
    assert "请选择拟识别的贫困户属性" in village.get_by_test_id("start-problems").inner_text()
    village.select_option("select[name=category]", "2")
    village.select_option("select[name=main_cause]", "2")
    village.fill("textarea[name=reason]", "户主残疾，无劳动能力，申请纳入")
    submit(village, village.get_by_test_id("start-submit"))
    village.wait_for_url(re.compile(r"/procedures/\d+/$"))
    procedure_url = village.url
    pid = int(re.search(r"/procedures/(\d+)/$", procedure_url).group(1))
    assert "缺少必传附件：户申请书" in village.get_by_test_id("blockers").inner_text()

    attach(village, "application", "申请书.pdf", tmp_path)
    decide(village, comment="申请材料齐全")
    assert "办理：村民代表大会评议" in village.get_by_test_id("act-panel").inner_text()
    attach(village, "minutes", "村民代表大会评议记录.pdf", tmp_path)
    decide(village, comment="评议通过，赞成28票")
    assert "尚未发布“村级公示”公示" in village.get_by_test_id("blockers").inner_text()

    # The village batches it into a notice and publishes it.
    village.goto(f"{live_server.url}/procedures/notices/new/")
    assert "刘二柱" in village.get_by_test_id("eligible").inner_text()
    village.fill("input[name=contact]", "张庄村委会 0375-8000000")
    submit(village, village.get_by_test_id("notice-submit"))
    submit(village, village.get_by_test_id("notice-publish"))
    assert "公示中" in village.get_by_test_id("notice-status").inner_text()
    title = village.locator("h1").inner_text()

    # The public sees it without logging in, and lodges an objection.
    public = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    public.goto(f"{live_server.url}/public/notices/?region=410481100201")
    public.get_by_role("link", name=re.compile(re.escape(title))).click()
    assert "刘二柱" in public.get_by_test_id("public-notice").inner_text()
    assert applicant.members.get().id_number not in public.content()
    item = NoticeItem.objects.get(procedure_id=pid)
    public.select_option("select[name=item]", str(item.pk))
    public.fill("input[name=name]", "李群众")
    public.fill("input[name=contact]", "13912345678")
    public.fill("textarea[name=content]", "听说该户儿子在县城买了房")
    submit(public, public.get_by_test_id("objection-submit"))
    assert "异议已提交" in public.get_by_test_id("objection-lodged").inner_text()

    # After the period the objection still holds the household, until the village answers it.
    with days_later(monkeypatch, 7):
        village.goto(procedure_url)
        assert "有1条异议尚未答复" in village.get_by_test_id("blockers").inner_text()
        village.goto(f"{live_server.url}/procedures/notices/")
        village.get_by_role("link", name=title).click()
        assert "听说该户儿子在县城买了房" in village.get_by_test_id("objection").inner_text()
        village.get_by_test_id("answer-form").locator("textarea").fill("经入户核实，房屋为其子婚后分户自购，不影响识别")
        submit(village, village.get_by_test_id("answer-submit"))
        assert "已答复" in village.get_by_test_id("objection").inner_text()
        village.goto(procedure_url)
        decide(village, comment="公示期满，异议已核实答复")
        assert "乡镇审核" in village.get_by_test_id("steps").inner_text()

        # Township review.
        township = page_as(users["town_a"])
        township.goto(f"{live_server.url}/procedures/?todo=on")
        township.get_by_role("link", name=f"#{pid}").click()
        attach(township, "survey", "入户核实表.pdf", tmp_path)
        decide(township, comment="入户核实属实")
        publish(township, live_server)  # 乡镇公示

        with days_later(monkeypatch, 7):
            township.goto(procedure_url)
            decide(township, comment="乡镇公示期满无异议")
            # County approval, then its announcement; the register changes when the announcement has run.
            county = page_as(users["county"])
            county.goto(procedure_url)
            decide(county, comment="同意纳入")
            assert "尚未发布“县级公告”公告" in county.get_by_test_id("blockers").inner_text()
            publish(county, live_server, "announcement")
            with days_later(monkeypatch, 7):
                county.goto(procedure_url)
                decide(county, comment="公告期满无异议")
                assert "已审批" in county.get_by_test_id("procedure-status").inner_text()
                assert "新识别" in county.get_by_test_id("household-status").inner_text()

    applicant.refresh_from_db()
    assert (applicant.status, applicant.identification_year, applicant.category) == ("4", YEAR, "2")
    county.goto(f"{live_server.url}/registry/households/{applicant.pk}/")
    county.get_by_test_id("history-tab").click()
    history = county.get_by_test_id("history").inner_text()
    for step in ("户申请发起", "户申请通过", "村民代表大会评议通过", "村级公示通过", "乡镇审核通过", "乡镇公示通过",
                 "县级审批通过", "县级公告通过", "县级公告审批通过"):
        assert f"识别纳入程序 #{pid}" in history and step in history, step
    assert "上传民主评议会议记录" in history


def test_yearly_adjustment_exit_announcement_and_closing(page_as, live_server, regions, users, household,
                                                         accounts, monkeypatch, tmp_path):
    """county opens the year → proposal job → village confirms → bulk start → exit through every step →
    county announcement printed as PDF → county closes the year and the snapshot is frozen."""
    poor = household(regions["village_a1"], head_name="赵富贵")
    accounts(poor, 3800)

    county = page_as(users["county"])
    county.goto(f"{live_server.url}/procedures/adjustments/")
    county.fill("input[name=year]", str(YEAR))
    submit(county, county.get_by_test_id("open-submit"))
    county.wait_for_url(re.compile(r"/procedures/adjustments/\d+/$"))
    adjustment_url = county.url
    submit(county, county.get_by_test_id("propose"))
    county.wait_for_url(re.compile(r"/jobs/\d+/$"))
    assert "脱贫退出1户" in county.get_by_test_id("job-progress").inner_text()

    village = page_as(users["village_a1"])
    village.goto(adjustment_url)
    assert "赵富贵" in village.get_by_test_id("candidates").inner_text()
    village.get_by_test_id("candidates").locator("input[name=candidates]").first.check()
    village.get_by_test_id("candidate-decision").locator("input[name=reason]").fill("收入稳定，同意退出")
    submit(village, village.get_by_test_id("candidates-submit"))
    assert "已确认" in village.get_by_test_id("candidates").inner_text()
    submit(village, village.get_by_test_id("start-bulk"))
    village.wait_for_url(re.compile(r"/jobs/\d+/$"))
    assert "已发起1个程序" in village.get_by_test_id("job-progress").inner_text()

    village.goto(adjustment_url)
    village.get_by_test_id("candidates").get_by_role("link", name=re.compile(r"#\d+")).click()
    procedure_url = village.url
    attach(village, "income", "收支测算表.pdf", tmp_path)
    attach(village, "minutes", "评议记录.pdf", tmp_path)
    decide(village)
    attach(village, "acknowledgement", "户签字确认书.pdf", tmp_path)
    decide(village)
    village.goto(f"{live_server.url}/procedures/notices/new/")
    submit(village, village.get_by_test_id("notice-submit"))
    submit(village, village.get_by_test_id("notice-publish"))
    with days_later(monkeypatch, 7):
        village.goto(procedure_url)
        decide(village)
        township = page_as(users["town_a"])
        township.goto(procedure_url)
        attach(township, "survey", "入户核实表.pdf", tmp_path)
        decide(township)
        publish(township, live_server)  # 乡镇公示
        with days_later(monkeypatch, 7):
            township.goto(procedure_url)
            decide(township)
            county.goto(procedure_url)
            decide(county, comment="同意退出")
            # The county announces the result and prints it; the exit takes effect when the announcement has run.
            county.goto(f"{live_server.url}/procedures/notices/new/?kind=announcement")
            assert "赵富贵" in county.get_by_test_id("eligible").inner_text()
            submit(county, county.get_by_test_id("notice-submit"))
            submit(county, county.get_by_test_id("notice-publish"))
            pdf = county.request.get(live_server.url + county.get_by_test_id("notice-pdf").get_attribute("href"))
            assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
            with days_later(monkeypatch, 7):
                county.goto(procedure_url)
                decide(county, comment="公告期满无异议")
                assert "已脱贫" in county.get_by_test_id("household-status").inner_text()

    # Closing freezes the year.
    county.goto(adjustment_url)
    county.once("dialog", lambda dialog: dialog.accept())
    submit(county, county.get_by_test_id("close"))
    assert "已关闭" in county.get_by_test_id("adjustment-status").inner_text()
    assert "已脱贫：1户 1人" in county.get_by_test_id("snapshot").inner_text()
    poor.refresh_from_db()
    assert (poor.status, poor.exit_year, poor.enjoys_policy) == ("2", YEAR, True)
