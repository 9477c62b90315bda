"""List columns declared once: Chinese header, the field path to read, the cell kind, code-table label
resolution and masking of sensitive values. Exports (and the import template, which shares the registry's
columns) are built from these declarations.

Rows are read with ``values_list(...).iterator(chunk_size=...)``, so an export of 100k rows never holds more than
one chunk of tuples, and the writer streams them out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

from fupin.core import excel, hooks, idnumber
from fupin.core.excel import DATE, DATETIME, NUMBER, TEXT

BOOL = "bool"
CHUNK_SIZE = 2000
MULTI_SEPARATOR = "、"


@dataclass(frozen=True)
class Column:
    """One export column.

    ``field`` is a ``values_list`` path (``household__village_id``). ``code_table`` names the dictionary whose
    labels replace stored codes (``multi`` for comma-separated code lists). ``sensitive`` values (ID numbers,
    bank accounts, phones) are masked — with ``masker``, ID-number style by default — unless the export is
    explicitly a full one; ``full_only`` columns (health conditions per person) are left out of a masked export
    altogether, since no masked form of them says less. ``region_level`` shows, for a stored
    region code, the name of its ancestor at that level (the township of a village). ``choices`` maps stored
    values to labels for model choices; ``transform`` is any other pure function of the stored value.
    """

    header: str
    field: str
    kind: str = TEXT
    code_table: str | None = None
    multi: bool = False
    sensitive: bool = False
    masker: Callable | None = None
    full_only: bool = False
    width: float | None = None
    region_level: int | None = None
    choices: dict | None = None
    transform: Callable | None = None
    help: str = ""

    @property
    def writer_kind(self) -> str:
        return TEXT if self.kind == BOOL else self.kind

    def prefixed(self, prefix: str) -> Column:
        """The same column read through a relation (a household column on a member export)."""
        return replace(self, field=f"{prefix}{self.field}")


@dataclass
class Table:
    """A list's columns over one model."""

    title: str
    model: type
    columns: Sequence[Column]
    order_by: Sequence[str] = ()

    @property
    def has_sensitive(self) -> bool:
        return any(c.sensitive or c.full_only for c in self.columns)

    def columns_for(self, *, full: bool) -> list[Column]:
        return [c for c in self.columns if full or not c.full_only]

    def writer_columns(self, *, full: bool = False) -> list[excel.Col]:
        return [excel.Col(c.header, c.writer_kind, c.width) for c in self.columns_for(full=full)]

    def rows(self, queryset, *, full: bool = False, chunk_size: int = CHUNK_SIZE) -> Iterator[list]:
        """Display values for each row of the queryset, in column order."""
        columns = self.columns_for(full=full)
        fields = list(dict.fromkeys(c.field for c in columns))
        position = {f: i for i, f in enumerate(fields)}
        labels = hooks.code_labels(c.code_table for c in columns if c.code_table)
        region_name = hooks.region_namer()
        readers = [self._reader(col, position[col.field], full, labels, region_name) for col in columns]
        if self.order_by:
            queryset = queryset.order_by(*self.order_by)
        for record in queryset.values_list(*fields).iterator(chunk_size=chunk_size):
            yield [read(record) for read in readers]

    @staticmethod
    def _reader(col: Column, index: int, full: bool, labels: dict, region_name: Callable) -> Callable:
        names = labels[col.code_table] if col.code_table else col.choices

        def read(record):
            value = record[index]
            if col.region_level is not None:
                value = region_name(value, col.region_level)
            elif names is not None and value not in (None, ""):
                if col.multi:
                    value = MULTI_SEPARATOR.join(names.get(part, part) for part in str(value).split(","))
                else:
                    value = names.get(value, value)
            elif col.kind == BOOL and value is not None:
                value = "是" if value else "否"
            if col.sensitive and not full:
                value = (col.masker or idnumber.mask)(value)
            if col.transform is not None:
                value = col.transform(value)
            return value

        return read

    def write(self, queryset, target, *, full: bool = False, progress: Callable | None = None,
              total: int | None = None) -> int:
        """Stream the queryset into a one-sheet workbook; ``progress(done, total)`` is called as rows go out."""
        with excel.XlsxStream(target) as out:
            out.add_sheet(self.title, self.writer_columns(full=full))
            count = 0
            for values in self.rows(queryset, full=full):
                out.write_row(values)
                count += 1
                if progress is not None and count % 1000 == 0:
                    progress(count, total)
        if progress is not None:
            progress(count, total, force=True)
        return count


def mask_phone(number: str | None) -> str:
    """A mobile number keeps its first 3 and last 4 digits (138****1234); other numbers only their last 4."""
    if not number:
        return ""
    keep_head = 3 if len(number) >= 11 else 0
    if len(number) <= 4 + keep_head:
        return "*" * len(number)
    return number[:keep_head] + "*" * (len(number) - keep_head - 4) + number[-4:]


__all__ = ["BOOL", "DATE", "DATETIME", "NUMBER", "TEXT", "Column", "Table", "mask_phone"]
