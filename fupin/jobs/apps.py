from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class JobsConfig(AppConfig):
    name = "fupin.jobs"
    label = "jobs"

    def ready(self):
        # Each app declares its job handlers in a ``jobs`` module.
        autodiscover_modules("jobs")
