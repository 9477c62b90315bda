from django.apps import AppConfig

from fupin.core import hooks


class AuditConfig(AppConfig):
    name = "fupin.audit"
    label = "audit"

    def ready(self):
        from . import checks  # noqa: F401 (registers the retention check)
        from .services import record_export

        hooks.provide("record_export", record_export)
