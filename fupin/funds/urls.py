from django.urls import path

from . import anomaly_views, views
from .access import funds_work

app_name = "funds"
urlpatterns = funds_work.guard_urls([
    path("", views.fund_list, name="fund_list"),
    path("new/", views.fund_edit, name="fund_create"),
    path("export/", views.fund_export_view, name="fund_export"),
    path("funds/<int:pk>/", views.fund_detail, name="fund_detail"),
    path("funds/<int:pk>/edit/", views.fund_edit, name="fund_edit"),
    path("funds/<int:fund_pk>/allocate/", views.allocation_edit, name="allocation_create"),
    path("funds/<int:fund_pk>/disclose/", views.disclosure_create, name="disclosure_create"),
    path("allocations/", views.allocation_list, name="allocation_list"),
    path("allocations/export/", views.allocation_export_view, name="allocation_export"),
    path("allocations/<int:pk>/edit/", views.allocation_edit, name="allocation_edit"),
    path("allocations/<int:pk>/withdraw/", views.allocation_withdraw, name="allocation_withdraw"),
    path("disbursements/", views.disbursement_list, name="disbursement_list"),
    path("disbursements/export/", views.disbursement_export_view, name="disbursement_export"),
    path("batches/", views.batch_list, name="batch_list"),
    path("batches/upload/", views.batch_upload, name="batch_upload"),
    path("batches/template/", views.batch_template, name="batch_template"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/errors/", views.batch_errors, name="batch_errors"),
    path("progress/", views.progress, name="progress"),
    path("parameters/", views.parameter_list, name="parameter_list"),
    path("parameters/new/", views.parameter_edit, name="parameter_create"),
    path("parameters/<int:pk>/", views.parameter_edit, name="parameter_edit"),
    path("disclosures/", views.disclosure_list, name="disclosure_list"),
    path("disclosures/plan/", views.plan_disclosure_create, name="plan_disclosure_create"),
    *anomaly_views.urlpatterns,
])
