from django.apps import AppConfig


class VillagesConfig(AppConfig):
    name = "fupin.villages"
    label = "villages"
    verbose_name = "贫困村出列评估"

    def ready(self):
        from . import exits

        # The exit's steps are procedures data of kind village_exit (its definitions page).
        exits.install_kind()
