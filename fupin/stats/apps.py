from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "fupin.stats"
    label = "stats"
    verbose_name = "统计与驾驶舱"

    def ready(self):
        # The catalogue's families; the rebuild after each batch job; the 总览 page's figures (read from the
        # aggregates, docs/architecture.md "统计").
        from fupin.jobs.signals import job_succeeded
        from fupin.registry.panels import DASHBOARD_PANELS

        from . import indicators, services

        indicators.load()
        services.register_batch("registry.import_households", "monitoring.run", "comparison.run", "comparison.load",
                                "procedures.start", "funds.load", "funds.check", "projects.import", "assets.import",
                                "credit.import_repayments", "sectors.import", "regions.import")
        job_succeeded.connect(services.after_batch, dispatch_uid="stats.after_batch")
        DASHBOARD_PANELS.register("stats/_overview.html")
