from django.urls import path

from . import views
from .access import comparison_work

app_name = "comparison"
urlpatterns = comparison_work.guard_urls([
    path("", views.index, name="index"),
    path("datasets/", views.dataset_list, name="dataset_list"),
    path("datasets/export/", views.dataset_export, name="dataset_export"),
    path("datasets/upload/", views.dataset_upload, name="dataset_upload"),
    path("datasets/upload/<str:token>/mapping/", views.dataset_mapping, name="dataset_mapping"),
    path("datasets/upload/jobs/<int:job_id>/", views.upload_progress, name="upload_progress"),
    path("datasets/<int:pk>/", views.dataset_detail, name="dataset_detail"),
    path("datasets/<int:pk>/rejected/", views.dataset_rejected, name="dataset_rejected"),
    path("datasets/<int:pk>/delete/", views.dataset_delete, name="dataset_delete"),
    path("datasets/<int:pk>/households/", views.dataset_households, name="dataset_households"),
    path("kinds/", views.kind_list, name="kind_list"),
    path("kinds/new/", views.kind_edit, name="kind_create"),
    path("kinds/<int:pk>/edit/", views.kind_edit, name="kind_edit"),
    path("rules/new/", views.rule_edit, name="rule_create"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("runs/", views.run_list, name="run_list"),
    path("runs/new/", views.run_create, name="run_create"),
    path("runs/export/", views.run_export, name="run_export"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("suspects/", views.suspect_list, name="suspect_list"),
    path("suspects/export/", views.suspect_export, name="suspect_export"),
    path("suspects/<int:pk>/", views.suspect_detail, name="suspect_detail"),
    path("suspects/<int:pk>/attachment/", views.suspect_attachment, name="suspect_attachment"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("reverse-lists/", views.reverse_lists, name="reverse_lists"),
    path("reverse-lists/<str:code>/", views.reverse_download, name="reverse_download"),
])
