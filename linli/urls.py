from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import include, path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from linli.org import views as org_views
from linli.reports import views as report_views
from linli.surveys import views_public as survey_public


class StaffOnlyAdminSite(admin.AdminSite):
    """Django admin stays for superusers only; staff use Linli's own pages."""

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)


admin.site.__class__ = StaffOnlyAdminSite
admin.site.site_header = "邻里 · 系统管理"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "未找到。"}, status=404)
    if request.path.startswith("/portal/"):
        return render(request, "portal/404.html", status=404)
    return render(request, "404.html", status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else ""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message or "没有权限。"}, status=403)
    return render(request, "403.html", {"message": message}, status=403)


handler404 = not_found
handler403 = forbidden

urlpatterns = [
    path("", report_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/login/", org_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", org_views.PasswordChangeView.as_view(), name="password_change"),
    path("org/", include("linli.org.urls")),
    path("policy/", include("linli.policy.urls")),
    path("customers/import/", include("linli.customers.import_urls")),
    path("customers/", include("linli.customers.urls")),
    path("privacy/", include("linli.privacy.urls")),
    path("notify/", include("linli.notify.urls")),
    path("tickets/", include("linli.tickets.urls")),
    path("grading/", include("linli.grading.urls")),
    path("care/visits/", include("linli.care.visits.urls")),
    path("care/reception/", include("linli.care.reception.urls")),
    path("care/outreach/", include("linli.care.outreach.urls")),
    path("surveys/", include("linli.surveys.urls")),
    path("reports/", include("linli.reports.stats_urls")),
    path("portal/", include("linli.portal.urls")),
    path("s/<str:token>/", survey_public.answer, name="survey_answer"),
    path("api/v1/", include("linli.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
