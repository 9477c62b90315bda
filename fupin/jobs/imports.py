"""Running an import as a background job: the uploaded file is kept under the jobs folder, the import service
checks and writes it, and a failed check leaves an error workbook the user downloads from the job page."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from fupin.core import excel
from fupin.core.excel import RowError

from . import services as jobs
from .models import Job

MAX_UPLOAD_BYTES = 100 * 1024 * 1024
# The errors a job's result (and so the API and the job page) lists; the error workbook has them all.
LISTED_ERRORS = 200


@dataclass
class ImportResult:
    """What an import did: the rows it wrote, counted by kind, or the errors that made it write nothing.

    ``written`` is the sentence of a success, formatted with ``counts`` ("新增 {households} 户、{members} 人").
    """

    written: str
    counts: dict[str, int]
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    # People registered outside the importing account's scope, for the caller to report to the level above once
    # the failed job's transaction has rolled back (``registry.jobs``).
    duplicates: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.error_count

    def refused(self, errors: excel.ErrorList) -> ImportResult:
        """The result of a check that failed: the errors kept (sorted by row) and how many there were."""
        self.errors, self.error_count = errors.sorted(), errors.count
        return self

    def summary(self) -> str:
        if self.ok:
            return "导入成功：" + self.written.format(**self.counts)
        shown = "" if self.error_count == len(self.errors) else f"（错误清单列出前 {len(self.errors)} 处）"
        return f"导入未完成：发现 {self.error_count} 处错误{shown}，未写入任何数据，请修改后重新导入"

    def as_dict(self) -> dict:
        return {
            **self.counts, "error_count": self.error_count,
            "errors": [e.as_dict() for e in self.errors[:LISTED_ERRORS]], "ignored_columns": self.ignored_columns,
            "summary": self.summary(),
        }


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Excel 文件", widget=forms.ClearableFileInput(attrs={"accept": ",".join(excel.SUFFIXES)}),
        help_text="支持 .xlsx、.xls、.csv",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in excel.SUFFIXES:
            raise ValidationError(f"不支持的文件类型“{suffix or upload.name}”，请上传 .xlsx、.xls 或 .csv 文件")
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(f"文件过大（超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB），请分批导入")
        return upload


def save_upload(upload) -> Path:
    """Store an uploaded spreadsheet (checked by UploadForm) for the job that will read it."""
    path = jobs.job_dir() / f"upload-{uuid.uuid4().hex}{Path(upload.name).suffix.lower()}"
    with open(path, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path


def start(kind: str, title: str, upload, *, user) -> Job:
    path = save_upload(upload)
    return jobs.start(kind, title, user=user, input_file=str(path), params={"filename": upload.name})


def finish(job, result) -> dict:
    """A job's result from an import result; on errors, write the error workbook and fail the job."""
    job.result = result.as_dict()
    if result.ok:
        return job.result
    path = jobs.job_dir() / f"job-{job.pk}-errors.xlsx"
    excel.write_errors(path, result.errors, source=job.input_file)
    job.error_file = str(path)
    raise jobs.JobError(result.summary())


def page(request, *, kind: str, title: str, **context):
    """The upload page of an import: on a valid upload, start the job and go to its progress page."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = start(kind, f"{title}：{upload.name}", upload, user=request.user)
        return redirect("jobs:detail", pk=job.pk)
    return render(request, "core/import.html", {"form": form, "title": title, **context})
