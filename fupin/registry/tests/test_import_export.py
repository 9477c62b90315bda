"""Household/member import and export: atomic imports with an error workbook, IDs as text, masking, scope."""

import datetime as dt

import pytest
import python_calamine

from conftest import new_id
from fupin.audit.models import AuditLog
from fupin.core import excel, idnumber
from fupin.core.channels import Channel
from fupin.registry import imports
from fupin.registry.choices import HouseholdStatus
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
        row("4104811002010001", village, "张三", head, 其他致贫原因="缺技术、缺资金"),
        row("4104811002010001", "", "李四", wife, relation="10", 户状态="", 贫困户属性=""),  # code, and blanks inherit
        row("4104811002010002", village, "王五", other, 健康状况="长期慢性病、残疾"),
    ])
    result = run_import(path, users["village_a1"])
    assert result.ok, result.errors
    assert result.counts == {"households": 2, "members": 3}
    household = Household.objects.get(number="4104811002010001")
    assert (household.head_name, household.head_id_number, household.size) == ("张三", head, 2)
    assert (household.status, household.category, household.main_cause) == ("1", "1", "1")
    assert household.other_causes == "7,9"
    spouse = Member.objects.get(id_number=wife)
    assert (spouse.relation, spouse.sex, spouse.birth_date) == ("10", idnumber.sex(wife), dt.date(1982, 1, 2))
    assert spouse.pension_insurance is True and spouse.work_months == 3
    assert Member.objects.get(id_number=other).health == "2,4"
    logs = AuditLog.objects.filter(channel=Channel.IMPORT, user=users["village_a1"])
    assert logs.filter(object_type="household").count() == 2
    assert logs.filter(object_type="member", parent_id=str(household.pk)).count() == 2
    assert logs.get(object_type="member", object_id=str(spouse.pk)).changes["id_number"][1] == idnumber.mask(wife)


def test_a_bad_row_writes_nothing_and_the_error_workbook_names_row_column_reason(users, regions, tmp_path):
    village = regions["village_a1"].code
    path = workbook(tmp_path, [
        row("4104811002010001", village, "张三", new_id()),
        row("4104811002010001", village, "李四", new_id(), relation="表亲"),  # row 3: not a relation
        row("4104811002010002", village, "王五", new_id(), **{"耕地面积（亩）": "两亩"}),  # row 4: not a number
    ])
    result = run_import(path, users["village_a1"])
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(3, "与户主关系"), (4, "耕地面积（亩）")]
    assert "“表亲”不是有效的与户主关系" in result.errors[0].reason
    assert not Household.objects.exists() and not Member.objects.exists()
    assert not AuditLog.objects.filter(channel=Channel.IMPORT).exists()

    target = tmp_path / "errors.xlsx"
    excel.write_errors(target, result.errors, source=path)
    lines = read_back(target)
    assert lines[0][:4] == ["行号", "列", "错误原因", "户编号"]
    assert lines[1][:3] == [3.0, "与户主关系", result.errors[0].reason]
    assert lines[1][3:3 + len(HEADER)][HEADER.index("姓名")] == "李四"  # the original row beside the error
    assert lines[2][0] == 4.0 and lines[2][1] == "耕地面积（亩）"


def test_excel_mangled_float_id_is_rejected_by_name(users, regions, tmp_path):
    path = tmp_path / "float.xlsx"
    with excel.XlsxStream(path) as out:
        out.add_sheet("成员信息", [excel.Col(h) for h in HEADER])
        values = row("4104811002010001", regions["village_a1"].code, "张三", "")
        out.write_row(values)
        out._sheet.write_number(1, HEADER.index("证件号码"), 4.10481198005171e17)  # what Excel does to a typed ID
    result = run_import(path, users["village_a1"])
    assert [(e.row, e.column) for e in result.errors] == [(2, "证件号码")]
    assert "Excel 存成了数字" in result.errors[0].reason
    assert not Household.objects.exists()


def test_scientific_notation_text_and_long_number_cells_are_rejected(users, regions, tmp_path):
    path = tmp_path / "long.xlsx"
    with excel.XlsxStream(path) as out:
        out.add_sheet("成员信息", [excel.Col(h) for h in HEADER])
        out.write_row(row("4104811002010001", regions["village_a1"].code, "张三", "4.10481E+17"))
        out.write_row(row("", regions["village_a1"].code, "李四", new_id()))
        out._sheet.write_number(2, 0, 41048110020100001.0)  # a 17-digit household number stored as a number
    result = run_import(path, users["village_a1"])
    reasons = {(e.row, e.column): e.reason for e in result.errors}
    assert "科学计数法" in reasons[2, "证件号码"]
    assert "后几位已丢失" in reasons[3, "户编号"]


def test_dirty_ids_are_normalised(users, regions, tmp_path):
    clean = [new_id(), new_id(), new_id()]
    path = workbook(tmp_path, [
        row("4104811002010001", regions["village_a1"].code, "张三", " ".join([clean[0][:6], clean[0][6:14], clean[0][14:]])),
        row("4104811002010001", "", "李四", clean[1].translate(str.maketrans("0123456789", "０１２３４５６７８９")),
            relation="配偶"),
        row("4104811002010001", "", "王五", "'" + clean[2].lower(), relation="之子"),
    ])
    result = run_import(path, users["village_a1"])
    assert result.ok, result.errors
    assert set(Member.objects.values_list("id_number", flat=True)) == set(clean)


def test_x_check_character_lower_case_is_accepted(users, regions, tmp_path):
    base = next(idnumber.make("410481", dt.date(1980, 1, d), s) for d in range(1, 29) for s in range(1, 999)
                if idnumber.make("410481", dt.date(1980, 1, d), s).endswith("X"))
    path = workbook(tmp_path, [row("4104811002010001", regions["village_a1"].code, "张三", base.lower())])
    assert run_import(path, users["village_a1"]).ok
    assert Member.objects.get().id_number == base


def test_person_already_in_another_household_is_refused_naming_both(users, regions, make_household, tmp_path):
    person = new_id()
    existing = make_household(regions["village_b1"], head_name="赵大", head_id=person)
    path = workbook(tmp_path, [row("4104811002010001", regions["village_a1"].code, "赵大", person)])
    result = run_import(path, users["county"])
    assert [(e.row, e.column) for e in result.errors] == [(2, "证件号码")]
    reason = result.errors[0].reason
    assert existing.number in reason and "王庄村" in reason  # the household the person is in
    assert "4104811002010001" in reason and "张庄村" in reason  # and the one the file wanted
    assert idnumber.mask(person) in reason and person not in reason
    assert Household.objects.count() == 1


def test_same_person_twice_in_the_file(users, regions, tmp_path):
    person = new_id()
    path = workbook(tmp_path, [
        row("4104811002010001", regions["village_a1"].code, "张三", person),
        row("4104811002010002", regions["village_a1"].code, "张三", person),
    ])
    result = run_import(path, users["village_a1"])
    assert [(e.row, e.column) for e in result.errors] == [(3, "证件号码")]
    assert "第 2 行" in result.errors[0].reason


def test_village_outside_the_users_scope_is_refused(users, regions, tmp_path):
    path = workbook(tmp_path, [row("4104811012010001", regions["village_b1"].code, "张三", new_id())])
    result = run_import(path, users["village_a1"])
    assert [(e.row, e.column) for e in result.errors] == [(2, "村代码")]
    assert "管辖范围" in result.errors[0].reason
    assert not Household.objects.exists()


def test_village_code_must_be_an_existing_village(users, regions, tmp_path):
    path = workbook(tmp_path, [
        row("4104811000000001", regions["town_a"].code, "张三", new_id()),
        row("4104811002990002", "410481100299", "李四", new_id()),
        row("4104811002010003", "4104811", "王五", new_id()),
    ])
    reasons = {e.row: e.reason for e in run_import(path, users["county"]).errors}
    assert "不是村级" in reasons[2] and "不存在" in reasons[3] and "12位" in reasons[4]


def test_one_head_per_household_and_consistent_household_columns(users, regions, tmp_path):
    village = regions["village_a1"].code
    path = workbook(tmp_path, [
        row("4104811002010001", village, "张三", new_id()),
        row("4104811002010001", village, "李四", new_id()),  # a second head
        row("4104811002010002", village, "王五", new_id(), relation="之子"),  # no head at all
        row("4104811002010003", village, "赵六", new_id()),
        row("4104811002010003", village, "钱七", new_id(), relation="配偶", 户状态="已脱贫"),  # disagrees with row 5
    ])
    errors = run_import(path, users["village_a1"]).errors
    reasons = {(e.row, e.column): e.reason for e in errors}
    assert "多名户主" in reasons[3, "与户主关系"]
    assert "没有户主" in reasons[4, "与户主关系"]
    assert "与第 5 行不一致" in reasons[6, "户状态"]


def test_existing_household_number_and_missing_columns(users, regions, make_household, tmp_path):
    household = make_household(regions["village_a1"])
    path = workbook(tmp_path, [row(household.number, regions["village_a1"].code, "张三", new_id())])
    errors = run_import(path, users["village_a1"]).errors
    assert [(e.row, e.column) for e in errors] == [(2, "户编号")] and "已存在" in errors[0].reason

    path = workbook(tmp_path, [["H1", "张三"]], header=["户编号", "姓名"], name="short.xlsx")
    errors = run_import(path, users["village_a1"]).errors
    assert {e.column for e in errors} == {"村代码", "证件号码", "与户主关系"}  # 户状态 blank: 一般农户
    assert all(e.row == 1 and "缺少必填列" in e.reason for e in errors)


def test_codes_typed_as_numbers_and_headers_with_other_spellings(users, regions, tmp_path):
    header = ["户号", "村代码", "户状态", "姓名", "身份证号码", "与户主的关系", "耕地面积(亩)", "备注"]
    path = tmp_path / "numbers.xlsx"
    with excel.XlsxStream(path) as out:
        out.add_sheet("Sheet1", [excel.Col(h) for h in header])
        out.write_row(["4104811002010001", "", "", "张三", new_id(), "", "3", "随便写"])
        out._sheet.write_number(1, 1, float(regions["village_a1"].code))
        out._sheet.write_number(1, 2, 1)  # 户状态 1 未脱贫
        out._sheet.write_number(1, 5, 1)  # "01" 户主, after Excel dropped the zero
    result = run_import(path, users["village_a1"])
    assert result.ok, result.errors
    assert result.ignored_columns == ["备注"]
    member = Member.objects.get()
    assert (member.relation, member.household.status, member.household.cultivated_area) == ("01", "1", 3)


def test_gbk_csv_from_chinese_excel(users, regions, tmp_path):
    path = tmp_path / "gbk.csv"
    lines = [",".join(HEADER), ",".join(row("4104811002010001", regions["village_a1"].code, "张三", new_id()))]
    path.write_bytes("\r\n".join(lines).encode("gbk"))
    result = run_import(path, users["village_a1"])
    assert result.ok, result.errors
    assert Member.objects.get().name == "张三"


def test_read_only_accounts_cannot_import(users, regions, tmp_path):
    path = workbook(tmp_path, [row("4104811002010001", regions["village_a1"].code, "张三", new_id())])
    result = run_import(path, users["leader"])
    assert not result.ok and "没有修改建档立卡数据的权限" in result.errors[0].reason


def test_template_documents_columns_and_its_example_rows_are_refused(users, regions, tmp_path):
    path = tmp_path / "template.xlsx"
    imports.write_template(path, regions["village_a1"].code)
    book = python_calamine.load_workbook(str(path))
    assert book.sheet_names == ["成员信息", "说明"]
    data = book.get_sheet_by_name("成员信息").to_python()
    assert data[0] == [c.header for c in (*HOUSEHOLD_COLUMNS, *MEMBER_COLUMNS)]
    assert isinstance(data[1][data[0].index("证件号码")], str)
    notes = book.get_sheet_by_name("说明").to_python()
    relation = next(r for r in notes if r[0] == "与户主关系")
    assert relation[1] == "必填" and "01 户主" in relation[3] and "10 配偶" in relation[3]
    result = run_import(path, users["village_a1"])
    assert {(e.row, e.column) for e in result.errors} == {(2, "户编号"), (3, "户编号")}
    assert "示例" in result.errors[0].reason


def test_member_export_with_full_ids_imports_back_as_text(users, regions, make_household, tmp_path):
    from fupin.registry.jobs import member_export

    wife = new_id(dt.date(1985, 6, 1))
    original = make_household(regions["village_a1"], head_name="张三", extra=[("李四", wife, "10")],
                              address="张庄村一组", other_causes="7,9")
    path = tmp_path / "members.xlsx"
    assert member_export.write(users["village_a1"], {}, path, full=True, channel=Channel.PAGE) == 2
    lines = read_back(path)
    id_column = lines[0].index("证件号码")
    assert all(isinstance(line[id_column], str) for line in lines[1:])  # text cells, never floats
    assert {line[id_column] for line in lines[1:]} == {original.head_id_number, wife}

    Household.objects.all().delete()
    result = run_import(path, users["village_a1"])
    assert result.ok, result.errors
    copy = Household.objects.get(number=original.number)
    assert (copy.address, copy.other_causes, copy.head_name, copy.size) == ("张庄村一组", "7,9", "张三", 2)
    assert Member.objects.get(id_number=wife).relation == "10"


def test_exports_mask_ids_by_default(users, regions, make_household, tmp_path):
    from fupin.registry.jobs import household_export, member_export

    household = make_household(regions["village_a1"])
    for export in (household_export, member_export):
        path = tmp_path / f"{export.kind}.xlsx"
        export.write(users["village_a1"], {}, path, full=False, channel=Channel.PAGE)
        text = " ".join(str(v) for line in read_back(path) for v in line)
        assert household.head_id_number not in text and idnumber.mask(household.head_id_number) in text
    logs = AuditLog.objects.filter(action="export", user=users["village_a1"])
    assert logs.count() == 2 and all("脱敏" in log.note for log in logs)


def test_export_scope_and_filters(users, regions, make_household, tmp_path):
    from fupin.registry.jobs import household_export

    mine = make_household(regions["village_a1"], status=HouseholdStatus.POOR)
    make_household(regions["village_a1"], status=HouseholdStatus.EXITED)
    make_household(regions["village_b1"], status=HouseholdStatus.POOR)
    path = tmp_path / "scope.xlsx"
    assert household_export.write(users["village_a1"], {}, path, full=False, channel=Channel.PAGE) == 2
    assert {line[0] for line in read_back(path)[1:]} <= {h for h in Household.objects.filter(
        village=regions["village_a1"]).values_list("number", flat=True)}
    assert household_export.write(users["village_a1"], {"status": "1"}, path, full=False, channel=Channel.PAGE) == 1
    assert read_back(path)[1][0] == mine.number
    assert household_export.write(users["county"], {}, path, full=False, channel=Channel.PAGE) == 3


def test_full_export_needs_the_write_right(users, regions, make_household, tmp_path):
    from django.core.exceptions import PermissionDenied

    from fupin.registry.jobs import household_export

    make_household(regions["village_a1"])
    with pytest.raises(PermissionDenied):
        household_export.write(users["leader"], {}, tmp_path / "x.xlsx", full=True, channel=Channel.PAGE)
    household_export.write(users["town_a"], {}, tmp_path / "y.xlsx", full=True, channel=Channel.PAGE)
    log = AuditLog.objects.get(action="export", user=users["town_a"])
    assert "完整证件号码" in log.note and log.object_repr == "导出贫困户（1 行）"


def test_blank_required_member_cells(users, regions, tmp_path):
    path = workbook(tmp_path, [row("4104811002010001", regions["village_a1"].code, "", new_id(), relation="")])
    errors = run_import(path, users["village_a1"]).errors
    assert [(e.row, e.column, e.reason) for e in errors] == [(2, "姓名", "姓名不能为空"), (2, "与户主关系", "与户主关系不能为空")]
