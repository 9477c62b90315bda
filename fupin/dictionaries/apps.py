from django.apps import AppConfig

from fupin.core import hooks


class DictionariesConfig(AppConfig):
    name = "fupin.dictionaries"
    label = "dictionaries"

    def ready(self):
        from .services import code_tables

        hooks.provide("code_labels", code_tables)
