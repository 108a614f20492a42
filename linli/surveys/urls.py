from django.urls import path

from linli.surveys import views
from linli.surveys import views_followups as f
from linli.surveys import views_questionnaires as q
from linli.surveys import views_reports as r

app_name = "surveys"

urlpatterns = [
    path("", views.home, name="home"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/new/office/", views.office_plan_create, name="office_plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/submit/", views.plan_submit, name="plan_submit"),
    path("plans/<int:pk>/decide/", views.plan_decide, name="plan_decide"),
    path("plans/<int:pk>/rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/edit/", views.round_edit, name="round_edit"),
    path("rounds/<int:pk>/do/<str:action>/", views.round_action, name="round_action"),
    path("rounds/<int:pk>/sample/", views.round_sample, name="sample"),
    path("rounds/<int:pk>/results/", views.round_results, name="results"),
    path("rounds/<int:pk>/paper.pdf", views.paper_forms, name="paper_forms"),
    path("rounds/<int:pk>/key-in/", views.key_in, name="key_in"),
    path("invitations/<int:pk>/phone/", views.approve_phone, name="approve_phone"),
    path("rounds/<int:pk>/comments/", f.comments, name="comments"),
    path("comments/<int:pk>/call/", f.comment_call, name="comment_call"),
    path("comments/<int:pk>/ticket/", f.comment_ticket, name="comment_ticket"),
    path("rounds/<int:pk>/audits/", f.audits, name="audits"),
    path("audits/<int:pk>/", f.audit_record, name="audit_record"),
    path("rectifications/", f.rectifications, name="rectifications"),
    path("rounds/<int:pk>/reports/", r.round_reports, name="reports"),
    path("rounds/<int:pk>/reports/start/", r.report_start, name="report_start"),
    path("reports/<int:pk>/", r.report_status, name="report_status"),
    path("reports/<int:pk>/<str:kind>/", r.report_download, name="report_download"),
    path("rectifications/<int:pk>/", f.rectification_update, name="rectification_update"),
    path("questionnaires/", q.questionnaire_list, name="questionnaires"),
    path("questionnaires/new/", q.questionnaire_create, name="questionnaire_create"),
    path("questionnaires/import/", q.questionnaire_import, name="questionnaire_import"),
    path("versions/<int:pk>/", q.version_detail, name="version"),
    path("versions/<int:pk>/edit/", q.version_edit, name="version_edit"),
    path("versions/<int:pk>/copy/", q.version_copy, name="version_copy"),
    path("versions/<int:pk>/approve/", q.version_approve, name="version_approve"),
    path("versions/<int:pk>/export/", q.version_export, name="version_export"),
]
