from django.urls import path

from linli.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.home, name="home"),
    # access grants (查阅授权)
    path("grants/", views.grant_mine, name="grant_mine"),
    path("grants/new/", views.grant_new, name="grant_new"),
    path("grants/approvals/", views.grant_approvals, name="grant_approvals"),
    path("grants/<int:pk>/decide/", views.grant_decide, name="grant_decide"),
    path("grants/<int:pk>/revoke/", views.grant_revoke, name="grant_revoke"),
    # access register (档案查阅登记)
    path("log/", views.access_log, name="access_log"),
    # bulk exports (导出审批)
    path("exports/", views.export_mine, name="export_mine"),
    path("exports/new/", views.export_new, name="export_new"),
    path("exports/approvals/", views.export_approvals, name="export_approvals"),
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/decide/", views.export_decide, name="export_decide"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    # disclosures to outside parties (对外提供客户信息)
    path("disclosures/", views.disclosure_list, name="disclosure_list"),
    path("disclosures/new/", views.disclosure_new, name="disclosure_new"),
    path("disclosures/<int:pk>/", views.disclosure_detail, name="disclosure_detail"),
    path("disclosures/<int:pk>/decide/", views.disclosure_decide, name="disclosure_decide"),
    path("disclosures/<int:pk>/release/", views.disclosure_release, name="disclosure_release"),
    path("disclosures/<int:pk>/letter/", views.disclosure_letter, name="disclosure_letter"),
    # leak incidents (信息泄漏事件)
    path("incidents/", views.incident_list, name="incident_list"),
    path("incidents/new/", views.incident_new, name="incident_new"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/actions/", views.incident_action_add, name="incident_action_add"),
    path(
        "incidents/<int:pk>/actions/<int:action_pk>/done/",
        views.incident_action_done,
        name="incident_action_done",
    ),
    path("incidents/<int:pk>/close/", views.incident_close, name="incident_close"),
    # data-subject requests (个人信息权利请求)
    path("requests/", views.subject_list, name="subject_list"),
    path("requests/new/", views.subject_new, name="subject_new"),
    path("requests/<int:pk>/", views.subject_detail, name="subject_detail"),
    path("requests/<int:pk>/close/", views.subject_close, name="subject_close"),
    path("requests/<int:pk>/erase/", views.subject_erase, name="subject_erase"),
]
