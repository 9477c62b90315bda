from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "fupin.oversight"
    label = "oversight"
    verbose_name = "问题台账与整改"
