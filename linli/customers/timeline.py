"""The customer chapter's timeline entries: creations, changes, move-outs, secrecy, reviews."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from linli.core.timeline import Entry, register
from linli.customers.models import ChangeRecord, Customer

ICONS = {
    "created": "bi-plus-circle",
    "changed": "bi-pencil",
    "moved_out": "bi-box-arrow-right",
    "secrecy": "bi-shield-lock",
    "anonymised": "bi-eraser",
    "reviewed": "bi-check2-square",
}
FIELD_LABELS = {f.name: str(f.verbose_name) for f in Customer._meta.fields}


@register
def change_entries(user: Any, *, customer: Any = None, room: Any = None) -> list[Entry]:
    rows = ChangeRecord.objects.select_related("actor")
    if customer is not None:
        rows = rows.filter(customer=customer)
    elif room is not None:
        # A room's timeline shows only the changes of customers the user may see.
        visible = Customer.objects.visible_to(user).values("pk")
        rows = rows.filter(room=room).filter(Q(customer__isnull=True) | Q(customer__in=visible))
    else:
        return []
    entries = []
    for row in rows.order_by("-at")[:300]:
        if row.action == ChangeRecord.Action.CHANGED:
            label = FIELD_LABELS.get(row.field, row.field)
            title = _("修改%(field)s") % {"field": label}
            detail = f"{row.old or '—'} → {row.new or '—'}"
        else:
            title = str(row.get_action_display())
            detail = " ".join(p for p in (row.new, row.note) if p)
        entries.append(
            Entry(
                at=row.at,
                kind="change",
                kind_label=_("资料变更"),
                title=title,
                detail=detail,
                actor=row.actor.display_name if row.actor else _("系统"),
                icon=ICONS.get(row.action, "bi-dot"),
            )
        )
    return entries
