"""/api/v1/grading/: mounted by linli/api/urls.py with
`path("grading/", include("linli.grading.api_urls"))`."""

from django.urls import path

from linli.grading import api

app_name = "grading_api"

urlpatterns = [
    path("grades/", api.grade_list, name="grades"),
    path("rules/", api.rule_list, name="rules"),
    path("rules/<int:pk>/", api.rule_detail, name="rule"),
    path("customers/", api.customer_list, name="customers"),
    path("customers/<int:pk>/", api.customer_detail, name="customer"),
    path("customers/<int:pk>/decide/", api.customer_decide, name="customer_decide"),
    path("customers/<int:pk>/approve/", api.customer_approve, name="customer_approve"),
    path("customers/<int:pk>/fee/", api.customer_fee, name="customer_fee"),
    path("customers/<int:pk>/flags/", api.customer_flags, name="customer_flags"),
    path("reviews/", api.review_list, name="reviews"),
    path("reviews/start/", api.review_start, name="review_start"),
    path("reviews/<int:pk>/items/", api.review_items, name="review_items"),
    path("reviews/<int:pk>/confirm/", api.review_confirm, name="review_confirm"),
    path("reviews/items/<int:pk>/decide/", api.item_decide, name="item_decide"),
    path("regrade/", api.regrade_all, name="regrade_all"),
    path("jobs/<int:pk>/", api.job_detail, name="job"),
]
