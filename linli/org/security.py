"""Login lock-out numbers read from the policy (django-axes calls these)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from linli import policy


def login_failure_limit(request: HttpRequest | None, credentials: Any = None) -> int:
    return int(policy.value("security.login.max_failures"))


def login_cooloff(request: HttpRequest | None = None) -> dt.timedelta:
    return dt.timedelta(minutes=int(policy.value("security.login.lockout_minutes")))


def lockout_message() -> str:
    minutes = int(policy.value("security.login.lockout_minutes"))
    failures = int(policy.value("security.login.max_failures"))
    return _(
        "连续 %(failures)s 次登录失败，账号已锁定 %(minutes)s 分钟，请稍后再试或联系管理员。"
    ) % {
        "failures": failures,
        "minutes": minutes,
    }


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": lockout_message()}, status=429)
    from linli.org.forms import LoginForm

    form = LoginForm(request, data=request.POST or None)
    return render(
        request,
        "registration/login.html",
        {"form": form, "lockout_message": lockout_message()},
        status=429,
    )
