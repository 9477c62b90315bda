from django.apps import AppConfig
from django.db.models.signals import post_migrate

from fupin.registry.panels import HOUSEHOLD_PANELS


class ComparisonConfig(AppConfig):
    name = "fupin.comparison"
    label = "comparison"
    verbose_name = "数据比对"

    def ready(self):
        # kinds.py uses the models, which are not loaded yet when this module is imported.
        from .kinds import sync_builtin_kinds

        # After every migrate (and every test-database flush), the built-in kinds exist.
        post_migrate.connect(sync_builtin_kinds, sender=self, dispatch_uid="comparison_builtin_kinds")
        HOUSEHOLD_PANELS.register("comparison/_household_panel.html")
