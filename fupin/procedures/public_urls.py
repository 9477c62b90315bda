"""Public notice pages, served without a login under /public/notices/ (see accounts.middleware.PUBLIC_PREFIXES)."""

from django.urls import path

from . import views

app_name = "public_notices"
urlpatterns = [
    path("", views.public_notice_list, name="list"),
    path("<int:pk>/", views.public_notice_detail, name="detail"),
    path("<int:pk>/pdf/", views.public_notice_pdf, name="pdf"),
]
