from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared pieces: ID numbers, Excel, data scope helpers, base templates."""

    name = "fupin.core"
    label = "core"
