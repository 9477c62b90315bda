"""Audit log export, with the filters of the 操作日志 page."""

from fupin.jobs import exports

from . import jobs

audit_export = exports.view(jobs.audit_export)
