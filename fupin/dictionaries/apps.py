from django.apps import AppConfig


class DictionariesConfig(AppConfig):
    name = "fupin.dictionaries"
    label = "dictionaries"
