import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fupin.audit.models import AuditLog
from fupin.core import excel
from fupin.jobs.models import Job, Status
from fupin.stats.models import Rebuild, Target
from fupin.stats.rebuild import rebuild


@pytest.fixture
def rebuilt(county_data):
    rebuild("410481", county_data["year"])
    return county_data


def test_api_figures_boards_and_scope(api_client, rebuilt, users, regions):
    county = api_client(users["county"])
    rows = county.get("/api/stats/figures", {"indicator": "registry.households"}).json()
    by_region = {}
    for row in rows:
        by_region[row["region"]] = by_region.get(row["region"], 0) + float(row["value"])
    assert by_region == {regions["county"].code: 7, regions["town_a"].code: 5, regions["town_b"].code: 2}
    board = county.get("/api/stats/boards/money").json()
    assert board["region_name"] == "舞钢市" and board["updated"] and board["cards"][0]["code"] == "funds.amount"
    town = api_client(users["town_b"])
    assert {r["region"] for r in town.get("/api/stats/figures").json()} <= {
        regions["town_b"].code, regions["village_b1"].code, regions["village_b2"].code}
    assert town.get("/api/stats/figures", {"region": regions["town_a"].code}).status_code == 403
    assert town.get("/api/stats/boards/nothing").status_code == 404


def test_api_targets_and_reports(api_client, rebuilt, users, regions):
    county = api_client(users["county"])
    body = {"region": regions["county"].code, "year": rebuilt["year"], "indicator": "registry.exit_people",
            "value": "10"}
    made = county.post("/api/stats/targets", json.dumps(body), content_type="application/json")
    assert made.status_code == 201 and made.json()["share"] is not None
    refused = api_client(users["leader"]).post("/api/stats/targets", json.dumps(body), content_type="application/json")
    assert refused.status_code == 403
    bad = county.post("/api/stats/targets", json.dumps({**body, "indicator": "funds.progress"}),
                      content_type="application/json")
    assert bad.status_code == 422 and "indicator" in bad.json()["errors"]
    assert county.get("/api/stats/targets").json()["count"] == 1
    assert api_client(users["town_a"]).get("/api/stats/targets").json()["count"] == 0
    report = county.get("/api/stats/reports/TP01", {"year": rebuilt["year"]}).json()
    assert report["headers"][0] == "建档立卡户·户数" and report["total"][0] == 7 and len(report["rows"]) == 2
    target = Target.objects.get()
    assert county.delete(f"/api/stats/targets/{target.pk}").status_code == 204
    assert AuditLog.objects.filter(object_type="target", action="delete").exists()


def test_cli_rebuild_and_report(county_data, regions, tmp_path, capsys):
    call_command("stats_rebuild", "--county", regions["county"].code)
    assert "统计数据已汇总" in capsys.readouterr().out and Rebuild.objects.get().prefix == "410481"
    with pytest.raises(CommandError):
        call_command("stats_rebuild", "--county", "41")
    path = tmp_path / "r.xlsx"
    call_command("stats_report", str(path), "--code", "ZJ01", "--year", str(county_data["year"]),
                 "--month", "3", "--region", regions["county"].code)
    sheet = excel.read(path)
    assert sheet.header[0] == "扶贫资金支出进度表"
    cells = [r.cells for r in sheet.rows]
    assert any("2026年3月" in " ".join(c) or "年3月" in " ".join(c) for c in cells)
    assert ["区划", "资金指标", "已分配", "已拨付", "支出进度（%）", "其中：中央财政"] == cells[1][:6]
    total = next(c for c in cells if c[0] == "合计")
    assert total[1:5] == ["1000000", "300000", "75000", "25"]
    with pytest.raises(CommandError):
        call_command("stats_report", str(path), "--code", "NOPE", "--year", "2026")


def test_rebuild_follows_a_batch_job(county_data, users, monkeypatch, django_capture_on_commit_callbacks):
    """A batch job that succeeds queues the rebuild of its county (the immediate task backend runs both)."""
    from fupin.jobs import services as jobs
    from fupin.stats import services

    monkeypatch.setitem(jobs.HANDLERS, "test.batch", jobs.Kind(lambda job, progress: {}))
    monkeypatch.setattr(services, "BATCH_KINDS", {"test.batch"})
    with django_capture_on_commit_callbacks(execute=True):
        jobs.start("test.batch", "测试批处理", user=users["county"])
    rebuilt = Job.objects.get(kind="stats.rebuild")
    assert rebuilt.status == Status.SUCCEEDED and rebuilt.params["prefix"] == "410481"
    assert Rebuild.objects.get().trigger == "测试批处理"
