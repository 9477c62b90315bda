"""Background jobs with progress: register a handler per job kind, start jobs, report progress.

A handler is ``fn(job, progress) -> dict``; its return value becomes ``job.result``. Raising ``JobError`` fails
the job with that (Chinese) message; any other exception fails it with a generic message and is logged.

A job's status tells the truth after a kill at any point (docs/deployment.md, "后台任务"): the handler's writes and
the job's final status commit in ONE transaction, so a job is either succeeded with its data or, after a kill,
still marked running with none of it — and ``sweep_interrupted`` then marks it failed, "数据未作更改". Progress is
kept in a small file beside the job's other files, since the transaction hides it from pages until the end.
"""

import contextlib
import fcntl
import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import Job, Status
from .signals import job_succeeded

log = logging.getLogger(__name__)
INTERRUPTED = "任务因服务停止而中断，数据未作更改，请重新提交"
CRASHED = "任务执行出错，数据未作更改，请联系管理员查看日志"


@dataclass(frozen=True)
class Kind:
    run: Callable
    # False for jobs that only read (exports): they run outside a transaction so SQLite's single write lock is not
    # held for minutes; they change no data, so "数据未作更改" stays true after a kill.
    atomic: bool = True
    # Called with the failed job after its writes were rolled back (or it was swept): a handler's own records
    # (a comparison run) get their failed state here, in the transaction that marks the job failed.
    on_failure: Callable | None = None


HANDLERS: dict[str, Kind] = {}


class JobError(Exception):
    """A failure whose message is meant for the user."""


def handler(kind: str, *, atomic: bool = True, on_failure: Callable | None = None):
    def register(fn):
        HANDLERS[kind] = Kind(fn, atomic, on_failure)
        return fn

    return register


def job_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


class Progress:
    """Writes progress to the job's progress file at most every half second, so a tight loop is not slowed by it."""

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
            path = self.job.progress_file
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".tmp")
            partial.write_text(json.dumps({"done": self.job.done, "total": self.job.total,
                                           "message": self.job.message}, ensure_ascii=False))
            partial.replace(path)  # readers see the old or the new figures, never half a file


def start(kind: str, title: str, *, user=None, params=None, input_file: str = "", region_code: str = "") -> Job:
    """Create the job row and queue it once the surrounding transaction commits."""
    if kind not in HANDLERS:
        raise KeyError(kind)
    job = Job.objects.create(
        kind=kind, title=title, user=user if user and user.is_authenticated else None, params=params or {},
        input_file=input_file, region_code=region_code or (user.region_id if user and user.region_id else ""),
    )
    from .tasks import run_job  # tasks.py imports run() from here: the one import cycle inside this app

    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


_turn = threading.local()


@contextlib.contextmanager
def sqlite_turn():
    """On SQLite, jobs take turns across processes (a second worker, the CLI): each holds an exclusive lock on
    DATA_DIR/jobs.lock while it runs. SQLite has one writer at a time and a job holds the write lock for its whole
    transaction; without this a second job would wait only the busy timeout and then fail. PostgreSQL needs no
    turns. Taken only by the outermost job of a process (a job started inside a test's transaction takes none)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block or getattr(_turn, "held", False):
        # Held already by this thread: a job its predecessor queued on commit (the immediate task backend runs it
        # at once) would otherwise wait for its own lock.
        yield
        return
    with open(Path(settings.DATA_DIR) / "jobs.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _turn.held = True
        try:
            yield
        finally:
            _turn.held = False
            fcntl.flock(lock, fcntl.LOCK_UN)


def run(job: Job) -> Job:
    """Execute a job in this process (the worker's task body, and the CLI's synchronous path)."""
    kind = HANDLERS[job.kind]
    with sqlite_turn():
        job.status = Status.RUNNING
        job.save(update_fields=["status"])
        try:
            with transaction.atomic() if kind.atomic else contextlib.nullcontext():
                if kind.atomic:
                    # Held until the job commits: `sweep_interrupted` in another process skips a job that is alive.
                    list(Job.objects.select_for_update().filter(pk=job.pk).values_list("pk"))
                result = kind.run(job, Progress(job))
                job.status = Status.SUCCEEDED
                job.result = result or {}
                job.done = job.total or job.done
                job.finished = timezone.now()
                job.save()
                job_succeeded.send(sender=Job, job=job)
        except JobError as exc:
            _fail(job, kind, str(exc)[:500])
        except Exception:
            log.exception("job %s (%s) failed", job.pk, job.kind)
            _fail(job, kind, CRASHED)
    job.progress_file.unlink(missing_ok=True)
    return job


def _fail(job: Job, kind: Kind, message: str) -> None:
    job.status, job.message, job.finished = Status.FAILED, message, timezone.now()
    with transaction.atomic():
        job.save()
        if kind.on_failure is not None:
            kind.on_failure(job)


_swept_pid = None  # the process that last swept (a forked worker sweeps again)


def sweep_interrupted() -> list[int]:
    """Mark failed the jobs left running by a worker that was killed; their writes were rolled back with their
    transaction. A job alive in another worker is left alone: on PostgreSQL it holds its row lock (skipped here),
    on SQLite it holds its turn (waited for here). Returns the swept ids."""
    global _swept_pid
    _swept_pid = os.getpid()
    swept = []
    with sqlite_turn(), transaction.atomic():
        running = Job.objects.filter(status=Status.RUNNING)
        if connection.features.has_select_for_update_skip_locked:
            running = running.select_for_update(skip_locked=True)
        for job in running:
            kind = HANDLERS.get(job.kind)
            _fail(job, kind or Kind(None), INTERRUPTED)
            job.progress_file.unlink(missing_ok=True)
            swept.append(job.pk)
    if swept:
        log.warning("jobs %s were cut off by a stopped worker and are now marked failed", swept)
    return swept


def sweep_once_per_process() -> None:
    """The sweep for workers started without `fupin worker` (a bare `fupin db_worker`): before this process's
    first job."""
    if _swept_pid != os.getpid():
        sweep_interrupted()
