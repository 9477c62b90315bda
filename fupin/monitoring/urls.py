from django.urls import path

from fupin.registry.access import register_work

from . import views

app_name = "monitoring"
urlpatterns = register_work.guard_urls([
    path("", views.overview, name="overview"),
    path("runs/", views.run_list, name="run_list"),
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/export/", views.alert_export, name="alert_export"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("leads/new/", views.lead_create, name="lead_create"),
    path("monitored/", views.monitored_list, name="monitored_list"),
    path("monitored/export/", views.monitored_export, name="monitored_export"),
    path("monitored/<int:pk>/", views.monitored_detail, name="monitored_detail"),
    path("households/<int:household_pk>/events/new/", views.event_create, name="event_create"),
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/new/", views.rule_edit, name="rule_create"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("parameters/new/", views.parameter_edit, name="parameter_create"),
    path("parameters/<int:pk>/", views.parameter_edit, name="parameter_edit"),
    path("quality/", views.quality_list, name="quality_list"),
    path("quality/export/", views.quality_export, name="quality_export"),
    path("quality/recheck/", views.quality_recheck, name="quality_recheck"),
])
