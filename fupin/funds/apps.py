from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "fupin.funds"
    label = "funds"
    verbose_name = "扶贫资金"

    def ready(self):
        # The household file shows the payments to its members; the project page its allocations and payments;
        # the overview the year's funds by source, allocated against disbursed, and the progress by township.
        from fupin.projects.panels import PROJECT_PANELS
        from fupin.registry.panels import DASHBOARD_PANELS, HOUSEHOLD_PANELS

        HOUSEHOLD_PANELS.register("funds/_household_panel.html")
        PROJECT_PANELS.register("funds/_project_panel.html")
        DASHBOARD_PANELS.register("funds/_dashboard.html")
