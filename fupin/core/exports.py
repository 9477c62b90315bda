"""Excel exports of list pages: the same rows as the page (scope + the page's filters), as a file.

An ``Export`` names a table, how to select its rows for a user and a set of filter parameters, and who may have
the full ID numbers. Small exports stream straight back as a download; bigger ones run as a background job (kind
``export.kind``) and the user watches its progress on the job page. ID numbers are masked unless the export is
explicitly a full one, which is allowed only where ``may_export_full`` says so. Every export is written to the
audit log (Action.EXPORT), the full ones marked.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from fupin.audit.models import Action, AuditLog, Channel
from fupin.jobs import services as jobs

from .redirects import safe_next
from .search import mask_id_numbers, redirect_for_search, search_params
from .tables import Table

# Up to this many rows the file is built during the request; above it a background job builds it.
SYNC_LIMIT = 5000
FULL_NOTE = "含完整证件号码"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Export:
    kind: str  # the job kind, e.g. "registry.export_households"
    table: Table
    rows: Callable  # (user, params) → queryset: scoped to the user (all rows for the system), filtered by params
    may_export_full: Callable | None = None  # (user, params) → None, or PermissionDenied with the reason
    may_export: Callable | None = None  # (user) → None, or PermissionDenied (e.g. administrators only)
    # Filters that tell what a full-only column holds (a list filtered by health is a list of health conditions):
    # with one of them set, only the full, audited export is given.
    full_only_filters: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return self.table.title

    def check(self, user, params, *, full: bool) -> None:
        """Refuse an export the user may not have; a full export needs its own right."""
        if user is not None and self.may_export is not None:
            self.may_export(user)
        if user is not None and not full and self.needs_full(params):
            raise PermissionDenied("按健康状况等个人敏感信息筛选的名单只能完整导出，导出记入操作日志")
        if full and self.table.has_sensitive and user is not None:
            if self.may_export_full is None:
                raise PermissionDenied("该列表不提供完整证件号码导出")
            self.may_export_full(user, params)

    def needs_full(self, params) -> bool:
        return any(params.get(name) for name in self.full_only_filters)

    def filename(self, full: bool = False) -> str:
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return f"{self.title}{'（完整证件号码）' if full and self.table.has_sensitive else ''}_{stamp}.xlsx"

    def write(self, user, params: dict, target, *, full: bool, channel: str, progress=None) -> int:
        """Write the rows into ``target`` and log the export; returns the number of rows."""
        self.check(user, params, full=full)
        queryset = self.rows(user, params)
        total = queryset.count() if progress is not None else None
        if progress is not None:
            progress(0, total, f"正在导出{self.title}", force=True)
        count = self.table.write(queryset, target, full=full, progress=progress, total=total)
        record_export(user, self, count, full=full and self.table.has_sensitive, channel=channel, params=params)
        return count


REGISTRY: dict[str, Export] = {}


def register(export: Export) -> Export:
    """Make the export runnable as a background job of kind ``export.kind``."""
    REGISTRY[export.kind] = export

    @jobs.handler(export.kind, atomic=False)  # reads only; holds no write lock while the file is built
    def run(job, progress):
        path = jobs.job_dir() / f"job-{job.pk}-{export.kind.replace('.', '-')}.xlsx"
        full = bool(job.params.get("full"))
        count = export.write(job.user, job.params.get("filters", {}), path, full=full,
                             channel=job.params.get("channel", Channel.PAGE), progress=progress)
        job.result_file = str(path)
        return {"rows": count, "filename": export.filename(full), "summary": f"已导出 {count} 行"}

    return export


def record_export(user, export: Export, count: int, *, full: bool, channel: str, params: dict) -> AuditLog:
    filters = "，".join(f"{k}={v}" for k, v in sorted(params.items()) if v not in ("", None) and k != "page")
    filters = mask_id_numbers(filters)  # a search by ID number is not repeated in full in the log
    note = "；".join(filter(None, (FULL_NOTE if full else "证件号码已脱敏" if export.table.has_sensitive else "",
                                    f"筛选：{filters}" if filters else "")))
    user = user if user is not None and user.is_authenticated else None
    return AuditLog.objects.create(
        user=user, username=user.username if user else "", channel=channel, action=Action.EXPORT,
        object_type=export.table.model._meta.model_name, object_id="", object_repr=f"导出{export.title}（{count} 行）",
        region_code=(user.region_id or "") if user else "", note=note[:200],
    )


def params_of(request) -> dict:
    """The list page's filter parameters (single values; pagination dropped; a kept search put back)."""
    return {k: v for k, v in search_params(request).items() if k not in ("page", "full")}


def may_have_full(export: Export, user, params) -> bool:
    if not export.table.has_sensitive:
        return False
    try:
        export.check(user, params, full=True)
    except PermissionDenied:
        return False
    return True


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
