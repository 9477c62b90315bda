from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "fupin.funds"
    label = "funds"
    verbose_name = "扶贫资金"

    def ready(self):
        # The household file shows the payments to its members; the project page its allocations and payments
        # (the overview's figures are the stats app's aggregates).
        from fupin.projects.panels import PROJECT_PANELS
        from fupin.registry.panels import HOUSEHOLD_PANELS

        HOUSEHOLD_PANELS.register("funds/_household_panel.html")
        PROJECT_PANELS.register("funds/_project_panel.html")
