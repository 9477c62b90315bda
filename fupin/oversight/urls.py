from django.urls import path

from . import views
from .access import oversight_work

app_name = "oversight"
urlpatterns = oversight_work.guard_urls([
    path("", views.problem_list, name="list"),
    path("new/", views.problem_edit, name="create"),
    path("export/", views.problem_export_view, name="export"),
    path("import/", views.problem_import, name="import"),
    path("import/template/", views.import_template, name="import_template"),
    path("escalate/", views.escalate, name="escalate"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/export/", views.statistics_export, name="statistics_export"),
    path("problems/<int:pk>/", views.problem_detail, name="detail"),
    path("problems/<int:pk>/edit/", views.problem_edit, name="edit"),
    path("problems/<int:pk>/progress/", views.progress_add, name="progress_add"),
    path("problems/<int:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("problems/<int:pk>/submit/", views.submit, name="submit"),
    path("problems/<int:pk>/sign-off/", views.sign_off, name="sign_off"),
    path("problems/<int:pk>/reject/", views.reject, name="reject"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence_file"),
    path("from-suspect/<int:pk>/", views.from_suspect, name="from_suspect"),
    path("from-anomaly/<int:pk>/", views.from_anomaly, name="from_anomaly"),
    path("from-finding/<int:pk>/", views.from_finding, name="from_finding"),
    path("parameters/", views.parameter_list, name="parameter_list"),
    path("parameters/new/", views.parameter_edit, name="parameter_create"),
    path("parameters/<int:pk>/", views.parameter_edit, name="parameter_edit"),
])
