from __future__ import annotations

from functools import cached_property
from typing import Any, NamedTuple

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from linli.core import worktime
from linli.org.directory import community_entry


class CommunityChoice(NamedTuple):
    """A community in the switcher (a company role's list: values, not 200 model instances)."""

    pk: int
    code: str
    name: str


class _ShellFacts:
    """What the page shell (base.html) shows of the user's place: the communities a company role
    may switch to and the current community.

    Read on first use: a response that does not render the shell (an htmx fragment) reads
    none of it. A company role's current community is picked from the switchable list it loads
    anyway, an office user's from the process's community directory (`org.directory`).
    """

    def __init__(self, user: Any, current_id: int | None) -> None:
        self.user = user
        self.current_id = current_id

    @cached_property
    def switchable(self) -> list[CommunityChoice]:
        from linli.org.models import Community

        rows = Community.objects.visible_to(self.user).values_list("pk", "code", "name")
        return [CommunityChoice(*row) for row in rows]

    @cached_property
    def _current(self) -> Any:
        from linli.org.models import Community

        if not self.current_id:
            return None
        if self.user.is_company_wide:
            choice = next((c for c in self.switchable if c.pk == self.current_id), None)
            # The same (deferred) instance as an office user's, from the list loaded anyway.
            return None if choice is None else Community.from_db(None, ["id", "code", "name"], choice)  # fmt: skip
        entry = community_entry(self.current_id)
        return None if entry is None else Community.from_db(None, ["id", "code", "name"], entry)

    def current(self) -> Any:
        return self._current

    def community_options(self) -> SafeString:
        """The switcher's options, the current community selected (a company role sees every
        community: a template loop over 200 of them cost more than the rest of the shell)."""
        current = self._current
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
        "current_community": SimpleLazyObject(facts.current),
        "calendar_coverage": worktime.calendar_coverage(),
        "unread_messages": SimpleLazyObject(lambda: unread_count(user)),
    }
    if user.is_company_wide:
        context["switchable_communities"] = SimpleLazyObject(lambda: facts.switchable)
        context["community_options"] = SimpleLazyObject(facts.community_options)
    return context
