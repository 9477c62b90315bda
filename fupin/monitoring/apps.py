from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "fupin.monitoring"
    label = "monitoring"
    verbose_name = "防返贫监测"

    def ready(self):
        # The two monitoring procedures (认定, 风险消除) run on the procedures engine.
        from fupin.procedures import policy

        from . import planning, procedure_kinds

        procedure_kinds.install()
        # The policy ages the procedures' checks read are parameters of this app (procedures.policy).
        policy.provide(planning.policy_values)
