"""End-to-end in headless Chromium: the county uploads a death-record workbook, maps its columns, runs the
comparison and sees the suspect at the right village; the village verifies it."""

import re

import pytest

from conftest import new_id
from fupin.comparison.models import Suspect

from .conftest import write_xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_upload_map_run_and_verify(page_as, live_server, tmp_path, make_household, regions, users):
    dead = new_id()
    household = make_household(regions["village_b1"], head_name="王老汉", head_id=dead)
    make_household(regions["village_a1"], head_name="张健在")
    workbook = write_xlsx(tmp_path / "死亡名单.xlsx", ["姓名", "证件", "死亡日期"],
                          [["王老汉", " " + dead.lower(), "2024-03-05"], ["外县人", new_id(), "2024-03-06"]],
                          title="2024年3月火化人员名单")

    page = page_as(users["county"])
    page.goto(f"{live_server.url}/comparison/datasets/upload/")
    page.select_option("select[name=kind]", label="死亡人员")
    page.set_input_files("input[name=file]", str(workbook))
    page.fill("input[name=title]", "三月火化名单")
    page.get_by_test_id("next").click()

    # "证件" is no header the kind knows: the user points the ID field at it; the rest was matched.
    page.wait_for_url(re.compile(r"/mapping/$"))
    assert page.locator("select[name=name]").input_value() == "0"
    assert page.locator("select[name=death_date]").input_value() == "2"
    page.select_option("select[name=id_number]", label="证件")
    page.get_by_test_id("start-load").click()
    page.wait_for_url(re.compile(r"/comparison/datasets/\d+/$"))
    assert page.get_by_test_id("rows-read").inner_text() == "2"
    assert page.get_by_test_id("rows-stored").inner_text() == "2"

    page.get_by_test_id("run").click()
    assert page.locator("input[name=datasets]:checked").count() == 1
    page.get_by_test_id("start-run").click()
    page.wait_for_url(re.compile(r"/comparison/runs/\d+/$"))
    page.get_by_test_id("run-done").wait_for()
    assert "死亡人员仍在册" in page.get_by_test_id("run-results").inner_text()
    page.get_by_role("link", name="查看疑点").click()
    table = page.get_by_test_id("suspect-table")
    assert "王老汉" in table.inner_text() and "张健在" not in table.inner_text()
    assert page.get_by_test_id("village-code").all_inner_texts() == ["410481101201"]

    village = page_as(users["village_b1"])
    village.goto(f"{live_server.url}/comparison/suspects/")
    village.get_by_role("link", name="死亡人员仍在册").click()
    assert village.get_by_test_id("suspect-village").inner_text() == "410481101201"
    assert "三月火化名单" in village.get_by_test_id("evidence").inner_text()
    assert "2024-03-05" in village.get_by_test_id("evidence").inner_text()
    village.get_by_role("radio", name="属实", exact=True).check()
    village.fill("textarea[name=action_taken]", "已入户核实，启动成员自然减员")
    village.get_by_test_id("save-verification").click()
    assert village.get_by_test_id("suspect-status").inner_text() == "属实"
    assert "启动成员自然减员" in village.get_by_test_id("verification").inner_text()

    suspect = Suspect.objects.get()
    assert (suspect.status, suspect.household_id, suspect.verified_by) == ("confirmed", household.pk, users["village_b1"])

    # The county's dashboard counts it under 枣林镇.
    page.goto(f"{live_server.url}/comparison/dashboard/")
    row = page.get_by_test_id("township-table").locator("tr", has_text="枣林镇")
    assert "100.0%" in row.inner_text()
