"""Reads of the care calendar, notices and events, always through `visible_to(user)`."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from linli.care.outreach import lunar
from linli.care.outreach.greetings import CARE_EVENT_OCCASIONS, elderly
from linli.care.outreach.models import Event, GreetingTask, Invitation, Notice, Occasion
from linli.care.outreach.plans import living_customers, with_care_event
from linli.customers.models import Customer, Occupancy
from linli.notify.models import Message

Status = GreetingTask.Status


def access_greeting(user: Any, pk: int) -> GreetingTask:
    customers = Customer.objects.visible_to(user)
    return get_object_or_404(
        GreetingTask.objects.visible_to(user).filter(customer__in=customers).select_related("customer"),
        pk=pk,
    )  # fmt: skip


def access_notice(user: Any, pk: int) -> Notice:
    return get_object_or_404(Notice.objects.visible_to(user).select_related("community"), pk=pk)


def access_event(user: Any, pk: int) -> Event:
    return get_object_or_404(Event.objects.visible_to(user).select_related("community"), pk=pk)


def access_invitation(user: Any, pk: int) -> Invitation:
    return get_object_or_404(
        Invitation.objects.visible_to(user)
        .filter(customer__in=Customer.objects.visible_to(user))
        .select_related("event", "customer"),
        pk=pk,
    )


def _scoped(rows: Any, user: Any, community_id: int | None) -> Any:
    """A community-scoped manager or queryset, narrowed to the user's scope and switcher."""
    return rows.visible_to(user).in_community(community_id)


# --- greetings -------------------------------------------------------------------------------------
def todays_greetings(user: Any, community_id: int | None, *, mine: bool) -> QuerySet[GreetingTask]:
    rows = _scoped(GreetingTask.objects, user, community_id).filter(
        due_on=timezone.localdate(), customer__in=Customer.objects.visible_to(user)
    )
    if mine:
        rows = rows.filter(steward=user)
    return rows.select_related("customer", "message", "done_by").order_by(
        "status", "customer__name_sort"
    )


def month_calendar(
    user: Any, community_id: int | None, year: int, month: int
) -> list[list[dict[str, Any]]]:
    """Weeks (Monday first) of days, each with its festivals, the greetings recorded for it and,
    for days still to come, the greetings the plans will ask for."""
    first = dt.date(year, month, 1)
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    today = timezone.localdate()
    days: dict[dt.date, dict[str, Any]] = {}
    for offset in range((last - first).days + 1):
        day = first + dt.timedelta(days=offset)
        days[day] = {"date": day, "festivals": [Occasion(c).label for c in lunar.festivals_on(day)],
                     "lunar": _lunar_label(day), "people": [], "counts": defaultdict(int), "planned": []}  # fmt: skip
    customers = Customer.objects.visible_to(user).in_community(community_id)
    tasks = _scoped(GreetingTask.objects, user, community_id).filter(
        due_on__range=(first, last), customer__in=customers
    )
    for row in (
        tasks.values("due_on", "status", "message__status").annotate(n=Count("pk")).order_by()
    ):
        status = Status.MISSED if row["message__status"] == Message.Status.FAILED else row["status"]
        days[row["due_on"]]["counts"]["done" if status == Status.SENT else status] += row["n"]
    people = tasks.filter(occasion__in=("birthday", "move_in_anniversary")).select_related(
        "customer"
    )
    for task in people.order_by("customer__name_sort")[:2000]:
        days[task.due_on]["people"].append(task)
    start = max(first, today + dt.timedelta(days=1))
    # Looking ahead reads the plans of a community's customers: one community at a time.
    if start <= last and community_id is not None:
        _plan_ahead(days, customers, start, last)
    for entry in days.values():
        entry["counts"] = dict(entry["counts"])
    weeks: list[list[dict[str, Any]]] = []
    week: list[dict[str, Any]] = [{}] * first.weekday()
    for day in sorted(days):
        week.append(days[day])
        if len(week) == 7:
            weeks.append(week)
            week = []
    if week:
        weeks.append(week + [{}] * (7 - len(week)))
    return weeks


def _lunar_label(day: dt.date) -> str:
    names = "正二三四五六七八九十冬腊"
    try:
        value = lunar.lunar_of(day)
    except ValueError:
        return ""
    if value.day == 1:
        return ("闰" if value.is_leap_month else "") + names[value.month - 1] + "月"
    tens = {1: "初", 2: "十", 3: "廿"}
    digits = "一二三四五六七八九十"
    if value.day == 10:
        return "初十"
    if value.day == 20:
        return "二十"
    if value.day == 30:
        return "三十"
    return tens[value.day // 10 + 1] + digits[value.day % 10 - 1]


def _plan_ahead(days: dict[dt.date, dict[str, Any]], customers: QuerySet[Customer], start: dt.date, end: dt.date) -> None:  # fmt: skip
    """Greetings still to come this month: birthdays and move-in anniversaries by name, festivals
    as the number of customers whose plan asks for them."""
    living = customers.filter(living_customers(start))
    birthday = living.filter(with_care_event("birthday", start), birthday__isnull=False)
    for pk, name, born, is_lunar in birthday.values_list(
        "pk", "name", "birthday", "birthday_lunar"
    ):
        if born is None:
            continue
        if is_lunar:
            dates = lunar.lunar_birthdays_between(born, start, end)
        else:
            dates = [
                d
                for d in {lunar.anniversary_in(born, start.year)}
                if start <= d <= end and born < d
            ]
        for day in dates:
            days[day]["planned"].append(
                {"name": name, "pk": pk, "kind": "birthday", "lunar": is_lunar}
            )
    anniversaries = Occupancy.objects.current().filter(
        customer__in=living.filter(with_care_event("move_in_anniversary", start)), move_in__isnull=False,
        move_in__month__in={start.month, end.month},
    ).values_list("customer_id", "customer__name", "move_in")  # fmt: skip
    for pk, name, move_in in anniversaries:
        day = lunar.anniversary_in(move_in, start.year)
        if start <= day <= end and move_in < day:
            days[day]["planned"].append({"name": name, "pk": pk, "kind": "move_in_anniversary"})  # fmt: skip
    for day in sorted(days):
        if not start <= day <= end:
            continue
        for code in lunar.festivals_on(day):
            events = [e for e, (occasions, _m) in CARE_EVENT_OCCASIONS.items() if code in occasions]
            for event in events:
                rows = living.filter(with_care_event(event, day))
                if code == "double_ninth":
                    rows = rows.filter(elderly(day))
                count = rows.count()
                if count:
                    days[day]["planned"].append({"kind": "festival", "count": count,
                                                 "what": event_label(event)})  # fmt: skip


def event_label(code: str) -> str:
    from linli.grading.plans import CARE_EVENTS

    return str(CARE_EVENTS.get(code, code))


def greeting_stats(user: Any, community_id: int | None, year: int) -> list[dict[str, Any]]:
    """Done and missed greetings per community and month of a year."""
    rows = (
        _scoped(GreetingTask.objects, user, community_id)
        .filter(due_on__year=year)
        .values("community_id", "community__name", "due_on__month")
        .annotate(
            done=Count("pk", filter=Q(status=Status.DONE) | (Q(status=Status.SENT) & ~Q(message__status=Message.Status.FAILED))),
            missed=Count("pk", filter=Q(status=Status.MISSED) | Q(status=Status.SENT, message__status=Message.Status.FAILED)),
            pending=Count("pk", filter=Q(status=Status.PENDING)),
        )
        .order_by("community__name", "due_on__month")
    )  # fmt: skip
    table: dict[int, dict[str, Any]] = {}
    for row in rows:
        entry = table.setdefault(
            row["community_id"],
            {"name": row["community__name"], "months": dict.fromkeys(range(1, 13)), "done": 0, "missed": 0},
        )  # fmt: skip
        entry["months"][row["due_on__month"]] = row
        entry["done"] += row["done"]
        entry["missed"] += row["missed"]
    for entry in table.values():
        total = entry["done"] + entry["missed"]
        entry["rate"] = round(100 * entry["done"] / total) if total else None
        entry["months"] = list(entry["months"].values())
    return list(table.values())


# --- notices and events ----------------------------------------------------------------------------
def notice_list(user: Any, community_id: int | None) -> QuerySet[Notice]:
    return _scoped(Notice.objects, user, community_id).select_related("community", "published_by")


def notice_recipients(notice: Notice, limit: int = 500) -> list[Any]:
    """Who a notice went to, by room, phones masked (the page never shows a full number)."""
    from linli.core.masking import mask_phone

    rows = list(
        notice.deliveries.select_related("room", "message").order_by("room__code", "pk")[:limit]
    )
    for row in rows:
        row.phone = mask_phone(row.message.address) if row.message else ""  # type: ignore[attr-defined]
    return rows


def event_list(user: Any, community_id: int | None, year: int) -> QuerySet[Event]:
    return (
        _scoped(Event.objects, user, community_id)
        .filter(starts_at__year=year)
        .select_related("community")
        .annotate(
            invited=Count("invitations"),
            attended=Count("invitations", filter=Q(invitations__attended=True)),
        )
    )


def invitations(user: Any, event: Event) -> list[Invitation]:
    """The invitations in order; customers above the user's clearance are shown without names."""
    visible = set(
        Customer.objects.visible_to(user)
        .filter(event_invitations__event=event)
        .values_list("pk", flat=True)
    )
    rows = list(event.invitations.select_related("customer", "message").order_by("position"))
    for row in rows:
        row.visible = row.customer_id in visible
        row.stars = "★" * (row.rating or 0)
    return rows


def rating_summary(event: Event) -> dict[str, Any]:
    rated = event.invitations.filter(rating__isnull=False)
    counts = dict(rated.values_list("rating").annotate(n=Count("pk")).order_by())
    total = sum(counts.values())
    average = sum(k * v for k, v in counts.items()) / total if total else None
    rows = [
        {
            "stars": "★" * k,
            "count": counts.get(k, 0),
            "share": round(100 * counts.get(k, 0) / total) if total else 0,
        }
        for k in range(5, 0, -1)
    ]
    return {"rows": rows, "total": total, "average": average}
