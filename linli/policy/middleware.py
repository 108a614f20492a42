from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from linli.policy.selectors import snapshot


class PolicySnapshotMiddleware:
    """Each request reads the policy table at most once, and sees one consistent policy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with snapshot():
            return self.get_response(request)
