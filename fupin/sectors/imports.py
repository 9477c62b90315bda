"""Excel import of each sector record kind: one row per record, the member by 证件号码 (or the household by 户编号),
then the kind's fields under their Chinese names.

The whole file is checked row by row (columns, values, the person in the account's scope), and the rows are written
through the kind's service in one transaction; any error in any row and nothing is written — the user gets every
error with its row, column and reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction

from fupin.core import excel
from fupin.jobs.imports import ImportResult

from . import services
from .choices import Source
from .kinds import BY_CODE, MEMBER
from .models import ChronicDisease

IMPORT_JOB = "sectors.import"
ID_HEADER, HOUSEHOLD_HEADER = "证件号码", "户编号"
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d")


def _fields(kind) -> list[models.Field]:
    return [kind.model._meta.get_field(name) for name in kind.fields]


def _required(field) -> bool:
    return not field.blank and not field.has_default() and not field.null


def import_columns(kind) -> list[tuple[str, str, str, str]]:
    """(header, 必填, 说明, 可填写的值) for the import page."""
    key = (ID_HEADER, "是", "成员的18位证件号码", "") if kind.subject == MEMBER else \
        (HOUSEHOLD_HEADER, "是", "户编号", "")
    rows = [key]
    for field in _fields(kind):
        values = "、".join(str(label) for _code, label in field.choices) if field.choices else ""
        if isinstance(field, models.BooleanField):
            values = "是、否"
        elif isinstance(field, models.DateField):
            values = "日期，如 2026-09-01"
        elif isinstance(field, models.ForeignKey):
            values = "本地门诊慢性病目录中的病种名称"
        rows.append((str(field.verbose_name), "是" if _required(field) else "", str(field.help_text or ""), values))
    return rows


def _parser(field) -> Callable[[str], object]:
    """text → value, or ValueError with the Chinese reason."""
    if field.choices:
        by_text = {str(label): code for code, label in field.choices} | {code: code for code, _ in field.choices}

        def choice(text):
            if text not in by_text:
                raise ValueError(f"“{text}”不是可填写的值（{'、'.join(str(label) for _c, label in field.choices)}）")
            return by_text[text]
        return choice
    if isinstance(field, models.BooleanField):
        def boolean(text):
            value = excel.parse_bool(text)
            if value is None:
                raise ValueError(f"“{text}”应填写“是”或“否”")
            return value
        return boolean
    if isinstance(field, models.DateField):
        def date(text):
            for pattern in DATE_FORMATS:
                try:
                    return dt.datetime.strptime(text.split(" ")[0], pattern).date()
                except ValueError:
                    continue
            raise ValueError(f"“{text}”不是有效日期（如 2026-09-01）")
        return date
    if isinstance(field, models.DecimalField):
        def number(text):
            try:
                value = Decimal(text.replace(",", ""))
            except InvalidOperation:
                raise ValueError(f"“{text}”不是数字") from None
            if value < 0:
                raise ValueError("不能为负数")
            return value
        return number
    if isinstance(field, models.PositiveSmallIntegerField):
        def integer(text):
            if not text.isdigit():
                raise ValueError(f"“{text}”应为整数")
            return int(text)
        return integer
    if isinstance(field, models.ForeignKey):
        def disease(text):
            found = ChronicDisease.objects.filter(name=text, active=True).first()
            if found is None:
                raise ValueError(f"“{text}”不在门诊慢性病目录中")
            return found
        return disease
    return lambda text: text


def import_records(path, kind_code: str, *, acting_user, channel, progress=None,
                   filename: str | None = None) -> ImportResult:
    kind = BY_CODE[kind_code]
    progress = progress or (lambda *a, **k: None)
    errors = excel.ErrorList()
    result = ImportResult(f"新增{kind.title} {{created}} 条", {"created": 0})
    try:
        sheet = excel.read(path, filename=filename)
    except excel.SpreadsheetError as exc:
        errors.add(None, "", str(exc))
        return result.refused(errors)
    key_header = ID_HEADER if kind.subject == MEMBER else HOUSEHOLD_HEADER
    fields = _fields(kind)
    headers = {str(f.verbose_name): f for f in fields}
    known = {key_header: None, **headers}
    required = [key_header, *(str(f.verbose_name) for f in fields if _required(f))]
    found, result.ignored_columns = excel.match_columns(sheet.header, known, errors, sheet.header_row,
                                                        required=required)
    if errors:
        return result.refused(errors)
    parsers = {header: _parser(field) for header, field in headers.items()}
    field_headers = {f.name: str(f.verbose_name) for f in fields} | {"member": key_header, "household": key_header}
    rows = []
    for row in sheet.rows:
        values, ok = {}, True
        for header, index in found.items():
            text = row[index]
            if header == key_header:
                continue
            field = headers[header]
            if not text:
                if _required(field):
                    errors.add(row.number, header, "不能为空")
                    ok = False
                continue
            try:
                values[field.name] = parsers[header](text)
            except ValueError as exc:
                errors.add(row.number, header, str(exc))
                ok = False
        key = row[found[key_header]]
        if not key:
            errors.add(row.number, key_header, "不能为空")
            ok = False
        if ok:
            rows.append((row.number, key, values))
    if errors:
        return result.refused(errors)
    with transaction.atomic():
        for done, (number, key, values) in enumerate(rows, 1):
            if done % 200 == 0:
                progress(done, len(rows), f"正在写入第 {number} 行")
            record = kind.model(source=Source.IMPORTED, **values)
            try:
                if kind.subject == MEMBER:
                    record.member = services.find_member(acting_user, key)
                    record.household = record.member.household
                else:
                    record.household = services.find_household(acting_user, key)
                with transaction.atomic():
                    kind.save(record, acting_user=acting_user, channel=channel)
            except ValidationError as exc:
                for name, messages in (exc.message_dict.items() if hasattr(exc, "error_dict")
                                       else [("", exc.messages)]):
                    errors.add(number, field_headers.get(name, ""), "；".join(messages))
            except PermissionDenied as exc:
                errors.add(number, key_header, str(exc))
            else:
                result.counts["created"] += 1
        if errors:
            transaction.set_rollback(True)
            result.counts["created"] = 0
            return result.refused(errors)
    return result
