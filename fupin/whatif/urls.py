from django.urls import path

from . import views
from .access import whatif_work

app_name = "whatif"
urlpatterns = whatif_work.guard_urls([
    path("", views.scenario_list, name="scenario_list"),
    path("new/", views.scenario_edit, name="scenario_create"),
    path("scenarios/<int:pk>/", views.scenario_detail, name="scenario_detail"),
    path("scenarios/<int:pk>/edit/", views.scenario_edit, name="scenario_edit"),
    path("scenarios/<int:pk>/delete/", views.scenario_delete, name="scenario_delete"),
    path("scenarios/<int:pk>/changes/new/", views.change_edit, name="change_create"),
    path("scenarios/<int:pk>/run/", views.scenario_run, name="run"),
    path("scenarios/<int:pk>/result/", views.result, name="result"),
    path("scenarios/<int:pk>/households/", views.household_list, name="households"),
    path("scenarios/<int:pk>/households/export/", views.household_export_view, name="household_export"),
    path("scenarios/<int:pk>/adopt/", views.adopt, name="adopt"),
    path("changes/<int:pk>/edit/", views.change_edit, name="change_edit"),
    path("changes/<int:pk>/delete/", views.change_delete, name="change_delete"),
])
