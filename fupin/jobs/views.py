"""Background job pages: my jobs, one job with a live progress bar (htmx polling), result and error downloads."""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render

from fupin.core.scope import in_scope

from .models import Job

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {".pdf": "application/pdf", ".zip": "application/zip", ".csv": "text/csv"}


def visible_jobs(user):
    """Administrators see the jobs of their scope; everyone else sees their own."""
    jobs = Job.objects.select_related("user")
    if user.can_administer:
        return jobs.filter(region_code__startswith=user.scope_prefix) if user.region_id else jobs
    return jobs.filter(user=user)


def _job_for(request, pk) -> Job:
    job = get_object_or_404(Job.objects.select_related("user"), pk=pk)
    owner = job.user_id == request.user.pk
    admin = request.user.can_administer and (not job.region_code or in_scope(request.user, job.region_code))
    if not (owner or admin):
        raise PermissionDenied("只能查看自己的任务")
    return job


def job_list(request):
    jobs = visible_jobs(request.user)
    if request.GET.get("mine") == "1":
        jobs = jobs.filter(user=request.user)
    page = Paginator(jobs, 30).get_page(request.GET.get("page"))
    return render(request, "jobs/list.html", {"page": page})


def job_detail(request, pk):
    return render(request, "jobs/detail.html", {"job": _job_for(request, pk)})


def job_progress(request, pk):
    """The progress fragment; it polls itself every second until the job has finished."""
    return render(request, "jobs/_progress.html", {"job": _job_for(request, pk)})


def job_download(request, pk, which="result"):
    """The job's result file or its error workbook; only the owner or an administrator of its scope."""
    if which not in ("result", "errors"):
        raise Http404
    job = _job_for(request, pk)
    stored = job.result_file if which == "result" else job.error_file
    if not stored or not Path(stored).is_file():
        raise Http404("文件不存在或已清理")
    name = job.result.get("filename") if which == "result" else None
    name = name or f"{job.title}{'' if which == 'result' else '-错误清单'}{Path(stored).suffix}"
    # Most results are workbooks; others (the 扶贫手册 PDF or zip) carry their type in the suffix.
    content_type = CONTENT_TYPES.get(Path(stored).suffix.lower(), XLSX)
    return FileResponse(open(stored, "rb"), as_attachment=True, filename=name, content_type=content_type)
