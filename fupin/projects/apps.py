from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "fupin.projects"
    label = "projects"
    verbose_name = "扶贫项目"

    def ready(self):
        from . import services

        services.install_kind()
