from django.urls import path

from fupin.registry.access import register_work

from . import views, views_policy_ends

app_name = "procedures"
urlpatterns = register_work.guard_urls([
    path("", views.procedure_list, name="list"),
    path("start/<int:household_pk>/", views.procedure_start, name="start"),
    path("<int:pk>/", views.procedure_detail, name="detail"),
    path("<int:pk>/decide/", views.procedure_decide, name="decide"),
    path("<int:pk>/attach/", views.procedure_attach, name="attach"),
    path("<int:pk>/withdraw/", views.procedure_withdraw, name="withdraw"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/new/", views.notice_create, name="notice_create"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/edit/", views.notice_edit, name="notice_edit"),
    path("notices/<int:pk>/publish/", views.notice_publish, name="notice_publish"),
    path("notices/<int:pk>/delete/", views.notice_delete, name="notice_delete"),
    path("notices/<int:pk>/pdf/", views.notice_pdf, name="notice_pdf"),
    path("objections/<int:pk>/answer/", views.objection_answer, name="objection_answer"),
    path("lines/", views.line_list, name="line_list"),
    path("lines/new/", views.line_edit, name="line_create"),
    path("lines/<int:pk>/", views.line_edit, name="line_edit"),
    path("lines/<int:pk>/delete/", views.line_delete, name="line_delete"),
    path("calendar/", views.calendar_list, name="calendar"),
    path("calendar/new/", views.calendar_edit, name="calendar_create"),
    path("calendar/import/", views.calendar_import, name="calendar_import"),
    path("calendar/<int:pk>/", views.calendar_edit, name="calendar_edit"),
    path("calendar/<int:pk>/delete/", views.calendar_delete, name="calendar_delete"),
    path("definitions/", views.definition_list, name="definition_list"),
    path("definitions/<int:pk>/", views.definition_edit, name="definition_edit"),
    path("definitions/<int:pk>/copy/", views.definition_copy, name="definition_copy"),
    path("adjustments/", views.adjustment_list, name="adjustment_list"),
    path("adjustments/<int:pk>/", views.adjustment_detail, name="adjustment_detail"),
    path("adjustments/<int:pk>/propose/", views.adjustment_propose, name="adjustment_propose"),
    path("adjustments/<int:pk>/start/", views.adjustment_start, name="adjustment_start"),
    path("adjustments/<int:pk>/close/", views.adjustment_close, name="adjustment_close"),
    path("adjustments/<int:pk>/reopen/", views.adjustment_reopen, name="adjustment_reopen"),
    path("adjustments/<int:pk>/candidates/", views.candidates_decide, name="candidates_decide"),
    path("end-policies/", views.end_policies, name="end_policies"),
    path("policy-ends/", views_policy_ends.policy_end_list, name="policy_end_list"),
    path("policy-ends/export/", views_policy_ends.policy_end_export_view, name="policy_end_export"),
])
