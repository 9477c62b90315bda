from django.urls import path

from . import views

app_name = "public_monitoring"
urlpatterns = [
    path("report/", views.self_report, name="report"),
]
