"""Reception entries and personalised needs on the household file's timeline."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from linli.care.reception import selectors
from linli.core.timeline import Entry, register


def _filter(rows: Any, customer: Any, room: Any) -> Any:
    if customer is not None:
        return rows.filter(customer=customer)
    if room is not None:
        return rows.filter(room=room)
    return None


@register
def reception_entries(user: Any, *, customer: Any = None, room: Any = None) -> list[Entry]:
    if "care.reception_log" not in getattr(user, "perms", frozenset()):
        return []
    rows = _filter(selectors.entries_visible_to(user), customer, room)
    if rows is None:
        return []
    return [
        Entry(
            at=e.received_at, kind="reception", kind_label=e.get_channel_display(),
            title=e.subject,
            detail=_("%(topic)s · %(outcome)s") % {
                "topic": e.get_topic_display(), "outcome": e.get_outcome_display()
            },
            actor=e.handled_by.display_name,
            link=reverse("reception:entry_detail", args=[e.pk]), icon="bi-telephone",
        )
        for e in rows.select_related("handled_by").order_by("-received_at")[:100]
    ]  # fmt: skip


@register
def need_entries(user: Any, *, customer: Any = None, room: Any = None) -> list[Entry]:
    if "care.needs" not in getattr(user, "perms", frozenset()):
        return []
    rows = _filter(selectors.needs_visible_to(user), customer, room)
    if rows is None:
        return []
    return [
        Entry(
            at=n.created_at, kind="need", kind_label=_("个性化需求"),
            title=f"{n.need_type.name}：{n.description[:40]}",
            detail=n.get_status_display(),
            actor=n.assignee.display_name if n.assignee else "",
            link=reverse("reception:need_detail", args=[n.pk]), icon="bi-stars",
        )
        for n in rows.select_related("need_type", "assignee").order_by("-created_at")[:100]
    ]  # fmt: skip
