"""Excel exports of list pages: the same rows as the page (scope + the page's filters), as a file.

An ``Export`` names a table, how to select its rows for a user and a set of filter parameters, and who may have
the full ID numbers. ID numbers are masked unless the export is explicitly a full one, which is allowed only where
``may_export_full`` says so. Every export is written to the audit log (Action.EXPORT), the full ones marked. The
jobs app runs big exports in the background and serves the download (``fupin.jobs.exports``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from . import hooks
from .search import mask_id_numbers, search_params
from .tables import Table

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


def record_export(user, export: Export, count: int, *, full: bool, channel: str, params: dict) -> None:
    filters = "，".join(f"{k}={v}" for k, v in sorted(params.items()) if v not in ("", None) and k != "page")
    hooks.record_export(
        user if user is not None and user.is_authenticated else None, title=export.title,
        model_name=export.table.model._meta.model_name, count=count, full=full,
        masked=export.table.has_sensitive and not full,
        channel=channel, filters=mask_id_numbers(filters),  # a search by ID number is not repeated in the log
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
