from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from linli.core import worktime


def staff_context(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from linli.org.models import Community

    context: dict[str, Any] = {"perms_codes": getattr(request, "perms", frozenset())}
    if user.is_company_wide:
        context["switchable_communities"] = list(
            Community.objects.visible_to(user).only("code", "name")
        )
    current_id = getattr(request, "current_community_id", None)
    context["current_community"] = (
        Community.objects.filter(pk=current_id).only("code", "name").first() if current_id else None
    )
    context["calendar_coverage"] = worktime.calendar_coverage()
    from linli.notify.services import unread_count

    context["unread_messages"] = unread_count(user)
    return context
