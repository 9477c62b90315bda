"""Department files into Polars: .xlsx/.xls/.ods through python-calamine, .csv through Polars' own reader.

The file is opened twice: ``open_source`` reads only the first rows (to find the header and show a preview for
column mapping); ``read_frame`` then reads the mapped columns of every row as text, plus a flag telling where the
ID column held a number cell (Excel has turned the ID into a float and lost digits: rejected, never repaired).
Department files often put a title line above the header, so the header is the first of the top rows that names
an ID column.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter
from pathlib import Path

import polars as pl

from fupin.core.excel import (
    SpreadsheetError,
    cell_text,
    csv_dialect,
    detect_encoding,
    file_suffix,
    first_sheet,
)

from .kinds import ID_ALIASES, header_key

HEADER_SEARCH_ROWS = 15
PREVIEW_ROWS = 5
CHUNK_ROWS = 200_000

ROW_NO = "row_no"
ID_IS_NUMBER = "id_is_number"


@dataclass
class Source:
    path: Path
    suffix: str
    header: list[str]
    header_index: int  # 0-based index of the header row (the Excel row number minus one)
    preview: list[list[str]] = field(default_factory=list)
    encoding: str = "utf-8"
    separator: str = ","
    sheet: object = field(default=None, repr=False)  # the parsed worksheet, kept for read_frame in the same process
    total_rows: int = 0  # rows in the sheet (0 when unknown, as for CSV), for progress bars

    @property
    def header_row(self) -> int:
        return self.header_index + 1


def suffix_of(path: Path, file_name: str | None = None) -> str:
    # Departments' .txt exports are delimited text, whatever their first bytes.
    if Path(file_name or path.name).suffix.lower() == ".txt":
        return ".csv"
    return file_suffix(path, file_name)


def _find_header(rows: list[list[str]]) -> int:
    """The first row naming an ID column; failing that, the first row with two or more filled cells."""
    id_keys = [header_key(a) for a in ID_ALIASES]
    for index, cells in enumerate(rows):
        if any(key and any(alias in key for alias in id_keys) for key in map(header_key, cells)):
            return index
    for index, cells in enumerate(rows):
        if sum(1 for c in cells if c) >= 2:
            return index
    raise SpreadsheetError("文件中没有找到表头（前15行都没有内容）")


def open_source(path, file_name: str | None = None) -> Source:
    path = Path(path)
    suffix = suffix_of(path, file_name)
    if suffix == ".csv":
        encoding = detect_encoding(path)
        # Department exports may also be separated by "|".
        separator = csv_dialect(path, encoding, delimiters=",\t;|", sample=65536).delimiter
        with open(path, encoding=encoding, newline="") as fh:
            top = [[c.strip() for c in row] for row in islice(csv.reader(fh, delimiter=separator), HEADER_SEARCH_ROWS + PREVIEW_ROWS)]
        source = Source(path, suffix, [], 0, encoding=encoding, separator=separator)
    else:
        sheet = first_sheet(path)
        top = [[cell_text(v) for v in row] for row in islice(sheet.iter_rows(), HEADER_SEARCH_ROWS + PREVIEW_ROWS)]
        source = Source(path, suffix, [], 0, sheet=sheet, total_rows=sheet.height)
    if not any(any(row) for row in top):
        raise SpreadsheetError("文件中没有数据（第一个工作表为空）")
    source.header_index = _find_header(top[:HEADER_SEARCH_ROWS])
    header = [" ".join(c.split()) for c in top[source.header_index]]
    while header and not header[-1]:
        header.pop()
    source.header = header
    source.preview = [row for row in top[source.header_index + 1 :] if any(row)][:PREVIEW_ROWS]
    return source


def read_frame(source: Source, columns: dict[str, int], id_field: str,
               progress: Callable[[int], None] | None = None) -> pl.DataFrame:
    """Every data row below the header: ``row_no`` (as Excel numbers it), one text column per mapped field, and
    ``id_is_number``. Rows blank in every mapped column are skipped."""
    if source.suffix == ".csv":
        return _read_csv(source, columns)
    return _read_sheet(source, columns, id_field, progress)


def _texts(values: list) -> list[str]:
    return [v.strip() if type(v) is str else cell_text(v) for v in values]


def _read_sheet(source, columns, id_field, progress) -> pl.DataFrame:
    """The mapped cells, gathered column by column and converted to text a chunk at a time."""
    sheet = source.sheet or first_sheet(source.path)
    source.sheet = None  # the parsed sheet is large: let it go once read
    names = list(columns)
    pick = itemgetter(*columns.values()) if len(columns) > 1 else (lambda row: (row[columns[names[0]]],))
    width = max(columns.values()) + 1
    id_at = names.index(id_field)
    schema = {ROW_NO: pl.UInt32, **{n: pl.String for n in names}, ID_IS_NUMBER: pl.Boolean}
    chunks, row_numbers, values = [], [], [[] for _ in names]

    def flush():
        if row_numbers:
            numbers = [type(v) in (int, float) for v in values[id_at]]
            chunks.append(pl.DataFrame([row_numbers, *map(_texts, values), numbers], schema=schema, orient="col"))
            row_numbers.clear()
            for column in values:
                column.clear()

    start = source.header_index + 1
    for number, row in enumerate(islice(sheet.iter_rows(), start, None), start=start + 1):
        cells = pick(row) if len(row) >= width else tuple(row[i] if i < len(row) else None for i in columns.values())
        row_numbers.append(number)
        for column, cell in zip(values, cells):
            column.append(cell)
        if len(row_numbers) >= CHUNK_ROWS:
            flush()
            if progress:
                progress(number)
    flush()
    frame = pl.concat(chunks) if chunks else pl.DataFrame(schema=schema)
    return frame.filter(pl.any_horizontal([pl.col(n).fill_null("") != "" for n in names]))


def _utf8_copy(source: Source) -> Path:
    """GB18030 (what Chinese-locale Excel saves as "CSV") transcoded to UTF-8 in chunks, for Polars."""
    target = Path(tempfile.mkstemp(suffix=".csv")[1])
    with open(source.path, encoding=source.encoding, newline="") as src, open(target, "w", encoding="utf-8", newline="") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    return target


def _read_csv(source: Source, columns: dict[str, int]) -> pl.DataFrame:
    path = source.path if source.encoding.startswith("utf-8") else _utf8_copy(source)
    try:
        frame = pl.read_csv(
            path, has_header=False, infer_schema=False, separator=source.separator, quote_char='"',
            skip_rows=source.header_index + 1, truncate_ragged_lines=True, encoding="utf8-lossy",
            raise_if_empty=False,
        )
    except pl.exceptions.ComputeError as exc:
        raise SpreadsheetError(f"无法读取该 CSV 文件：{exc}") from exc
    finally:
        if path != source.path:
            path.unlink(missing_ok=True)
    raw_columns = frame.columns
    start = source.header_index + 2
    frame = frame.with_row_index(ROW_NO, offset=start).select(
        pl.col(ROW_NO).cast(pl.UInt32),
        *[(pl.col(raw_columns[i]).str.strip_chars() if i < len(raw_columns) else pl.lit(None, pl.String)).alias(name)
          for name, i in columns.items()],
        pl.lit(False).alias(ID_IS_NUMBER),
    )
    mapped = [pl.col(name) for name in columns]
    return frame.filter(pl.any_horizontal([c.is_not_null() & (c != "") for c in mapped]))


# --- typed columns ---------------------------------------------------------------------------------------------

EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_dates(column: str) -> pl.Expr:
    """Dates as departments write them: 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日, 20240305, an Excel serial
    number, or any of those with a time after them. Unreadable values become null."""
    text = (
        pl.col(column).str.strip_chars()
        .str.replace_all(r"[年月/.]", "-")
        .str.replace_all(r"日", "")
        .str.replace(r"[ T].*$", "")
    )
    serial = text.cast(pl.Int32, strict=False)
    return (
        pl.when(text.str.contains(r"^\d{8}$"))
        .then(text.str.strptime(pl.Date, "%Y%m%d", strict=False))
        .when(serial.is_between(1, 80000))
        .then(pl.lit(EXCEL_EPOCH) + pl.duration(days=serial))
        .otherwise(
            text.str.replace(r"^(\d{4})-(\d)-", "$1-0$2-").str.replace(r"-(\d)$", "-0$1")
            .str.strptime(pl.Date, "%Y-%m-%d", strict=False)
        )
    )


def parse_numbers(column: str) -> pl.Expr:
    """Amounts with thousands separators, currency signs or a 元 suffix; unreadable values become null."""
    return pl.col(column).str.replace_all(r"[,，¥￥元\s]", "").cast(pl.Float64, strict=False)

