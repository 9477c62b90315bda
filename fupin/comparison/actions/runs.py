"""Comparison runs: start one (queued as a job, or here for the CLI), evaluate its rules in a DuckDB workspace,
and turn each rule's hits into suspects in one transaction."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import defaultdict
from collections.abc import Callable

import polars as pl
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.utils import timezone

from fupin.audit.models import AuditLog
from fupin.audit.services import build_entry, snapshot
from fupin.core import bulkload
from fupin.core.scope import in_scope
from fupin.jobs import services as jobs
from fupin.jobs.models import Job
from fupin.regions.models import Region, region_prefix

from .. import rules as rule_book
from ..access import can_run, datasets_visible_to
from ..engine import Workspace
from ..models import ComparisonRun, Dataset, DatasetKind, RunStatus, Suspect, SuspectStatus

BATCH = 1000


def start_run(*, datasets, rules: list[str] | None = None, region_code: str = "", acting_user, channel: str,
              params: dict | None = None, run_now: bool = False) -> ComparisonRun:
    """Create a run and queue it as a background job (``run_now``: execute here, for the CLI)."""
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
    prefix = region_prefix(run.region_code)
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
            day = max((d.reference_date for d in dated), default=reference)
            values = {**rule_book.configured_params(rule, run.region_code, day.year), **(params.get(code) or {})}
            hits[code] = timed(f"rule:{code}", workspace.evaluate, rule, values, day)
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
    due = timezone.localdate() + dt.timedelta(days=settings.FUPIN_SUSPECT_DUE_DAYS)
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
