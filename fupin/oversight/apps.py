from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "fupin.oversight"
    label = "oversight"
    verbose_name = "问题台账与整改"

    def ready(self):
        # One-click 列入问题台账 on the suspect, anomaly and finding pages; a household's and a project's problems on
        # their pages; the to-do counts on 总览 (docs/architecture.md, "How a lower layer hears from a higher one").
        from fupin.comparison.panels import SUSPECT_PANELS
        from fupin.funds.panels import ANOMALY_PANELS
        from fupin.monitoring.panels import FINDING_ACTIONS
        from fupin.projects.panels import PROJECT_PANELS
        from fupin.registry.panels import DASHBOARD_PANELS, HOUSEHOLD_PANELS

        SUSPECT_PANELS.register("oversight/_suspect_button.html")
        ANOMALY_PANELS.register("oversight/_anomaly_button.html")
        FINDING_ACTIONS.register("oversight/_finding_button.html")
        HOUSEHOLD_PANELS.register("oversight/_household_panel.html")
        PROJECT_PANELS.register("oversight/_project_panel.html")
        DASHBOARD_PANELS.register("oversight/_dashboard.html")
