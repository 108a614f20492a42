from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.links import row_url
from linli.core.work import WorkItem, choice_labels
from linli.tickets.models import OPEN_STATUSES, Level, ReturnVisit, Status, Ticket


def access_ticket(user: Any, pk: int) -> Ticket:
    return get_object_or_404(
        Ticket.objects.visible_to(user).select_related(
            "community",
            "category",
            "customer",
            "room",
            "owner",
            "assignee",
            "department",
            "coordinator",
            "received_by",
            "cause",
        ),
        pk=pk,
    )


def access_return_visit(user: Any, pk: int) -> ReturnVisit:
    return get_object_or_404(ReturnVisit.objects.visible_to(user).select_related("ticket"), pk=pk)


def ticket_list(
    user: Any, *, community_id: int | None = None, filters: dict[str, Any] | None = None
) -> QuerySet[Ticket]:
    filters = filters or {}
    rows = (
        Ticket.objects.visible_to(user)
        .in_community(community_id)
        .select_related("community", "category", "assignee")
    )
    for field in ("kind", "status", "severity", "level", "channel", "category"):
        if filters.get(field):
            rows = rows.filter(**{f"{field}_id" if field == "category" else field: filters[field]})
    if filters.get("open"):
        rows = rows.filter(status__in=OPEN_STATUSES)
    if filters.get("overdue"):
        rows = rows.filter(status__in=OPEN_STATUSES).filter(
            Q(resolve_by__lt=timezone.now())
            | Q(responded_at__isnull=True, respond_by__lt=timezone.now())
        )
    if filters.get("mine"):
        rows = rows.filter(Q(assignee=user) | Q(owner=user))
    if filters.get("q"):
        q = filters["q"].strip()
        rows = rows.filter(
            Q(number__icontains=q)
            | Q(title__icontains=q)
            | Q(contact_name__startswith=q)
            | Q(room__code__startswith=q.upper())
        )
    if filters.get("since"):
        rows = rows.filter(opened_at__date__gte=filters["since"])
    if filters.get("until"):
        rows = rows.filter(opened_at__date__lte=filters["until"])
    return rows.order_by("-opened_at", "-id")


def my_work(user: Any) -> list[WorkItem]:
    """Open tickets the user owns or handles and return visits they owe (registered in
    linli.core.work; the page merges every chapter's items by deadline)."""
    tickets = (
        Ticket.objects.visible_to(user)
        .filter(status__in=OPEN_STATUSES)
        .filter(Q(assignee=user) | Q(owner=user) | Q(coordinator=user))
        # The model's ordering: ties of the merged list keep it (the sort is stable).
        .order_by("-opened_at", "-id")
        .values_list("pk", "title", "number", "room__code", "status", "responded_at",
                     "resolve_by", "respond_by")
    )  # fmt: skip
    visits = (
        ReturnVisit.objects.visible_to(user)
        .filter(assigned_to=user, done_at__isnull=True)
        .values_list("pk", "due_at", "ticket__title", "ticket__number", "ticket__room__code")
    )
    status_labels = choice_labels(Ticket, "status")
    ticket_url = row_url("tickets:detail")
    visit_url = row_url("tickets:return_visit")
    ticket_label, visit_label = str(_("诉求")), str(_("回访"))
    items = [
        WorkItem(
            kind="ticket",
            kind_label=ticket_label,
            title=title,
            subtitle=" · ".join(
                x for x in (number, room_code or "", status_labels.get(status, status)) if x
            ),
            due=resolve_by if responded_at else respond_by,
            link=ticket_url(pk),
            icon="bi-chat-left-text",
        )
        for pk, title, number, room_code, status, responded_at, resolve_by, respond_by in tickets
    ]
    items += [
        WorkItem(
            kind="return_visit",
            kind_label=visit_label,
            title=title,
            subtitle=" · ".join(x for x in (number, room_code or "") if x),
            due=due_at,
            link=visit_url(pk),
            icon="bi-telephone",
        )
        for pk, due_at, title, number, room_code in visits
    ]
    return items


BOARD_TICKET_FIELDS = ("pk", "number", "title", "resolve_by", "escalation_level", "category__name",
                       "assignee__name", "assignee__username")  # fmt: skip


def office_board(user: Any, *, community_id: int | None) -> dict[str, Any]:
    """Overdue and due-today open tickets, return visits owed, and the return-visit rate; the
    rows as values (the page shows a few columns of each)."""
    now = timezone.now()
    end_of_day = timezone.localtime(now).replace(hour=23, minute=59, second=59)
    open_rows = (
        Ticket.objects.visible_to(user).in_community(community_id).filter(status__in=OPEN_STATUSES)
    )
    fields = BOARD_TICKET_FIELDS + (("community__name",) if user.is_company_wide else ())
    overdue = (
        open_rows.filter(Q(resolve_by__lt=now) | Q(responded_at__isnull=True, respond_by__lt=now))
        .order_by("resolve_by")
        .values(*fields)
    )
    due_today = (
        open_rows.filter(resolve_by__gte=now, resolve_by__lte=end_of_day)
        .order_by("resolve_by")
        .values(*fields)
    )
    owed = (
        ReturnVisit.objects.visible_to(user)
        .in_community(community_id)
        .filter(done_at__isnull=True)
        .order_by("due_at")
        .values("pk", "due_at", "ticket__number", "ticket__title", "assigned_to__name",
                "assigned_to__username")
    )  # fmt: skip
    return {
        "overdue": list(overdue[:100]),
        "due_today": list(due_today[:100]),
        "owed": list(owed[:100]),
        "open_count": open_rows.count(),
        "return_visit_rate": return_visit_rate(user, community_id=community_id),
    }


def company_board(user: Any) -> QuerySet[Ticket]:
    return (
        Ticket.objects.visible_to(user)
        .filter(level=Level.COMPANY)
        .exclude(status__in=[Status.CLOSED, Status.CANCELLED])
        .select_related("community", "category", "assignee")
        .order_by("resolve_by")
    )


def return_visit_rate(user: Any, *, community_id: int | None, days: int = 30) -> dict[str, Any]:
    """Return visits done within the period over those that fell due (a live figure)."""
    since = timezone.now() - dt.timedelta(days=days)
    rows = (
        ReturnVisit.objects.visible_to(user)
        .in_community(community_id)
        .filter(due_at__gte=since, due_at__lte=timezone.now())
    )
    figures = rows.aggregate(due=Count("pk"), done=Count("pk", filter=Q(done_at__isnull=False)),
                             on_time=Count("pk", filter=Q(done_at__isnull=False, done_at__lte=F("due_at"))))  # fmt: skip
    figures["rate"] = round(100 * figures["done"] / figures["due"], 1) if figures["due"] else None
    return figures
