from django.urls import path

from . import views, views_excel

app_name = "registry"
urlpatterns = [
    path("households/", views.household_list, name="household_list"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/delete/", views.household_delete, name="household_delete"),
    path("households/<int:pk>/members/new/", views.member_edit, name="member_create"),
    path("households/<int:pk>/members/<int:member_pk>/", views.member_edit, name="member_edit"),
    path("households/<int:pk>/members/<int:member_pk>/remove/", views.member_remove, name="member_remove"),
    path("households/<int:pk>/income/new/", views.income_edit, name="income_create"),
    path("households/<int:pk>/income/<int:year>/", views.income_edit, name="income_edit"),
    path("households/<int:pk>/checks/new/", views.check_edit, name="check_create"),
    path("households/<int:pk>/checks/<int:year>/", views.check_edit, name="check_edit"),
    path("overview/", views.dashboard, name="dashboard"),
    path("members/", views.member_list, name="member_list"),
    path("members/<int:member_pk>/reveal/", views.member_reveal, name="member_reveal"),
    path("households/import/", views_excel.household_import, name="household_import"),
    path("households/import/template/", views_excel.import_template, name="import_template"),
    path("households/export/", views_excel.household_export, name="household_export"),
    path("members/export/", views_excel.member_export, name="member_export"),
    path("duplicate-reports/", views.duplicate_report_list, name="duplicate_report_list"),
    path("duplicate-reports/export/", views_excel.duplicate_report_export, name="duplicate_report_export"),
    path("duplicate-reports/<int:pk>/resolve/", views.duplicate_report_resolve, name="duplicate_report_resolve"),
]
