from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "fupin.stats"
    label = "stats"
    verbose_name = "统计与驾驶舱"
