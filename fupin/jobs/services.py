"""Background jobs with progress: register a handler per job kind, start jobs, report progress.

A handler is ``fn(job, progress) -> dict``; its return value becomes ``job.result``. Raising ``JobError`` fails
the job with that (Chinese) message; any other exception fails it with a generic message and is logged.
"""

import logging
import time
from pathlib import Path
from typing import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Job, Status

log = logging.getLogger(__name__)
HANDLERS: dict[str, Callable] = {}


class JobError(Exception):
    """A failure whose message is meant for the user."""


def handler(kind: str):
    def register(fn):
        HANDLERS[kind] = fn
        return fn

    return register


def job_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


class Progress:
    """Writes progress to the job row at most every half second, so a tight loop is not slowed by it."""

    def __init__(self, job: Job):
        self.job = job
        self._last = 0.0

    def __call__(self, done: int, total: int | None = None, message: str | None = None, force=False):
        self.job.done = done
        if total is not None:
            self.job.total = total
        if message is not None:
            self.job.message = message
        now = time.monotonic()
        if force or now - self._last > 0.5:
            self._last = now
            Job.objects.filter(pk=self.job.pk).update(
                done=self.job.done, total=self.job.total, message=self.job.message
            )


def start(kind: str, title: str, *, user=None, params=None, input_file: str = "", region_code: str = "") -> Job:
    """Create the job row and queue it once the surrounding transaction commits."""
    if kind not in HANDLERS:
        raise KeyError(kind)
    job = Job.objects.create(
        kind=kind, title=title, user=user if user and user.is_authenticated else None, params=params or {},
        input_file=input_file, region_code=region_code or (user.region_id if user and user.region_id else ""),
    )
    from .tasks import run_job

    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


def run(job: Job) -> Job:
    """Execute a job in this process (the worker's task body, and the CLI's synchronous path)."""
    job.status = Status.RUNNING
    job.save(update_fields=["status"])
    try:
        result = HANDLERS[job.kind](job, Progress(job))
    except JobError as exc:
        job.status, job.message = Status.FAILED, str(exc)[:500]
    except Exception:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        job.status, job.message = Status.FAILED, "任务执行出错，数据未作更改，请联系管理员查看日志"
    else:
        job.status = Status.SUCCEEDED
        job.result = result or {}
        job.done = job.total or job.done
    job.finished = timezone.now()
    job.save()
    return job
