from django.urls import path

from . import views
from .access import sectors_work
from .kinds import KINDS

app_name = "sectors"


def _kind_routes(kind):
    """Each record kind under its own path and names (``kinds.Kind.url``), so every id route names one model."""
    code, fixed = kind.code, {"kind": kind.code}
    return [
        path(f"{code}/", views.record_list, fixed, name=f"{code}_list"),
        path(f"{code}/export/", views.record_export, fixed, name=f"{code}_export"),
        path(f"{code}/import/", views.record_import, fixed, name=f"{code}_import"),
        path(f"{code}/new/", views.record_edit, fixed, name=f"{code}_create"),
        path(f"{code}/<int:pk>/", views.record_detail, fixed, name=f"{code}_detail"),
        path(f"{code}/<int:pk>/edit/", views.record_edit, fixed, name=f"{code}_edit"),
    ]


urlpatterns = sectors_work.guard_urls([
    path("", views.index, name="index"),
    path("datasets/load/", views.dataset_load, name="dataset_load"),
    path("coverage/", views.coverage_board, name="coverage"),
    path("coverage/run/", views.coverage_run, name="coverage_run"),
    path("coverage/gaps/", views.gap_list, name="gap_list"),
    path("coverage/gaps/export/", views.gap_export, name="gap_export"),
    path("coverage/facts/", views.facts_help, name="facts"),
    path("config/", views.config, name="config"),
    *(route for what in views.CONFIG_FORMS for route in (
        path(f"config/{what}/new/", views.config_edit, {"what": what}, name=f"config_{what}_create"),
        path(f"config/{what}/<int:pk>/", views.config_edit, {"what": what}, name=f"config_{what}_edit"),
    )),
    path("yulu/<int:pk>/approve/", views.yulu_approve, name="yulu_approve"),
    path("yulu/<int:pk>/pay/", views.yulu_pay, name="yulu_pay"),
    path("dropouts/<int:pk>/follow-up/", views.dropout_follow_up, name="dropout_follow_up"),
    path("relocations/<int:pk>/support/", views.relocation_support, name="relocation_support"),
    path("enrolments/<int:pk>/taper/", views.enrolment_taper, name="enrolment_taper"),
    *(route for kind in KINDS for route in _kind_routes(kind)),
])
