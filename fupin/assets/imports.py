"""Asset import (资产批量登记): one asset per row, headers as the export writes them (``tables.COLUMNS``).

The whole file is checked first — required columns, labels of the coded columns, numbers and dates, the region
(exists, is a county, township or village, lies in the importing account's scope) and the asset rules of
``services.asset_errors`` — and every error names its row and column. Any error and nothing is written; otherwise
every row is registered through ``services.save_asset`` (its audit row included) in one transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import transaction

from fupin.core import excel
from fupin.core.scope import in_scope
from fupin.jobs.imports import ImportResult
from fupin.projects.access import may_change_money
from fupin.projects.models import PlannedSource
from fupin.regions.models import Level, Region

from . import services
from .choices import AssetKind, DistributionPlan, SubKind
from .models import Asset
from .tables import COLUMNS

REQUIRED = ("资产名称", "资产类别", "资产子类", "所在区划代码", "资产原值（元）", "形成日期", "资金来源", "所有权人")
# The columns the import reads (the export's others — 编号, 乡镇, 状态, 来源项目 — are ignored).
READ = {c.header: c.field for c in COLUMNS
        if c.field not in ("id", "status", "project__name") and c.region_level is None}
ALIASES = {"区划代码": "所在区划代码", "村代码": "所在区划代码", "原值": "资产原值（元）", "资产原值": "资产原值（元）",
           "所有权": "所有权人", "经营权": "经营权人", "收益权": "收益权人", "监督权": "监督权人", "类别": "资产类别"}
CODED = {"kind": AssetKind, "sub_kind": SubKind, "fund_source": PlannedSource, "plan": DistributionPlan}
DECIMALS = {"value", "quantity", "plan_share"}
DATES = {"formed_on", "registered_on"}
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def parse_date(text: str) -> dt.date | None:
    match = _DATE.match(text) or (re.match(r"^(\d{4})(\d{2})(\d{2})$", text))
    if not match:
        return None
    try:
        return dt.date(*map(int, match.groups()))
    except ValueError:
        return None


def parse_decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", "").replace("，", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def import_assets(path, *, acting_user, channel, progress: Callable | None = None,
                  filename: str | None = None) -> ImportResult:
    progress = progress or (lambda *a, **k: None)
    errors = excel.ErrorList()
    result = ImportResult("登记资产 {assets} 项", {"assets": 0})
    if acting_user is not None and not may_change_money(acting_user):
        errors.add(None, "", "当前账号只能查看项目资产，不能导入")
        return result.refused(errors)
    try:
        sheet = excel.read(path, filename=filename)
    except excel.SpreadsheetError as exc:
        errors.add(None, "", str(exc))
        return result.refused(errors)
    found, result.ignored_columns = excel.match_columns(sheet.header, READ, errors, sheet.header_row,
                                                        required=REQUIRED, aliases=ALIASES)
    if errors:
        return result.refused(errors)
    drafts = _read(sheet, found, errors, acting_user, progress)
    if not drafts and not errors:
        errors.add(None, "", "文件中没有资产行")
    if errors:
        return result.refused(errors)
    with transaction.atomic():
        progress(0, len(drafts), "正在写入", force=True)
        for done, asset in enumerate(drafts, 1):
            services.save_asset(asset, acting_user=acting_user, channel=channel, note="批量导入")
            if done % 100 == 0:
                progress(done, len(drafts))
    result.counts["assets"] = len(drafts)
    return result


def _read(sheet, found, errors: excel.ErrorList, acting_user, progress) -> list[Asset]:
    headers = {field: header for header, field in READ.items()}
    lengths = {f.name: f.max_length for f in Asset._meta.concrete_fields if getattr(f, "max_length", None)}
    rows = []
    for done, row in enumerate(sheet.rows, 1):
        if done % 1000 == 0:
            progress(done, sheet.total, f"正在校验第 {row.number} 行")
        values, bad = {}, False
        for header, index in found.items():
            field, text = READ[header], row[index]
            if not text:
                continue
            if field in CODED:
                by_label = {str(label): value for value, label in CODED[field].choices}
                value = by_label.get(text, text if text in CODED[field].values else None)
                if value is None:
                    errors.add(row.number, header, f"“{text}”不是可填写的值（{'、'.join(by_label)}）")
            elif field in DECIMALS:
                value = parse_decimal(text)
                if value is None:
                    errors.add(row.number, header, f"“{text}”不是数字")
            elif field in DATES:
                value = parse_date(text)
                if value is None:
                    errors.add(row.number, header, f"“{text}”不是日期（如 2023-05-01）")
            else:
                value = text
                if len(text) > lengths.get(field, 10**6):
                    errors.add(row.number, header, f"超过{lengths[field]}个字")
                    value = None
            if value is None:
                bad = True
            else:
                values[field] = value
        missing = [h for h in REQUIRED if READ[h] not in values and h in found and not row[found[h]]]
        for header in missing:
            errors.add(row.number, header, "不能为空")
        if bad or missing:
            continue
        code = values.pop("region_id")
        asset = Asset(**values)
        region = Region.objects.filter(code=code).first()
        if region is None:
            errors.add(row.number, headers["region_id"], f"区划代码“{code}”不存在")
            continue
        if region.level < Level.COUNTY:
            errors.add(row.number, headers["region_id"], "所在区划应为县、乡镇或村")
            continue
        if acting_user is not None and not in_scope(acting_user, code):
            errors.add(row.number, headers["region_id"], f"区划“{region.name}”不在当前账号的管辖范围内")
            continue
        asset.region = region
        try:
            services.ensure_can_change(acting_user, code)
        except PermissionDenied as exc:
            errors.add(row.number, headers["region_id"], str(exc))
            continue
        for field, message in services.asset_errors(asset).items():
            errors.add(row.number, headers.get(field, headers.get(f"{field}_id", field)), message)
        rows.append(asset)
    return rows
