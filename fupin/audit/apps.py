from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "fupin.audit"
    label = "audit"

    def ready(self):
        from . import checks  # noqa: F401 (registers the retention check)
