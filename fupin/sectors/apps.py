from django.apps import AppConfig


class SectorsConfig(AppConfig):
    name = "fupin.sectors"
    label = "sectors"
    verbose_name = "行业政策"

    def ready(self):
        # The household file and its printed manual list the household's sector policies and its 应享未享 gaps.
        from fupin.assistance.panels import MANUAL_SECTIONS
        from fupin.registry.panels import HOUSEHOLD_PANELS

        HOUSEHOLD_PANELS.register("sectors/_household_panel.html")
        MANUAL_SECTIONS.register("sectors/_manual_section.html")
