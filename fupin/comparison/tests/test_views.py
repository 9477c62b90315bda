"""Comparison pages through the Django test client: the upload flow, runs, suspects, verification, dashboard."""

import io

import pytest
import python_calamine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, new_id
from fupin.comparison.actions.mappings import remembered_mapping
from fupin.comparison.models import ComparisonRun, Dataset, DatasetKind, Suspect

from .conftest import write_xlsx


@pytest.fixture
def client_as(db):
    def login(user):
        client = Client()
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return login


def test_upload_map_load_and_report(tmp_path, client_as, users, django_capture_on_commit_callbacks):
    client = client_as(users["county"])
    path = write_xlsx(tmp_path / "file.xlsx", ["姓名", "证件", "走的那天"], [["甲", new_id(), "2024-01-01"], ["乙", "坏号", ""]])
    with open(path, "rb") as fh:
        response = client.post(reverse("comparison:dataset_upload"), {"kind": DatasetKind.objects.get(code="death").pk,
                                                                      "file": fh, "title": "一月死亡"})
    assert response.status_code == 302
    mapping_url = response["Location"]
    page = client.get(mapping_url).content.decode()
    assert "走的那天" in page and "坏号" in page
    # 证件 is not a known header: the form shows the mapping for the user to complete.
    response = client.post(mapping_url, {"name": "0", "id_number": "", "death_date": "2"})
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(mapping_url, {"name": "0", "id_number": "1", "death_date": "2"})
    progress = client.get(response["Location"])
    dataset = Dataset.objects.get()
    assert progress.status_code == 302 and progress["Location"] == reverse("comparison:dataset_detail", args=[dataset.pk])
    page = client.get(progress["Location"]).content.decode()
    assert "一月死亡" in page and "证件号码应为18位" in page and 'data-testid="rows-stored">1<' in page
    assert remembered_mapping(DatasetKind.objects.get(code="death"), users["county"]) == {
        "姓名": "name", "证件": "id_number", "走的那天": "death_date"}
    response = client.get(reverse("comparison:dataset_rejected", args=[dataset.pk]))
    rows = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content))) \
        .get_sheet_by_index(0).to_python()
    assert rows[0][:3] == ["行号", "错误原因", "姓名"] and rows[1][3] == "坏号"
    assert client.get(reverse("comparison:dataset_list")).status_code == 200
    assert client.get(reverse("comparison:dataset_export")).status_code == 200


def test_village_pages_and_refusals(client_as, users):
    client = client_as(users["village_a1"])
    assert client.get(reverse("comparison:dataset_upload")).status_code == 403
    assert client.get(reverse("comparison:run_create")).status_code == 403
    assert client.get(reverse("comparison:reverse_lists")).status_code == 403
    for name in ("index", "suspect_list", "dashboard", "dataset_list", "kind_list", "run_list"):
        assert client.get(reverse(f"comparison:{name}")).status_code == 200, name


def test_run_verify_and_dashboard(client_as, users, load, make_household, regions, django_capture_on_commit_callbacks):
    dead = new_id()
    household = make_household(regions["village_a1"], head_name="张三", head_id=dead)
    dataset = load("death", ["姓名", "身份证号", "死亡日期"], [["张三", dead, "2024-01-01"]])
    county = client_as(users["county"])
    assert "张三" not in county.get(reverse("comparison:run_create")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = county.post(reverse("comparison:run_create"), {"datasets": [dataset.pk], "region": ""})
    run = ComparisonRun.objects.get()
    assert response["Location"] == reverse("comparison:run_detail", args=[run.pk])
    page = county.get(response["Location"]).content.decode()
    assert "比对完成" in page and "死亡人员仍在册" in page

    village = client_as(users["village_a1"])
    listing = village.get(reverse("comparison:suspect_list"), {"rule": "deceased_registered"}).content.decode()
    assert household.number in listing and "410481100201" in listing and dead not in listing  # masked
    suspect = Suspect.objects.get()
    url = reverse("comparison:suspect_detail", args=[suspect.pk])
    assert client_as(users["village_b1"]).get(url).status_code == 404
    response = village.post(url, {"conclusion": "rejected", "reason": "人还在"})
    assert "请上传佐证材料" in response.content.decode()
    photo = SimpleUploadedFile("现场照片.jpg", b"\xff\xd8\xff", content_type="image/jpeg")
    response = village.post(url, {"conclusion": "rejected", "reason": "人还在", "attachment": photo})
    assert response.status_code == 302
    page = village.get(url).content.decode()
    assert "不属实" in page and "人还在" in page and "下载佐证材料" in page
    household_page = village.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    assert 'data-testid="suspect-panel"' in household_page and "死亡人员仍在册" in household_page
    assert village.get(reverse("comparison:suspect_attachment", args=[suspect.pk])).status_code == 200

    runs = county.get(reverse("comparison:run_export"))
    rows = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(b"".join(runs.streaming_content))) \
        .get_sheet_by_index(0).to_python()
    assert rows[1][5] == "已完成" and "死亡人员仍在册：命中1，新增1" in rows[1][6]
    dashboard = county.get(reverse("comparison:dashboard")).content.decode()
    assert "尹集镇" in dashboard and "100.0%" in dashboard
    export = county.get(reverse("comparison:dashboard"), {"export": "1"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    export = county.get(reverse("comparison:suspect_export"), {"status": "rejected"})
    rows = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(b"".join(export.streaming_content))) \
        .get_sheet_by_index(0).to_python()
    assert len(rows) == 2 and rows[1][8] == "不属实"


def test_admin_defines_a_kind(client_as, users):
    admin = client_as(users["admin"])
    assert client_as(users["county"]).get(reverse("comparison:kind_create")).status_code == 403
    data = {"code": "village_cadre", "name": "村干部名单", "department": "组织部", "retention_days": "365",
            "active": "on", "fields-TOTAL_FORMS": "1", "fields-INITIAL_FORMS": "0", "fields-MIN_NUM_FORMS": "0",
            "fields-MAX_NUM_FORMS": "1000", "fields-0-name": "post", "fields-0-label": "职务", "fields-0-type": "text",
            "fields-0-aliases": "职务、担任职务", "fields-0-position": "3"}
    response = admin.post(reverse("comparison:kind_create"), data)
    assert response.status_code == 302, response.content.decode()
    kind = DatasetKind.objects.get(code="village_cadre")
    assert set(kind.fields.values_list("name", flat=True)) == {"id_number", "name", "post"}
    assert kind.fields.get(name="id_number").required


def test_reverse_list_page_for_a_department(client_as, users, make_household, regions):
    make_household(regions["village_a1"])
    users["department"].department = "医保"
    users["department"].save()
    page = client_as(users["department"]).get(reverse("comparison:reverse_lists")).content.decode()
    assert "资助参保人员名单" in page and "下载（1 人）" in page


def test_admin_adds_a_rule_and_sees_condition_errors(client_as, users):
    admin = client_as(users["admin"])
    kind = DatasetKind.objects.get(code="business")
    data = {"code": "big_business", "name": "注册资本较大的企业", "kind": kind.pk, "mode": "present",
            "condition": "d.registered_capital >= capital_of(d.business_name)", "active": "on"}
    response = admin.post(reverse("comparison:rule_create"), data)
    assert response.status_code == 200 and "条件无法执行" in response.content.decode()
    response = admin.post(reverse("comparison:rule_create"), data | {"condition": "d.registered_capital >= 100"})
    assert response.status_code == 302
    page = admin.get(reverse("comparison:kind_list")).content.decode()
    assert "big_business" in page and "注册资本较大的企业" in page
    assert "注册资本较大的企业" in admin.get(reverse("comparison:run_create")).content.decode()
