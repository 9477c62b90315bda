from django.urls import path

from . import views
from .access import credit_work

app_name = "credit"
urlpatterns = credit_work.guard_urls([
    path("", views.loan_list, name="loan_list"),
    path("export/", views.loan_export, name="loan_export"),
    path("new/", views.loan_create, name="loan_create"),
    path("<int:pk>/", views.loan_detail, name="loan_detail"),
    path("<int:pk>/edit/", views.loan_edit, name="loan_edit"),
    path("overdue/", views.overdue_list, name="overdue_list"),
    path("overdue/export/", views.overdue_export, name="overdue_export"),
    path("overdue/check/", views.check, name="check"),
    path("due-soon/", views.due_soon_list, name="due_soon_list"),
    path("due-soon/export/", views.due_soon_export, name="due_soon_export"),
    path("repayments/import/", views.repayment_import, name="repayment_import"),
    path("repayments/template/", views.repayment_template, name="repayment_template"),
    path("subsidies/", views.subsidy_list, name="subsidy_list"),
    path("subsidies/export/", views.subsidy_export, name="subsidy_export"),
    path("subsidies/compute/", views.subsidy_compute, name="subsidy_compute"),
    path("fund/", views.fund_list, name="fund_list"),
    path("fund/export/", views.fund_export, name="fund_export"),
    path("parameters/", views.parameter_list, name="parameter_list"),
    path("parameters/new/", views.parameter_edit, name="parameter_create"),
    path("parameters/<int:pk>/", views.parameter_edit, name="parameter_edit"),
])
