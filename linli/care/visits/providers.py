"""What visits add to pages assembled from every chapter: my work, the office board, the
household timeline (registered in VisitsConfig.ready())."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.care.visits import selectors
from linli.care.visits.models import Commitment, HandoverTask, PlanItem, Visit
from linli.core.links import fixed_url, row_url
from linli.core.timeline import Entry
from linli.core.work import BoardSection, WorkItem, as_datetime, choice_labels
from linli.customers.models import Customer, Occupancy
from linli.org.models import Staff
from linli.org.roles import Perm

MY_WORK_LIMIT = 200


def _record_link(customer_id: int, item_id: int | None = None) -> str:
    url = fixed_url("visits:record") + f"?customer={customer_id}"
    return url + (f"&item={item_id}" if item_id else "")


def my_work(user: Any) -> list[WorkItem]:
    """Visits due this month and overdue, handover contacts and open commitments (as values:
    the list shows a few columns of each)."""
    if Perm.CARE_VISIT not in getattr(user, "perms", frozenset()):
        return []
    today = timezone.localdate()
    roles = choice_labels(PlanItem, "visitor_role")
    visit_label, late_label = _("拜访"), _("已逾期")
    work = []
    items = selectors.my_items(user).values_list("pk", "customer_id", "customer__name", "room__code", "visitor_role", "due_on")  # fmt: skip
    for pk, customer_id, name, room, role, due_on in items[:MY_WORK_LIMIT]:
        late = late_label if due_on < today else ""
        work.append(
            WorkItem(
                kind="visit", kind_label=visit_label, title=_("拜访 %(name)s") % {"name": name},
                link=_record_link(customer_id, pk), due=as_datetime(due_on),
                subtitle=" · ".join(p for p in (room or "", roles.get(role, role), late) if p),
                icon="bi-house-heart",
            )
        )  # fmt: skip
    tasks = (
        selectors._secret_safe(HandoverTask.objects.visible_to(user), user)
        .filter(assignee=user, done_at__isnull=True)
        .order_by("due_on")
        .values_list("customer_id", "customer__name", "room__code", "due_on")[:MY_WORK_LIMIT]
    )
    handover_label = _("交接走访")
    for customer_id, name, room, due_on in tasks:
        work.append(
            WorkItem(
                kind="handover", kind_label=handover_label, title=_("联系 %(name)s") % {"name": name},
                link=_record_link(customer_id), due=as_datetime(due_on),
                subtitle=room or "", icon="bi-person-check",
            )
        )  # fmt: skip
    promises = (
        Commitment.objects.visible_to(user)
        .filter(
            assignee=user,
            done_at__isnull=True,
            visit__customer__in=selectors.visible_customers(user),
        )
        .order_by("due_on")
        .values_list("visit_id", "text", "due_on", "visit__customer__name")[:MY_WORK_LIMIT]
    )
    visit_url = row_url("visits:visit")
    promise_label = _("拜访承诺")
    for visit_id, text, due_on, name in promises:
        work.append(
            WorkItem(
                kind="commitment", kind_label=promise_label, title=text,
                link=visit_url(visit_id), due=as_datetime(due_on),
                subtitle=name, icon="bi-hand-thumbs-up",
            )
        )  # fmt: skip
    return work


def office_board(user: Any, community_id: int | None) -> BoardSection | None:
    """Overdue visits and this month's plan against actual: the three figures in one
    aggregate, the first overdue rows only when there are any."""
    perms: frozenset[str] = getattr(user, "perms", frozenset())
    if Perm.REPORTS_OFFICE not in perms and Perm.CARE_PLAN not in perms:
        return None
    today = timezone.localdate()
    month = today.replace(day=1)
    items = selectors.plan_items(user, community_id)
    is_overdue = Q(status=PlanItem.Status.PLANNED, due_on__lt=today)
    figures = items.filter(is_overdue | Q(month=month)).aggregate(
        planned=Count("pk", filter=Q(month=month)),
        done=Count("pk", filter=Q(month=month, status=PlanItem.Status.DONE)),
        overdue=Count("pk", filter=is_overdue),
    )
    planned, done = figures["planned"], figures["done"]
    rows = (
        items.filter(is_overdue)
        .order_by("due_on", "pk")
        .values_list("pk", "customer_id", "customer__name", "room__code", "visitor__name",
                     "visitor__username", "due_on")[:8]
        if figures["overdue"]
        else []
    )  # fmt: skip
    figure = _("本月拜访 %(done)s/%(planned)s") % {"done": done, "planned": planned}
    if planned:
        figure += f"（{round(100 * done / planned)}%）"
    unassigned = _("未指定")
    return BoardSection(
        title=_("逾期拜访与本月拜访计划"),
        items=[
            WorkItem(
                kind="visit", kind_label=_("拜访"), title=name,
                link=_record_link(customer_id, pk), due=as_datetime(due_on),
                subtitle=" · ".join(p for p in (room or "", Staff.name_of(visitor_name, visitor_username) or unassigned) if p),
                icon="bi-house-heart",
            )
            for pk, customer_id, name, room, visitor_name, visitor_username, due_on in rows
        ],
        count=figures["overdue"],
        link=fixed_url("visits:plans") + "?status=overdue",
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
