from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "fupin.assistance"
    label = "assistance"
    verbose_name = "帮扶"

    def ready(self):
        # The household file shows the household's monitoring and assistance; the monitored household's page its
        # pairings, measures and visits.
        from fupin.monitoring.panels import MONITORED_PANELS
        from fupin.registry.panels import HOUSEHOLD_PANELS

        HOUSEHOLD_PANELS.register("assistance/_household_panel.html")
        HOUSEHOLD_PANELS.register("assistance/manual/_household_panel.html")  # 扶贫手册: print, and what it adds
        MONITORED_PANELS.register("assistance/_monitored_panel.html")
        from . import exports  # noqa: F401 — the list exports' job kinds, known to the worker too
