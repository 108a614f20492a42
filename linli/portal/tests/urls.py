"""The whole site plus the portal API, for tests that must also run before
linli/api/urls.py mounts `portal/` (once it does, this is the site's own URLconf)."""

from django.urls import include, path

from linli.api.urls import urlpatterns as api_patterns
from linli.urls import handler403, handler404
from linli.urls import urlpatterns as site

__all__ = ["handler403", "handler404", "urlpatterns"]

MOUNTED = any(str(p.pattern) == "portal/" for p in api_patterns)
urlpatterns = site if MOUNTED else [path("api/v1/portal/", include("linli.portal.api_urls")), *site]
