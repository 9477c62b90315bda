from django.urls import path

from . import views
from .access import assessment_work

app_name = "assessment"

urlpatterns = assessment_work.guard_urls([
    path("", views.assessment_list, name="list"),
    path("assessments/new/", views.assessment_edit, name="create"),
    path("assessments/<int:pk>/", views.assessment_detail, name="detail"),
    path("assessments/<int:pk>/edit/", views.assessment_edit, name="edit"),
    path("assessments/<int:pk>/draw/", views.draw, name="draw"),
    path("assessments/<int:pk>/close/", views.close, name="close"),
    path("assessments/<int:pk>/questions/", views.questions, name="questions"),
    path("assessments/<int:pk>/questions/<int:question_pk>/", views.questions, name="question_edit"),
    path("assessments/<int:pk>/results/", views.results, name="results"),
    path("assessments/<int:pk>/results/export/", views.results_export, name="results_export"),
    path("questions/<int:question_pk>/delete/", views.question_delete, name="question_delete"),
    path("samples/", views.sample_list, name="samples"),
    path("samples/export/", views.sample_export_view, name="sample_export"),
    path("samples/<int:sample_pk>/survey/", views.survey, name="survey"),
    path("samples/<int:sample_pk>/sync/", views.survey_sync, name="survey_sync"),
    path("sheets/<int:sheet_pk>/void/", views.sheet_void, name="sheet_void"),
    path("mine/", views.my_surveys, name="my_surveys"),
    path("gates/", views.gates, name="gates"),
    path("gates/<int:gate_pk>/", views.gates, name="gate_edit"),
])
