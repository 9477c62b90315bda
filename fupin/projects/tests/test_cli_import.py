import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fupin.core import excel
from fupin.projects.imports import COLUMNS
from fupin.projects.models import LibraryStatus, Project

HEADER = [header for header, *_ in COLUMNS]


def _file(tmp_path, rows, header=HEADER):
    path = tmp_path / "项目库.xlsx"
    path.write_bytes(excel.to_bytes([excel.Col(h) for h in header], rows))
    return path


def _row(**values):
    base = {"年度": "2026", "实施地点代码": "410481100201", "项目名称": "张庄村养殖场", "项目类别": "产业发展",
            "计划投资（元）": "500000", "计划资金来源": "统筹整合涉农资金", "实施单位": "张庄村委会",
            "计划开工": "2026-03-01", "计划完工": "2026-09-30", "建设规模": "圈舍1200平方米", "建设内容": "",
            "带贫机制": "入股分红", "预计受益户数": "30", "预计受益人数": "100", "其中脱贫户": "10", "其中监测户": "2"}
    base.update(values)
    return [base[h] for h in HEADER]


def test_import_writes_all_rows_with_library_entries(tmp_path, users, capsys):
    path = _file(tmp_path, [_row(), _row(项目名称="李庄村道路", 实施地点代码="410481100202", 项目类别="基础设施")])
    call_command("projects_import", str(path), "--user", "xian", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["created"] == 2 and data["error_count"] == 0
    project = Project.objects.get(name="张庄村养殖场")
    assert project.fund_source == "integrated" and project.library_status == LibraryStatus.IN
    assert project.library_changes.get().reason == "项目库导入"


def test_import_errors_name_row_and_column_and_write_nothing(tmp_path, users, capsys):
    path = _file(tmp_path, [
        _row(),
        _row(项目类别="养猪"),
        _row(实施地点代码="410481000000", 项目名称="县级项目"),
        _row(**{"计划投资（元）": "五十万"}, 项目名称="错金额"),
        _row(其中脱贫户="40", 项目名称="户数不符"),
        _row(),
    ])
    with pytest.raises(CommandError):
        call_command("projects_import", str(path), "--user", "xian", "--json")
    data = json.loads(capsys.readouterr().out)
    found = {(e["row"], e["column"]) for e in data["errors"]}
    assert found == {(3, "项目类别"), (4, "实施地点代码"), (5, "计划投资（元）"), (6, "其中脱贫户"), (7, "项目名称")}
    assert "与第 2 行重复" in [e["reason"] for e in data["errors"] if e["row"] == 7][0]
    assert not Project.objects.exists()


def test_import_refuses_out_of_scope_and_read_only(tmp_path, users, finance, capsys):
    path = _file(tmp_path, [_row(实施地点代码="410481101201")])
    with pytest.raises(CommandError):
        call_command("projects_import", str(path), "--user", "cun_a1", "--json")
    assert "不在当前账号的管辖范围内" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("projects_import", str(path), "--user", "caizheng", "--json")
    assert "只能查看" in capsys.readouterr().out


def test_missing_required_column(tmp_path, users, capsys):
    path = _file(tmp_path, [["2026", "x"]], header=["年度", "项目名称"])
    with pytest.raises(CommandError):
        call_command("projects_import", str(path), "--json")
    assert "缺少必填列“实施地点代码”" in capsys.readouterr().out


def test_list_json_one_object_per_project(make_project, regions, users, capsys):
    make_project(name="甲")
    make_project(name="乙", year=2020, region=regions["village_b1"])
    call_command("projects_list", "--json")
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["name"] for line in lines] == ["甲", "乙"]
    call_command("projects_list", "--year", "2020", "--json")
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 1 and rows[0]["status_label"] == "申报中" and rows[0]["planned_amount"] == "350000.00"
    call_command("projects_list", "--user", "cun_a1", "--json")
    assert [json.loads(line)["name"] for line in capsys.readouterr().out.splitlines()] == ["甲"]
