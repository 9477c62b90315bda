"""System check: the audit log retention period may not be set below the legal minimum."""

from django.conf import settings
from django.core.checks import Error, register

from .archive import LEGAL_MINIMUM_DAYS


@register()
def retention_period(app_configs, **kwargs):
    days = settings.FUPIN_AUDIT_RETENTION_DAYS
    if days >= LEGAL_MINIMUM_DAYS:
        return []
    return [Error(
        f"FUPIN_AUDIT_RETENTION_DAYS = {days}：操作日志保存期限不得少于 {LEGAL_MINIMUM_DAYS} 天（网络安全法第二十一条）",
        hint=f"把 FUPIN_AUDIT_RETENTION_DAYS 设为 {LEGAL_MINIMUM_DAYS} 或更大",
        id="fupin.audit.E001",
    )]
