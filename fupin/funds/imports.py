"""Bank disbursement files (拨付明细) into a batch: every row checked column-wise, then all rows written or none.

The file is read by the comparison app's reader (header found by its ID column, mapped columns as text, Excel's
number-cell IDs flagged) and checked in Polars, so a million rows cost no Python call per row: the ID number as
``core.idnumber`` checks it (``comparison.ids``, held equal to it by that app's tests), amount, date, village in
scope, and the allocation or fund (文号) each row is paid out of. Errors name the row, the file's column and the
reason in Chinese; with any error nothing is written and the batch keeps the report and an error workbook.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from fupin.audit.services import record_change, snapshot
from fupin.comparison import ids, reader
from fupin.comparison.kinds import ID_ALIASES, NAME_ALIASES
from fupin.core import bulkload, excel
from fupin.core.excel import ErrorList, RowError
from fupin.core.scope import user_scope_prefix
from fupin.core.validators import BANK_ACCOUNT_LENGTHS
from fupin.jobs.services import job_dir
from fupin.regions.models import PREFIX_LENGTH, Level, Region

from .models import Allocation, AllocationStatus, BatchKind, BatchStatus, Disbursement, DisbursementBatch, Fund
from .services import ensure_can_change

# The errors a batch's report lists; the error workbook has them all.
LISTED_ERRORS = 200
# Above this many rows the plain indexes are dropped for the load and built once after it (core.bulkload).
DEFER_INDEXES_ROWS = 50_000
MAX_AMOUNT = 10**12


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    required: bool = False
    aliases: tuple[str, ...] = ()


FIELDS = (
    Field("voucher_number", "凭证号", aliases=("凭证编号", "支付凭证号", "流水号", "交易流水号", "业务流水号")),
    Field("payee_name", "收款人", True, ("收款人姓名", "收款户名", "户名", *NAME_ALIASES)),
    Field("payee_id_number", "证件号码", True, ("收款人证件号码", "收款人身份证号", *ID_ALIASES)),
    Field("bank_account", "银行账号", aliases=("收款账号", "收款人账号", "银行卡号", "卡号", "账号", "一卡通账号")),
    Field("amount", "金额", True, ("拨付金额", "发放金额", "补贴金额", "支付金额", "金额（元）", "交易金额")),
    Field("paid_on", "拨付日期", True, ("发放日期", "支付日期", "交易日期", "日期")),
    Field("village", "村代码", True, ("村区划代码", "所属村代码", "区划代码", "村级区划代码", "行政区划代码")),
    Field("allocation", "资金分配编号", aliases=("分配编号",)),
    Field("fund", "资金文号", aliases=("文号", "指标文号", "资金指标文号")),
    Field("item", "资金项目", aliases=("补贴项目", "项目名称", "资金用途", "用途")),
)
BY_NAME = {f.name: f for f in FIELDS}


def template_columns() -> list[excel.Col]:
    return [excel.Col(f.label, excel.TEXT) for f in FIELDS]


def _columns(source: reader.Source, mapping: dict | None, errors: ErrorList) -> dict[str, int]:
    """Index of each field's column: the header ``mapping`` names for it, else its label or an alias."""
    keys = [excel.header_key(h) for h in source.header]
    found = {}
    for field in FIELDS:
        wanted = (mapping or {}).get(field.name)
        names = [wanted] if wanted else [field.label, *field.aliases]
        for name in names:
            key = excel.header_key(name)
            if key in keys and keys.index(key) not in found.values():
                found[field.name] = keys.index(key)
                break
        else:
            if wanted:
                errors.add(source.header_row, field.label, f"文件中没有指定的列“{wanted}”")
            elif field.required:
                errors.add(source.header_row, field.label, f"缺少必填列“{field.label}”（也可用：{'、'.join(field.aliases[:4])}）")
    if "allocation" not in found and "fund" not in found and not errors:
        errors.add(source.header_row, "资金分配编号", "缺少“资金分配编号”或“资金文号”列，须有其一说明每笔拨付出自哪项资金")
    return found


def _text(name: str) -> pl.Expr:
    return pl.col(name).fill_null("").str.strip_chars()


def _quoted(name: str) -> pl.Expr:
    return pl.concat_str([pl.lit("“"), _text(name).str.slice(0, 30), pl.lit("”")])


def _document_key(text: pl.Expr) -> pl.Expr:
    """A 文号 as compared: without spaces, with whatever brackets were typed around the year read as 〔〕."""
    return (text.str.replace_all(r"\s", "").str.replace_all(r"[\(（\[［【]", "〔")
            .str.replace_all(r"[\)）\]］】]", "〕"))


def _villages(user, scope: str) -> pl.DataFrame:
    villages = Region.objects.filter(level=Level.VILLAGE)
    if user is not None:
        villages = villages.visible_to(user)
    codes = list(villages.in_region(scope).values_list("code", flat=True))
    return pl.DataFrame({"village": codes, "_village_ok": [True] * len(codes)},
                        schema={"village": pl.String, "_village_ok": pl.Boolean})


def _allocations(user, scope: str) -> pl.DataFrame:
    allocations = Allocation.objects.filter(status=AllocationStatus.ISSUED)
    if user is not None:
        allocations = allocations.visible_to(user)
    rows = list(allocations.in_region(scope).values_list("pk", "fund_id", "region_id", "region__level", "item",
                                                         "fund__document_number"))
    return pl.DataFrame(
        [(str(pk), fund, code[:PREFIX_LENGTH[level]], item, doc) for pk, fund, code, level, item, doc in rows],
        schema={"allocation": pl.String, "_a_fund": pl.Int64, "_a_prefix": pl.String, "_a_item": pl.String,
                "_a_doc": pl.String}, orient="row")


def _funds(user) -> pl.DataFrame:
    funds = Fund.objects.all() if user is None else Fund.objects.visible_to(user)
    rows = list(funds.values_list("document_number", "pk", "region_id", "region__level"))
    frame = pl.DataFrame([(d, pk, code[:PREFIX_LENGTH[level]]) for d, pk, code, level in rows],
                         schema={"_fund_key": pl.String, "_f_fund": pl.Int64, "_f_prefix": pl.String}, orient="row")
    frame = frame.with_columns(_document_key(pl.col("_fund_key")).alias("_fund_key"))
    # A 文号 under which several funds were issued names none of them by itself.
    return frame.group_by("_fund_key").agg(pl.col("_f_fund").first(), pl.col("_f_prefix").first(),
                                           pl.len().alias("_f_count"))


def _checked(frame: pl.DataFrame, columns: dict, user, scope: str, today: dt.date) -> pl.DataFrame:
    """The frame with the typed values and one ``e_<field>`` column per field holding the row's reason, or null."""
    has = columns.__contains__
    blank = pl.lit(None, pl.String)
    for name in BY_NAME:
        if not has(name):
            frame = frame.with_columns(blank.alias(name))
    frame = ids.normalize(frame.lazy(), "payee_id_number", number_cell=reader.ID_IS_NUMBER, today=today,
                          prefix="id").collect()
    name_text = _text("payee_name")
    amount_text = _text("amount").str.replace_all(r"[,，¥￥元\s]", "")
    amount = amount_text.cast(pl.Float64, strict=False)
    cents = (amount * 100).round(0)
    paid_on = reader.parse_dates("paid_on")
    account = _text("bank_account").str.replace_all(r"[\s-]", "")
    low, high = BANK_ACCOUNT_LENGTHS
    frame = frame.with_columns(
        name_text.alias("payee_name"),
        pl.when((amount > 0) & ((amount * 100 - cents).abs() < 1e-6) & (amount < MAX_AMOUNT))
        .then(cents.cast(pl.Int64)).alias("_cents"),
        paid_on.alias("_paid_on"),
        account.alias("bank_account"),
        _text("village").alias("village"),
        _text("allocation").str.replace(r"\.0$", "").alias("allocation"),
        _text("fund").alias("fund"),
        _document_key(_text("fund")).alias("_fund_key"),
        _text("item").alias("item"),
        _text("voucher_number").alias("voucher_number"),
    )
    frame = (frame.join(_villages(user, scope), on="village", how="left")
             .join(_allocations(user, scope), on="allocation", how="left")
             .join(_funds(user), on="_fund_key", how="left"))
    given = {n: pl.col(n) != "" for n in ("allocation", "fund", "village", "bank_account")}
    allocation_found = pl.col("_a_fund").is_not_null()
    fund_found = pl.col("_f_fund").is_not_null()
    village = pl.col("village")
    frame = frame.with_columns(
        pl.col("id_error").alias("e_payee_id_number"),
        pl.when(pl.col("payee_name") == "").then(pl.lit("收款人为空"))
        .when(pl.col("payee_name").str.len_chars() > 100).then(pl.lit("收款人超过100个字"))
        .alias("e_payee_name"),
        pl.when(amount_text == "").then(pl.lit("金额为空"))
        .when(pl.col("_cents").is_null())
        .then(pl.concat_str([pl.lit("金额"), _quoted("amount"), pl.lit("应为大于0的数字（元，最多两位小数）")]))
        .alias("e_amount"),
        pl.when(_text("paid_on") == "").then(pl.lit("拨付日期为空"))
        .when(pl.col("_paid_on").is_null())
        .then(pl.concat_str([pl.lit("拨付日期"), _quoted("paid_on"), pl.lit("无法识别，应写成 2026-03-05 这样的日期")]))
        .when(pl.col("_paid_on") > today).then(pl.lit("拨付日期晚于今天"))
        .alias("e_paid_on"),
        pl.when(~given["village"]).then(pl.lit("村代码为空"))
        .when(pl.col("_village_ok").is_null())
        .then(pl.concat_str([pl.lit("村代码"), _quoted("village"),
                             pl.lit("不是当前账号管辖范围内的村（应为12位村级区划代码）")]))
        .when(allocation_found & ~village.str.starts_with(pl.col("_a_prefix")))
        .then(pl.lit("该村不在所填资金分配的实施地区内"))
        .when(~given["allocation"] & fund_found & ~village.str.starts_with(pl.col("_f_prefix")))
        .then(pl.lit("该村不在所填资金文号的资金指标范围内"))
        .alias("e_village"),
        pl.when(~given["allocation"] & ~given["fund"]).then(pl.lit("应填写资金分配编号或资金文号"))
        .when(given["allocation"] & ~allocation_found)
        .then(pl.concat_str([pl.lit("资金分配编号"), _quoted("allocation"), pl.lit("不存在、已收回或不在管辖范围内")]))
        .alias("e_allocation"),
        pl.when(given["fund"] & ~fund_found)
        .then(pl.concat_str([pl.lit("资金文号"), _quoted("fund"), pl.lit("不存在或不在管辖范围内")]))
        .when(given["fund"] & allocation_found & (pl.col("_a_fund") != pl.col("_f_fund")))
        .then(pl.lit("资金文号与资金分配编号所属的资金指标不一致"))
        .when(given["fund"] & ~given["allocation"] & (pl.col("_f_count") > 1))
        .then(pl.concat_str([pl.lit("资金文号"), _quoted("fund"), pl.lit("下有多项资金指标，请填写资金分配编号")]))
        .alias("e_fund"),
        pl.when(given["bank_account"] & ~pl.col("bank_account").str.contains(rf"^[0-9]{{{low},{high}}}$"))
        .then(pl.lit(f"银行账号应为{low}至{high}位数字"))
        .alias("e_bank_account"),
        pl.when(pl.col("voucher_number").str.len_chars() > 60).then(pl.lit("凭证号超过60个字符"))
        .alias("e_voucher_number"),
        pl.when(pl.col("item").str.len_chars() > 200).then(pl.lit("资金项目超过200个字"))
        .alias("e_item"),
    )
    return frame


def _errors(frame: pl.DataFrame, source: reader.Source, columns: dict, errors: ErrorList) -> None:
    for field in FIELDS:
        column = f"e_{field.name}"
        header = source.header[columns[field.name]] if field.name in columns else field.label
        bad = frame.filter(pl.col(column).is_not_null()).select(reader.ROW_NO, column)
        errors.count += bad.height
        room = errors.limit - len(errors.items)
        errors.items += [RowError(row, header, reason) for row, reason in bad.head(max(room, 0)).iter_rows()]


def _rows(frame: pl.DataFrame, batch: DisbursementBatch) -> pl.DataFrame:
    return frame.select(
        pl.lit(batch.pk).alias("batch_id"),
        pl.col(reader.ROW_NO).cast(pl.Int64).alias("row_no"),
        pl.col("allocation").cast(pl.Int64, strict=False).alias("allocation_id"),
        pl.coalesce("_a_fund", "_f_fund").alias("fund_id"),
        pl.col("village").alias("village_id"),
        pl.when(pl.col("item") != "").then(pl.col("item")).otherwise(pl.col("_a_item").fill_null("")).alias("item"),
        pl.col("voucher_number"),
        pl.col("payee_name"),
        pl.col("id_number").alias("payee_id_number"),
        pl.col("bank_account"),
        (pl.col("_cents").cast(pl.Decimal(16, 0)) / 100).cast(pl.Decimal(14, 2)).alias("amount"),
        pl.col("_paid_on").alias("paid_on"),
    )


def _common_region(codes: list[str]) -> str | None:
    """The narrowest region containing every code (the batch's region when the system loads a file)."""
    if not codes:
        return None
    for level in (Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY, Level.CITY, Level.PROVINCE):
        width = PREFIX_LENGTH[level]
        if len({c[:width] for c in codes}) == 1:
            return codes[0][:width].ljust(12, "0")
    return None


def create_batch(file_name: str, *, acting_user, channel, kind: str = BatchKind.DISBURSEMENT) -> DisbursementBatch:
    """A batch waiting for its file (the page creates it before queueing the job, so it is listed at once)."""
    region = acting_user.region_id if acting_user is not None else None
    if acting_user is not None:
        ensure_can_change(acting_user, region or "")
    batch = DisbursementBatch.objects.create(
        kind=kind, file_name=Path(file_name).name[:200], region_id=region,
        uploaded_by=acting_user if acting_user is not None and acting_user.is_authenticated else None)
    record_change(batch, before=None, acting_user=acting_user, channel=channel, note="上传拨付明细文件")
    return batch


def load_disbursements(path, batch: DisbursementBatch, *, acting_user, channel, mapping: dict | None = None,
                       progress: Callable | None = None) -> dict:
    """Check the whole file, then write every row into ``batch`` in one transaction, or none.

    Returns the report: rows, loaded, total_amount, error_count, errors (row/column/reason, the first
    ``LISTED_ERRORS``), columns, seconds. On errors the batch is marked 校验未通过 with the report and an error
    workbook (``reject``); the caller's transaction may still roll that back (a job re-marks it in its failure hook).
    """
    tell = progress or (lambda done, total=None, message=None, force=False: None)
    if batch.kind != BatchKind.DISBURSEMENT:
        raise ValidationError("暂不支持该类型的批次")
    ensure_can_change(acting_user, batch.region_id or "")
    scope = user_scope_prefix(acting_user) if acting_user is not None else ""
    if scope is None:
        raise PermissionDenied("当前账号未绑定区划，不能导入")
    if batch.region_id:
        scope = max(scope, Region.objects.get(code=batch.region_id).prefix, key=len)
    seconds, started = {}, time.perf_counter()
    errors = ErrorList()
    try:
        source = reader.open_source(Path(path), batch.file_name)
    except excel.SpreadsheetError as exc:
        errors.add(None, "", str(exc))
        return reject(batch, errors, _report(errors, {}, None, 0), path)
    columns = _columns(source, mapping, errors)
    if errors:
        return reject(batch, errors, _report(errors, columns, source, 0), path)
    tell(5, 100, "读取文件", force=True)

    def reading(row: int):
        share = row / source.total_rows if source.total_rows else 0
        tell(5 + int(45 * share), 100, f"已读取 {row} 行")

    frame = reader.read_frame(source, columns, "payee_id_number", progress=reading)
    seconds["read"] = round(time.perf_counter() - started, 2)
    if frame.height == 0:
        errors.add(None, "", "文件中表头以下没有数据行")
        return reject(batch, errors, _report(errors, columns, source, 0), path)
    tell(50, 100, f"校验 {frame.height} 行", force=True)
    started = time.perf_counter()
    frame = _checked(frame, columns, acting_user, scope, timezone.localdate())
    _errors(frame, source, columns, errors)
    seconds["check"] = round(time.perf_counter() - started, 2)
    if errors:
        return reject(batch, errors, _report(errors, columns, source, frame.height, seconds), path)
    rows = _rows(frame, batch)
    total = Decimal(int(frame["_cents"].sum())) / 100
    tell(70, 100, f"写入 {rows.height} 行", force=True)
    started = time.perf_counter()
    before = snapshot(batch)
    with transaction.atomic():
        if rows.height >= DEFER_INDEXES_ROWS:
            with bulkload.deferred_indexes(Disbursement):
                bulkload.load_frame(Disbursement, rows)
        else:
            bulkload.load_frame(Disbursement, rows)
        batch.total_amount = total
        if batch.region_id is None:
            batch.region_id = _common_region(rows["village_id"].unique().to_list())
        seconds["store"] = round(time.perf_counter() - started, 2)
        batch.rows, batch.loaded, batch.status = frame.height, rows.height, BatchStatus.LOADED
        batch.report = _report(errors, columns, source, frame.height, seconds, loaded=rows.height,
                               total=batch.total_amount)
        batch.finished = timezone.now()
        batch.save()
        record_change(batch, before=before, acting_user=acting_user, channel=channel,
                      note=f"导入拨付明细 {rows.height} 行，合计 {batch.total_amount:,.2f} 元")
    tell(100, 100, "完成", force=True)
    return batch.report


def _report(errors: ErrorList, columns: dict, source, rows: int, seconds=None, *, loaded: int = 0,
            total=0) -> dict:
    return {
        "rows": rows,
        "loaded": loaded,
        "total_amount": f"{total:.2f}",
        "columns": {BY_NAME[n].label: source.header[i] for n, i in columns.items()} if source else {},
        "header_row": source.header_row if source else None,
        "error_count": errors.count,
        "errors": [e.as_dict() for e in errors.sorted()[:LISTED_ERRORS]],
        "seconds": seconds or {},
        "summary": (f"已导入 {loaded} 行，合计 {total:,.2f} 元" if not errors else
                    f"发现 {errors.count} 处错误，未写入任何数据，请按错误清单修改后重新导入"),
    }


def reject(batch: DisbursementBatch, errors: ErrorList, report: dict, path) -> dict:
    """A refused file: the batch keeps the report and an error workbook (行号, 列, 错误原因 and the original row)."""
    all_errors = errors.sorted()
    target = job_dir() / f"funds-batch-{batch.pk}-errors.xlsx"
    try:
        excel.write_errors(target, all_errors, source=path)
    except excel.SpreadsheetError:
        excel.write_errors(target, all_errors)
    report["error_file"] = str(target)
    mark_rejected(batch.pk, report)
    batch.refresh_from_db()
    return report


def mark_rejected(batch_id: int, report: dict) -> None:
    DisbursementBatch.objects.filter(pk=batch_id).update(
        status=BatchStatus.REJECTED, report=report, rows=report.get("rows", 0), loaded=0,
        error_file=report.get("error_file", ""), finished=timezone.now())
