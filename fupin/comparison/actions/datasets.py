"""Department data sets: keep an upload, load it (ID numbers normalised column-wise, all or nothing), delete it."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import polars as pl
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from fupin.audit.models import Action
from fupin.audit.services import record_change, snapshot
from fupin.core import bulkload, excel, idnumber

from .. import ids, reader
from ..access import can_delete, can_upload, department_of, kinds_visible_to
from ..kinds import ID_FIELD, NAME_FIELD
from ..models import Dataset, DatasetKind, DatasetRow, FieldType
from .mappings import remember_mapping, remembered_mapping, resolve_mapping

REPORT_SAMPLE = 200
RAW_ID = "id_raw"


def _typed(frame: pl.DataFrame, fields, columns: dict[str, int]) -> tuple[pl.DataFrame, dict]:
    """Parse date and number fields; count values of stored rows that were given but could not be read."""
    warnings = {}
    for field in fields:
        if field.name not in columns or field.type == FieldType.TEXT:
            continue
        parsed = reader.parse_dates(field.name) if field.type == FieldType.DATE else reader.parse_numbers(field.name)
        frame = frame.with_columns(parsed.alias(f"_{field.name}"))
        bad = frame.filter(pl.col("id_error").is_null() & pl.col(f"_{field.name}").is_null()
                           & (pl.col(field.name).fill_null("") != ""))
        if bad.height:
            warnings[field.label] = {
                "count": bad.height,
                "samples": [{"row": r, "value": v} for r, v in bad.select(reader.ROW_NO, field.name).head(20).iter_rows()],
            }
        frame = frame.with_columns(pl.col(f"_{field.name}").alias(field.name)).drop(f"_{field.name}")
    return frame, warnings


def _report(frame: pl.DataFrame, source: reader.Source, columns: dict[str, int], warnings: dict) -> dict:
    """Counts and samples for the validation report. ID numbers in it are masked like every list (the full rows
    are in the rejected-rows workbook, for the department to correct)."""
    valid = frame.filter(pl.col("id_error").is_null())
    rejected = frame.filter(pl.col("id_error").is_not_null())
    changed = valid.filter(pl.col(RAW_ID) != pl.col(ID_FIELD))
    # Only IDs that occur more than once are grouped: a list per ID over a million rows would cost seconds.
    repeated = (
        valid.filter(pl.col(ID_FIELD).is_duplicated())
        .group_by(ID_FIELD).agg(pl.col(reader.ROW_NO).sort().alias("rows"), pl.len().alias("n"))
        .sort(pl.col("rows").list.first())
    )
    return {
        "header_row": source.header_row,
        "columns": {name: source.header[index] for name, index in columns.items()},
        "rows_read": frame.height,
        "ids_valid": valid.height,
        "ids_changed": changed.height,
        "ids_changed_samples": [
            {"row": r, "value": idnumber.mask(v), "normalized": idnumber.mask(n)}
            for r, v, n in changed.select(reader.ROW_NO, RAW_ID, ID_FIELD).head(20).iter_rows()
        ],
        "ids_rejected": rejected.height,
        "rejected_reasons": dict(
            rejected.group_by("id_error").len().sort("len", descending=True).iter_rows()
        ),
        "rejected_samples": [
            {"row": r, "value": idnumber.mask(v) if v and len(v) >= 15 else (v or ""), "reason": e}
            for r, v, e in rejected.select(reader.ROW_NO, RAW_ID, "id_error").head(REPORT_SAMPLE).iter_rows()
        ],
        "duplicates": int(repeated["n"].sum() - repeated.height) if repeated.height else 0,
        "duplicate_ids": repeated.height,
        "duplicate_samples": [
            {"id_number": idnumber.mask(i), "rows": rows[:10]}
            for i, rows in repeated.select(ID_FIELD, "rows").head(50).iter_rows()
        ],
        "field_warnings": warnings,
    }


def _data_column(fields, columns) -> pl.Expr:
    """The kind's other columns as one JSON object per row (dates as ISO text, numbers as numbers)."""
    extra = [f for f in fields if f.name in columns and f.name not in (ID_FIELD, NAME_FIELD)]
    if not extra:
        return pl.lit("{}").alias("data")
    parts = [pl.col(f.name).cast(pl.String) if f.type == FieldType.DATE else pl.col(f.name) for f in extra]
    return pl.struct([p.alias(f.name) for p, f in zip(parts, extra)]).struct.json_encode().alias("data")


def store_upload(upload) -> Path:
    """Keep an uploaded file (read in chunks, never whole in memory) until it is loaded; its stem is a random token."""
    folder = Path(settings.MEDIA_ROOT) / "comparison" / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{Path(upload.name).suffix.lower()}"
    with open(path, "wb") as fh:
        fh.writelines(upload.chunks())
    return path


def load_dataset(path, *, kind: DatasetKind, acting_user, channel: str, mapping: dict | None = None,
                 title: str = "", file_name: str | None = None, reference_date: dt.date | None = None,
                 department: str = "", region_code: str | None = None,
                 progress: Callable[[int, str], None] | None = None) -> Dataset:
    """Read a department file, normalise its ID numbers column-wise, and store its valid rows — all or nothing.

    ``progress(percent, message)`` is told how far it got. Raises ValidationError (Chinese, naming the column)
    for a file that cannot be used at all; rows with bad ID numbers are only reported.
    """
    report_progress = progress or (lambda percent, message: None)
    if not can_upload(acting_user):
        raise PermissionDenied("当前账号没有上传比对数据的权限")
    if not kinds_visible_to(acting_user).filter(pk=kind.pk).exists():
        raise PermissionDenied(f"“{kind.name}”数据不由本部门提供，不能上传")
    if not kind.active:
        raise ValidationError(f"数据类型“{kind.name}”已停用")
    path = Path(path)
    file_name = file_name or path.name
    seconds, started = {}, time.perf_counter()
    try:
        source = reader.open_source(path, file_name)
    except excel.SpreadsheetError as exc:
        raise ValidationError(str(exc)) from exc
    columns = resolve_mapping(kind, source.header, mapping, remembered=remembered_mapping(kind, acting_user))
    fields = list(kind.fields.all())
    report_progress(5, "读取文件")

    def reading(row: int):
        share = row / source.total_rows if source.total_rows else 0
        report_progress(5 + int(55 * share), f"已读取 {row} 行")

    frame = reader.read_frame(source, columns, ID_FIELD, progress=reading)
    if frame.height == 0:
        raise ValidationError("文件中表头以下没有数据行")
    seconds["read"] = round(time.perf_counter() - started, 2)
    report_progress(60, "规范化证件号码")
    started = time.perf_counter()
    frame = frame.rename({ID_FIELD: RAW_ID})
    frame = ids.normalize(frame.lazy(), RAW_ID, number_cell=reader.ID_IS_NUMBER, prefix="id").collect()
    frame, warnings = _typed(frame, fields, columns)
    report = _report(frame, source, columns, warnings)
    seconds["normalise"] = round(time.perf_counter() - started, 2)
    if report["ids_valid"] == 0:
        reasons = "；".join(f"{reason}（{count}行）" for reason, count in list(report["rejected_reasons"].items())[:3])
        raise ValidationError(f"“{source.header[columns[ID_FIELD]]}”列没有一个有效的证件号码：{reasons}")
    name = pl.col(NAME_FIELD).fill_null("").str.slice(0, 100) if NAME_FIELD in columns else pl.lit("")
    rows = frame.filter(pl.col("id_error").is_null()).select(
        pl.col(reader.ROW_NO).alias("row_no"), pl.col(ID_FIELD).alias("id_number"), name.alias("name"),
        _data_column(fields, columns),
    )
    # A department account's data sets are its department's, whatever the form said.
    own_department = department_of(acting_user)
    user_department = acting_user.department if acting_user is not None else ""
    today = timezone.localdate()
    report_progress(75, "保存数据")
    started = time.perf_counter()
    report["seconds"] = seconds  # where the time went; "store" is added once the rows are in
    with transaction.atomic():
        dataset = Dataset.objects.create(
            kind=kind,
            title=(title or Path(file_name).stem)[:200],
            department=(own_department or department or user_department or kind.department)[:50],
            region_code=region_code if region_code is not None else ((acting_user and acting_user.region_id) or ""),
            uploaded_by=acting_user,
            file_name=file_name[:200],
            reference_date=reference_date or today,
            mapping=report["columns"],
            rows_read=report["rows_read"],
            rows_stored=rows.height,
            ids_changed=report["ids_changed"],
            ids_rejected=report["ids_rejected"],
            duplicates=report["duplicates"],
            report=report,
            retention_until=today + dt.timedelta(days=kind.retention_days),
        )
        bulkload.load_frame(DatasetRow, rows.with_columns(pl.lit(dataset.pk).alias("dataset")).select(
            "dataset", "row_no", "id_number", "name", "data"))
        remember_mapping(kind, report["columns"], acting_user=acting_user, channel=channel)
        record_change(dataset, before=None, acting_user=acting_user, channel=channel,
                      note=f"上传{kind.name}数据 {rows.height} 行")
    seconds["store"] = round(time.perf_counter() - started, 2)
    Dataset.objects.filter(pk=dataset.pk).update(report=report)
    if report["ids_rejected"]:
        _write_rejected(dataset, frame, source, columns)
    report_progress(100, "完成")
    return dataset


def _write_rejected(dataset: Dataset, frame: pl.DataFrame, source: reader.Source, columns: dict[str, int]) -> None:
    """The rejected rows as a workbook the department can correct and upload again."""
    folder = Path(settings.MEDIA_ROOT) / "comparison" / "datasets" / str(dataset.pk)
    folder.mkdir(parents=True, exist_ok=True)
    names = list(columns)
    header = [excel.Col("行号", excel.NUMBER, 8), excel.Col("错误原因", excel.TEXT, 50),
              *(excel.Col(source.header[columns[n]], excel.TEXT) for n in names)]
    rejected = frame.filter(pl.col("id_error").is_not_null()).select(
        reader.ROW_NO, "id_error", *[pl.col(RAW_ID if n == ID_FIELD else n).cast(pl.String) for n in names])
    path = folder / "rejected.xlsx"
    excel.write_table(path, "无效证件号码", header, rejected.iter_rows())
    Dataset.objects.filter(pk=dataset.pk).update(error_file=str(path.relative_to(settings.MEDIA_ROOT)))
    dataset.error_file = str(path.relative_to(settings.MEDIA_ROOT))


def delete_dataset(dataset: Dataset, *, acting_user, channel: str, reason: str = "") -> None:
    """Delete a data set and its rows; its suspects stay, keeping the copied evidence."""
    if not can_delete(acting_user, dataset):
        if dataset.retention_until > timezone.localdate():
            raise PermissionDenied(f"该数据集保存至 {dataset.retention_until:%Y-%m-%d}，期满前只有系统管理员可以删除")
        raise PermissionDenied("当前账号不能删除该数据集")
    if dataset.retention_until > timezone.localdate() and not reason.strip():
        raise ValidationError({"reason": "保存期满前删除，请说明原因"})
    with transaction.atomic():
        record_change(dataset, before=snapshot(dataset), acting_user=acting_user, channel=channel,
                      action=Action.DELETE, note=(reason or "保存期满删除")[:200])
        DatasetRow.objects.filter(dataset=dataset).delete()
        dataset.delete()
    if dataset.error_file:
        (Path(settings.MEDIA_ROOT) / dataset.error_file).unlink(missing_ok=True)


def purge_expired(*, acting_user=None, channel: str, today: dt.date | None = None) -> list[int]:
    """Delete every data set past its retention date (the nightly job); returns their ids."""
    today = today or timezone.localdate()
    deleted = []
    for dataset in Dataset.objects.filter(retention_until__lte=today):
        pk = dataset.pk
        delete_dataset(dataset, acting_user=acting_user, channel=channel, reason="保存期满自动删除")
        deleted.append(pk)
    return deleted
