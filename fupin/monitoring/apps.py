from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "fupin.monitoring"
    label = "monitoring"
    verbose_name = "防返贫监测"

    def ready(self):
        # The two monitoring procedures (认定, 风险消除) run on the procedures engine.
        from . import procedure_kinds

        procedure_kinds.install()
