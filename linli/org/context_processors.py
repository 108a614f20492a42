from __future__ import annotations

from functools import cached_property
from typing import Any

from django.db.models import Count, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from linli.core import worktime


class _ShellFacts:
    """What the page shell (base.html) shows of the user's place: the communities a company role
    may switch to, the current community and the unread message count.

    Read on first use, in as few queries as the role allows: an office user's community and
    unread count come in one statement; a company role's current community is picked from the
    switchable list it loads anyway, so it adds only the unread count. A response that does not
    render the shell (an htmx fragment) runs none of them.
    """

    def __init__(self, user: Any, current_id: int | None) -> None:
        self.user = user
        self.current_id = current_id

    @cached_property
    def switchable(self) -> list[Any]:
        from linli.org.models import Community

        return list(Community.objects.visible_to(self.user).only("code", "name"))

    @cached_property
    def _current_and_unread(self) -> tuple[Any, int]:
        from linli.notify.services import unread_count, unread_messages
        from linli.org.models import Community

        if self.user.is_company_wide:
            current = next((c for c in self.switchable if c.pk == self.current_id), None)
            return current, unread_count(self.user)
        if not self.current_id:
            return None, unread_count(self.user)
        unread = (
            unread_messages(self.user)
            .order_by()
            .values("recipient_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        community = (
            Community.objects.filter(pk=self.current_id)
            .only("code", "name")
            .annotate(unread_messages=Coalesce(Subquery(unread), 0))
            .first()
        )
        if community is None:
            return None, unread_count(self.user)
        return community, community.unread_messages  # type: ignore[attr-defined]

    def current(self) -> Any:
        return self._current_and_unread[0]

    def community_options(self) -> SafeString:
        """The switcher's options, the current community selected (a company role sees every
        community: a template loop over 200 of them cost more than the rest of the shell)."""
        current = self.current()
        selected_code = current.code if current is not None else None
        return format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (c.code, " selected" if c.code == selected_code else "", c.name)
                for c in self.switchable
            ),
        )

    def unread(self) -> int:
        return self._current_and_unread[1]


def staff_context(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    facts = _ShellFacts(user, getattr(request, "current_community_id", None))
    context: dict[str, Any] = {
        "perms_codes": getattr(request, "perms", frozenset()),
        "current_community": SimpleLazyObject(facts.current),
        "calendar_coverage": worktime.calendar_coverage(),
        "unread_messages": SimpleLazyObject(facts.unread),
    }
    if user.is_company_wide:
        context["switchable_communities"] = SimpleLazyObject(lambda: facts.switchable)
        context["community_options"] = SimpleLazyObject(facts.community_options)
    return context
