from django.apps import AppConfig

from fupin.core import hooks


class RegionsConfig(AppConfig):
    name = "fupin.regions"
    label = "regions"

    def ready(self):
        from .services import region_namer

        hooks.provide("region_namer", region_namer)
