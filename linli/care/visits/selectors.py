"""Reads of visits, plans and handovers: always through `visible_to(user)` and the
customer's secrecy (a file above the user's clearance is absent, so are its rows here)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.care.visits.models import (
    Commitment,
    Handover,
    HandoverTask,
    PlanItem,
    PlanRun,
    Visit,
    VisitorRole,
)
from linli.care.visits.planning import COMPANY_LEADER_ROLES
from linli.care.visits.schedule import add_months, month_end, month_index
from linli.customers.models import Customer


def visible_customers(user: Any) -> QuerySet[Customer]:
    return Customer.objects.visible_to(user)


def _secret_safe(rows: QuerySet[Any], user: Any) -> QuerySet[Any]:
    return rows.filter(customer__in=visible_customers(user))


def visits(user: Any, community_id: int | None = None) -> QuerySet[Visit]:
    return _secret_safe(Visit.objects.visible_to(user).in_community(community_id), user)


def plan_items(user: Any, community_id: int | None = None) -> QuerySet[PlanItem]:
    return _secret_safe(PlanItem.objects.visible_to(user).in_community(community_id), user)


def access_visit(user: Any, pk: int) -> Visit:
    return get_object_or_404(
        visits(user).select_related("customer", "room", "visitor", "community"), pk=pk
    )


def access_item(user: Any, pk: int) -> PlanItem:
    return get_object_or_404(plan_items(user).select_related("customer", "room"), pk=pk)


def access_commitment(user: Any, pk: int) -> Commitment:
    return get_object_or_404(
        Commitment.objects.visible_to(user).filter(visit__customer__in=visible_customers(user)),
        pk=pk,
    )


def access_handover(user: Any, pk: int) -> Handover:
    return get_object_or_404(
        Handover.objects.visible_to(user).select_related("area", "old_steward", "new_steward"),
        pk=pk,
    )


def access_task(user: Any, pk: int) -> HandoverTask:
    return get_object_or_404(
        _secret_safe(HandoverTask.objects.visible_to(user), user).select_related("customer"), pk=pk
    )


# --- periods ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    kind: str  # month, quarter, year
    first: dt.date
    last: dt.date

    @property
    def label(self) -> str:
        if self.kind == "year":
            return _("%(y)s 年") % {"y": self.first.year}
        if self.kind == "quarter":
            return _("%(y)s 年第 %(q)s 季度") % {
                "y": self.first.year,
                "q": (self.first.month - 1) // 3 + 1,
            }
        return _("%(y)s 年 %(m)s 月") % {"y": self.first.year, "m": self.first.month}

    @property
    def value(self) -> str:
        return f"{self.first:%Y-%m}"

    def shift(self, steps: int) -> Period:
        months = {"month": 1, "quarter": 3, "year": 12}[self.kind]
        return period_of(self.kind, add_months(self.first, steps * months))


def period_of(kind: str, day: dt.date) -> Period:
    if kind == "year":
        return Period("year", dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))
    if kind == "quarter":
        first = dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return Period("quarter", first, month_end(month_index(first) + 2))
    first = day.replace(day=1)
    return Period("month", first, month_end(month_index(first)))


def parse_period(kind: str | None, at: str | None) -> Period:
    """`?period=month|quarter|year&at=YYYY-MM`; anything unreadable means this month."""
    day = timezone.localdate()
    if at:
        with contextlib.suppress(ValueError):
            day = dt.datetime.strptime(at[:7], "%Y-%m").date()
    return period_of(kind if kind in {"month", "quarter", "year"} else "month", day)


# --- plan vs actual ------------------------------------------------------------------------
@dataclass
class Figures:
    key: Any
    label: str
    planned: int = 0
    done: int = 0
    overdue: int = 0
    visits: int = 0

    @property
    def open(self) -> int:
        return self.planned - self.done

    @property
    def coverage(self) -> int | None:
        return round(100 * self.done / self.planned) if self.planned else None


GROUPS = {
    "person": "visitor_id",
    "area": "area_id",
    "community": "community_id",
    "role": "visitor_role",
}


def plan_vs_actual(
    user: Any, period: Period, *, community_id: int | None, group: str = "person"
) -> dict[str, Any]:
    """Planned, done, overdue and coverage per person (area, community, role) in a period,
    with the month-by-month trend of the period's year."""
    from linli.org.models import Area, Community, Staff

    today = timezone.localdate()
    field = GROUPS.get(group, "visitor_id")
    items = plan_items(user, community_id).filter(due_on__gte=period.first, due_on__lte=period.last)
    rows = (
        items.values(field)
        .annotate(
            planned=Count("pk"),
            done=Count("pk", filter=Q(status=PlanItem.Status.DONE)),
            overdue=Count("pk", filter=Q(status=PlanItem.Status.PLANNED, due_on__lt=today)),
        )
        .order_by()
    )
    made_field = {"person": "visitor_id", "area": "room__area_id", "community": "community_id",
                  "role": "visitor_role"}[group if group in GROUPS else "person"]  # fmt: skip
    made = dict(
        visits(user, community_id)
        .filter(visited_at__date__gte=period.first, visited_at__date__lte=period.last)
        .values(made_field)
        .annotate(n=Count("pk"))
        .order_by()
        .values_list(made_field, "n")
    )
    keys = {row[field] for row in rows} | set(made)
    if group == "area":
        names = {
            a.pk: f"{a.community.code} {a.name}"
            for a in Area.objects.filter(pk__in=keys).select_related("community")
        }
    elif group == "community":
        names = dict(Community.objects.filter(pk__in=keys).values_list("pk", "name"))
    elif group == "role":
        names = {k: str(v) for k, v in VisitorRole.choices}
    else:
        names = {s.pk: s.display_name for s in Staff.objects.filter(pk__in=keys)}
    unassigned = _("未指定人员（如公司领导）") if group == "person" else _("未指定")
    figures: dict[Any, Figures] = {}
    for row in rows:
        key = row[field]
        figures[key] = Figures(
            key, names.get(key, unassigned), row["planned"], row["done"], row["overdue"]
        )
    for key, n in made.items():
        figures.setdefault(key, Figures(key, names.get(key, unassigned))).visits = n
    ordered = sorted(figures.values(), key=lambda f: (f.key is None, f.label))
    total = Figures(None, _("合计"))
    for f in ordered:
        total.planned += f.planned
        total.done += f.done
        total.overdue += f.overdue
        total.visits += f.visits
    return {
        "rows": ordered,
        "total": total,
        "trend": _trend(items_year(user, period, community_id)),
    }


def items_year(user: Any, period: Period, community_id: int | None) -> QuerySet[PlanItem]:
    first = dt.date(period.first.year, 1, 1)
    return plan_items(user, community_id).filter(
        due_on__gte=first, due_on__lte=dt.date(first.year, 12, 31)
    )


def _trend(items: QuerySet[PlanItem]) -> dict[str, Any]:
    by_month = {
        row["month"]: row
        for row in items.values("month")
        .annotate(planned=Count("pk"), done=Count("pk", filter=Q(status=PlanItem.Status.DONE)))
        .order_by()
    }
    months = sorted(by_month)
    return {
        "type": "bar",
        "labels": [f"{m.month}月" for m in months],
        "series": [
            {"name": _("计划"), "data": [by_month[m]["planned"] for m in months]},
            {"name": _("已完成"), "data": [by_month[m]["done"] for m in months]},
        ],
    }


def chart_of(figures: dict[str, Any]) -> dict[str, Any]:
    rows = [f for f in figures["rows"] if f.planned][:30]
    return {
        "type": "bar",
        "labels": [f.label for f in rows],
        "series": [
            {"name": _("计划"), "data": [f.planned for f in rows]},
            {"name": _("已完成"), "data": [f.done for f in rows]},
            {"name": _("逾期"), "data": [f.overdue for f in rows]},
        ],
    }


def last_runs(user: Any, community_id: int | None, month: dt.date) -> QuerySet[PlanRun]:
    return (
        PlanRun.objects.visible_to(user)
        .in_community(community_id)
        .filter(month=month)
        .select_related("community")
    )


# --- a person's visits -------------------------------------------------------------------------
def owed_by(user: Any) -> Q:
    """The plan items a person owes: their own, and for company leaders the leaders' items."""
    condition = Q(visitor_id=user.pk)
    if getattr(user, "role", "") in COMPANY_LEADER_ROLES:
        condition |= Q(visitor_role=VisitorRole.COMPANY_LEADER, visitor__isnull=True)
    return condition


def my_items(user: Any, *, until: dt.date | None = None) -> QuerySet[PlanItem]:
    """Open items the user owes that are due by `until` (default: the end of this month)."""
    until = until or month_end(month_index(timezone.localdate()))
    return (
        plan_items(user)
        .filter(owed_by(user), status=PlanItem.Status.PLANNED, due_on__lte=until)
        .select_related("customer", "room")
        .order_by("due_on", "room__code", "pk")
    )


def grade_of(customer_ids: list[int]) -> dict[int, Any]:
    from linli.grading.models import CustomerGrade

    return {
        row.customer_id: row.grade
        for row in CustomerGrade.objects.filter(
            customer_id__in=customer_ids, grade__isnull=False
        ).select_related("grade")
    }


def today_page(user: Any) -> dict[str, Any]:
    """The steward's phone page: overdue, due this month, today's records, handover contacts."""
    today = timezone.localdate()
    items = list(my_items(user)[:300])
    tasks = list(
        _secret_safe(HandoverTask.objects.visible_to(user), user)
        .filter(assignee=user, done_at__isnull=True)
        .select_related("customer", "room")
        .order_by("due_on", "room__code")[:100]
    )
    done_today = list(
        visits(user)
        .filter(visitor=user, visited_at__date=today)
        .select_related("customer", "room")
        .order_by("-visited_at")
    )
    ids = [i.customer_id for i in items] + [t.customer_id for t in tasks]
    grades = grade_of(ids)
    for row in [*items, *tasks]:
        row.grade = grades.get(row.customer_id)
    return {
        "overdue": [i for i in items if i.due_on < today],
        "due": [i for i in items if i.due_on >= today],
        "tasks": tasks,
        "done_today": done_today,
        "today": today,
    }


def visited_customer_ids(customers: Any, since: dt.date) -> QuerySet[Any]:
    """The grading hook (linli.grading.hooks.VISITED_PROVIDERS): customers visited since."""
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    return Visit.objects.filter(customer__in=customers, visited_at__gte=start).values("customer_id")


def handover_progress(handovers: list[Handover]) -> dict[int, tuple[int, int]]:
    counts: dict[int, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for row in (
        HandoverTask.objects.filter(handover__in=handovers)
        .values("handover_id")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(done_at__isnull=False)))
        .order_by()
    ):
        counts[row["handover_id"]] = (row["done"], row["total"])
    return counts
