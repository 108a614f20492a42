from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

SESSION_COMMUNITY_KEY = "linli.current_community"


class StaffContextMiddleware:
    """Puts the user's permission codes and the chosen community on the request.

    `request.perms` is what templates and views test; `request.current_community_id` is the
    community chosen in the switcher (company roles) or the user's own (office roles).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            request.perms = user.perms  # type: ignore[attr-defined]
            if user.is_company_wide:
                request.current_community_id = request.session.get(SESSION_COMMUNITY_KEY)  # type: ignore[attr-defined]
            else:
                request.current_community_id = user.community_id  # type: ignore[attr-defined]
        else:
            request.perms = frozenset()  # type: ignore[attr-defined]
            request.current_community_id = None  # type: ignore[attr-defined]
        return self.get_response(request)
