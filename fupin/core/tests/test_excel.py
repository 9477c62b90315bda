"""Reading spreadsheets into strings (numbers tracked) and streaming typed cells out."""

import datetime as dt
import zipfile
from decimal import Decimal

import pytest
import python_calamine

from fupin.core import excel, idnumber
from fupin.core.excel import DATE, DATETIME, NUMBER, TEXT, Col


def cells(path):
    return list(python_calamine.load_workbook(str(path)).get_sheet_by_index(0).iter_rows())


def test_writer_types_cells_by_column_kind(tmp_path):
    path = tmp_path / "typed.xlsx"
    born = dt.date(1980, 5, 17)
    number = idnumber.make("410481", born, 11)
    columns = [Col("证件号码"), Col("户编号"), Col("面积", NUMBER), Col("出生日期", DATE), Col("时间", DATETIME),
               Col("备注")]
    stamp = dt.datetime(2024, 3, 1, 8, 30, tzinfo=dt.timezone.utc)
    assert excel.write_table(path, "表", columns, [[number, "0012", Decimal("2.50"), born, stamp, None]]) == 1
    header, line = cells(path)
    assert header == ["证件号码", "户编号", "面积", "出生日期", "时间", "备注"]
    assert line[0] == number and isinstance(line[0], str)  # never 4.10481E+17
    assert line[1] == "0012"  # leading zeros kept
    assert line[2] == 2.5
    assert line[3] == born
    assert line[4] == dt.datetime(2024, 3, 1, 16, 30)  # shown in Beijing time
    assert line[5] == ""


def test_writer_bold_frozen_header_text_columns_and_widths(tmp_path):
    path = tmp_path / "format.xlsx"
    excel.write_table(path, "表", [Col("证件号码", TEXT, 22), Col("与村主干路距离（公里）", NUMBER)], [["1", 2]])
    with zipfile.ZipFile(path) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        styles = book.read("xl/styles.xml").decode()
    assert 'ySplit="1"' in sheet and 'state="frozen"' in sheet
    assert "<autoFilter" in sheet
    assert 'width="22.7' in sheet  # the declared width
    assert "<b/>" in styles
    assert 'formatCode="@"' in styles  # text format on text columns, so IDs typed later stay text in Excel
    assert excel.column_width(Col("与村主干路距离（公里）", NUMBER)) == 24  # 11 wide characters + margin


def test_reader_strings_numbers_and_excel_row_numbers(tmp_path):
    path = tmp_path / "read.xlsx"
    with excel.XlsxStream(path) as out:
        out.add_sheet("数据", [Col("a"), Col("b"), Col("c"), Col("d")])
        out.write_row([" 张三 ", "", "", ""])
        out._sheet.write_number(1, 1, 3.0)
        out._sheet.write_number(1, 2, 410481198005170011)
        out._sheet.write_datetime(1, 3, dt.datetime(2020, 1, 2), out.date_format)
        out.write_row(["", "", "", ""])  # a blank row is skipped, numbering continues
        out.write_row(["李四", "是", "", ""])
    sheet = excel.read(path)
    assert (sheet.name, sheet.header, sheet.header_row) == ("数据", ["a", "b", "c", "d"], 1)
    first, second = list(sheet.rows)
    assert (first.number, first.cells[0], first.cells[1], first.cells[3]) == (2, "张三", "3", "2020-01-02")
    assert first.raw(1) == 3.0 and first.raw(0) == "张三"
    assert isinstance(first.raw(2), float) and first.lost_digits(2) and not first.lost_digits(1)
    assert not idnumber.check(first.raw(2)).valid  # the float goes to the checker, which names it
    assert (second.number, second[0], second[1], second[9]) == (4, "李四", "是", "")


def test_reader_finds_the_header_below_blank_rows(tmp_path):
    path = tmp_path / "offset.xlsx"
    with excel.XlsxStream(path) as out:
        out.add_sheet("S", [Col("")])
        out._sheet.write_string(2, 1, "姓名")
        out._sheet.write_string(3, 1, "张三")
    sheet = excel.read(path)
    assert sheet.header_row == 3 and [r.number for r in sheet.rows] == [4]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_csv_encodings(tmp_path, encoding):
    path = tmp_path / "data.csv"
    path.write_bytes("户编号,姓名\r\nH1,张三\r\n,\r\nH2,\"李,四\"\r\n".encode(encoding))
    sheet = excel.read(path)
    assert sheet.header == ["户编号", "姓名"]
    assert [(r.number, r.cells) for r in sheet.rows] == [(2, ["H1", "张三"]), (4, ["H2", "李,四"])]
    assert excel.detect_encoding(path) == ("gb18030" if encoding == "gbk" else "utf-8-sig")


def test_csv_with_tabs_and_scientific_notation_text(tmp_path):
    path = tmp_path / "data.txt"
    path.write_text("证件号码\t姓名\n4.10481E+17\t张三\n", encoding="utf-8")
    sheet = excel.read(path, filename="upload.csv")
    row = next(sheet.rows)
    assert row.cells == ["4.10481E+17", "张三"] and not row.numbers
    assert "科学计数法" in idnumber.check(row.raw(0)).error


def test_unreadable_and_empty_files(tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(excel.SpreadsheetError):
        excel.read(broken)
    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(excel.SpreadsheetError):
        excel.read(empty)


def test_error_workbook_puts_each_error_beside_its_original_row(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("户编号,姓名\nH1,张三\nH2,李四\nH3,王五\n", encoding="utf-8")
    errors = [excel.RowError(4, "姓名", "姓名有误"), excel.RowError(None, "", "整个文件的问题"),
              excel.RowError(2, "户编号", "户编号有误")]
    target = tmp_path / "errors.xlsx"
    assert excel.write_errors(target, errors, source=source) == 3
    assert cells(target) == [
        ["行号", "列", "错误原因", "户编号", "姓名"],
        ["", "", "整个文件的问题", "", ""],
        [2.0, "户编号", "户编号有误", "H1", "张三"],
        [4.0, "姓名", "姓名有误", "H3", "王五"],
    ]


def test_header_matching_ignores_spaces_stars_and_bracket_width():
    errors = excel.ErrorList()
    found, ignored = excel.match_columns(
        ["户编号*", " 耕地面积(亩) ", "户号", "备注"], {"户编号": 1, "耕地面积（亩）": 2, "姓名": 3}, errors, 1,
        required=["户编号", "姓名"], aliases={"户号": "户编号"},
    )
    assert found == {"户编号": 0, "耕地面积（亩）": 1}
    assert ignored == ["备注"]
    assert [(e.row, e.column, e.reason) for e in errors.items] == [
        (1, "户号", "列“户编号”重复出现"), (1, "姓名", "缺少必填列“姓名”")]


def test_cell_text():
    assert excel.cell_text(3.0) == "3"
    assert excel.cell_text(2.5) == "2.5"
    assert excel.cell_text(True) == "是"
    assert excel.cell_text(dt.datetime(2020, 1, 2)) == "2020-01-02"
    assert excel.cell_text(dt.datetime(2020, 1, 2, 3, 4)) == "2020-01-02 03:04:00"
    assert excel.cell_text(4.10481198005171e17).startswith("4.1048119800517")
    assert excel.parse_bool("√") is True and excel.parse_bool("否") is False and excel.parse_bool("也许") is None
