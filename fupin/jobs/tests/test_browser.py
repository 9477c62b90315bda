"""End-to-end in headless Chromium: an import from a phone, and the progress bar following a running job."""

import pytest

from conftest import new_id
from fupin.jobs.models import Job, Status
from fupin.registry.models import Household
from fupin.registry.tests.test_import_export import row, workbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PHONE = {"width": 390, "height": 844}


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_import_on_a_phone_from_the_list_to_the_result(page_as, live_server, users, regions, tmp_path):
    path = workbook(tmp_path, [row("4104811002010001", regions["village_a1"].code, "张三", new_id()),
                               row("4104811002010001", "", "李四", new_id(), relation="配偶")])
    page = page_as(users["village_a1"])
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/registry/households/")
    page.get_by_role("link", name="从 Excel 导入").click()
    assert fits_the_screen(page)
    page.get_by_test_id("template-link").wait_for()
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="上传并导入").click()
    page.get_by_test_id("job-result").wait_for()
    assert "导入成功：新增 1 户、2 人" in page.get_by_test_id("job-result").inner_text()
    assert fits_the_screen(page)
    assert Household.objects.get().size == 2


def test_progress_bar_follows_a_running_job_and_stops_polling(page_as, users):
    job = Job.objects.create(kind="registry.export_households", title="导出贫困户（12000 行）", user=users["county"],
                             status=Status.RUNNING, done=3000, total=12000, message="正在导出贫困户",
                             region_code=users["county"].region_id)
    page = page_as(users["county"])
    page.set_viewport_size(PHONE)
    page.goto(page.url.split("/registry")[0] + f"/jobs/{job.pk}/")
    progress = page.get_by_test_id("job-progress")
    assert "25%" in progress.inner_text() and "3,000 / 12,000" in progress.inner_text().replace("，", ",")
    Job.objects.filter(pk=job.pk).update(done=9000, message="正在导出第 9000 行")
    page.get_by_test_id("job-progress").filter(has_text="75%").wait_for(timeout=5000)  # CSP forbids eval'd waits
    Job.objects.filter(pk=job.pk).update(status=Status.SUCCEEDED, done=12000, result={"summary": "已导出 12000 行"})
    page.wait_for_selector("[data-testid=job-progress][data-status=succeeded]", timeout=5000)
    assert "已导出 12000 行" in page.get_by_test_id("job-result").inner_text()
    assert page.locator("[hx-trigger]").count() == 0  # finished: no more polling
    assert fits_the_screen(page)
