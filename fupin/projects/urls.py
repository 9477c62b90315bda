from django.urls import path

from . import views
from .access import projects_work

app_name = "projects"
urlpatterns = projects_work.guard_urls([
    path("", views.project_list, name="list"),
    path("export/", views.project_export_view, name="export"),
    path("new/", views.project_edit, name="create"),
    path("import/", views.project_import, name="import"),
    path("import/template/", views.import_template, name="import_template"),
    path("notices/new/", views.notice_create, name="notice_create"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/declare/", views.approval_start, name="declare"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/remove/", views.library_remove, name="remove"),
    path("<int:pk>/restore/", views.library_restore, name="restore"),
    path("<int:pk>/start/", views.implementation_start, name="start"),
    path("<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("<int:pk>/photos/", views.photo_add, name="photo_add"),
    path("<int:pk>/acceptances/", views.acceptance_add, name="acceptance_add"),
    path("<int:pk>/beneficiaries/", views.beneficiary_add, name="beneficiary_add"),
    path("<int:pk>/beneficiaries/import/", views.beneficiary_import, name="beneficiary_import"),
    path("beneficiaries/<int:pk>/remove/", views.beneficiary_remove, name="beneficiary_remove"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("documents/<int:pk>/", views.document, name="document"),
])
