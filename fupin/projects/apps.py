from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "fupin.projects"
    label = "projects"
    verbose_name = "扶贫项目"

    def ready(self):
        from fupin.assistance.panels import MANUAL_SECTIONS
        from fupin.registry.panels import HOUSEHOLD_PANELS

        from . import services

        # The approval's steps are procedures data of kind project_approval (its definitions page).
        services.install_kind()
        HOUSEHOLD_PANELS.register("projects/_household_panel.html")
        MANUAL_SECTIONS.register("projects/_manual_section.html")
