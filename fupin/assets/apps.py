from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "fupin.assets"
    label = "assets"
    verbose_name = "扶贫项目资产"
