from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "fupin.assets"
    label = "assets"
    verbose_name = "扶贫项目资产"

    def ready(self):
        # The household file and its printed manual show the household's asset-income rows; the project page the
        # 移交为资产 form.
        from fupin.assistance.panels import MANUAL_SECTIONS
        from fupin.projects.panels import PROJECT_PANELS
        from fupin.registry.panels import HOUSEHOLD_PANELS

        HOUSEHOLD_PANELS.register("assets/_household_panel.html")
        MANUAL_SECTIONS.register("assets/_manual_section.html")
        PROJECT_PANELS.register("assets/_project_panel.html")
