import json
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")


class Job(models.Model):
    """A long-running piece of work (import, export, batch run) that a user watches with a progress bar.

    The background task writes progress here; pages poll it. Result and error files live under MEDIA_ROOT/jobs.
    """

    kind = models.CharField(_("任务类型"), max_length=40)
    title = models.CharField(_("任务"), max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    region_code = models.CharField(max_length=12, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(_("已处理"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    params = models.JSONField(default=dict)
    result = models.JSONField(default=dict)
    input_file = models.CharField(max_length=300, blank=True)
    result_file = models.CharField(max_length=300, blank=True)
    error_file = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created"]

    def __str__(self):
        return self.title

    @classmethod
    def from_db(cls, db, field_names, values):
        """A running job's progress comes from its progress file: the job's transaction keeps its own row's
        figures from pages until it commits (services.run)."""
        job = super().from_db(db, field_names, values)
        if "status" in job.__dict__ and job.status == Status.RUNNING and job.pk:
            try:
                figures = json.loads(job.progress_file.read_text())
            except (OSError, ValueError):
                figures = {}
            job.done = figures.get("done", job.done)
            job.total = figures.get("total", job.total)
            job.message = figures.get("message", job.message)
        return job

    @property
    def progress_file(self) -> Path:
        return Path(settings.MEDIA_ROOT) / "jobs" / f"job-{self.pk}.progress.json"

    @property
    def percent(self) -> int:
        if self.status == Status.SUCCEEDED:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (Status.SUCCEEDED, Status.FAILED)
