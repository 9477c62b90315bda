"""Household/member import and export: atomic imports with an error workbook, IDs as text, masking, scope."""

import datetime as dt

import pytest
import python_calamine

from conftest import new_id
from fupin.audit.models import AuditLog, Channel
from fupin.core import excel, idnumber
from fupin.registry import imports
from fupin.registry.models import Household, Member
from fupin.registry.tables import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS

HEADER = ["户编号", "村代码", "户状态", "贫困户属性", "主要致贫原因", "其他致贫原因", "耕地面积（亩）", "识别年度",
          "姓名", "证件号码", "与户主关系", "民族", "健康状况", "务工时间（月）", "参加养老保险"]


def row(number, village, name, id_number, relation="户主", **extra):
    values = {"户编号": number, "村代码": village, "户状态": "未脱贫", "贫困户属性": "一般贫困户",
              "主要致贫原因": "因病", "其他致贫原因": "", "耕地面积（亩）": "2.5", "识别年度": "2016",
              "姓名": name, "证件号码": id_number, "与户主关系": relation, "民族": "汉族", "健康状况": "健康",
              "务工时间（月）": "3", "参加养老保险": "是", **extra}
    return [values[h] for h in HEADER]


def workbook(tmp_path, rows, header=HEADER, name="导入.xlsx"):
    path = tmp_path / name
    excel.write_table(path, "成员信息", [excel.Col(h) for h in header], rows)
    return path


def run_import(path, user):
    return imports.import_households(path, acting_user=user, channel=Channel.IMPORT)


def read_back(path):
    sheet = python_calamine.load_workbook(str(path)).get_sheet_by_index(0)
    return list(sheet.iter_rows())


def test_import_writes_households_members_and_audit(users, regions, tmp_path):
    village = regions["village_a1"].code
    head, wife, other = new_id(), new_id(dt.date(1982, 1, 2)), new_id()
    path = workbook(tmp_path, [
        row("H001", village, "张三", head, 其他致贫原因="缺技术、缺资金"),
        row("H001", "", "李四", wife, relation="10", 户状态="", 贫困户属性=""),  # code, and blanks inherit
        row("H002", village, "王五", other, 健康状况="长期慢性病、残疾"),
    ])
    result = run_import(path, users["village_a1"])
    assert result.ok, result.errors
    assert (result.households, result.members) == (2, 3)
    household = Household.objects.get(number="H001")
    assert (household.head_name, household.head_id_number, household.size) == ("张三", head, 2)
    assert (household.status, household.category, household.main_cause, household.other_causes) == ("1", "1", "1", "7,9")
    spouse = Member.objects.get(id_number=wife)
    assert (spouse.relation, spouse.sex, spouse.birth_date) == ("10", idnumber.sex(wife), dt.date(1982, 1, 2))
    assert spouse.pension_insurance is True and spouse.work_months == 3
    assert Member.objects.get(id_number=other).health == "2,4"
    logs = AuditLog.objects.filter(channel=Channel.IMPORT, user=users["village_a1"])
    assert logs.filter(object_type="household").count() == 2
    assert logs.filter(object_type="member", parent_id=str(household.pk)).count() == 2
    assert logs.get(object_type="member", object_id=str(spouse.pk)).changes["id_number"][1] == idnumber.mask(wife)
