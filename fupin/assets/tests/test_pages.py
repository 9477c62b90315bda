"""Pages, export, import, CLI and the panels of 扶贫项目资产."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from conftest import PASSWORD
from fupin.assets import imports
from fupin.assets.models import Asset, ChangeRequest, Distribution
from fupin.core import excel
from fupin.core.channels import Channel

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def login(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def test_list_filters_and_pinned_queries(client, make_asset, users, regions, django_assert_num_queries):
    for n in range(3):
        make_asset(name=f"扶贫车间{n}")
    make_asset(name="村道", kind="2", sub_kind="21", region=regions["village_b1"])
    login(client, users["county"])
    client.get(reverse("assets:list"))  # sessions and menu caches warm
    # session, user, region, totals, count, page rows, the session's save (savepoint, update, release)
    with django_assert_num_queries(9):
        response = client.get(reverse("assets:list"), {"kind": "1"})
    body = response.content.decode()
    assert "扶贫车间0" in body and "村道" not in body
    response = client.get(reverse("assets:list"), {"region": regions["village_b1"].code})
    assert "村道" in response.content.decode() and "扶贫车间0" not in response.content.decode()


def test_village_sees_only_its_assets_and_404_elsewhere(client, make_asset, users, regions):
    mine = make_asset()
    other = make_asset(name="王庄村大棚", region=regions["village_b1"])
    login(client, users["village_a1"])
    assert "王庄村大棚" not in client.get(reverse("assets:list")).content.decode()
    assert client.get(reverse("assets:detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("assets:detail", args=[mine.pk])).status_code == 200


def test_detail_query_count_is_pinned(client, operating, users, poor, django_assert_num_queries):
    from fupin.assets import services

    services.apply_plan(operating, YEAR, acting_user=None, channel=Channel.CLI)
    login(client, users["county"])
    client.get(reverse("assets:detail", args=[operating.pk]))
    with django_assert_num_queries(14):
        response = client.get(reverse("assets:detail", args=[operating.pk]))
    body = response.content.decode()
    assert "按方案分配" in body and poor[0].number in body and "张庄村集体经济组织" in body


def test_finance_reads_but_gets_no_forms_and_is_refused(client, operating, finance):
    login(client, finance)
    response = client.get(reverse("assets:detail", args=[operating.pk]))
    assert response.status_code == 200 and 'data-testid="income-form"' not in response.content.decode()
    response = client.post(reverse("assets:maintenance_add", args=[operating.pk]),
                           {"date": "2024-01-01", "responsible": "x", "content": "y", "cost": "0"}, follow=True)
    assert "只能查看" in response.content.decode()
    assert client.get(reverse("assets:create")).status_code == 403


def test_create_request_and_approve_through_pages(client, users, regions):
    login(client, users["village_a1"])
    response = client.post(reverse("assets:create"), {
        "name": "张庄村冷库", "kind": "1", "sub_kind": "11", "region": regions["village_a1"].code,
        "value": "120000", "formed_on": f"{YEAR}-03-01", "fund_source": "integrated", "owner": "张庄村集体",
        "plan": "",
    })
    asset = Asset.objects.get(name="张庄村冷库")
    assert response.status_code == 302
    client.post(reverse("assets:change_request", args=[asset.pk]),
                {"kind": "status", "new_status": "idle", "reason": "停用待修"})
    change = ChangeRequest.objects.get(asset=asset)
    response = client.post(reverse("assets:change_decide", args=[asset.pk, change.pk]), {"decision": "approve"},
                           follow=True)
    assert "县级审批" in response.content.decode()
    login(client, users["county"])
    client.post(reverse("assets:change_decide", args=[asset.pk, change.pk]), {"decision": "approve"})
    asset.refresh_from_db()
    assert asset.status == "idle"


def test_distribution_over_the_income_is_refused_on_the_page(client, operating, poor, users):
    login(client, users["village_a1"])
    response = client.post(reverse("assets:distribute", args=[operating.pk]), {
        "year": YEAR, "reason": "分红", "lines": f"{poor[0].number} 6000\n{poor[1].number} 4500 分红"}, follow=True)
    assert "超过该资产" in response.content.decode()
    assert not Distribution.objects.exists()


def test_household_file_and_manual_show_the_ledger(operating, poor, users):
    from django.template.loader import render_to_string

    from fupin.assets import services
    from fupin.registry.panels import HOUSEHOLD_PANELS

    services.apply_plan(operating, YEAR, acting_user=None, channel=Channel.CLI)
    assert "assets/_household_panel.html" in list(HOUSEHOLD_PANELS)
    panel = render_to_string("assets/_household_panel.html", {"household": poor[0], "user": users["village_a1"]})
    assert 'data-testid="asset-income-panel"' in panel and "3,000.00" in panel and operating.name in panel
    panel = render_to_string("assets/_household_panel.html", {"household": poor[0], "user": users["village_b1"]})
    assert 'data-testid="asset-income-panel"' not in panel  # out of scope
    panel = render_to_string("assets/_household_panel.html", {"household": poor[2], "user": users["village_a1"]})
    assert 'data-testid="asset-income-panel"' not in panel
    section = render_to_string("assets/_manual_section.html", {"household": poor[0], "user": users["village_a1"]})
    assert "资产收益分配" in section and "3000.00" in section
    section = render_to_string("assets/_manual_section.html", {"household": poor[2], "user": users["village_a1"]})
    assert "无" in section


def test_project_panel_hands_over(client, project, users):
    login(client, users["county"])
    body = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'data-testid="handover-form"' in body
    data = {"name": project.name, "kind": "1", "sub_kind": "11", "value": "300000", "formed_on": f"{YEAR}-06-30",
            "fund_source": "special", "owner": "张庄村集体经济组织", "plan": ""}
    response = client.post(reverse("assets:handover", args=[project.pk]), data)
    asset = Asset.objects.get(project=project)
    assert response.url == reverse("assets:detail", args=[asset.pk])
    body = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "已移交为资产" in body


def test_export_then_import_with_row_errors(client, make_asset, users, regions, tmp_path):
    make_asset()
    login(client, users["county"])
    response = client.get(reverse("assets:export"), {"full": "0"})
    assert response.status_code == 200
    path = tmp_path / "资产.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    result = imports.import_assets(path, acting_user=users["county"], channel=Channel.IMPORT)
    assert result.ok and Asset.objects.count() == 2

    header = ["资产名称", "资产类别", "资产子类", "所在区划代码", "资产原值（元）", "形成日期", "资金来源", "所有权人"]
    bad = tmp_path / "错.xlsx"
    excel.write_table(bad, "资产", [excel.Col(h) for h in header], [
        ["好资产", "经营性资产", "产业就业类固定资产", regions["village_a1"].code, "100", "2022-01-01", "财政专项扶贫资金", "村集体"],
        ["坏资产", "经营性资产", "公益性基础设施", regions["village_a1"].code, "abc", "2022-13-01", "财政专项扶贫资金", "村集体"],
        ["外县", "公益性资产", "公益性基础设施", "410482000000", "1", "2022-01-01", "无此来源", ""],
    ])
    result = imports.import_assets(bad, acting_user=users["village_a1"], channel=Channel.IMPORT)
    found = {(e.row, e.column) for e in result.errors}
    assert not result.ok and Asset.objects.count() == 2
    assert {(3, "资产原值（元）"), (3, "形成日期"), (4, "资金来源"), (4, "所有权人")} <= found


def test_cli_income_prints_and_applies_once(operating, poor):
    out = io.StringIO()
    call_command("assets_income", "--year", str(YEAR), "--json", stdout=out)
    row = json.loads(out.getvalue().splitlines()[0])
    assert row["income"] == "10000.00" and row["distributed"] == "0.00" and row["households"] == 0
    call_command("assets_income", "--year", str(YEAR), "--apply", stdout=io.StringIO())
    call_command("assets_income", "--year", str(YEAR), "--apply", stdout=io.StringIO())
    assert Distribution.objects.count() == 2
    assert sum(d.amount for d in Distribution.objects.all()) == Decimal(6000)
    out = io.StringIO()
    call_command("assets_income", "--year", str(YEAR), stdout=out)
    assert "已按方案分配" in out.getvalue() and "6,000.00" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("assets_income", "--year", "1990", stdout=io.StringIO())


def test_import_page_runs_the_job_and_names_row_and_column(client, users, regions, tmp_path,
                                                           django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fupin.jobs.models import Job

    header = ["资产名称", "资产类别", "资产子类", "所在区划代码", "资产原值（元）", "形成日期", "资金来源", "所有权人"]
    path = tmp_path / "资产.xlsx"
    excel.write_table(path, "资产", [excel.Col(h) for h in header], [
        ["村道", "公益性资产", "公益性基础设施", regions["village_a1"].code, "5000", "2021-05-01", "行业扶贫资金", "村集体"],
        ["车间", "经营性资产", "产业就业类固定资产", regions["village_b1"].code, "5000", "2021-05-01", "行业扶贫资金", "村集体"],
    ])
    login(client, users["town_a"])
    upload = SimpleUploadedFile("资产.xlsx", path.read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assets:import"), {"file": upload})
    job = Job.objects.get()
    assert response.url == reverse("jobs:detail", args=[job.pk])
    assert job.status == "failed" and not Asset.objects.exists()
    assert {"row": 3, "column": "所在区划代码"} == {k: job.result["errors"][0][k] for k in ("row", "column")}
    login(client, users["county"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("assets:import"), {"file": SimpleUploadedFile("资产.xlsx", path.read_bytes())})
    assert Asset.objects.count() == 2
