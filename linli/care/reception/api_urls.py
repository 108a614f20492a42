"""/api/v1/care/reception/ (mounted by linli/api/urls.py)."""

from django.urls import path

from linli.care.reception import api

app_name = "reception_api"

urlpatterns = [
    path("entries/", api.entry_list, name="entries"),
    path("entries/<int:pk>/", api.entry_detail, name="entry"),
    path("needs/", api.need_list, name="needs"),
    path("needs/<int:pk>/", api.need_detail, name="need"),
    path("needs/<int:pk>/status/", api.need_status, name="need_status"),
    path("need-types/", api.need_types, name="need_types"),
]
