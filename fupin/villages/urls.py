from django.urls import path

from fupin.registry.access import register_work

from . import views

app_name = "villages"
# The register's staff and the read-only roles; departments and the security and audit administrators are refused.
urlpatterns = register_work.guard_urls([
    path("", views.assessment_list, name="list"),
    path("export/", views.assessment_export, name="export"),
    path("import/", views.village_import, name="import"),
    path("import/template/", views.import_template, name="import_template"),
    path("villages/<str:code>/", views.village_detail, name="detail"),
    path("villages/<str:code>/edit/", views.village_edit, name="edit"),
    path("villages/<str:code>/exit/", views.exit_start, name="exit_start"),
    path("answers/<int:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
    path("exits/", views.exit_list, name="exit_list"),
    path("exits/<int:pk>/", views.exit_detail, name="exit_detail"),
    path("exits/<int:pk>/decide/", views.exit_decide, name="exit_decide"),
    path("exits/<int:pk>/notice/", views.exit_notice, name="exit_notice"),
    path("configuration/", views.configuration, name="configuration"),
    path("parameters/new/", views.parameter_edit, name="parameter_create"),
    path("parameters/<int:pk>/", views.parameter_edit, name="parameter_edit"),
    path("indicators/new/", views.indicator_edit, name="indicator_create"),
    path("indicators/<int:pk>/", views.indicator_edit, name="indicator_edit"),
])
