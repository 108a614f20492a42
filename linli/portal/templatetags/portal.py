"""Template helpers for the resident portal."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from linli.portal import presenters
from linli.tickets.models import Kind, Ticket

register = template.Library()

KIND_ICONS = {
    Kind.REPAIR: "bi-tools",
    Kind.COMPLAINT: "bi-chat-square-text",
    Kind.SUGGESTION: "bi-lightbulb",
    Kind.ENQUIRY: "bi-question-circle",
    Kind.PRAISE: "bi-hand-thumbs-up",
}


@register.filter
def kind_icon(ticket: Ticket) -> str:
    return KIND_ICONS.get(Kind(ticket.kind), "bi-chat")


@register.simple_tag
def resident_status_badge(ticket: Ticket) -> SafeString:
    return format_html(
        '<span class="badge status-badge text-bg-{}">{}</span>',
        presenters.status_tone(ticket),
        presenters.resident_status(ticket),
    )
