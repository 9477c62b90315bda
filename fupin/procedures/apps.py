from django.apps import AppConfig


class ProceduresConfig(AppConfig):
    name = "fupin.procedures"
    label = "procedures"
    verbose_name = "程序管理"

    def ready(self):
        from fupin.registry import services as registry_services
        from fupin.registry.panels import HOUSEHOLD_PANELS

        from .services import year_locked

        HOUSEHOLD_PANELS.register("procedures/_household_panel.html")
        registry_services.YEAR_GUARDS.append(
            lambda village_code, year: f"{year}年度数据已锁定（动态调整已结束），如需修改请县级重新开放该年度"
            if year_locked(village_code, year) else None
        )
