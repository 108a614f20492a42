"""/api/v1/surveys/ (mounted by linli/api/urls.py)."""

from django.urls import path

from linli.surveys import api

app_name = "surveys_api"

urlpatterns = [
    path("plans/", api.plan_list, name="plans"),
    path("rounds/", api.round_list, name="rounds"),
    path("rounds/<int:pk>/", api.round_detail, name="round"),
    path("rounds/<int:pk>/results/", api.round_results, name="results"),
    path("rounds/<int:pk>/invitations/", api.invitation_list, name="invitations"),
    path("invitations/<int:pk>/key-in/", api.invitation_key_in, name="key_in"),
    path("versions/<int:pk>/", api.version_detail, name="version"),
    path("answer/<str:token>/", api.answer, name="answer"),
]
