"""View helpers shared by every app: permission checks that name the permission."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _


def missing_permission(code: str) -> PermissionDenied:
    from linli.org.roles import PERMISSION_LABELS

    label = PERMISSION_LABELS.get(code, code)
    return PermissionDenied(
        _("您的岗位没有“%(label)s”权限（%(code)s）。") % {"label": label, "code": code}
    )


def require_perm(request: HttpRequest, code: str) -> None:
    if code not in getattr(request, "perms", frozenset()):
        raise missing_permission(code)


def permission_required(
    code: str,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Login first (anonymous → login page), then the permission code (missing → 403)."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            require_perm(request, code)
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def render_partial_or_redirect(
    request: HttpRequest, template: str, context: dict[str, Any], redirect_to: str
) -> HttpResponse:
    """htmx requests get the fragment; ordinary posts follow POST/redirect/GET."""
    if getattr(request, "htmx", False):
        return render(request, template, context)
    return redirect(redirect_to)
