from __future__ import annotations

from functools import cached_property
from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from linli.core import worktime
from linli.org.directory import CommunityEntry, all_communities, community_entry
from linli.org.models import CommunityQuerySet


class _ShellFacts:
    """What the page shell (base.html) shows of the user's place: the communities a company role
    may switch to and the current community, both from the process's community directory
    (`org.directory`), the scope rule applied here.

    Read on first use: a response that does not render the shell (an htmx fragment) reads
    none of it.
    """

    def __init__(self, user: Any, current_id: int | None) -> None:
        self.user = user
        self.current_id = current_id

    @cached_property
    def switchable(self) -> list[CommunityEntry]:
        return [c for c in all_communities() if CommunityQuerySet.sees(self.user, c.pk)]

    @cached_property
    def current(self) -> Any:
        from linli.org.models import Community

        entry = community_entry(self.current_id) if self.current_id else None
        if entry is None or not CommunityQuerySet.sees(self.user, entry.pk):
            return None
        # A deferred instance: templates read its code and name.
        return Community.from_db(None, ["id", "code", "name"], entry)

    def community_options(self) -> SafeString:
        """The switcher's options, the current community selected (a company role sees every
        community: a template loop over 200 of them cost more than the rest of the shell)."""
        current = self.current
        selected_code = current.code if current is not None else None
        return format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (c.code, " selected" if c.code == selected_code else "", c.name)
                for c in self.switchable
            ),
        )


def staff_context(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from linli.notify.services import unread_count

    facts = _ShellFacts(user, getattr(request, "current_community_id", None))
    context: dict[str, Any] = {
        "perms_codes": getattr(request, "perms", frozenset()),
        "current_community": SimpleLazyObject(lambda: facts.current),
        "calendar_coverage": worktime.calendar_coverage(),
        "unread_messages": SimpleLazyObject(lambda: unread_count(user)),
    }
    if user.is_company_wide:
        context["switchable_communities"] = SimpleLazyObject(lambda: facts.switchable)
        context["community_options"] = SimpleLazyObject(facts.community_options)
    return context
