"""The statistics table in the layout county offices file (统计报表): a title row, the reporting unit and date, a
two-row header with each category merged over its figures, the data rows and a total row. Written with the same
workbook settings as ``core.excel`` (text cells stay text, widths from ``core.excel.column_width``)."""

from __future__ import annotations

import xlsxwriter
from django.utils import timezone

from fupin.core import excel

from .models import Category
from .stats import Figures, Line

FIGURES = (("问题数", "total"), ("已销号", "closed"), ("整改中", "open"), ("逾期", "overdue"), ("整改率（%）", "rate"))


def _cells(figures: Figures) -> list:
    return [getattr(figures, name) for _label, name in FIGURES]


def write_statistics(target, *, title: str, unit: str, region_header: str, lines: list[Line], total: Line) -> None:
    book = xlsxwriter.Workbook(target, {"strings_to_numbers": False, "strings_to_formulas": False,
                                        "strings_to_urls": False})
    sheet = book.add_worksheet("整改统计")
    title_format = book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    meta_format = book.add_format({"font_size": 10})
    head = book.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True,
                            "bg_color": "#F2F2F2"})
    cell = book.add_format({"border": 1})
    number = book.add_format({"border": 1, "num_format": "0"})
    rate = book.add_format({"border": 1, "num_format": "0.0"})
    bold = book.add_format({"border": 1, "bold": True})
    groups = [("合计", None)] + [(str(label), value) for value, label in Category.choices]
    width = 1 + len(groups) * len(FIGURES)
    sheet.set_row(0, 30)
    sheet.merge_range(0, 0, 0, width - 1, title, title_format)
    sheet.merge_range(1, 0, 1, width // 2, f"填报单位：{unit}", meta_format)
    sheet.merge_range(1, width // 2 + 1, 1, width - 1,
                      f"填报日期：{timezone.localdate():%Y年%m月%d日}    单位：个、%", meta_format)
    sheet.merge_range(2, 0, 3, 0, region_header, head)
    sheet.set_column(0, 0, excel.column_width(excel.Col(region_header, excel.TEXT, 16)))
    sheet.set_column(1, width - 1, 9)
    for index, (label, _code) in enumerate(groups):
        first = 1 + index * len(FIGURES)
        sheet.merge_range(2, first, 2, first + len(FIGURES) - 1, label, head)
        for offset, (figure, _name) in enumerate(FIGURES):
            sheet.write_string(3, first + offset, figure, head)
    row = 4
    for line in [*lines, total]:
        sheet.write_string(row, 0, line.name, bold if line is total else cell)
        values = [value for figures in line.cells for value in _cells(figures)]
        for col, value in enumerate(values, start=1):
            fmt = rate if FIGURES[(col - 1) % len(FIGURES)][1] == "rate" else number
            if value is None:
                sheet.write_blank(row, col, None, cell)
            else:
                sheet.write_number(row, col, value, fmt)
        row += 1
    sheet.write_string(row + 1, 0, "说明：整改率＝已销号问题数÷问题总数；逾期指超过整改时限尚未销号。", meta_format)
    sheet.freeze_panes(4, 1)
    book.close()
