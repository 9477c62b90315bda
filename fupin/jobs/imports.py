"""Running an import as a background job: the uploaded file is kept under the jobs folder, the import service
checks and writes it, and a failed check leaves an error workbook the user downloads from the job page."""

from __future__ import annotations

import uuid
from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from fupin.core import excel

from . import services as jobs
from .models import Job

MAX_UPLOAD_BYTES = 100 * 1024 * 1024


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
