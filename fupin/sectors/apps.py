from django.apps import AppConfig


class SectorsConfig(AppConfig):
    name = "fupin.sectors"
    label = "sectors"
    verbose_name = "行业政策"
