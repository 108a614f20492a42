from django.urls import path

from linli.grading import views, views_scheme

app_name = "grading"

urlpatterns = [
    # the scheme and the VIP strategy (company)
    path("", views_scheme.scheme, name="scheme"),
    path("grades/new/", views_scheme.grade_create, name="grade_create"),
    path("grades/<int:pk>/edit/", views_scheme.grade_edit, name="grade_edit"),
    path("rules/new/", views_scheme.rule_create, name="rule_create"),
    path("rules/<int:pk>/edit/", views_scheme.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/delete/", views_scheme.rule_delete, name="rule_delete"),
    path("flags/new/", views_scheme.flag_create, name="flag_create"),
    path("flags/<int:pk>/edit/", views_scheme.flag_edit, name="flag_edit"),
    path("plans/", views_scheme.plans, name="plans"),
    path("plans/<int:pk>/edit/", views_scheme.plan_edit, name="plan_edit"),
    # one customer
    path("customers/<int:pk>/", views.customer_grade, name="customer"),
    path("customers/<int:pk>/decide/", views.customer_decide, name="customer_decide"),
    path("customers/<int:pk>/approve/", views.customer_approve, name="customer_approve"),
    path("customers/<int:pk>/fee/", views.customer_fee, name="customer_fee"),
    path("customers/<int:pk>/flags/", views.customer_flags, name="customer_flags"),
    # the periodic review, approvals, jobs
    path("reviews/", views.review_list, name="reviews"),
    path("reviews/start/", views.review_start, name="review_start"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("reviews/<int:pk>/confirm/", views.review_confirm, name="review_confirm"),
    path("reviews/items/<int:pk>/decide/", views.item_decide, name="item_decide"),
    path("approvals/", views.approvals, name="approvals"),
    path("regrade/", views.regrade_all, name="regrade_all"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    # customer structure analysis
    path("analysis/", views.structure, name="analysis"),
    path("analysis/export/", views.structure_export, name="analysis_export"),
]
