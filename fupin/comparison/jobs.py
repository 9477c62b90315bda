"""Background jobs of the comparison app: loading a data set and running a comparison."""

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from fupin.accounts.models import User
from fupin.core.channels import Channel
from fupin.jobs.services import JobError, handler

from .actions.datasets import load_dataset
from .actions.households import create_households
from .actions.runs import execute_run
from .models import ComparisonRun, Dataset, DatasetKind, RunStatus


def _message(exc) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc)


@handler("comparison.load")
def load(job, progress):
    """params: kind, mapping, title, reference_date, department, file_name; input_file is the uploaded file."""
    params = job.params
    path = Path(job.input_file)
    try:
        dataset = load_dataset(
            path,
            kind=DatasetKind.objects.get(code=params["kind"]),
            acting_user=User.objects.filter(pk=job.user_id).first() if job.user_id else None,
            channel=params.get("channel", Channel.PAGE),
            mapping=params.get("mapping"),
            title=params.get("title", ""),
            file_name=params.get("file_name"),
            reference_date=dt.date.fromisoformat(params["reference_date"]) if params.get("reference_date") else None,
            department=params.get("department", ""),
            progress=lambda percent, message: progress(percent, 100, message),
        )
    except (ValidationError, PermissionDenied) as exc:
        raise JobError(_message(exc)) from exc
    finally:
        path.unlink(missing_ok=True)
    if dataset.error_file:
        job.error_file = str(Path(settings.MEDIA_ROOT) / dataset.error_file)  # offered on the job's own page
    return {"dataset_id": dataset.pk, "rows_stored": dataset.rows_stored, "ids_rejected": dataset.ids_rejected,
            "url": reverse("comparison:dataset_detail", args=[dataset.pk]),
            "summary": f"已导入“{dataset.title}”：读取 {dataset.rows_read} 行，有效 {dataset.rows_stored} 行，"
                       f"无效证件号码 {dataset.ids_rejected} 行，重复 {dataset.duplicates} 行"}


@handler("comparison.households")
def households(job, progress):
    """params: dataset_id, village, channel: the village's 一般农户 from a 户籍 data set (all or nothing)."""
    params = job.params
    try:
        result = create_households(
            Dataset.objects.get(pk=params["dataset_id"]), params["village"],
            acting_user=User.objects.filter(pk=job.user_id).first() if job.user_id else None,
            channel=params.get("channel", Channel.PAGE), progress=progress,
        )
    except (ValidationError, PermissionDenied) as exc:
        raise JobError(_message(exc)) from exc
    return {**result, "url": reverse("comparison:dataset_detail", args=[params["dataset_id"]])}


def run_failed(job):
    """The job's writes were rolled back, the run's failed state with them: it is written again with the job's."""
    ComparisonRun.objects.filter(pk=job.params.get("run_id")).update(
        status=RunStatus.FAILED, message=job.message, finished=timezone.now())


@handler("comparison.run", on_failure=run_failed)
def run(job, progress):
    comparison = ComparisonRun.objects.get(pk=job.params["run_id"])
    try:
        results = execute_run(comparison, progress)
    except (ValidationError, LookupError) as exc:
        raise JobError(_message(exc)) from exc
    new = sum(r["new"] + r["reopened"] for r in results.values())
    closed = sum(r["closed"] for r in results.values())
    return {"run_id": comparison.pk, "rules": results, "url": reverse("comparison:run_detail", args=[comparison.pk]),
            "summary": f"比对完成：新增疑点 {new} 个，消除 {closed} 个（比对任务 #{comparison.pk}）"}
