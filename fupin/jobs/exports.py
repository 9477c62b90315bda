"""Exports as the user gets them: small ones stream straight back as a download, bigger ones run as a background
job (kind ``export.kind``) and the user watches its progress on the job page. What is exported and who may have it
is the ``Export`` (``fupin.core.exports``)."""

from __future__ import annotations

import tempfile

from django.http import FileResponse
from django.shortcuts import redirect, render

from fupin.core.channels import Channel
from fupin.core.exports import FULL_NOTE, XLSX, Export, may_have_full, params_of
from fupin.core.redirects import safe_next
from fupin.core.search import redirect_for_search

from . import services as jobs

# Up to this many rows the file is built during the request; above it a background job builds it.
SYNC_LIMIT = 5000

def register(export: Export) -> Export:
    """Make the export runnable as a background job of kind ``export.kind``."""
    @jobs.handler(export.kind, atomic=False)  # reads only; holds no write lock while the file is built
    def run(job, progress):
        path = jobs.job_dir() / f"job-{job.pk}-{export.kind.replace('.', '-')}.xlsx"
        full = bool(job.params.get("full"))
        count = export.write(job.user, job.params.get("filters", {}), path, full=full,
                             channel=job.params.get("channel", Channel.PAGE), progress=progress)
        job.result_file = str(path)
        return {"rows": count, "filename": export.filename(full), "summary": f"已导出 {count} 行"}

    return export


def respond(request, export: Export):
    """The body of an export view.

    Without ``full`` in the query, a user who may have full ID numbers first chooses masked or full; everyone
    else gets the masked file. A small result downloads at once; a big one becomes a job and the browser goes to
    its progress page.
    """
    if (response := redirect_for_search(request)) is not None:
        return response
    params = params_of(request)
    only_full = export.needs_full(params)
    export.check(request.user, params, full=only_full)
    count = export.rows(request.user, params).count()
    if "full" not in request.GET and may_have_full(export, request.user, params):
        query = request.GET.copy()
        query.pop("page", None)
        return render(request, "core/export_choice.html", {
            "export": export, "count": count,
            "masked_query": None if only_full else _with(query, full="0"), "full_query": _with(query, full="1"),
            "back": safe_next(request, request.META.get("HTTP_REFERER")), "sync_limit": SYNC_LIMIT,
        })
    full = request.GET.get("full") == "1"
    export.check(request.user, params, full=full)
    if count > SYNC_LIMIT:
        note = f"，{FULL_NOTE}" if full and export.table.has_sensitive else ""
        job = jobs.start(export.kind, f"导出{export.title}（{count:,} 行{note}）", user=request.user,
                         params={"filters": params, "full": full, "channel": Channel.PAGE})
        return redirect("jobs:detail", pk=job.pk)
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    export.write(request.user, params, handle, full=full, channel=Channel.PAGE)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=export.filename(full), content_type=XLSX)


def _with(query, **changes) -> str:
    query = query.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


def view(export: Export):
    """A view function for one export (registered in each app's urls)."""

    def export_view(request):
        return respond(request, export)

    export_view.__name__ = f"export_{export.kind.replace('.', '_')}"
    return export_view
