from django.urls import path

from . import views
from .access import sectors_work

app_name = "sectors"
urlpatterns = sectors_work.guard_urls([
    path("", views.index, name="index"),
    path("coverage/", views.coverage_board, name="coverage"),
    path("coverage/run/", views.coverage_run, name="coverage_run"),
    path("coverage/gaps/", views.gap_list, name="gap_list"),
    path("coverage/gaps/export/", views.gap_export, name="gap_export"),
    path("coverage/facts/", views.facts_help, name="facts"),
    path("config/", views.config, name="config"),
    path("config/<str:what>/new/", views.config_edit, name="config_create"),
    path("config/<str:what>/<int:pk>/", views.config_edit, name="config_edit"),
    path("yulu/<int:pk>/approve/", views.yulu_approve, name="yulu_approve"),
    path("yulu/<int:pk>/pay/", views.yulu_pay, name="yulu_pay"),
    path("dropouts/<int:pk>/follow-up/", views.dropout_follow_up, name="dropout_follow_up"),
    path("relocations/<int:pk>/support/", views.relocation_support, name="relocation_support"),
    path("enrolments/<int:pk>/taper/", views.enrolment_taper, name="enrolment_taper"),
    path("<str:kind>/", views.record_list, name="record_list"),
    path("<str:kind>/export/", views.record_export, name="record_export"),
    path("<str:kind>/import/", views.record_import, name="record_import"),
    path("<str:kind>/new/", views.record_edit, name="record_create"),
    path("<str:kind>/<int:pk>/", views.record_detail, name="record_detail"),
    path("<str:kind>/<int:pk>/edit/", views.record_edit, name="record_edit"),
])
