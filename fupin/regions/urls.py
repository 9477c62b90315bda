from django.urls import path, register_converter

from . import views, views_excel


class RegionCodeConverter:
    regex = r"\d{12}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(RegionCodeConverter, "regioncode")

app_name = "regions"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("import/", views_excel.region_import, name="region_import"),
    path("export/", views_excel.region_export, name="region_export"),
    path("new/", views.edit, name="create"),
    path("<regioncode:code>/", views.tree, name="node"),
    path("<regioncode:code>/edit/", views.edit, name="edit"),
]
