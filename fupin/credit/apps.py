from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "fupin.credit"
    label = "credit"
    verbose_name = "扶贫小额信贷"

    def ready(self):
        from fupin.assistance.panels import MANUAL_SECTIONS
        from fupin.registry.panels import HOUSEHOLD_PANELS

        HOUSEHOLD_PANELS.register("credit/_household_panel.html")
        MANUAL_SECTIONS.register("credit/_manual_section.html")
