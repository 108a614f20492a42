"""Statistics of requests and complaints (POLICY Ch.6 统计, Ch.10) and the lessons learned.

Every figure is computed in the database with aggregates over
`Ticket.objects.visible_to(user)` / `ReturnVisit.objects.visible_to(user)`: a handful of
grouped queries per page whatever the number of tickets, never a Python loop over tickets.
The definitions below are shown on the page and written into the Excel file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli import policy
from linli.reports.periods import Period, Trend
from linli.tickets.models import (
    OPEN_STATUSES,
    UNSETTLED,
    Kind,
    ReturnVisit,
    ReturnVisitMonth,
    Severity,
    Status,
    Ticket,
    TicketEvent,
    TicketMonth,
    Validity,
)
from linli.tickets.rollup import SATISFIED_AT_LEAST, VISIT_FIGURES
from linli.tickets.rollup import TICKET_FIGURES as TREND_FIGURES  # what the trend shows

# The figures' definitions, shown on the page as help text and written into the Excel file.
DEFINITIONS: tuple[tuple[Any, Any], ...] = (
    (gettext_lazy("受理"), gettext_lazy("期内受理（受理时间在期内）的诉求数，含已撤销的。")),
    (
        gettext_lazy("按时响应率"),
        gettext_lazy(
            "期内受理的诉求中，响应时间 ≤ 响应期限的 ÷ 已响应或已过响应期限的（已撤销的不计）。"
        ),
    ),
    (
        gettext_lazy("按时解决率"),
        gettext_lazy(
            "期内受理的诉求中，解决时间 ≤ 解决期限的 ÷ 已解决或已过解决期限的；"
            "未办结且已过解决期限的算作超时（表扬无解决期限，不计）。"
        ),
    ),
    (
        gettext_lazy("超时"),
        gettext_lazy("期内受理的诉求中，现在仍未办结且已过响应或解决期限的，加上解决晚于期限的。"),
    ),
    (
        gettext_lazy("升级"),
        gettext_lazy("期内有“升级督办”记录的诉求数（按升级发生的时间，不论何时受理）。"),
    ),
    (
        gettext_lazy("回访率"),
        gettext_lazy("回访期限在期内（且已到期或已回访）的回访中，已完成的 ÷ 全部。"),
    ),
    (
        gettext_lazy("满意率"),
        gettext_lazy("期内完成的回访中，评为很满意、满意、较满意（≥ 3 分）的 ÷ 期内完成的回访。"),
    ),
    (
        gettext_lazy("重复投诉"),
        gettext_lazy(
            "期内受理的投诉中，因重复投诉升为公司级的，或同一客户在此前 N 天内"
            "已有同类投诉的（N 为制度参数“同一客户同类重复投诉认定期”）。"
        ),
    ),
    (
        gettext_lazy("主要原因"),
        gettext_lazy("期内解决的有效投诉按原因类别计数，并列出各原因的纠正措施。"),
    ),
)

REPEAT_MARKER = "重复投诉"  # the repeat rule's level_reason (tickets.rules) ends with it


# --- dimensions -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Dimension:
    code: str
    label: Any
    key: str  # the ticket field grouped on
    label_fields: tuple[str, ...] = ()  # fetched with the key, first non-empty wins
    choices: Any = None  # a TextChoices whose labels name the keys
    empty: Any = ""


DIMENSIONS: dict[str, Dimension] = {
    d.code: d
    for d in (
        Dimension("community", gettext_lazy("小区"), "community_id", ("community__name",)),
        Dimension("kind", gettext_lazy("类型"), "kind", choices=Kind),
        Dimension("category", gettext_lazy("类别"), "category_id", ("category__name",)),
        Dimension("severity", gettext_lazy("严重程度"), "severity", choices=Severity),
        Dimension(
            "department",
            gettext_lazy("责任部门"),
            "department_id",
            ("department__name",),
            empty=gettext_lazy("未派部门"),
        ),
        Dimension(
            "person",
            gettext_lazy("处理人"),
            "assignee_id",
            ("assignee__name", "assignee__username"),
            empty=gettext_lazy("未指派"),
        ),
    )
}


def _group_values(dimension: Dimension, prefix: str = "") -> list[str]:
    return [prefix + dimension.key, *(prefix + f for f in dimension.label_fields)]


def _label(dimension: Dimension, row: dict[str, Any], prefix: str = "") -> str:
    key = row[prefix + dimension.key]
    if key is None:
        return str(dimension.empty)
    if dimension.choices is not None:
        try:
            return str(dimension.choices(key).label)
        except ValueError:
            return str(key)
    for name in dimension.label_fields:
        if row.get(prefix + name):
            return str(row[prefix + name])
    return str(key)


# --- the figures ------------------------------------------------------------------------------
def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Figures:
    """The figures of one row (a group, a trend bucket or the total)."""

    key: Any = None
    label: str = ""
    received: int = 0
    respond_due: int = 0
    respond_on_time: int = 0
    resolve_due: int = 0
    resolve_on_time: int = 0
    overdue: int = 0
    escalated: int = 0
    visits_due: int = 0
    visits_done: int = 0
    visits_rated: int = 0
    visits_satisfied: int = 0
    complaints: int = 0
    repeats: int = 0

    @property
    def respond_rate(self) -> float | None:
        return _rate(self.respond_on_time, self.respond_due)

    @property
    def resolve_rate(self) -> float | None:
        return _rate(self.resolve_on_time, self.resolve_due)

    @property
    def visit_rate(self) -> float | None:
        return _rate(self.visits_done, self.visits_due)

    @property
    def satisfaction_rate(self) -> float | None:
        return _rate(self.visits_satisfied, self.visits_rated)

    def add(self, other: Figures) -> None:
        for name in COUNT_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


COUNT_FIELDS = (
    "received", "respond_due", "respond_on_time", "resolve_due", "resolve_on_time", "overdue",
    "escalated", "visits_due", "visits_done", "visits_rated", "visits_satisfied", "complaints", "repeats",
)  # fmt: skip


@dataclass(frozen=True)
class Column:
    """One column of the figures table; the page and the Excel file both read this list."""

    header: Any
    value: Callable[[Figures], Any]
    rate: bool = False
    detail: Callable[[Figures], str] | None = None  # e.g. "12/15" under a rate


COLUMNS: tuple[Column, ...] = (
    Column(gettext_lazy("受理"), lambda f: f.received),
    Column(gettext_lazy("按时响应率"), lambda f: f.respond_rate, rate=True,
           detail=lambda f: f"{f.respond_on_time}/{f.respond_due}"),
    Column(gettext_lazy("按时解决率"), lambda f: f.resolve_rate, rate=True,
           detail=lambda f: f"{f.resolve_on_time}/{f.resolve_due}"),
    Column(gettext_lazy("超时"), lambda f: f.overdue),
    Column(gettext_lazy("升级"), lambda f: f.escalated),
    Column(gettext_lazy("回访率"), lambda f: f.visit_rate, rate=True,
           detail=lambda f: f"{f.visits_done}/{f.visits_due}"),
    Column(gettext_lazy("满意率"), lambda f: f.satisfaction_rate, rate=True,
           detail=lambda f: f"{f.visits_satisfied}/{f.visits_rated}"),
    Column(gettext_lazy("投诉"), lambda f: f.complaints),
    Column(gettext_lazy("重复投诉"), lambda f: f.repeats),
)  # fmt: skip


def format_cell(column: Column, figures: Figures) -> str:
    value = column.value(figures)
    if column.rate:
        return "—" if value is None else f"{value:.1f}%"
    return str(value)


@dataclass
class CauseRow:
    cause_id: int
    name: str
    count: int
    actions: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class TicketReport:
    period: Period
    dimension: Dimension
    rows: list[Figures]
    total: Figures
    causes: list[CauseRow]
    trend: Trend
    trend_rows: list[Figures]
    trend_kinds: dict[str, list[int]]
    repeat_window_days: int
    generated_at: dt.datetime


def _tickets(user: Any, community_id: int | None) -> QuerySet[Ticket]:
    return Ticket.objects.visible_to(user).in_community(community_id)


def _visits(user: Any, community_id: int | None) -> QuerySet[ReturnVisit]:
    """Return visits in scope. Company-wide the communities are named (`community_id IN …`),
    so the (community, due_at) and (community, done_at) indexes serve a period's range."""
    rows = ReturnVisit.objects.visible_to(user).in_community(community_id)
    if community_id is None:
        rows = rows.filter(community_id__in=_communities(user))
    return rows


def _communities(user: Any) -> list[int]:
    from linli.org.models import Community

    return list(Community.objects.visible_to(user).values_list("pk", flat=True))


def _ticket_aggregates(user: Any, now: dt.datetime, window_days: int) -> dict[str, Any]:
    """Conditional counts over tickets opened in a period (the cohort)."""
    served = ~Q(status=Status.CANCELLED)
    open_now = Q(status__in=OPEN_STATUSES)
    responded_in_time = Q(responded_at__isnull=False, responded_at__lte=F("respond_by"))
    resolved_in_time = Q(resolved_at__isnull=False, resolved_at__lte=F("resolve_by"))
    past_respond = Q(responded_at__isnull=True, respond_by__lt=now)
    past_resolve = Q(resolved_at__isnull=True, resolve_by__lt=now)
    earlier = (
        Ticket.objects.visible_to(user)
        .filter(
            community_id=OuterRef("community_id"), customer_id=OuterRef("customer_id"),
            category_id=OuterRef("category_id"), kind=Kind.COMPLAINT,
            opened_at__lt=OuterRef("opened_at"), opened_at__gte=OuterRef("opened_at") - dt.timedelta(days=window_days),
        )
        .exclude(status=Status.CANCELLED)
    )  # fmt: skip
    complaint = Q(kind=Kind.COMPLAINT) & served
    return {
        "received": Count("pk"),
        "respond_due": Count(
            "pk", filter=served & (Q(responded_at__isnull=False) | Q(respond_by__lt=now))
        ),
        "respond_on_time": Count("pk", filter=served & responded_in_time),
        "resolve_due": Count(
            "pk",
            filter=served
            & Q(resolve_by__isnull=False)
            & (Q(resolved_at__isnull=False) | Q(resolve_by__lt=now)),
        ),
        "resolve_on_time": Count(
            "pk", filter=served & Q(resolve_by__isnull=False) & resolved_in_time
        ),
        "overdue": Count(
            "pk",
            filter=served
            & ((open_now & (past_respond | past_resolve)) | Q(resolved_at__gt=F("resolve_by"))),
        ),
        "complaints": Count("pk", filter=complaint),
        "repeats": Count(
            "pk",
            filter=complaint
            & (
                Q(level_reason__contains=REPEAT_MARKER)
                | (Q(customer__isnull=False) & Q(Exists(earlier)))
            ),
        ),
    }


def _add(target: dict[Any, Figures], key: Any, label: str, row: dict[str, Any]) -> None:
    figures = target.get(key)
    if figures is None:
        figures = target[key] = Figures(key=key, label=label)
    for name in COUNT_FIELDS:
        if name in row:
            setattr(figures, name, getattr(figures, name) + row[name])


def _merge(target: dict[Any, Figures], dimension: Dimension, rows: Any, prefix: str = "") -> None:
    for row in rows:
        _add(target, row[prefix + dimension.key], _label(dimension, row, prefix), row)


def _visit_aggregates(
    start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> tuple[Q, dict[str, Any]]:
    due = Q(due_at__gte=start, due_at__lt=end) & (Q(due_at__lte=now) | Q(done_at__isnull=False))
    done = Q(done_at__gte=start, done_at__lt=end)
    return due | done, {
        "visits_due": Count("pk", filter=due),
        "visits_done": Count("pk", filter=due & Q(done_at__isnull=False)),
        "visits_rated": Count("pk", filter=done & Q(satisfaction__isnull=False)),
        "visits_satisfied": Count("pk", filter=done & Q(satisfaction__gte=SATISFIED_AT_LEAST)),
    }


def _escalated(
    user: Any, community_id: int | None, start: dt.datetime, end: dt.datetime
) -> QuerySet[Ticket]:
    """Tickets with an escalation in the period (events read through the (community, kind, at) index)."""
    from linli.org.models import Community

    communities = (
        [community_id]
        if community_id is not None
        else Community.objects.visible_to(user).values("pk")
    )
    events = TicketEvent.objects.filter(
        community_id__in=communities, kind=TicketEvent.Kind.ESCALATED, at__gte=start, at__lt=end
    )
    return _tickets(user, community_id).filter(pk__in=events.values("ticket_id"))


def ticket_report(
    user: Any, *, community_id: int | None, period: Period, group: str = "kind",
    now: dt.datetime | None = None,
) -> TicketReport:  # fmt: skip
    """The figures of a period grouped by one dimension, the trend beside it and the top causes."""
    now = now or timezone.now()
    dimension = DIMENSIONS.get(group, DIMENSIONS["kind"])
    window = int(policy.value("tickets.repeat.window_days", at=min(period.end, now)))
    start, end = period.start, period.end
    groups: dict[Any, Figures] = {}
    values = _group_values(dimension)
    opened = _tickets(user, community_id).filter(opened_at__gte=start, opened_at__lt=end)
    _merge(
        groups,
        dimension,
        opened.values(*values).annotate(**_ticket_aggregates(user, now, window)).order_by(),
    )
    escalated = _escalated(user, community_id, start, end)
    _merge(groups, dimension, escalated.values(*values).annotate(escalated=Count("pk")).order_by())
    scope, visit_counts = _visit_aggregates(start, end, now)
    # A visit carries its ticket's community: grouped by community it needs no join.
    visit_prefix = "" if dimension.code == "community" else "ticket__"
    visits = (
        _visits(user, community_id)
        .filter(scope)
        .values(*_group_values(dimension, visit_prefix))
        .annotate(**visit_counts)
        .order_by()
    )
    _merge(groups, dimension, visits, prefix=visit_prefix)
    rows = sorted(groups.values(), key=lambda f: (-f.received, f.label))
    total = Figures(label=_("合计"))
    for row in rows:
        total.add(row)
    trend = period.trend()
    today = timezone.localtime(now).date()
    if trend.last > today:  # no empty future weeks or months
        trend = Trend(trend.unit, min(trend.first, today), today)
    trend_rows, trend_kinds = _trend(user, community_id, trend, now, window)
    return TicketReport(
        period=period, dimension=dimension, rows=rows, total=total,
        causes=top_causes(user, community_id=community_id, start=start, end=end), trend=trend,
        trend_rows=trend_rows, trend_kinds=trend_kinds, repeat_window_days=window, generated_at=now,
    )  # fmt: skip


def _trend(
    user: Any, community_id: int | None, trend: Trend, now: dt.datetime, window: int
) -> tuple[list[Figures], dict[str, list[int]]]:
    """Received by kind, on-time rates, return-visit and satisfaction rates per week or month.

    A monthly trend reads its whole months from the monthly figures of settled tickets and
    done visits (`TicketMonth`, `ReturnVisitMonth`, kept by triggers) and adds the unsettled
    tickets and the visits not yet done live; weeks and partial months are counted live.
    The figures are the same either way (`linli/reports/tests` hold both paths to them)."""
    buckets = trend.buckets()
    index = {day: i for i, day in enumerate(buckets)}

    def day_of(value: Any) -> dt.date:
        if isinstance(value, dt.datetime):
            value = timezone.localtime(value) if timezone.is_aware(value) else value
            return value.date()
        return value

    by_bucket: dict[Any, Figures] = {
        day: Figures(key=day, label=trend.bucket_label(day)) for day in buckets
    }
    kinds: dict[str, list[int]] = {k: [0] * len(buckets) for k in Kind.values}

    def add(rows: Any) -> None:
        for row in rows:
            if row["bucket"] is None or day_of(row["bucket"]) not in index:
                continue
            day = day_of(row["bucket"])
            if "kind" in row:
                kinds[row["kind"]][index[day]] += row["received"]
            _add(by_bucket, day, "", row)

    rolled = trend.rolled_months()
    live_ranges = [(trend.start, trend.end)]
    if rolled:
        rolled_start, rolled_end = trend.span_of_months(rolled)
        live_ranges = [
            (start, end)
            for start, end in ((trend.start, rolled_start), (rolled_end, trend.end))
            if start < end
        ]
    tickets = _tickets(user, community_id)
    # Only what the trend shows (received by kind, on-time rates): over a year of tickets the
    # repeat check (a subquery per complaint) and the rest would cost seconds for nothing.
    figures = _ticket_aggregates(user, now, window)
    trend_figures = {name: figures[name] for name in TREND_FIGURES}

    def ticket_rows(rows: QuerySet[Ticket]) -> Any:
        return (
            rows.annotate(bucket=trend.trunc("opened_at"))
            .values("bucket", "kind")
            .annotate(**trend_figures)
            .order_by()
        )

    for start, end in live_ranges:
        add(ticket_rows(tickets.filter(opened_at__gte=start, opened_at__lt=end)))
    visits = _visits(user, community_id)
    for start, end in live_ranges:
        # Each query reads only the rows its counts can include (visits due in the range for
        # the rate, done in it for satisfaction): one index range each, not the OR of both.
        _scope, counts = _visit_aggregates(start, end, now)
        for field_name, names in (
            ("due_at", ("visits_due", "visits_done")),
            ("done_at", ("visits_rated", "visits_satisfied")),
        ):
            in_range = {f"{field_name}__gte": start, f"{field_name}__lt": end}
            add(
                visits.filter(**in_range)
                .annotate(bucket=trend.trunc(field_name))
                .values("bucket")
                .annotate(**{n: counts[n] for n in names})
                .order_by()
            )
    if rolled:
        add(
            ticket_rows(
                tickets.filter(UNSETTLED, opened_at__gte=rolled_start, opened_at__lt=rolled_end)
            )
        )
        add(
            TicketMonth.objects.visible_to(user)
            .in_community(community_id)
            .filter(month__gte=rolled[0], month__lte=rolled[-1])
            .values("kind", bucket=F("month"))
            .annotate(**{name: Sum(name) for name in TREND_FIGURES})
            .order_by()
        )
        add(
            ReturnVisitMonth.objects.visible_to(user)
            .in_community(community_id)
            .filter(month__gte=rolled[0], month__lte=rolled[-1])
            .values(bucket=F("month"))
            .annotate(**{name: Sum(name) for name in VISIT_FIGURES})
            .order_by()
        )
        # Visits not yet done count as due once their deadline has passed.
        add(
            visits.filter(
                done_at__isnull=True, due_at__gte=rolled_start, due_at__lt=rolled_end,
                due_at__lte=now,
            )
            .annotate(bucket=trend.trunc("due_at"))
            .values("bucket")
            .annotate(visits_due=Count("pk"))
            .order_by()
        )  # fmt: skip
    return [by_bucket[day] for day in buckets], kinds


def top_causes(
    user: Any, *, community_id: int | None, start: dt.datetime, end: dt.datetime, actions: int = 3
) -> list[CauseRow]:
    """Resolved valid complaints by cause, with each cause's most frequent corrective actions."""
    rows = _tickets(user, community_id).filter(
        kind=Kind.COMPLAINT, validity=Validity.VALID, cause__isnull=False,
        resolved_at__gte=start, resolved_at__lt=end,
    )  # fmt: skip
    if community_id is None:  # the (community, resolved_at) index, one range per community
        rows = rows.filter(community_id__in=_communities(user))
    causes = [
        CauseRow(cause_id=r["cause_id"], name=r["cause__name"], count=r["n"])
        for r in rows.values("cause_id", "cause__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "cause__name")
    ]
    by_id = {c.cause_id: c for c in causes}
    for r in (
        rows.exclude(corrective_action="")
        .values("cause_id", "corrective_action")
        .annotate(n=Count("pk"), last=Max("resolved_at"))
        .order_by("cause_id", "-n", "-last")
    ):
        cause = by_id[r["cause_id"]]
        if len(cause.actions) < actions:
            cause.actions.append((r["corrective_action"], r["n"]))
    return causes


# --- lessons learned (经验教训) -----------------------------------------------------------------
@dataclass
class LessonRow:
    community: str
    category: str
    cause: str
    count: int
    last_resolved: dt.datetime | None
    actions: list[tuple[str, int, int | None, str]] = field(
        default_factory=list
    )  # text, n, pk, number


def repeated_causes(
    user: Any, *, community_id: int | None, period: Period, at_least: int = 2, actions: int = 5
) -> list[LessonRow]:
    """Causes that came back within a community and category (at least `at_least` times)."""
    rows = _tickets(user, community_id).filter(
        kind=Kind.COMPLAINT, validity=Validity.VALID, cause__isnull=False,
        resolved_at__gte=period.start, resolved_at__lt=period.end,
    )  # fmt: skip
    keys = ("community_id", "category_id", "cause_id")
    combos = (
        rows.values(*keys, "community__name", "category__name", "cause__name")
        .annotate(n=Count("pk"), last=Max("resolved_at"))
        .filter(n__gte=at_least)
        .order_by("-n", "community__name", "category__name", "cause__name")
    )
    result: dict[tuple[Any, ...], LessonRow] = {
        tuple(r[k] for k in keys): LessonRow(
            community=r["community__name"],
            category=r["category__name"],
            cause=r["cause__name"],
            count=r["n"],
            last_resolved=r["last"],
        )
        for r in combos
    }
    if not result:
        return []
    communities = {k[0] for k in result}
    action_rows = list(
        rows.filter(community_id__in=communities)
        .exclude(corrective_action="")
        .values(*keys, "corrective_action")
        .annotate(n=Count("pk"), last_pk=Max("pk"))
        .order_by("-n", "-last_pk")
    )
    shown = [r for r in action_rows if tuple(r[k] for k in keys) in result]
    pks = [r["last_pk"] for r in shown]
    latest = dict(Ticket.objects.visible_to(user).filter(pk__in=pks).values_list("pk", "number"))
    for r in shown:
        row = result[tuple(r[k] for k in keys)]
        if len(row.actions) < actions:
            row.actions.append(
                (r["corrective_action"], r["n"], r["last_pk"], latest.get(r["last_pk"], ""))
            )
    return list(result.values())
