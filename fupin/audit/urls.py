from django.urls import path

from . import views, views_excel

app_name = "audit"
urlpatterns = [
    path("", views.log_list, name="list"),
    path("export/", views_excel.audit_export, name="audit_export"),
    path("verify/", views.verify, name="verify"),
]
