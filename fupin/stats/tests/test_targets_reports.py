import io
import tempfile
from pathlib import Path

import pytest
import xlsxwriter
from django.urls import reverse

from fupin.core import excel
from fupin.stats.models import Target
from fupin.stats.rebuild import rebuild

from .helpers import login


@pytest.fixture
def rebuilt(county_data):
    rebuild("410481", county_data["year"])
    return county_data


def _workbook(rows):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    for r, row in enumerate([["区划代码", "年度", "指标", "目标值", "说明"], *rows]):
        for c, value in enumerate(row):
            sheet.write_string(r, c, str(value))
    book.close()
    buffer.seek(0)
    buffer.name = "目标.xlsx"
    return buffer


def test_target_form_and_progress(client, rebuilt, users, regions, django_assert_max_num_queries):
    login(client, users["county"])
    response = client.post(reverse("stats:target_create"), {
        "region": regions["county"].code, "year": rebuilt["year"], "indicator": "funds.disbursed", "value": "150000"})
    assert response.status_code == 302
    target = Target.objects.get()
    client.get(reverse("stats:target_list"))
    with django_assert_max_num_queries(10):
        body = client.get(reverse("stats:target_list")).content.decode()
    assert "已拨付资金" in body and "50.0%" in body  # 75,000 of 150,000
    login(client, users["town_a"])
    assert "暂无目标任务" in client.get(reverse("stats:target_list")).content.decode()
    refused = client.post(reverse("stats:target_edit", args=[target.pk]), {})
    assert refused.status_code == 404


def test_target_import_is_checked_by_row_and_atomic(client, rebuilt, users, regions):
    login(client, users["county"])
    year = rebuilt["year"]
    bad = _workbook([[regions["county"].code, year, "当年脱贫人数", "20", ""],
                     [regions["county"].code, year, "没有的指标", "1", ""],
                     ["410482000000", year, "registry.exit_people", "5", ""]])
    body = client.post(reverse("stats:target_import"), {"file": bad}).content.decode()
    assert "第3行" in body and "第4行" in body and Target.objects.count() == 0
    good = _workbook([[regions["county"].code, year, "当年脱贫人数", "20", "县定任务"],
                      [regions["town_a"].code, year, "funds.disbursed", "300000", ""]])
    assert client.post(reverse("stats:target_import"), {"file": good}).status_code == 302
    assert Target.objects.count() == 2
    template = client.get(reverse("stats:target_template"))
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxml")


def test_report_page_and_download(client, rebuilt, users, regions):
    login(client, users["county"])
    url = reverse("stats:report_detail", args=["TP01"])
    body = client.get(url, {"year": rebuilt["year"]}).content.decode()
    assert 'data-testid="report-table"' in body and 'colspan="2"' in body and "尹集镇" in body
    response = client.get(url, {"year": rebuilt["year"], "format": "xlsx"})
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp:
        Path(tmp.name).write_bytes(response.content)
        sheet = excel.read(tmp.name)
        cells = [r.cells for r in sheet.rows]
    assert sheet.header[0] == "脱贫攻坚进展情况统计表"
    assert cells[1][:4] == ["区划", "建档立卡户", "", "其中：未脱贫"]
    assert cells[2][1:3] == ["户数", "人数"]
    assert cells[3][0] == "尹集镇" and cells[5][0] == "合计" and cells[5][1] == "7"
    assert any(c[0].startswith("数据截至") for c in cells)
    assert client.get(url, {"year": "x"}).status_code == 200  # a bad year is a form error, not a crash
