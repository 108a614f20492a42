"""Grade changes on the household file's timeline."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from linli.core.timeline import Entry, register
from linli.customers.models import Customer, Occupancy
from linli.grading.models import GradeChange


@register
def grade_entries(user: Any, *, customer: Any = None, room: Any = None) -> list[Entry]:
    rows = GradeChange.objects.select_related(
        "customer", "old_grade", "new_grade", "decided_by", "approved_by"
    )
    if customer is not None:
        rows = rows.filter(customer=customer)
    elif room is not None:
        # The room's timeline shows the grade changes of its occupants the user may see.
        occupants = Occupancy.objects.filter(room=room).values("customer_id")
        rows = rows.filter(customer__in=Customer.objects.visible_to(user).filter(pk__in=occupants))
    else:
        return []
    entries = []
    for row in rows.order_by("-at")[:100]:
        old = row.old_grade.name if row.old_grade else _("未定级")
        parts = [str(row.get_source_display())]
        if row.rule_name:
            parts.append(_("规则：%(r)s") % {"r": row.rule_name})
        if row.reason:
            parts.append(_("理由：%(r)s") % {"r": row.reason})
        if row.approved_by:
            parts.append(_("%(who)s 审批") % {"who": row.approved_by.display_name})
        title = _("客户等级 %(old)s → %(new)s") % {"old": old, "new": row.new_grade.name}
        if room is not None:
            title = f"{row.customer.name} · {title}"
        entries.append(
            Entry(
                at=row.at,
                kind="grade",
                kind_label=_("客户分级"),
                title=title,
                detail=" · ".join(parts),
                actor=row.decided_by.display_name if row.decided_by else _("系统"),
                link=reverse("grading:customer", args=[row.customer_id]),
                icon="bi-award",
            )
        )
    return entries
