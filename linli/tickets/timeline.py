"""Tickets on the household file's timeline."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from linli.core.timeline import Entry, register
from linli.tickets.models import Ticket


@register
def ticket_entries(user: Any, *, customer: Any = None, room: Any = None) -> list[Entry]:
    if "tickets.view" not in getattr(user, "perms", frozenset()):
        return []
    rows = Ticket.objects.visible_to(user).select_related("category", "received_by")
    if customer is not None:
        rows = rows.filter(customer=customer)
    elif room is not None:
        rows = rows.filter(room=room)
    else:
        return []
    return [
        Entry(
            at=t.opened_at, kind="ticket", kind_label=t.get_kind_display(),
            title=f"{t.number} {t.title}",
            detail=_("%(status)s · %(category)s · %(severity)s") % {
                "status": t.get_status_display(), "category": t.category.name, "severity": t.get_severity_display()
            },
            actor=t.received_by.display_name if t.received_by else t.contact_name,
            link=reverse("tickets:detail", args=[t.pk]), icon="bi-chat-left-text",
        )
        for t in rows.order_by("-opened_at")[:100]
    ]  # fmt: skip
