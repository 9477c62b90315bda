"""Standard reports (报表): a template's columns filled from the figures for the regions one level below the chosen
one and their total, and written to Excel with title, unit, date and merged group headers."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

import xlsxwriter
from django.utils import timezone

from fupin.core.excel import display_width
from fupin.regions.models import Region

from . import dashboards, services
from .models import Period, ReportTemplate


@dataclass
class Filled:
    template: ReportTemplate
    region: Region
    year: int
    month: int | None
    columns: list
    rows: list  # (name, [values])
    total: list
    updated: object

    @property
    def period_text(self) -> str:
        if self.template.period == Period.MONTHLY and self.month:
            return f"{self.year}年{self.month}月"
        return f"{self.year}年度"

    @property
    def groups(self) -> list[tuple[str, int]]:
        """(group header, span) across the columns; '' where a column has none."""
        return [(key, len(list(cols))) for key, cols in groupby(self.columns, key=lambda c: c.group)]

    @property
    def header_rows(self) -> tuple[list, list]:
        """The two header rows of a grouped table: (text, colspan, rowspan) on top, the grouped headers below."""
        top, bottom, index = [], [], 0
        for group, span in self.groups:
            columns = self.columns[index:index + span]
            index += span
            if group:
                top.append((group, span, 1))
                bottom += [c.header for c in columns]
            else:
                top += [(c.header, 1, 2) for c in columns]
        return top, bottom

    @property
    def has_groups(self) -> bool:
        return any(c.group for c in self.columns)


def fill(template: ReportTemplate, region: Region, year: int, month: int | None = None) -> Filled:
    columns = list(template.columns.all())
    children = dashboards.children(region)
    figures = services.read([region.code, *(c.code for c in children)], year, {c.indicator for c in columns})

    def values(code):
        out = []
        for column in columns:
            value = figures.value(code, column.indicator, column.dimension or None)
            out.append(None if value is None else float(value))
        return out

    return Filled(template, region, year, month, columns, [(c.name, values(c.code)) for c in children],
                  values(region.code), services.updated_at(region, year))


def write(filled: Filled, target) -> None:
    """The workbook a county sends: title across the table, unit and period, headers (merged groups), a row per
    region, 合计, and the date the figures were compiled."""
    book = xlsxwriter.Workbook(target, {"in_memory": True})
    sheet = book.add_worksheet(filled.template.title[:31])
    title = book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    head = book.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True,
                            "bg_color": "#F2F2F2"})
    cell = book.add_format({"border": 1, "num_format": "#,##0.##"})
    name = book.add_format({"border": 1})
    bold = book.add_format({"border": 1, "bold": True, "num_format": "#,##0.##"})
    width = len(filled.columns) + 1
    sheet.merge_range(0, 0, 0, width - 1, filled.template.title, title)
    sheet.set_row(0, 30)
    sheet.write_string(1, 0, f"填报单位：{filled.region.name}")
    sheet.write_string(1, max(width - 2, 1), f"{filled.period_text}　{filled.template.unit}")
    row = 2
    if filled.has_groups:
        sheet.merge_range(row, 0, row + 1, 0, "区划", head)
        col = 1
        for group, span in filled.groups:
            if group and span > 1:
                sheet.merge_range(row, col, row, col + span - 1, group, head)
            elif group:
                sheet.write_string(row, col, group, head)
            for offset in range(span):
                column = filled.columns[col - 1 + offset]
                if group:
                    sheet.write_string(row + 1, col + offset, column.header, head)
                else:
                    sheet.merge_range(row, col + offset, row + 1, col + offset, column.header, head)
            col += span
        row += 2
    else:
        sheet.write_string(row, 0, "区划", head)
        for index, column in enumerate(filled.columns, start=1):
            sheet.write_string(row, index, column.header, head)
        row += 1
    for region_name, values in filled.rows:
        sheet.write_string(row, 0, region_name, name)
        for index, value in enumerate(values, start=1):
            sheet.write(row, index, value, cell)
        row += 1
    sheet.write_string(row, 0, "合计", bold)
    for index, value in enumerate(filled.total, start=1):
        sheet.write(row, index, value, bold)
    row += 2
    compiled = timezone.localtime(filled.updated.finished) if filled.updated else None
    sheet.write_string(row, 0, f"数据截至：{compiled:%Y年%m月%d日 %H:%M}" if compiled else "数据尚未汇总")
    sheet.write_string(row + 1, 0, f"制表日期：{timezone.localdate():%Y年%m月%d日}")
    if filled.template.note:
        sheet.write_string(row + 2, 0, f"说明：{filled.template.note}")
    sheet.set_column(0, 0, max(12, max((display_width(n) for n, _ in filled.rows), default=8) + 2))
    for index, column in enumerate(filled.columns, start=1):
        sheet.set_column(index, index, max(10, min(display_width(column.header) + 2, 24)))
    book.close()


def filename(filled: Filled) -> str:
    return f"{filled.region.name}{filled.template.title}（{filled.period_text}）.xlsx"

