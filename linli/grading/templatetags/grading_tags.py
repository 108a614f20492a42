"""Small template helpers of the grading pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def percent(part: Any, whole: Any) -> int:
    """Whole-number percentage of part in whole (0 when whole is 0)."""
    try:
        return round(100 * float(part) / float(whole)) if float(whole) else 0
    except (TypeError, ValueError):
        return 0


@register.filter
def minus(value: Any, other: Any) -> int:
    try:
        return int(value) - int(other)
    except (TypeError, ValueError):
        return 0


@register.filter
def facts_brief(inputs: dict[str, Any]) -> str:
    """The inputs a supervisor weighs first, in one line: 2 套 · 320 ㎡ · 9 年 · 欠费 7 个月."""
    from django.utils.translation import gettext as _

    from linli.grading.models import FeeStanding

    if not inputs:
        return ""
    parts = [
        _("%(n)s 套") % {"n": inputs.get("rooms", 0)},
        f"{float(inputs.get('total_area', 0)):g} ㎡",
        _("%(n)s 年") % {"n": inputs.get("years", 0)},
    ]
    status = inputs.get("fee_status", "unknown")
    if status == FeeStanding.Status.ARREARS:
        parts.append(_("欠费 %(n)s 个月") % {"n": inputs.get("arrears_months", 0)})
    elif status != FeeStanding.Status.UNKNOWN:
        parts.append(str(dict(FeeStanding.Status.choices).get(status, status)))
    if inputs.get("complaints_12m"):
        parts.append(_("投诉 %(n)s 次") % {"n": inputs["complaints_12m"]})
    return " · ".join(parts)


@register.simple_tag
def grade_badge(customer: Any) -> str:
    """The customer's current grade as a badge linking to their grading page ("" if ungraded)."""
    from django.urls import reverse
    from django.utils.html import format_html

    from linli.grading.models import CustomerGrade

    row = (
        CustomerGrade.objects.filter(pk=customer.pk, grade__isnull=False)
        .values_list("grade__name", "grade__colour")
        .first()
    )
    if row is None:
        return ""
    return format_html(
        '<a class="badge text-decoration-none" style="background:{}" href="{}">{}</a>',
        row[1],
        reverse("grading:customer", args=[customer.pk]),
        row[0],
    )
