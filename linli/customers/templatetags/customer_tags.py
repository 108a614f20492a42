from __future__ import annotations

from typing import Any

from django import template

from linli.customers.presenters import shown as shown_value

register = template.Library()


@register.simple_tag(takes_context=True)
def shown(context: dict[str, Any], customer: Any, field: str) -> str:
    """A customer's field as the current user may see it (masked where sensitive)."""
    return shown_value(customer, field, context["request"].user)


@register.inclusion_tag("customers/_secrecy_badge.html")
def secrecy_badge(level: int) -> dict[str, Any]:
    from linli.customers.models import Secrecy

    return {"level": level, "label": Secrecy(level).label}


@register.filter
def care_labels(flags: list[str]) -> list[str]:
    from linli.customers.models import Customer

    labels = dict(Customer.CareFlag.choices)
    return [str(labels.get(f, f)) for f in flags or []]
