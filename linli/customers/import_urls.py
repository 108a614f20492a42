from django.urls import path

from linli.customers import import_views as views

app_name = "imports"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("new/", views.upload, name="upload"),
    path("template.xlsx", views.template, name="template"),
    path("<int:pk>/", views.job_detail, name="job"),
    path("<int:pk>/preview/", views.preview, name="preview"),
    path("<int:pk>/commit/", views.commit, name="commit"),
    path("<int:pk>/errors.xlsx", views.error_report, name="error_report"),
]
