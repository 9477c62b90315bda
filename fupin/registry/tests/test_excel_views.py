"""Import and export pages: upload → job → households; template; small exports download, big ones become jobs."""

import io

import pytest
import python_calamine
from django.urls import reverse

from conftest import PASSWORD, new_id
from fupin.audit.models import AuditLog
from fupin.jobs import exports
from fupin.jobs.models import Job, Status
from fupin.registry.models import Household
from fupin.registry.tests.test_import_export import row, workbook


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def rows_of(response):
    content = b"".join(response.streaming_content)
    return list(python_calamine.load_workbook(io.BytesIO(content)).get_sheet_by_index(0).iter_rows())


def test_upload_runs_the_import_job_and_shows_its_result(client, users, regions, tmp_path,
                                                         django_capture_on_commit_callbacks):
    login(client, users["village_a1"])
    assert client.get(reverse("registry:household_import")).status_code == 200
    path = workbook(tmp_path, [row("4104811002010001", regions["village_a1"].code, "张三", new_id())])
    with django_capture_on_commit_callbacks(execute=True), open(path, "rb") as fh:
        response = client.post(reverse("registry:household_import"), {"file": fh})
    job = Job.objects.exclude(kind="stats.rebuild").get()  # the statistics rebuild follows the batch
    assert response.status_code == 302 and response.url == reverse("jobs:detail", args=[job.pk])
    assert (job.status, job.kind, job.result["households"], job.result["members"]) == (
        Status.SUCCEEDED, "registry.import_households", 1, 1)
    assert Household.objects.get().number == "4104811002010001"
    page = client.get(response.url).content.decode()
    assert "导入成功：新增 1 户、1 人" in page and "hx-get" not in page


def test_failed_import_job_offers_the_error_workbook(client, users, regions, tmp_path,
                                                     django_capture_on_commit_callbacks):
    login(client, users["village_a1"])
    path = workbook(tmp_path, [row("4104811012010001", regions["village_b1"].code, "张三", new_id())])
    with django_capture_on_commit_callbacks(execute=True), open(path, "rb") as fh:
        client.post(reverse("registry:household_import"), {"file": fh})
    job = Job.objects.exclude(kind="stats.rebuild").get()
    assert job.status == Status.FAILED and "发现 1 处错误" in job.message
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "管辖范围" in page and reverse("jobs:download", args=[job.pk, "errors"]) in page
    lines = rows_of(client.get(reverse("jobs:download", args=[job.pk, "errors"])))
    assert lines[1][:2] == [2.0, "村代码"] and "张三" in lines[1]
    assert not Household.objects.exists()


def test_upload_of_another_file_type_is_refused(client, users, regions):
    login(client, users["village_a1"])
    upload = io.BytesIO(b"hello")
    upload.name = "list.docx"
    response = client.post(reverse("registry:household_import"), {"file": upload})
    assert response.status_code == 200 and "不支持的文件类型" in response.content.decode()
    assert not Job.objects.exists()


def test_read_only_users_get_no_import_page(client, users, regions):
    login(client, users["leader"])
    assert client.get(reverse("registry:household_import")).status_code == 403


def test_template_download_uses_one_of_the_users_villages(client, users, regions):
    login(client, users["town_b"])
    lines = rows_of(client.get(reverse("registry:import_template")))
    assert lines[0][:2] == ["户编号", "村代码"] and lines[1][1] == regions["village_b1"].code


def test_small_export_downloads_masked_and_is_audited(client, users, regions, make_household):
    household = make_household(regions["village_a1"])
    login(client, users["leader"])  # read-only: no full export, so no choice page
    response = client.get(reverse("registry:household_export"), {"status": "1"})
    assert response["Content-Disposition"].startswith("attachment")
    lines = rows_of(response)
    assert lines[1][0] == household.number and household.head_id_number not in lines[1]
    assert AuditLog.objects.get(action="export", user=users["leader"]).note.startswith("证件号码已脱敏")
    assert client.get(reverse("registry:household_export"), {"full": "1"}).status_code == 403


def test_writers_choose_between_masked_and_full(client, users, regions, make_household):
    household = make_household(regions["village_a1"])
    login(client, users["village_a1"])
    page = client.get(reverse("registry:member_export"), {"q": "张"}).content.decode()
    assert 'data-testid="export-full"' in page and "full=1" in page and "q=%E5%BC%A0" in page
    lines = rows_of(client.get(reverse("registry:member_export"), {"q": "张", "full": "1"}))
    assert household.head_id_number in lines[1]
    assert "完整证件号码" in AuditLog.objects.get(action="export").note


def test_big_export_runs_as_a_job(client, users, regions, make_household, monkeypatch,
                                  django_capture_on_commit_callbacks):
    monkeypatch.setattr(exports, "SYNC_LIMIT", 1)
    make_household(regions["village_a1"])
    make_household(regions["village_b1"])
    login(client, users["county"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("registry:household_export"), {"full": "0"})
    job = Job.objects.get()
    assert response.url == reverse("jobs:detail", args=[job.pk])
    assert (job.status, job.result["rows"], job.done, job.total) == (Status.SUCCEEDED, 2, 2, 2)
    download = client.get(reverse("jobs:download", args=[job.pk, "result"]))
    assert download["Content-Disposition"].startswith("attachment") and len(rows_of(download)) == 3
    # Only the owner or an administrator of the scope gets the file.
    client.logout()
    login(client, users["town_a"])
    assert client.get(reverse("jobs:download", args=[job.pk, "result"])).status_code == 403
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 403
    client.logout()
    login(client, users["admin"])
    assert client.get(reverse("jobs:download", args=[job.pk, "result"])).status_code == 200


@pytest.mark.parametrize("name,user", [("accounts:user_export", "admin"), ("accounts:login_log_export", "security"),
                                       ("audit:audit_export", "county"), ("regions:region_export", "county")])
def test_other_list_exports(client, users, admins, regions, make_household, name, user):
    from fupin.accounts.models import LoginLog

    make_household(regions["village_a1"])
    LoginLog.objects.create(username="xian", user=users["county"], success=True, region_code=regions["county"].code)
    login(client, {**users, **admins}[user])
    lines = rows_of(client.get(reverse(name)))
    assert len(lines) >= 2 and all(isinstance(v, str) for v in lines[0])


def test_user_export_is_for_administrators(client, users, regions):
    login(client, users["county"])
    assert client.get(reverse("accounts:user_export")).status_code == 403
