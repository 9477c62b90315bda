"""Audit log export: the rows of the 操作日志 page, same scope and filters."""

from fupin.core.exports import Export, register

from . import tables
from .models import AuditLog
from .views import filter_logs, may_view_log


def audit_rows(user, params):
    return filter_logs(AuditLog.objects.all() if user is None else AuditLog.objects.visible_to(user), params)


audit_export = register(Export("audit.export", tables.audit_logs, audit_rows, may_export=may_view_log))
