from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "fupin.registry"
    label = "registry"

    def ready(self):
        from fupin.regions.services import RegionFigure, register_region_figure

        from .stats import households_under

        register_region_figure(RegionFigure("户数", households_under, "registry:household_list"))
