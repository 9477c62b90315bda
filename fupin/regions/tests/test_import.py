"""Region tree import: create or update, all or nothing, with row errors; the export reads back unchanged."""

import pytest

from fupin.audit.models import AuditLog
from fupin.core import excel
from fupin.core.channels import Channel
from fupin.regions import imports
from fupin.regions.models import Level, Region
from fupin.regions.tables import regions as region_table

HEADER = ["代码", "名称", "级别", "上级代码", "贫困村", "出列年度"]


def sheet(tmp_path, rows, header=HEADER):
    path = tmp_path / "区划.xlsx"
    excel.write_table(path, "区划", [excel.Col(h) for h in header], rows)
    return path


def test_creates_and_updates_regions_atomically_with_audit(users, regions, tmp_path):
    path = sheet(tmp_path, [
        ["410481102000", "八台镇", "乡镇", "", "", ""],
        ["410481102201", "前村", "5", "410481102000", "是", "2019"],
        ["410481102202", "后村", "村", "", "否", ""],
        ["410481100202", "李庄村（新名）", "村", "", "是", "2020"],
    ])
    result = imports.import_regions(path, acting_user=users["admin"], channel=Channel.IMPORT)
    assert result.ok, result.errors
    assert result.counts == {"created": 3, "updated": 1, "unchanged": 0}
    front = Region.objects.get(code="410481102201")
    assert (front.level, front.parent_id) == (Level.VILLAGE, "410481102000")
    assert (front.is_poor_village, front.exit_year) == (True, 2019)
    assert Region.objects.get(code="410481102202").parent_id == "410481102000"
    renamed = Region.objects.get(code="410481100202")
    assert (renamed.name, renamed.is_poor_village, renamed.exit_year) == ("李庄村（新名）", True, 2020)
    logs = AuditLog.objects.filter(object_type="region", channel=Channel.IMPORT, user=users["admin"])
    assert logs.filter(action="create").count() == 3
    update = logs.get(action="update")
    assert update.changes["name"] == ["李庄村", "李庄村（新名）"]
    assert update.region_code == "410481100202"


def test_any_bad_row_writes_nothing_and_names_row_column_reason(users, regions, tmp_path):
    path = sheet(tmp_path, [
        ["410481102000", "八台镇", "乡镇", "", "", ""],        # row 2: fine on its own
        ["41048110", "短代码", "村", "", "", ""],               # row 3: code length
        ["410481109201", "孤村", "村", "", "", ""],             # row 4: parent 410481109000 nowhere
        ["410481102203", "错级", "乡镇", "", "", ""],           # row 5: a village code called a township
        ["410481102000", "八台镇", "乡镇", "", "", ""],        # row 6: duplicate of row 2
        ["410482100201", "外县村", "村", "", "", ""],           # row 7: another county (and no parent)
        ["410481102204", "贫困镇", "村", "", "是", "二〇一九"],  # row 8: bad year
    ])
    result = imports.import_regions(path, acting_user=users["admin"], channel=Channel.IMPORT)
    assert not result.ok
    found = {(e.row, e.column) for e in result.errors}
    reasons = {(e.row, e.column): e.reason for e in result.errors}
    assert (3, "代码") in found and "12位" in reasons[3, "代码"]
    assert (4, "上级代码") in found and "410481109000 不存在" in reasons[4, "上级代码"]
    assert (5, "级别") in found and "不符" in reasons[5, "级别"]
    assert (6, "代码") in found and "第 2 行重复" in reasons[6, "代码"]
    assert any(e.row == 7 and "辖区" in e.reason for e in result.errors)
    assert (8, "出列年度") in found
    assert not Region.objects.filter(code="410481102000").exists()
    assert not AuditLog.objects.filter(object_type="region").exists()


def test_only_administrators_import(users, regions, tmp_path):
    path = sheet(tmp_path, [["410481102000", "八台镇", "乡镇", "", "", ""]])
    result = imports.import_regions(path, acting_user=users["county"], channel=Channel.IMPORT)
    assert not result.ok and "管理员" in result.errors[0].reason


def test_export_reads_back_unchanged(users, regions, tmp_path):
    path = tmp_path / "export.xlsx"
    region_table.write(Region.objects.all(), path)
    result = imports.import_regions(path, acting_user=None, channel=Channel.CLI)
    assert result.ok, result.errors
    assert result.counts == {"created": 0, "updated": 0, "unchanged": Region.objects.count()}


def test_level_is_inferred_from_the_code_when_blank(users, regions, tmp_path):
    path = sheet(tmp_path, [["410481102000", "八台镇"], ["410481102201", "前村"]], header=["区划代码", "名称"])
    result = imports.import_regions(path, acting_user=users["admin"], channel=Channel.IMPORT)
    assert result.ok, result.errors
    assert Region.objects.get(code="410481102000").level == Level.TOWNSHIP
    assert Region.objects.get(code="410481102201").level == Level.VILLAGE


@pytest.mark.parametrize("code,level", [("410000000000", 1), ("410400000000", 2), ("410481000000", 3),
                                        ("410481100000", 4), ("410481100201", 5)])
def test_level_from_code(code, level):
    assert imports.level_from_code(code) == level
