"""Audit log export: the rows of the 操作日志 page, same scope and filters."""

from fupin.core.exports import Export
from fupin.jobs import services as jobs
from fupin.jobs.exports import register

from . import tables
from .models import AuditLog
from .services import describe, verify_log
from .views import filter_logs, may_view_log


def audit_rows(user, params):
    return filter_logs(AuditLog.objects.all() if user is None else AuditLog.objects.visible_to(user), params)


audit_export = register(Export("audit.export", tables.audit_logs, audit_rows, may_export=may_view_log))


@jobs.handler("audit.verify", atomic=False)  # reads only
def verify_job(job, progress):
    report = verify_log(files=bool(job.params.get("files")))
    return {"summary": describe(report), "report": report.as_dict()}
