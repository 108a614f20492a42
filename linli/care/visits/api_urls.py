"""/api/v1/care/visits/ (mounted by linli/api/urls.py)."""

from django.urls import path

from linli.care.visits import api

app_name = "visits_api"

urlpatterns = [
    path("visits/", api.visit_list, name="visits"),
    path("visits/<int:pk>/", api.visit_detail, name="visit"),
    path("plan/mine/", api.my_plan, name="my_plan"),
    path("summary/", api.summary, name="summary"),
]
