from django.apps import AppConfig


class ProceduresConfig(AppConfig):
    name = "fupin.procedures"
    label = "procedures"
    verbose_name = "程序管理"

    def ready(self):
        from fupin.registry.panels import register_household_panel

        register_household_panel("procedures/_household_panel.html")
