"""The portal's own sign-in for pages (a cookie) and for the API (`Authorization: Resident …`).

Neither looks at Django's session or `request.user`: a staff login is no resident, and a
resident's cookie or token means nothing to a staff page or endpoint (ADR 0002, ADR 0008).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission

from linli.portal.models import ResidentSession
from linli.portal.selectors import Resident, resident_for_token

COOKIE = "linli_portal"
COOKIE_PATH = "/portal/"


def client_ip(request: Any) -> str | None:
    """The peer address. A proxy in front must pass the real one (REMOTE_ADDR, e.g. with
    gunicorn's --forwarded-allow-ips); X-Forwarded-For is not trusted here."""
    return request.META.get("REMOTE_ADDR") or None


def user_agent(request: Any) -> str:
    return str(request.META.get("HTTP_USER_AGENT", ""))[:200]


# --- pages --------------------------------------------------------------------------------------
def current_resident(request: HttpRequest) -> Resident | None:
    return resident_for_token(request.COOKIES.get(COOKIE, ""), channel=ResidentSession.Channel.WEB)


def set_cookie(response: HttpResponseBase, token: str, session: ResidentSession) -> None:
    response.set_cookie(
        COOKIE,
        token,
        expires=session.expires_at,
        path=COOKIE_PATH,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def clear_cookie(response: HttpResponseBase) -> None:
    response.delete_cookie(COOKIE, path=COOKIE_PATH, samesite="Lax")


def safe_next(request: HttpRequest, value: str | None) -> str:
    """Only a path inside the portal is followed after login."""
    if (
        value
        and value.startswith(COOKIE_PATH)
        and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return value
    return reverse("portal:home")


def login_url(request: HttpRequest) -> str:
    return f"{reverse('portal:login')}?{urlencode({'next': request.get_full_path()})}"


def resident_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A signed-in resident or the portal's login page. Another household's object is the
    portal's own 404 page; nothing personal is cached by the browser or WeChat."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        resident = current_resident(request)
        if resident is None:
            response: HttpResponseBase = redirect(login_url(request))
            if request.COOKIES.get(COOKIE):
                clear_cookie(response)
            return response
        request.resident = resident  # type: ignore[attr-defined]
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            response = render(request, "portal/404.html", {"resident": resident}, status=404)
        add_never_cache_headers(response)
        return response

    return wrapped


# --- API ----------------------------------------------------------------------------------------
class ResidentTokenAuthentication(BaseAuthentication):
    """`Authorization: Resident <token>` from the portal's login endpoint; nothing else."""

    keyword = "Resident"

    def authenticate(self, request: Any) -> tuple[Resident, ResidentSession] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("登录凭证格式不正确。"))
        try:
            token = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("登录凭证格式不正确。")) from None
        resident = resident_for_token(token, channel=ResidentSession.Channel.API)
        if resident is None:
            raise exceptions.AuthenticationFailed(_("登录已失效，请重新登录。"))
        return resident, resident.session

    def authenticate_header(self, request: Any) -> str:
        return f'{self.keyword} realm="portal"'


class IsResident(BasePermission):
    message = gettext_lazy("请先登录业主服务。")

    def has_permission(self, request: Any, view: Any) -> bool:
        return isinstance(request.user, Resident)
