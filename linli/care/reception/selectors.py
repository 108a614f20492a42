"""Reads of the reception log and personalised needs; every one through `visible_to(user)`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from linli.care.reception.models import (
    OPEN_NEED_STATUSES,
    DailyCheck,
    NeedStatus,
    Outcome,
    PersonalNeed,
    ReceptionEntry,
)
from linli.core.models import CommunityScopedQuerySet
from linli.org.models import Staff


def _customers(user: Any) -> QuerySet:
    from linli.customers.models import Customer

    return Customer.objects.visible_to(user)


def entries_visible_to(user: Any) -> CommunityScopedQuerySet:
    """Entries of the user's communities; an entry of a customer above the user's clearance is
    left out (the caller's name and what was said belong to that file)."""
    return ReceptionEntry.objects.visible_to(user).filter(
        Q(customer__isnull=True) | Q(customer__in=_customers(user))
    )


def needs_visible_to(user: Any) -> CommunityScopedQuerySet:
    return PersonalNeed.objects.visible_to(user).filter(customer__in=_customers(user))


def access_entry(user: Any, pk: int) -> ReceptionEntry:
    return get_object_or_404(
        entries_visible_to(user).select_related(
            "community", "customer", "room", "handled_by", "ticket", "need", "closed_by"
        ),
        pk=pk,
    )


def access_need(user: Any, pk: int) -> PersonalNeed:
    return get_object_or_404(
        needs_visible_to(user).select_related(
            "community", "customer", "room", "need_type", "assignee", "created_by"
        ),
        pk=pk,
    )


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


@dataclass
class EntryFilters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    channel: str = ""
    outcome: str = ""
    handled_by: int | None = None
    open_only: bool = False
    q: str = ""


def entry_list(
    user: Any, filters: EntryFilters, *, community_id: int | None = None
) -> QuerySet[ReceptionEntry]:
    rows = entries_visible_to(user).in_community(community_id)
    if filters.date_from:
        rows = rows.filter(received_at__gte=day_bounds(filters.date_from)[0])
    if filters.date_to:
        rows = rows.filter(received_at__lt=day_bounds(filters.date_to)[1])
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    if filters.outcome:
        rows = rows.filter(outcome=filters.outcome)
    if filters.handled_by:
        rows = rows.filter(handled_by_id=filters.handled_by)
    if filters.open_only:
        rows = rows.filter(outcome=Outcome.FOLLOW_UP)
    if filters.q:
        rows = rows.filter(
            Q(subject__contains=filters.q)
            | Q(caller_name__contains=filters.q)
            | Q(room__code__startswith=filters.q)
        )
    return rows.select_related(
        "community", "customer", "room", "handled_by", "ticket", "need"
    ).order_by("-received_at", "-pk")


def todays_entries(user: Any, community_id: int | None, *, limit: int = 30) -> list[ReceptionEntry]:
    start, end = day_bounds(timezone.localdate())
    return list(
        entries_visible_to(user)
        .in_community(community_id)
        .filter(received_at__gte=start, received_at__lt=end)
        .select_related("customer", "room", "handled_by", "ticket", "need")
        .order_by("-received_at", "-pk")[:limit]
    )


@dataclass
class NeedFilters:
    status: str = ""
    need_type: str = ""
    assignee: int | None = None
    open_only: bool = False
    overdue_only: bool = False
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def need_list(
    user: Any, filters: NeedFilters, *, community_id: int | None = None
) -> QuerySet[PersonalNeed]:
    rows = needs_visible_to(user).in_community(community_id)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.need_type:
        rows = rows.filter(need_type__code=filters.need_type)
    if filters.assignee:
        rows = rows.filter(assignee_id=filters.assignee)
    if filters.open_only:
        rows = rows.filter(status__in=OPEN_NEED_STATUSES)
    if filters.overdue_only:
        rows = rows.filter(status__in=OPEN_NEED_STATUSES, due_on__lt=timezone.localdate())
    if filters.date_from:
        rows = rows.filter(created_at__gte=day_bounds(filters.date_from)[0])
    if filters.date_to:
        rows = rows.filter(created_at__lt=day_bounds(filters.date_to)[1])
    return rows.select_related("community", "customer", "room", "need_type", "assignee").order_by(
        "status", "due_on", "-pk"
    )


def open_needs_of(user: Any) -> CommunityScopedQuerySet:
    """The open needs the user is responsible for, by due date."""
    return (
        needs_visible_to(user)
        .filter(assignee=user, status__in=OPEN_NEED_STATUSES)
        .order_by("due_on", "pk")
    )


def my_needs(user: Any) -> list[PersonalNeed]:
    return list(open_needs_of(user).select_related("customer", "room", "need_type"))


def need_history(need: PersonalNeed) -> list[Any]:
    return list(need.events.select_related("actor").order_by("at", "pk"))


# --- end-of-day check -------------------------------------------------------------------------


@dataclass
class DaySummary:
    day: dt.date
    open_entries: list[ReceptionEntry] = field(default_factory=list)
    return_visits: list[Any] = field(default_factory=list)
    needs_due: list[PersonalNeed] = field(default_factory=list)
    check: DailyCheck | None = None

    @property
    def total(self) -> int:
        return len(self.open_entries) + len(self.return_visits) + len(self.needs_due)


def day_summary(user: Any, community_id: int | None, day: dt.date) -> DaySummary:
    """What is still open from the day's log, return visits owed by the end of the day
    (due then or overdue), needs due by then and still open."""
    from linli.tickets.models import ReturnVisit

    start, end = day_bounds(day)
    entries = (
        entries_visible_to(user)
        .in_community(community_id)
        .filter(received_at__gte=start, received_at__lt=end, outcome=Outcome.FOLLOW_UP)
        .select_related("customer", "room", "handled_by")
        .order_by("received_at")
    )
    visits = (
        ReturnVisit.objects.visible_to(user)
        .in_community(community_id)
        .filter(done_at__isnull=True, due_at__lt=end)
        .select_related("ticket", "assigned_to")
        .order_by("due_at")
    )
    needs = (
        needs_visible_to(user)
        .in_community(community_id)
        .filter(status__in=OPEN_NEED_STATUSES, due_on__lte=day)
        .select_related("customer", "room", "need_type", "assignee")
        .order_by("due_on", "pk")
    )
    check = None
    if community_id is not None:
        check = (
            DailyCheck.objects.visible_to(user)
            .filter(community_id=community_id, day=day)
            .select_related("checked_by")
            .first()
        )
    return DaySummary(day, list(entries), list(visits), list(needs), check)


def recent_checks(user: Any, community_id: int | None, *, days: int = 14) -> list[DailyCheck]:
    since = timezone.localdate() - dt.timedelta(days=days)
    return list(
        DailyCheck.objects.visible_to(user)
        .in_community(community_id)
        .filter(day__gte=since)
        .select_related("community", "checked_by")
        .order_by("-day", "community__code")
    )


def check_times(user: Any, community_id: int, days: list[dt.date]) -> dict[dt.date, tuple[str, dt.datetime]]:  # fmt: skip
    """Who checked each of `days` and when (the days not checked are absent): one query."""
    rows = (
        DailyCheck.objects.visible_to(user)
        .filter(community_id=community_id, day__in=days)
        .values_list("day", "checked_by__name", "checked_by__username", "checked_at")
    )
    return {day: (Staff.name_of(name, username), at) for day, name, username, at in rows}


# --- needs report -----------------------------------------------------------------------------


def needs_report(
    user: Any, *, community_id: int | None, year: int, group: str = "type"
) -> list[dict[str, Any]]:
    """Counts of needs recorded in the year by type, community or month; completed and
    completed on time (by the due date) as a share of those completed."""
    rows = (
        needs_visible_to(user)
        .in_community(community_id)
        .filter(created_at__year=year)
        .select_related("need_type", "community")
        .only(
            "status", "due_on", "completed_at", "created_at", "need_type__name",
            "need_type__sort", "community__name", "community__code",
        )
    )  # fmt: skip
    groups: dict[Any, dict[str, Any]] = {}
    for need in rows:
        if group == "community":
            key, label = need.community.code, need.community.name
        elif group == "month":
            month = timezone.localtime(need.created_at).month
            key, label = month, f"{month}月"
        else:
            key, label = (need.need_type.sort, need.need_type.name), need.need_type.name
        row = groups.setdefault(
            key, {"label": label, "total": 0, "open": 0, "done": 0, "on_time": 0, "cancelled": 0}
        )
        row["total"] += 1
        if need.status in OPEN_NEED_STATUSES:
            row["open"] += 1
        elif need.status == NeedStatus.CANCELLED:
            row["cancelled"] += 1
        else:
            row["done"] += 1
            if need.completed_on_time:
                row["on_time"] += 1
    result = [groups[k] for k in sorted(groups)]
    for row in result:
        row["on_time_rate"] = round(100 * row["on_time"] / row["done"], 1) if row["done"] else None
    return result


def caller_context(user: Any, customer: Any) -> dict[str, Any]:
    """What the front desk should know while the caller speaks: open tickets, open needs and
    the last few contacts (each through the user's scope)."""
    from linli.tickets.models import OPEN_STATUSES, Ticket

    tickets = []
    if "tickets.view" in getattr(user, "perms", frozenset()):
        tickets = list(
            Ticket.objects.visible_to(user)
            .filter(customer=customer, status__in=OPEN_STATUSES)
            .order_by("-opened_at")[:5]
        )
    needs = list(
        needs_visible_to(user)
        .filter(customer=customer, status__in=OPEN_NEED_STATUSES)
        .select_related("need_type")
        .order_by("due_on")[:5]
    )
    contacts = list(
        entries_visible_to(user)
        .filter(customer=customer)
        .select_related("handled_by")
        .order_by("-received_at")[:3]
    )
    return {"open_tickets": tickets, "open_needs": needs, "contacts": contacts}
