from django.urls import path

from . import views
from .access import assets_work

app_name = "assets"
urlpatterns = assets_work.guard_urls([
    path("", views.asset_list, name="list"),
    path("new/", views.asset_create, name="create"),
    path("export/", views.asset_export_view, name="export"),
    path("import/", views.asset_import, name="import"),
    path("distributions/", views.distribution_list, name="distribution_list"),
    path("handover/<int:project_pk>/", views.handover, name="handover"),
    path("<int:pk>/", views.asset_detail, name="detail"),
    path("<int:pk>/edit/", views.asset_edit, name="edit"),
    path("<int:pk>/income/", views.income_add, name="income_add"),
    path("<int:pk>/distribute/", views.distribute, name="distribute"),
    path("<int:pk>/plan/", views.apply_plan, name="apply_plan"),
    path("<int:pk>/maintenance/", views.maintenance_add, name="maintenance_add"),
    path("<int:pk>/beneficiaries/", views.beneficiary_add, name="beneficiary_add"),
    path("<int:pk>/beneficiaries/<int:row_pk>/remove/", views.beneficiary_remove, name="beneficiary_remove"),
    path("<int:pk>/changes/", views.change_request, name="change_request"),
    path("<int:pk>/changes/<int:change_pk>/decide/", views.change_decide, name="change_decide"),
])
