"""What visits add to pages assembled from every chapter: my work, the office board, the
household timeline (registered in VisitsConfig.ready())."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.care.visits import selectors
from linli.care.visits.models import Commitment, HandoverTask, PlanItem, Visit
from linli.core.timeline import Entry
from linli.core.work import BoardSection, WorkItem, as_datetime
from linli.customers.models import Customer, Occupancy
from linli.org.roles import Perm

MY_WORK_LIMIT = 200


def _record_link(customer_id: int, item_id: int | None = None) -> str:
    url = reverse("visits:record") + f"?customer={customer_id}"
    return url + (f"&item={item_id}" if item_id else "")


def my_work(user: Any) -> list[WorkItem]:
    """Visits due this month and overdue, handover contacts and open commitments."""
    if Perm.CARE_VISIT not in getattr(user, "perms", frozenset()):
        return []
    today = timezone.localdate()
    work = []
    for item in selectors.my_items(user)[:MY_WORK_LIMIT]:
        room = item.room.code if item.room else ""
        late = _("已逾期") if item.due_on < today else ""
        work.append(
            WorkItem(
                kind="visit", kind_label=_("拜访"), title=_("拜访 %(name)s") % {"name": item.customer.name},
                link=_record_link(item.customer_id, item.pk), due=as_datetime(item.due_on),
                subtitle=" · ".join(p for p in (room, item.get_visitor_role_display(), late) if p),
                icon="bi-house-heart",
            )
        )  # fmt: skip
    tasks = (
        selectors._secret_safe(HandoverTask.objects.visible_to(user), user)
        .filter(assignee=user, done_at__isnull=True)
        .select_related("customer", "room")
        .order_by("due_on")[:MY_WORK_LIMIT]
    )
    for task in tasks:
        work.append(
            WorkItem(
                kind="handover", kind_label=_("交接走访"), title=_("联系 %(name)s") % {"name": task.customer.name},
                link=_record_link(task.customer_id), due=as_datetime(task.due_on),
                subtitle=task.room.code if task.room else "", icon="bi-person-check",
            )
        )  # fmt: skip
    promises = (
        Commitment.objects.visible_to(user)
        .filter(
            assignee=user,
            done_at__isnull=True,
            visit__customer__in=selectors.visible_customers(user),
        )
        .select_related("visit__customer")
        .order_by("due_on")[:MY_WORK_LIMIT]
    )
    for promise in promises:
        work.append(
            WorkItem(
                kind="commitment", kind_label=_("拜访承诺"), title=promise.text,
                link=reverse("visits:visit", args=[promise.visit_id]), due=as_datetime(promise.due_on),
                subtitle=promise.visit.customer.name, icon="bi-hand-thumbs-up",
            )
        )  # fmt: skip
    return work


def office_board(user: Any, community_id: int | None) -> BoardSection | None:
    """Overdue visits and this month's plan against actual."""
    perms: frozenset[str] = getattr(user, "perms", frozenset())
    if Perm.REPORTS_OFFICE not in perms and Perm.CARE_PLAN not in perms:
        return None
    today = timezone.localdate()
    month = today.replace(day=1)
    items = selectors.plan_items(user, community_id)
    overdue = items.filter(status=PlanItem.Status.PLANNED, due_on__lt=today)
    this_month = items.filter(month=month)
    planned = this_month.count()
    done = this_month.filter(status=PlanItem.Status.DONE).count()
    rows = overdue.select_related("customer", "room", "visitor").order_by("due_on", "pk")[:8]
    figure = _("本月拜访 %(done)s/%(planned)s") % {"done": done, "planned": planned}
    if planned:
        figure += f"（{round(100 * done / planned)}%）"
    return BoardSection(
        title=_("逾期拜访与本月拜访计划"),
        items=[
            WorkItem(
                kind="visit", kind_label=_("拜访"), title=item.customer.name,
                link=_record_link(item.customer_id, item.pk), due=as_datetime(item.due_on),
                subtitle=" · ".join(p for p in (item.room.code if item.room else "",
                                                item.visitor.display_name if item.visitor else _("未指定")) if p),
                icon="bi-house-heart",
            )
            for item in rows
        ],
        count=overdue.count(),
        link=reverse("visits:plans") + "?status=overdue",
        empty=_("没有逾期拜访。"),
        figure=figure,
    )  # fmt: skip


def timeline(user: Any, *, customer: Any = None, room: Any = None) -> list[Entry]:
    rows = selectors.visits(user).select_related("customer", "visitor", "room")
    if customer is not None:
        rows = rows.filter(customer=customer)
    elif room is not None:
        occupants = Occupancy.objects.filter(room=room).values("customer_id")
        rows = rows.filter(
            customer__in=Customer.objects.visible_to(user).filter(pk__in=occupants)
        ) | rows.filter(room=room)
    else:
        return []
    entries = []
    for visit in rows.order_by("-visited_at")[:100]:
        title = _("%(kind)s（%(method)s）") % {
            "kind": visit.get_kind_display(),
            "method": visit.get_method_display(),
        }
        if room is not None:
            title = f"{visit.customer.name} · {title}"
        detail = visit.raised or visit.notes
        entries.append(
            Entry(
                at=visit.visited_at, kind="visit", kind_label=_("拜访"), title=title,
                detail=detail[:200], actor=visit.visitor.display_name,
                link=reverse("visits:visit", args=[visit.pk]), icon="bi-house-heart",
            )
        )  # fmt: skip
    return entries


__all__ = ["Visit", "my_work", "office_board", "timeline"]
