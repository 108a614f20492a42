"""The whole site plus the grading API, for tests that must run before linli/api/urls.py
mounts `grading/` (once it does, the first match is the same view)."""

from django.urls import include, path

from linli.urls import handler403, handler404
from linli.urls import urlpatterns as site

__all__ = ["handler403", "handler404", "urlpatterns"]

urlpatterns = [path("api/v1/grading/", include("linli.grading.api_urls")), *site]
