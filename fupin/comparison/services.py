"""Comparison actions: load a data set, delete it, run a comparison, verify a suspect, count progress.

Pages, the API, the CLI and the background jobs are thin callers of these functions. Each checks the acting user's
role and scope (``acting_user=None`` is the system itself: the CLI and nightly jobs), validates, writes in one
transaction, and records the change in the audit log.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import polars as pl
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils import timezone

from fupin.accounts.models import Role
from fupin.audit.models import Action, AuditLog
from fupin.audit.services import build_entry, record_change, snapshot
from fupin.core import bulkload, excel, idnumber
from fupin.core.access import AppAccess
from fupin.core.scope import in_scope, user_scope_prefix
from fupin.regions.models import Region
from fupin.registry.access import ADMINISTRATION_ONLY_ROLES

from . import ids, reader
from . import rules as rule_book
from .engine import Workspace
from .kinds import BUILTIN_BY_CODE as BUILTIN_KINDS
from .kinds import ID_FIELD, NAME_FIELD, Kind, auto_mapping
from .models import (
    ComparisonRun,
    CustomRule,
    Dataset,
    DatasetKind,
    DatasetRow,
    FieldType,
    KindField,
    RememberedMapping,
    RunStatus,
    Suspect,
    SuspectStatus,
)

log = logging.getLogger(__name__)

DATASET_WRITERS = {Role.COUNTY, Role.DEPARTMENT, Role.ADMIN}
DATASET_READERS = DATASET_WRITERS | {Role.LEADER, Role.AUDITOR}
RUNNERS = {Role.COUNTY, Role.ADMIN}
VERIFIERS = {Role.VILLAGE, Role.TOWNSHIP, Role.COUNTY, Role.ADMIN}
SUSPECT_READERS = VERIFIERS | {Role.LEADER, Role.AUDITOR, Role.DEPARTMENT}
RUN_READERS = RUNNERS | {Role.LEADER, Role.AUDITOR}

REPORT_SAMPLE = 200
RAW_ID = "id_raw"
BATCH = 1000


def due_days() -> int:
    """Days a village has to answer a suspect (5 in the practice this follows)."""
    return getattr(settings, "FUPIN_SUSPECT_DUE_DAYS", 5)


# --- who may do what -------------------------------------------------------------------------------------------

def _has_role(user, roles) -> bool:
    return user is None or user.is_superuser or (user.is_active and user.role in roles)


def can_upload(user) -> bool:
    return _has_role(user, DATASET_WRITERS) and (user is None or user.can_write)


def can_run(user) -> bool:
    return _has_role(user, RUNNERS) and (user is None or user.can_write)


def can_verify(user, suspect: Suspect) -> bool:
    return (
        _has_role(user, VERIFIERS) and (user is None or user.can_write)
        and (user is None or in_scope(user, suspect.village_code))
    )


# Every comparison page and API route is refused to the security and audit administrators (registry/access.py).
comparison_work = AppAccess(lambda user, route: user.is_superuser or user.role not in ADMINISTRATION_ONLY_ROLES)


def can_read_datasets(user) -> bool:
    return _has_role(user, DATASET_READERS)


def can_read_suspects(user) -> bool:
    return _has_role(user, SUSPECT_READERS)


def can_read_runs(user) -> bool:
    return _has_role(user, RUN_READERS)


def can_manage_kinds(user) -> bool:
    return user is None or user.can_administer


def department_of(user) -> str | None:
    """The department a department account acts for ('' if its account names none); None for every other account."""
    if user is None or user.is_superuser or user.role != Role.DEPARTMENT:
        return None
    return user.department.strip()


def kinds_visible_to(user):
    """Kinds an account may upload and read: a department account only those its department owns
    (``DatasetKind.departments``), every other account all of them."""
    queryset = DatasetKind.objects.all()
    department = department_of(user)
    if department is None:
        return queryset
    # A handful of kinds, each naming its departments as text: matched here rather than by a LIKE that would
    # also take 公安 for 公安交管.
    return queryset.filter(pk__in=[k.pk for k in queryset if department and department in k.department_list])


def rules_visible_to(user) -> list:
    """Rules an account may see: a department account only the rules on its kinds."""
    rules = rule_book.all_rules()
    if department_of(user) is None:
        return rules
    codes = set(kinds_visible_to(user).values_list("code", flat=True))
    return [rule for rule in rules if rule.kind in codes]


def datasets_visible_to(user):
    """Data sets a user may see: those of their region (or loaded by the system); a department account only those
    of its department's kinds. Village and township accounts see suspects, not department data."""
    queryset = Dataset.objects.select_related("kind", "uploaded_by")
    if user is None:
        return queryset
    prefix = user_scope_prefix(user)
    if prefix is None or not can_read_datasets(user):
        return queryset.none()
    queryset = queryset.filter(Q(region_code__in_region=prefix) | Q(region_code=""))
    if department_of(user) is not None:
        queryset = queryset.filter(kind__in=kinds_visible_to(user))
    return queryset


def suspects_visible_to(user):
    """Suspects in the user's region; a department account sees only those of the rules on its kinds."""
    if user is None:
        return Suspect.objects.all()
    if not can_read_suspects(user):
        return Suspect.objects.none()
    queryset = Suspect.objects.visible_to(user)
    if department_of(user) is not None:
        queryset = queryset.filter(rule__in=[rule.code for rule in rules_visible_to(user)])
    return queryset


def runs_visible_to(user):
    """Runs over the user's region or inside it; runs of the whole register (the CLI's) are shown to all of them."""
    queryset = ComparisonRun.objects.select_related("started_by", "job")
    if user is None:
        return queryset
    if not can_read_runs(user):
        return queryset.none()
    prefix = user_scope_prefix(user)
    if prefix is None:
        return queryset.none()
    return queryset.filter(Q(region_code__in_region=prefix) | Q(region_code=""))


# --- kinds -----------------------------------------------------------------------------------------------------

def save_kind(kind: DatasetKind, fields_formset=None, *, acting_user, channel: str) -> DatasetKind:
    """Create or edit a kind (and its fields); every kind keeps its 证件号码 and 姓名 fields."""
    if not can_manage_kinds(acting_user):
        raise PermissionDenied("只有系统管理员可以定义数据类型")
    before = snapshot(DatasetKind.objects.get(pk=kind.pk)) if kind.pk else None
    with transaction.atomic():
        kind.save()
        if fields_formset is not None:
            fields_formset.instance = kind
            fields_formset.save()
        present = set(kind.fields.values_list("name", flat=True))
        standard = (BUILTIN_KINDS.get(kind.code) or Kind(kind.code, kind.name, "", "", False, ())).all_fields[:2]
        KindField.objects.bulk_create([
            KindField(kind=kind, name=f.name, label=f.label, required=f.required, aliases="、".join(f.aliases),
                      position=0)
            for f in standard if f.name not in present
        ])
        KindField.objects.filter(kind=kind, name=ID_FIELD).update(required=True, type=FieldType.TEXT)
        record_change(kind, before=before, acting_user=acting_user, channel=channel, region_code="")
    return kind


def save_custom_rule(custom: CustomRule, *, acting_user, channel: str) -> CustomRule:
    """Create or edit an administrator's rule; its condition is checked, then planned by DuckDB, before saving."""
    from .engine import plan_error

    if not can_manage_kinds(acting_user):
        raise PermissionDenied("只有系统管理员可以定义比对规则")
    if custom.code in rule_book.BUILTIN_BY_CODE:
        raise ValidationError({"code": f"“{custom.code}”是内置规则的代码，请换一个"})
    fields = list(custom.kind.fields.values_list("name", "type"))
    problems = rule_book.check_condition(custom.condition, custom.mode, [name for name, _type in fields])
    if not problems:
        error = plan_error(rule_book.compile_custom(custom), fields)
        if error:
            problems.append(f"条件无法执行：{error}")
    if problems:
        raise ValidationError({"condition": problems})
    before = snapshot(CustomRule.objects.get(pk=custom.pk)) if custom.pk else None
    with transaction.atomic():
        custom.save()
        record_change(custom, before=before, acting_user=acting_user, channel=channel, region_code="")
    return custom


# --- loading a data set ----------------------------------------------------------------------------------------

def _uploader(user) -> dict:
    """Whose remembered mapping an upload uses: a department's (within its region) or a region office's own."""
    if user is None:
        return {"department": "", "region_code": ""}
    return {"department": department_of(user) or "", "region_code": user.region_id or ""}


def remembered_mapping(kind: DatasetKind, user) -> dict[str, str]:
    """header → field name, as this uploader's last files of the kind had them."""
    remembered = RememberedMapping.objects.filter(kind=kind, **_uploader(user)).first()
    return remembered.mapping if remembered else {}


def remember_mapping(kind: DatasetKind, columns: dict[str, str], *, acting_user, channel: str) -> None:
    """Add an upload's headers (field name → header) to its uploader's remembered mapping, and log the change."""
    key = _uploader(acting_user)
    remembered = (RememberedMapping.objects.select_for_update().filter(kind=kind, **key).first()
                  or RememberedMapping(kind=kind, **key))
    before = snapshot(remembered) if remembered.pk else None
    remembered.mapping = {**remembered.mapping, **{header: name for name, header in columns.items()}}
    if before is not None and before["mapping"] == remembered.mapping:
        return
    remembered.save()
    record_change(remembered, before=before, acting_user=acting_user, channel=channel,
                  note=f"记住{kind.name}的列对应")


def resolve_mapping(kind: DatasetKind, header: list[str], mapping: dict | None = None, *,
                    remembered: dict[str, str] | None = None) -> dict[str, int]:
    """field name → column index. ``mapping`` may give, per field, a column index or a header text; fields it
    leaves out are matched automatically (the uploader's ``remembered`` headers first, then the fields' aliases)."""
    fields = list(kind.fields.all())
    known = {f.name: f for f in fields}
    given: dict[str, int] = {}
    errors = []
    for name, column in (mapping or {}).items():
        if name not in known:
            errors.append(f"“{name}”不是{kind.name}的字段")
            continue
        if column in (None, "", -1):
            given[name] = -1  # explicitly not mapped
            continue
        if isinstance(column, int) or (isinstance(column, str) and column.isdigit()):
            index = int(column)
        elif column in header:
            index = header.index(column)
        else:
            errors.append(f"文件中没有“{column}”这一列（{known[name].label}）")
            continue
        if not 0 <= index < len(header):
            errors.append(f"第{index + 1}列不存在（{known[name].label}）")
            continue
        given[name] = index
    auto = auto_mapping([f for f in fields if f.name not in given], header, remembered)
    taken = set(given.values())
    columns = {**{n: i for n, i in auto.items() if i not in taken}, **{n: i for n, i in given.items() if i >= 0}}
    used = defaultdict(list)
    for name, index in columns.items():
        used[index].append(known[name].label)
    errors += [f"“{header[i]}”列不能同时对应{'、'.join(labels)}" for i, labels in used.items() if len(labels) > 1]
    errors += [f"找不到“{f.label}”列，请在列对应中指定" for f in fields if f.required and f.name not in columns]
    if errors:
        raise ValidationError(errors)
    return dict(sorted(columns.items(), key=lambda item: item[1]))


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


def can_delete(user, dataset: Dataset, today: dt.date | None = None) -> bool:
    """After the retention period, whoever may upload; before it, only an administrator (a wrong file)."""
    today = today or timezone.localdate()
    if user is not None and not datasets_visible_to(user).filter(pk=dataset.pk).exists():
        return False
    if dataset.retention_until <= today:
        return can_upload(user)
    return can_manage_kinds(user)


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


# --- comparison runs -------------------------------------------------------------------------------------------

def start_run(*, datasets, rules: list[str] | None = None, region_code: str = "", acting_user, channel: str,
              params: dict | None = None, run_now: bool = False) -> ComparisonRun:
    """Create a run and queue it as a background job (``run_now``: execute here, for the CLI)."""
    from fupin.jobs import services as jobs
    from fupin.jobs.models import Job

    if not can_run(acting_user):
        raise PermissionDenied("当前账号没有发起数据比对的权限")
    datasets = list(datasets)
    visible = set(datasets_visible_to(acting_user).filter(pk__in=[d.pk for d in datasets]).values_list("pk", flat=True))
    if any(d.pk not in visible for d in datasets):
        raise PermissionDenied("所选数据集不存在或不在当前账号的管辖范围内")
    region_code = (region_code or "").strip()
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            raise ValidationError({"region": f"区划代码 {region_code} 不存在"})
        if acting_user is not None and not in_scope(acting_user, region.code):
            raise PermissionDenied("比对范围超出当前账号的管辖范围")
    elif acting_user is not None and acting_user.region_id:
        region_code = acting_user.region_id
    kinds = {d.kind.code for d in datasets}
    chosen = list(dict.fromkeys(rules or [r.code for r in rule_book.for_kinds(kinds)]))
    errors = []
    for code in chosen:
        rule = rule_book.find(code)
        if rule is None:
            errors.append(f"没有代码为 {code} 的比对规则")
        elif rule.kind is not None and rule.kind not in kinds:
            kind = DatasetKind.objects.filter(code=rule.kind).first()
            errors.append(f"规则“{rule.name}”需要{kind.name if kind else rule.kind}数据，请一并选择")
    if not chosen and not errors:
        errors.append("所选数据集没有适用的比对规则" if datasets else "请选择数据集或比对规则")
    if errors:
        raise ValidationError({"rules": errors})
    with transaction.atomic():
        run = ComparisonRun.objects.create(
            rules=chosen, region_code=region_code, started_by=acting_user,
            summary={"params": params or {}, "channel": channel},
        )
        run.datasets.set(datasets)
        if run_now:
            job = Job.objects.create(kind="comparison.run", title=f"数据比对 #{run.pk}", user=acting_user,
                                     region_code=region_code, params={"run_id": run.pk})
        else:
            job = jobs.start("comparison.run", f"数据比对 #{run.pk}", user=acting_user,
                             params={"run_id": run.pk}, region_code=region_code)
        run.job = job
        run.save(update_fields=["job"])
    if run_now:
        jobs.run(job)
        run.refresh_from_db()
    return run


def _region_prefix(code: str) -> str:
    if not code:
        return ""
    region = Region.objects.filter(code=code).first()
    return region.prefix if region else code


def execute_run(run: ComparisonRun, progress: Callable | None = None) -> dict:
    """Evaluate the run's rules in a DuckDB workspace, then write the suspects in one transaction."""
    progress = progress or (lambda *args, **kwargs: None)
    run.status = RunStatus.RUNNING
    run.save(update_fields=["status"])
    try:
        summary = _execute(run, progress)
    except Exception as exc:
        run.status = RunStatus.FAILED
        run.message = (str(exc) if isinstance(exc, (ValidationError, LookupError)) else "比对出错，未写入任何疑点")[:500]
        run.finished = timezone.now()
        run.save(update_fields=["status", "message", "finished"])
        raise
    return summary


def _execute(run: ComparisonRun, progress) -> dict:
    datasets = list(run.datasets.select_related("kind"))
    by_kind: dict[str, list[Dataset]] = defaultdict(list)
    for dataset in datasets:
        by_kind[dataset.kind.code].append(dataset)
    prefix = _region_prefix(run.region_code)
    params = run.summary.get("params", {})
    steps = 2 + len(by_kind) + len(run.rules)
    hits: dict[str, pl.DataFrame] = {}
    seconds: dict[str, float] = {}  # where the time went, kept with the results

    def timed(name, fn, *args):
        started = time.perf_counter()
        result = fn(*args)
        seconds[name] = round(time.perf_counter() - started, 2)
        return result

    with Workspace() as workspace:
        progress(0, steps, "读取在册户和人员")
        reference = max((d.reference_date for d in datasets), default=timezone.localdate())
        counts = timed("register", workspace.load_register, prefix, reference)
        for step, (code, group) in enumerate(by_kind.items(), start=1):
            progress(step, steps, f"读取{group[0].kind.name}数据")
            fields = list(group[0].kind.fields.values_list("name", "type"))
            counts[code] = timed(f"data:{code}", workspace.load_datasets, code, fields, [d.pk for d in group])
        for step, code in enumerate(run.rules, start=1 + len(by_kind)):
            rule = rule_book.get(code)
            progress(step, steps, f"比对：{rule.name}")
            dated = by_kind.get(rule.kind) or datasets
            hits[code] = timed(f"rule:{code}", workspace.evaluate, rule, params.get(code),
                               max((d.reference_date for d in dated), default=reference))
    progress(steps - 1, steps, "写入疑点")
    channel = run.summary.get("channel", "system")
    started = time.perf_counter()
    with transaction.atomic():
        _lock_suspects()
        results = {
            code: _apply(run, rule_book.get(code), frame, by_kind, prefix, channel) for code, frame in hits.items()
        }
        seconds["write"] = round(time.perf_counter() - started, 2)
        run.summary = {**run.summary, "counts": counts, "rules": results, "seconds": seconds}
        run.status = RunStatus.SUCCEEDED
        run.finished = timezone.now()
        run.save(update_fields=["summary", "status", "finished"])
    progress(steps, steps, "完成")
    return results


def _lock_suspects() -> None:
    """One run writes suspects at a time, and reads the existing ones only once it may: a second run waits instead
    of colliding on the (rule, subject) constraint. SQLite's write transactions are serial already."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Suspect._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")


def _plain(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float):
        return int(value) if value.is_integer() else round(value, 2)
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def _evidence(rule, row: dict, kind_labels: dict, datasets: dict[int, Dataset]) -> dict:
    fields = {
        rule.label(column[3:], kind_labels): _plain(value)
        for column, value in row.items() if column.startswith("ev_") and value not in (None, "")
    }
    dataset = datasets.get(row["dataset_id"])
    evidence = {"fields": fields, "matched_on": "证件号码"}
    if dataset is not None:
        evidence.update(dataset=dataset.pk, dataset_title=dataset.title, kind=dataset.kind.name, row=row["row_no"])
    elif rule.kind is not None:
        evidence["datasets"] = [d.title for d in datasets.values() if d.kind.code == rule.kind]
        evidence["note"] = "在所选名单中未找到该人员"
    names = (row.get("ev_dataset_name"), row.get("member_name"))
    if all(names) and names[0] != names[1]:
        evidence["name_mismatch"] = True
    return evidence


COMPARED = ("village_code", "household_id", "household_number", "member_id", "member_name", "id_number",
            "dataset_id", "row_no", "evidence")
UPDATED_FIELDS = ["status", "closed_at", "close_note", "due_date", "village_code", "household", "household_number",
                  "member", "member_name", "id_number", "dataset", "row_no", "evidence", "updated"]


def _apply(run, rule, frame: pl.DataFrame, by_kind: dict, prefix: str, channel: str) -> dict:
    """Turn one rule's hits into suspects: create new ones, reopen closed ones, refresh open ones whose evidence
    changed, close open ones the data no longer supports. Answered suspects are left as the village left them."""
    run_datasets = {d.pk: d for group in by_kind.values() for d in group}
    kind = DatasetKind.objects.filter(code=rule.kind).first() if rule.kind else None
    kind_labels = dict(kind.fields.values_list("name", "label")) if kind else {}
    existing = {
        row["subject_key"]: row
        for row in Suspect.objects.filter(rule=rule.code, village_code__in_region=prefix)
        .values("pk", "subject_key", "status", *COMPARED)
    }
    due = timezone.localdate() + dt.timedelta(days=due_days())
    now = timezone.now()
    created, changed = [], {}
    stats = {"name": rule.name, "hits": frame.height, "new": 0, "reopened": 0, "updated": 0, "unchanged": 0,
             "answered": 0, "closed": 0}
    for row in frame.iter_rows(named=True):
        values = {
            "village_code": row["village_code"], "household_id": row["household_id"],
            "household_number": row["household_number"], "member_id": row["member_id"],
            "member_name": row["member_name"] or "", "id_number": row["member_id_number"] or "",
            "dataset_id": row["dataset_id"] if row["dataset_id"] in run_datasets else None, "row_no": row["row_no"],
            "evidence": _evidence(rule, row, kind_labels, run_datasets),
        }
        old = existing.get(row["subject_key"])
        if old is None:
            created.append(Suspect(rule=rule.code, subject_key=row["subject_key"], first_run=run, due_date=due,
                                   **values))
        elif old["status"] in (SuspectStatus.CONFIRMED, SuspectStatus.REJECTED):
            stats["answered"] += 1
        elif old["status"] == SuspectStatus.CLOSED:
            changed[old["pk"]] = ("reopened", {**values, "status": SuspectStatus.OPEN, "closed_at": None,
                                               "close_note": "", "due_date": due})
        elif any(old[name] != value for name, value in values.items()):
            changed[old["pk"]] = ("updated", values)
        else:
            stats["unchanged"] += 1
    seen = set(frame["subject_key"]) if frame.height else set()
    for key, old in existing.items():
        if old["status"] == SuspectStatus.OPEN and key not in seen and (
            rule.kind is None or old["dataset_id"] is None or old["dataset_id"] in run_datasets
            or (kind and kind.full_list)
        ):
            changed[old["pk"]] = ("closed", {"status": SuspectStatus.CLOSED, "closed_at": now,
                                             "close_note": f"比对任务 #{run.pk} 中数据已不再支持该疑点"})
    entries = _create_suspects(run, created, channel) + _update_suspects(run, changed, stats, now, channel)
    stats["new"] = len(created)
    if entries:
        for entry in entries:
            entry.time = now
        AuditLog.objects.append(entries)
    return stats


def _insert(model, instances) -> None:
    """Bulk-load unsaved model instances (COPY on PostgreSQL): Django's bulk_create compiles SQL per row, which
    dominates a run that raises tens of thousands of suspects. Instances without a primary key get one from the
    database."""
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and instances[0].pk is None)]
    columns = {}
    for field in fields:
        values = [getattr(obj, field.attname) for obj in instances]
        if isinstance(field, models.JSONField):
            values = [json.dumps(v, ensure_ascii=False) for v in values]
        columns[field.attname] = values
    bulkload.load_frame(model, pl.DataFrame(columns, strict=False))


def _create_suspects(run, suspects: list[Suspect], channel: str) -> list[AuditLog]:
    if not suspects:
        return []
    first = bulkload.allocate_ids(Suspect, len(suspects))
    now = timezone.now()
    for pk, suspect in enumerate(suspects, start=first):
        suspect.pk, suspect.created, suspect.updated = pk, now, now
    _insert(Suspect, suspects)
    return [build_entry(s, before=None, after=snapshot(s), acting_user=run.started_by, channel=channel,
                        note=f"比对任务 #{run.pk} 发现") for s in suspects]


def _update_suspects(run, changed: dict, stats: dict, now, channel: str) -> list[AuditLog]:
    """Apply ``{pk: (what, values)}`` in batches: one snapshot before and after each, one audit row each."""
    entries = []
    pending = list(changed)
    for start in range(0, len(pending), BATCH):
        updated = []
        for pk, suspect in Suspect.objects.in_bulk(pending[start:start + BATCH]).items():
            what, values = changed[pk]
            before = snapshot(suspect)
            for name, value in values.items():
                setattr(suspect, name, value)
            suspect.updated = now
            stats[what] += 1
            updated.append(suspect)
            entries.append(build_entry(suspect, before=before, after=snapshot(suspect), acting_user=run.started_by,
                                       channel=channel, note=f"比对任务 #{run.pk}"))
        Suspect.objects.bulk_update(updated, UPDATED_FIELDS, batch_size=BATCH)
    return entries


# --- verification ----------------------------------------------------------------------------------------------

def verify_suspect(suspect: Suspect, *, confirmed: bool, acting_user, channel: str, action_taken: str = "",
                   reason: str = "", attachment=None) -> Suspect:
    """The village's answer: confirmed with what was done, or not confirmed with why and a supporting file."""
    if not can_verify(acting_user, suspect):
        raise PermissionDenied("当前账号不能核查该疑点")
    if suspect.status == SuspectStatus.CLOSED:
        raise ValidationError("该疑点已消除，无需核查")
    action_taken, reason = action_taken.strip(), reason.strip()
    errors = {}
    if confirmed and not action_taken:
        errors["action_taken"] = "核实属实的，请填写处理措施（如已启动自然减员、清退程序）"
    if not confirmed:
        if not reason:
            errors["reason"] = "核实不属实的，请说明原因"
        if not attachment and not suspect.attachment:
            errors["attachment"] = "核实不属实的，请上传佐证材料（照片、证明等）"
    if errors:
        raise ValidationError(errors)
    before = snapshot(suspect)
    suspect.status = SuspectStatus.CONFIRMED if confirmed else SuspectStatus.REJECTED
    suspect.action_taken = action_taken if confirmed else ""
    suspect.reason = "" if confirmed else reason
    if attachment:
        folder = f"comparison/suspects/{timezone.localdate():%Y/%m}"
        suspect.attachment = default_storage.save(f"{folder}/{suspect.pk}_{Path(attachment.name).name}", attachment)
    suspect.verified_by = acting_user
    suspect.verified_at = timezone.now()
    with transaction.atomic():
        suspect.save()
        record_change(suspect, before=before, acting_user=acting_user, channel=channel,
                      region_code=suspect.village_code, note="疑点核查")
    return suspect


# --- counting --------------------------------------------------------------------------------------------------

def _counts(queryset, group: str) -> list[dict]:
    today = timezone.localdate()
    return list(
        queryset.values(group).annotate(
            total=Count("id"),
            open=Count("id", filter=Q(status=SuspectStatus.OPEN)),
            confirmed=Count("id", filter=Q(status=SuspectStatus.CONFIRMED)),
            rejected=Count("id", filter=Q(status=SuspectStatus.REJECTED)),
            closed=Count("id", filter=Q(status=SuspectStatus.CLOSED)),
            overdue=Count("id", filter=Q(status=SuspectStatus.OPEN, due_date__lt=today)),
        ).order_by(group)
    )


def _rates(row: dict) -> dict:
    answered = row["confirmed"] + row["rejected"]
    pending = row["total"] - row["closed"]
    row["answered"] = answered
    row["verified_rate"] = round(answered * 100 / pending, 1) if pending else None
    row["confirmed_rate"] = round(row["confirmed"] * 100 / answered, 1) if answered else None
    return row


def progress_by_township(queryset) -> list[dict]:
    """Verification progress per township (乡镇) of a scoped suspect queryset."""
    rows = _counts(queryset.annotate(township=Substr("village_code", 1, 9)), "township")
    names = dict(Region.objects.filter(code__in=[r["township"] + "000" for r in rows]).values_list("code", "name"))
    for row in rows:
        row["code"] = row["township"] + "000"
        row["name"] = names.get(row["code"], row["code"])
        _rates(row)
    return rows


def rates_by_rule(queryset) -> list[dict]:
    """Counts and confirmed rate (属实率 = 属实 ÷ 已核查) per rule."""
    rows = _counts(queryset, "rule")
    names = rule_book.names()
    for row in rows:
        row["name"] = names.get(row["rule"], row["rule"])
        _rates(row)
    return rows
