from django.urls import path

from . import views
from .access import stats_work

app_name = "stats"
urlpatterns = stats_work.guard_urls([
    path("", views.board, name="index"),
    path("boards/<slug:key>/", views.board, name="board"),
    path("boards/<slug:key>/charts/<slug:chart>.xlsx", views.chart_excel, name="chart_excel"),
    path("rebuilds/", views.rebuild_list, name="rebuild_list"),
    path("rebuilds/start/", views.rebuild, name="rebuild"),
    path("targets/", views.target_list, name="target_list"),
    path("targets/new/", views.target_edit, name="target_create"),
    path("targets/import/", views.target_import, name="target_import"),
    path("targets/template/", views.target_template, name="target_template"),
    path("targets/<int:pk>/", views.target_edit, name="target_edit"),
    path("targets/<int:pk>/delete/", views.target_delete, name="target_delete"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/<slug:code>/", views.report_detail, name="report_detail"),
])
