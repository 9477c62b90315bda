"""Spreadsheets in and out: read .xlsx/.xls/.ods/.csv into header + rows of strings, stream rows into .xlsx.

Reading keeps track of which cells Excel stored as numbers, because an 18-digit ID number or a long household
number that Excel turned into a float (``4.10481E+17``) has lost digits: callers hand ``Row.raw()`` to a checker
(``idnumber.check`` names the problem) instead of trusting the string.

Writing streams with XlsxWriter's ``constant_memory`` mode, so a 100k-row export holds one row at a time. Text
columns (ID numbers, codes, phone numbers) are written as text cells and formatted as text, so Excel neither shows
them in scientific notation nor mangles numbers a user types into them later.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import decimal
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine
import xlsxwriter
from django.utils import timezone

TEXT = "text"
NUMBER = "number"
DATE = "date"
DATETIME = "datetime"

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
SUFFIXES = (*SPREADSHEET_SUFFIXES, ".csv")
# Excel keeps 15 significant digits; a number cell with more has lost its tail.
EXACT_DIGITS = 15


class SpreadsheetError(Exception):
    """The file as a whole cannot be read; the message is for the user."""


@dataclass
class Row:
    """One data row: ``number`` is the row number Excel shows, cells are stripped strings."""

    number: int
    cells: list[str]
    numbers: dict[int, float] = field(default_factory=dict)

    def __getitem__(self, index: int) -> str:
        return self.cells[index] if index < len(self.cells) else ""

    def raw(self, index: int) -> str | float:
        """The cell as stored: the float for a number cell, else the string."""
        return self.numbers.get(index, self[index])

    def lost_digits(self, index: int) -> bool:
        """A number cell too long for Excel to have kept every digit (a mangled code or ID number)."""
        value = self.numbers.get(index)
        return value is not None and abs(value) >= 10**EXACT_DIGITS


@dataclass
class Sheet:
    name: str
    header: list[str]
    header_row: int
    rows: Iterator[Row]
    total: int  # data rows after the header, blank ones included (an upper bound for progress bars)


def cell_text(value) -> str:
    """A cell as the user sees it: integral numbers without ``.0``, dates as ``YYYY-MM-DD``, booleans as 是/否."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 10**EXACT_DIGITS:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip()


def file_suffix(path: Path, filename: str | None = None) -> str:
    """The file's type as a suffix: its name's when that is one of ``SUFFIXES``, else from its first bytes (a ZIP
    container is .xlsx, an OLE2 compound file .xls, anything else is read as CSV)."""
    suffix = Path(filename or path.name).suffix.lower()
    if suffix in SUFFIXES:
        return suffix
    with open(path, "rb") as fh:
        magic = fh.read(8)
    if magic.startswith(b"PK"):
        return ".xlsx"
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        return ".xls"
    return ".csv"


def read(path, *, filename: str | None = None) -> Sheet:
    """Open the first worksheet (or the CSV file); the first non-blank row is the header."""
    path = Path(path)
    suffix = file_suffix(path, filename)
    if suffix == ".csv":
        name, rows, row_count = path.stem, _csv_rows(path), None
    else:
        name, rows, row_count = _workbook_rows(path)
    for index, cells, _numbers in rows:
        if any(cells):
            header = [" ".join(c.split()) for c in cells]
            while header and not header[-1]:
                header.pop()
            if row_count is None:
                row_count = _count_lines(path)
            return Sheet(name, header, index + 1, _data_rows(rows), max(row_count - index - 1, 0))
    raise SpreadsheetError("文件中没有数据（第一个工作表为空）")


def _data_rows(rows) -> Iterator[Row]:
    for index, cells, numbers in rows:
        if any(cells):
            yield Row(index + 1, cells, numbers)


def first_sheet(path: Path):
    """The workbook's first visible worksheet (its first one if all are hidden), parsed by python-calamine."""
    try:
        workbook = python_calamine.load_workbook(str(path))
        names = [m.name for m in workbook.sheets_metadata if m.visible == python_calamine.SheetVisibleEnum.Visible]
        return workbook.get_sheet_by_name(names[0] if names else workbook.sheet_names[0])
    except (python_calamine.CalamineError, IndexError, OSError, ValueError) as exc:
        raise SpreadsheetError(f"无法读取该 Excel 文件（{exc.__class__.__name__}），请确认文件未加密且未损坏") from exc


def _workbook_rows(path: Path):
    sheet = first_sheet(path)

    def rows():
        # iter_rows starts at the sheet's first row, so the enumeration index is the Excel row number minus one.
        for index, values in enumerate(sheet.iter_rows()):
            numbers = {
                i: float(v) for i, v in enumerate(values) if isinstance(v, (int, float)) and not isinstance(v, bool)
            }
            yield index, [cell_text(v) for v in values], numbers

    return sheet.name, rows(), sheet.height + sheet.start[0]


def detect_encoding(path: Path) -> str:
    """utf-8 (with or without BOM) if the whole file decodes as such, else GB18030 (a superset of GBK that
    Chinese-locale Excel uses for "CSV"); SpreadsheetError if it is neither (a binary file, another encoding)."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        with open(path, "rb") as fh:
            try:
                while chunk := fh.read(1 << 20):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                continue
        return encoding
    raise SpreadsheetError("无法识别该 CSV 文件的文字编码：请另存为 UTF-8 或 GBK（GB18030）编码的 CSV，或上传 Excel 文件")


def csv_dialect(path: Path, encoding: str, *, delimiters: str = ",\t;", sample: int = 16384) -> type[csv.Dialect]:
    """The CSV dialect guessed from the first ``sample`` characters, among ``delimiters``; ``csv.excel`` (comma)
    when they do not tell."""
    with open(path, encoding=encoding, newline="") as fh:
        text = fh.read(sample)
    try:
        return csv.Sniffer().sniff(text, delimiters=delimiters)
    except csv.Error:
        return csv.excel


def _csv_rows(path: Path):
    encoding = detect_encoding(path)
    dialect = csv_dialect(path, encoding)

    def rows():
        with open(path, encoding=encoding, newline="") as fh:
            for index, values in enumerate(csv.reader(fh, dialect)):
                yield index, [v.strip() for v in values], {}

    return rows()


def _count_lines(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) + 1


# --- writing ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    """A column for the writer; ``fupin.core.tables.Column`` has the same three attributes."""

    header: str
    kind: str = TEXT
    width: float | None = None


def display_width(text: str) -> int:
    """Width in Excel character units: CJK characters take two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


DEFAULT_WIDTHS = {TEXT: 12, NUMBER: 10, DATE: 12, DATETIME: 18}


def column_width(col) -> float:
    if getattr(col, "width", None):
        return col.width
    return min(max(display_width(col.header) + 2, DEFAULT_WIDTHS.get(col.kind, 12)), 60)


class XlsxStream:
    """Append rows to a new .xlsx file in constant memory.

    ``target`` is a path or a binary file object. Several sheets may be added; write each one top to bottom.
    """

    def __init__(self, target):
        self.workbook = xlsxwriter.Workbook(
            target if isinstance(target, (str, Path)) else target,
            {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
             "strings_to_urls": False, "remove_timezone": True},
        )
        self.header_format = self.workbook.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1,
                                                       "text_wrap": True, "valign": "vcenter"})
        self.text_format = self.workbook.add_format({"num_format": "@"})
        self.date_format = self.workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.datetime_format = self.workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self.wrap_format = self.workbook.add_format({"text_wrap": True, "valign": "top"})
        self._sheet = None

    def add_sheet(self, name: str, columns: Sequence, *, autofilter: bool = True) -> None:
        """Start a sheet with a bold, frozen header row; text columns are pre-formatted as text."""
        self._finish_sheet()
        sheet = self.workbook.add_worksheet(name[:31])
        for index, col in enumerate(columns):
            fmt = self.text_format if col.kind == TEXT else None
            sheet.set_column(index, index, column_width(col), fmt)
        for index, col in enumerate(columns):
            sheet.write_string(0, index, col.header, self.header_format)
        sheet.freeze_panes(1, 0)
        self._sheet, self._columns, self._row, self._autofilter = sheet, list(columns), 1, autofilter

    def write_row(self, values: Sequence) -> None:
        sheet, row = self._sheet, self._row
        for index, (col, value) in enumerate(zip(self._columns, values)):
            if value is None or value == "":
                continue
            kind = col.kind
            if kind == NUMBER and isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool):
                sheet.write_number(row, index, float(value))
            elif kind == DATETIME and isinstance(value, dt.datetime):
                if timezone.is_aware(value):
                    value = timezone.localtime(value)
                sheet.write_datetime(row, index, value.replace(tzinfo=None), self.datetime_format)
            elif kind in (DATE, DATETIME) and isinstance(value, dt.date):
                sheet.write_datetime(row, index, value, self.date_format)
            else:
                # Everything else, ID numbers and codes above all, is a text cell.
                sheet.write_string(row, index, value if isinstance(value, str) else cell_text(value))
        self._row += 1

    def write_rows(self, rows: Iterable[Sequence]) -> int:
        count = 0
        for values in rows:
            self.write_row(values)
            count += 1
        return count

    def write_note_sheet(self, name: str, header: Sequence[str], rows: Iterable[Sequence[str]],
                         widths: Sequence[float]) -> None:
        """A small explanatory sheet (the template's 说明): wrapped text, no filter."""
        self.add_sheet(name, [Col(h, TEXT, w) for h, w in zip(header, widths)], autofilter=False)
        for values in rows:
            for index, value in enumerate(values):
                self._sheet.write_string(self._row, index, value or "", self.wrap_format)
            self._row += 1

    @property
    def rows_written(self) -> int:
        return self._row - 1

    def _finish_sheet(self):
        if self._sheet is not None and self._autofilter and self._columns:
            self._sheet.autofilter(0, 0, max(self._row - 1, 0), len(self._columns) - 1)

    def close(self) -> None:
        self._finish_sheet()
        self.workbook.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def write_table(target, sheet_name: str, columns: Sequence, rows: Iterable[Sequence]) -> int:
    """One sheet of rows into a new workbook; returns the number of data rows written."""
    with XlsxStream(target) as out:
        out.add_sheet(sheet_name, columns)
        return out.write_rows(rows)


@dataclass(frozen=True)
class RowError:
    """One problem in an uploaded file: the Excel row number (None for the file as a whole), the column header
    and the Chinese reason; ``cells`` is the original row, copied into the error workbook."""

    row: int | None
    column: str
    reason: str
    cells: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "reason": self.reason}

    def __str__(self):
        where = f"第{self.row}行" if self.row else "文件"
        return f"{where}{'「' + self.column + '」' if self.column else ''}：{self.reason}"


class ErrorList:
    """Collects row errors for an import: keeps the first ``limit``, counts them all."""

    def __init__(self, limit: int = 10_000):
        self.items: list[RowError] = []
        self.count = 0
        self.limit = limit

    def add(self, row: int | None, column: str, reason: str) -> None:
        self.count += 1
        if len(self.items) < self.limit:
            self.items.append(RowError(row, column, reason))

    def sorted(self) -> list[RowError]:
        return sorted(self.items, key=lambda e: e.row or 0)

    def __bool__(self):
        return self.count > 0


def header_key(text: str) -> str:
    """Headers compare without spaces, required-markers and bracket width: 耕地面积(亩) = 耕地面积（亩）*."""
    text = re.sub(r"[\s*＊]", "", text or "")
    return text.replace("(", "（").replace(")", "）")


def match_columns(header: Sequence[str], known: dict[str, object], errors: ErrorList, header_row: int,
                  *, required: Sequence[str] = (), aliases: dict[str, str] | None = None):
    """Index of each known column in the file (by header, spaces and bracket width ignored), the headers it
    did not know, and an error for each duplicated or missing required column."""
    by_key = {header_key(name): name for name in known}
    alias_keys = {header_key(k): header_key(v) for k, v in (aliases or {}).items()}
    found, ignored = {}, []
    for index, title in enumerate(header):
        key = header_key(title)
        name = by_key.get(alias_keys.get(key, key))
        if name is None:
            if title:
                ignored.append(title)
        elif name in found:
            errors.add(header_row, title, f"列“{name}”重复出现")
        else:
            found[name] = index
    for name in required:
        if name not in found:
            errors.add(header_row, name, f"缺少必填列“{name}”")
    return found, ignored


TRUE_WORDS = frozenset({"是", "有", "y", "yes", "true", "1", "√", "✓", "参加", "享受"})
FALSE_WORDS = frozenset({"否", "无", "n", "no", "false", "0", "×", "✗", "未参加", "不享受"})


def parse_bool(text: str) -> bool | None:
    """是/否 and their usual spellings; None if the text is none of them."""
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


ERROR_COLUMNS = (Col("行号", NUMBER, 8), Col("列", TEXT, 16), Col("错误原因", TEXT, 60))


def write_errors(target, errors: Sequence[RowError], header: Sequence[str] = (), *, source=None) -> int:
    """The error workbook: 行号, 列, 错误原因, then the original row under its own headers.

    With ``source`` (the uploaded file) the original rows are read again from it, so a caller need not keep
    every row of a large file in memory just in case it turns out to hold an error.
    """
    errors = sorted(errors, key=lambda e: e.row or 0)
    rows = None
    if source is not None:
        try:
            sheet = read(source)
        except SpreadsheetError:
            sheet = None
        if sheet is not None:
            header, rows = sheet.header, sheet.rows
    columns = [*ERROR_COLUMNS, *(Col(h or f"第{i + 1}列", TEXT) for i, h in enumerate(header))]
    return write_table(target, "错误清单", columns, _error_lines(errors, rows))


def _error_lines(errors: Sequence[RowError], rows: Iterator[Row] | None):
    """Merge the (sorted) errors with the source rows: each error line carries its row's cells."""
    row = None
    for error in errors:
        cells = error.cells
        if rows is not None and error.row:
            while row is None or row.number < error.row:
                row = next(rows, None)
                if row is None:
                    rows = None
                    break
            if row is not None and row.number == error.row:
                cells = row.cells
        yield [error.row, error.column, error.reason, *cells]


def to_bytes(columns: Sequence, rows: Iterable[Sequence], sheet_name: str = "Sheet1") -> bytes:
    """A small workbook in memory (tests and tiny downloads)."""
    buffer = io.BytesIO()
    write_table(buffer, sheet_name, columns, rows)
    return buffer.getvalue()
