"""Monthly figures of settled tickets and done return visits, kept by database triggers.

A year's trend company-wide counts ~300,000 tickets and ~450,000 return visits; read from
`TicketMonth` / `ReturnVisitMonth` it is a few thousand rows (DESIGN §8: monthly statistics
≤ 300 ms). Only rows whose figures can no longer change with time are rolled up (settled
tickets, done visits); the statistics add the rest live (`UNSETTLED`, the open-visit index).

Why triggers and not the services: every write to a ticket moves the counts in the same
transaction, whatever wrote it (a service's compare-and-set update, the admin, a test
factory, a bulk update), and concurrent writers add and subtract with one atomic upsert each.
The trigger SQL is written twice (PostgreSQL's PL/pgSQL, SQLite's trigger bodies) from one
description below; `expected_*` recompute the same figures with the ORM — the reference the
tests hold the triggers to, and what `check` repairs drift from. A ticket's month is its
local month of opening in `settings.TIME_ZONE` (on SQLite: that zone's current UTC offset,
fixed when the triggers are installed — SQLite knows no time zones).
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, DateField, F, Q
from django.db.models.functions import TruncMonth

from linli.tickets.models import (
    OPEN_STATUSES,
    UNSETTLED,
    ReturnVisit,
    ReturnVisitMonth,
    Status,
    Ticket,
    TicketMonth,
)

logger = logging.getLogger(__name__)

CANCELLED = str(Status.CANCELLED)

TICKET_FIGURES = ("received", "respond_due", "respond_on_time", "resolve_due", "resolve_on_time")
VISIT_FIGURES = ("visits_due", "visits_done", "visits_rated", "visits_satisfied")
# Satisfied = 很满意, 满意 or 较满意: POLICY Ch.7's definition of the satisfaction rate, fixed by
# the policy (not a parameter). It is compiled into the triggers: were it ever to change, the
# monthly tables would need `rebuild()`. Independent of `tickets.return_visit.reopen_at_or_below`
# (default 2): set to 3, a 较满意 visit would count as satisfied and still reopen the ticket.
SATISFIED_AT_LEAST = ReturnVisit.Satisfaction.FAIRLY_SATISFIED
# The columns whose change can move a ticket's or a visit's contribution.
TICKET_COLUMNS = (
    "community_id", "opened_at", "kind", "status", "responded_at", "respond_by", "resolved_at",
    "resolve_by",
)  # fmt: skip
VISIT_COLUMNS = ("community_id", "due_at", "done_at", "satisfaction")


# --- the figures as SQL over one row (`r` is OLD or NEW) ---------------------------------------
def _settled_sql(r: str) -> str:
    open_list = ", ".join(f"'{s}'" for s in OPEN_STATUSES)
    return (
        f"({r}.status = '{CANCELLED}' OR ({r}.status NOT IN ({open_list})"
        f" AND {r}.responded_at IS NOT NULL AND ({r}.resolve_by IS NULL OR {r}.resolved_at IS NOT NULL)))"
    )


def _ticket_values_sql(r: str, sign: str) -> list[str]:
    served = f"{r}.status <> '{CANCELLED}'"
    return [
        sign,
        f"CASE WHEN {served} THEN {sign} ELSE 0 END",
        f"CASE WHEN {served} AND {r}.responded_at <= {r}.respond_by THEN {sign} ELSE 0 END",
        f"CASE WHEN {served} AND {r}.resolve_by IS NOT NULL THEN {sign} ELSE 0 END",
        f"CASE WHEN {served} AND {r}.resolve_by IS NOT NULL AND {r}.resolved_at <= {r}.resolve_by"
        f" THEN {sign} ELSE 0 END",
    ]


def _month_sql(vendor: str, column: str) -> str:
    if vendor == "postgresql":
        return f"date_trunc('month', {column} AT TIME ZONE '{settings.TIME_ZONE}')::date"
    offset = dt.datetime.now(zoneinfo.ZoneInfo(settings.TIME_ZONE)).utcoffset() or dt.timedelta()
    minutes = int(offset.total_seconds() // 60)
    return f"date({column}, '{minutes:+d} minutes', 'start of month')"


@dataclass(frozen=True)
class Contribution:
    """What one row (`OLD` or `NEW`, as `r`) adds to one figures table: the key columns, the
    figures (each `sign` or 0) and the condition under which it counts at all."""

    table: str
    keys: tuple[tuple[str, str], ...]  # (column, expression)
    figures: tuple[tuple[str, str], ...]
    condition: str

    def upsert(self) -> str:
        columns = ", ".join(c for c, _e in (*self.keys, *self.figures))
        values = ", ".join(e for _c, e in (*self.keys, *self.figures))
        # "WHERE" filters the row and, on SQLite, keeps "ON CONFLICT" from reading as a join.
        return (
            f"INSERT INTO {self.table} ({columns}) SELECT {values} WHERE {self.condition}"
            f" ON CONFLICT ({self._key_list()}) DO UPDATE SET {self._increments()}"
        )

    def subtract(self) -> str:
        """Take the contribution back from its row (`sign` is -1 here). Only ever an update: a
        row is never created by a removal, so emptying the tables first (Django's flush on
        SQLite deletes table by table) leaves no row pointing at a deleted community."""
        keys = " AND ".join(f"{c} = {e}" for c, e in self.keys)
        changes = ", ".join(f"{c} = {c} + ({e})" for c, e in self.figures)
        return f"UPDATE {self.table} SET {changes} WHERE {keys} AND {self.condition}"

    def fill(self, source: str) -> str:
        """The same contribution of every row of `source` (aliased `r`), summed per key."""
        columns = ", ".join(c for c, _e in (*self.keys, *self.figures))
        keys = ", ".join(e for _c, e in self.keys)
        sums = ", ".join(f"SUM({e})" for _c, e in self.figures)
        return (
            f"INSERT INTO {self.table} ({columns}) SELECT {keys}, {sums} FROM {source} r"
            f" WHERE {self.condition} GROUP BY {keys}"
            f" ON CONFLICT ({self._key_list()}) DO UPDATE SET {self._increments()}"
        )

    def _key_list(self) -> str:
        return ", ".join(c for c, _e in self.keys)

    def _increments(self) -> str:
        return ", ".join(f"{c} = {self.table}.{c} + excluded.{c}" for c, _e in self.figures)


def _ticket_contributions(vendor: str, r: str, sign: str) -> list[Contribution]:
    keys = (
        ("community_id", f"{r}.community_id"),
        ("month", _month_sql(vendor, f"{r}.opened_at")),
        ("kind", f"{r}.kind"),
    )
    figures = tuple(zip(TICKET_FIGURES, _ticket_values_sql(r, sign), strict=True))
    return [Contribution(TicketMonth._meta.db_table, keys, figures, _settled_sql(r))]


def _visit_contributions(vendor: str, r: str, sign: str) -> list[Contribution]:
    table = ReturnVisitMonth._meta.db_table
    satisfied = f"{r}.satisfaction >= {int(SATISFIED_AT_LEAST)}"
    return [
        Contribution(
            table,
            (("community_id", f"{r}.community_id"), ("month", _month_sql(vendor, f"{r}.due_at"))),
            (("visits_due", sign), ("visits_done", sign)),
            f"{r}.done_at IS NOT NULL",
        ),
        Contribution(
            table,
            (("community_id", f"{r}.community_id"), ("month", _month_sql(vendor, f"{r}.done_at"))),
            (("visits_rated", sign), ("visits_satisfied", f"CASE WHEN {satisfied} THEN {sign} ELSE 0 END")),
            f"{r}.done_at IS NOT NULL AND {r}.satisfaction IS NOT NULL",
        ),
    ]  # fmt: skip


def _changed_sql(columns: Iterable[str], vendor: str) -> str:
    differs = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    return " OR ".join(f"OLD.{c} {differs} NEW.{c}" for c in columns)


def trigger_sql(vendor: str) -> list[str]:
    """The statements that (re)install the triggers (PostgreSQL: replaced in place; SQLite,
    which has no CREATE OR REPLACE TRIGGER: dropped and created)."""
    tickets, visits = Ticket._meta.db_table, ReturnVisit._meta.db_table
    parts = {
        "ticket": (tickets, TICKET_COLUMNS, _ticket_contributions),
        "visit": (visits, VISIT_COLUMNS, _visit_contributions),
    }
    statements: list[str] = []
    for name, (table, columns, contributions) in parts.items():
        trigger = f"linli_{name}_month"

        def upserts(r: str, sign: str) -> list[str]:
            return [
                c.upsert() if sign == "1" else c.subtract()
                for c in contributions(vendor, r, sign)  # noqa: B023
            ]

        of = ", ".join(columns)
        if vendor == "postgresql":
            body = "\n".join(
                [
                    "BEGIN",
                    f"  IF TG_OP = 'UPDATE' AND NOT ({_changed_sql(columns, vendor)}) THEN RETURN NULL; END IF;",
                    "  IF TG_OP IN ('UPDATE', 'DELETE') THEN",
                    *(f"    {s};" for s in upserts("OLD", "-1")),
                    "  END IF;",
                    "  IF TG_OP IN ('UPDATE', 'INSERT') THEN",
                    *(f"    {s};" for s in upserts("NEW", "1")),
                    "  END IF;",
                    "  RETURN NULL;",
                    "END",
                ]
            )
            # Replaced in place, never dropped: DROP TRIGGER takes an ACCESS EXCLUSIVE lock,
            # which would hold every reader of the tickets off during the nightly check.
            statements += [
                f"CREATE OR REPLACE FUNCTION {trigger}() RETURNS trigger LANGUAGE plpgsql AS $$\n{body}\n$$",
                f"CREATE OR REPLACE TRIGGER {trigger} AFTER INSERT OR DELETE OR UPDATE OF {of}"
                f" ON {table} FOR EACH ROW EXECUTE FUNCTION {trigger}()",
            ]
        else:
            old, new = upserts("OLD", "-1"), upserts("NEW", "1")
            statements += [
                f"DROP TRIGGER IF EXISTS {trigger}_insert",
                f"DROP TRIGGER IF EXISTS {trigger}_update",
                f"DROP TRIGGER IF EXISTS {trigger}_delete",
                f"CREATE TRIGGER {trigger}_insert AFTER INSERT ON {table} BEGIN "
                + "".join(f"{s}; " for s in new) + "END",
                f"CREATE TRIGGER {trigger}_update AFTER UPDATE OF {of} ON {table}"
                f" WHEN {_changed_sql(columns, vendor)} BEGIN "
                + "".join(f"{s}; " for s in [*old, *new]) + "END",
                f"CREATE TRIGGER {trigger}_delete AFTER DELETE ON {table} BEGIN "
                + "".join(f"{s}; " for s in old) + "END",
            ]  # fmt: skip
    return statements


def fill_sql(vendor: str) -> list[str]:
    """Fill the (empty) tables from the rows there are: the triggers' own expressions summed,
    for a database that already holds tickets when the triggers are installed."""
    return [
        c.fill(table)
        for table, contributions in (
            (Ticket._meta.db_table, _ticket_contributions(vendor, "r", "1")),
            (ReturnVisit._meta.db_table, _visit_contributions(vendor, "r", "1")),
        )
        for c in contributions
    ]


def install(conn: Any = None, *, fill: bool = False) -> None:
    """(Re)install the triggers on `conn` (default: the default connection); with `fill`,
    also compute the figures of the rows there are."""
    conn = conn or connection
    with conn.cursor() as cursor:
        for statement in trigger_sql(conn.vendor) + (fill_sql(conn.vendor) if fill else []):
            cursor.execute(statement)


# --- the reference: the same figures recomputed with the ORM ---------------------------------
def _month(column: str) -> TruncMonth:
    return TruncMonth(
        column, output_field=DateField(), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)
    )


Key = tuple[Any, ...]


def expected_ticket_months() -> dict[Key, dict[str, int]]:
    served = ~Q(status=CANCELLED)
    rows = (
        Ticket.objects.exclude(UNSETTLED)
        .annotate(month=_month("opened_at"))
        .values("community_id", "month", "kind")
        .annotate(
            received=Count("pk"),
            respond_due=Count("pk", filter=served),
            respond_on_time=Count("pk", filter=served & Q(responded_at__lte=F("respond_by"))),
            resolve_due=Count("pk", filter=served & Q(resolve_by__isnull=False)),
            resolve_on_time=Count(
                "pk", filter=served & Q(resolve_by__isnull=False, resolved_at__lte=F("resolve_by"))
            ),
        )
        .order_by()
    )
    return {
        (r["community_id"], r["month"], r["kind"]): {n: r[n] for n in TICKET_FIGURES} for r in rows
    }


def expected_visit_months() -> dict[Key, dict[str, int]]:
    """Due and done by the month due; rated and satisfied by the month done (done visits)."""
    result: dict[Key, dict[str, int]] = {}
    done = ReturnVisit.objects.filter(done_at__isnull=False)
    for rows, column, counts in (
        (done, "due_at", {"visits_due": Count("pk"), "visits_done": Count("pk")}),
        (done.filter(satisfaction__isnull=False), "done_at", {
            "visits_rated": Count("pk"),
            "visits_satisfied": Count("pk", filter=Q(satisfaction__gte=SATISFIED_AT_LEAST)),
        }),
    ):  # fmt: skip
        grouped = rows.annotate(month=_month(column)).values("community_id", "month")
        for r in grouped.annotate(**counts).order_by():
            row = result.setdefault(
                (r["community_id"], r["month"]), dict.fromkeys(VISIT_FIGURES, 0)
            )
            row.update({name: r[name] for name in counts})
    return result


def _stored(model: Any, keys: tuple[str, ...], figures: tuple[str, ...]) -> dict[Key, dict[str, int]]:  # fmt: skip
    return {
        tuple(r[k] for k in keys): {n: r[n] for n in figures}
        for r in model.objects.values(*keys, *figures)
        if any(r[n] for n in figures)  # a row counted down to zero is no figure
    }


def stored_ticket_months() -> dict[Key, dict[str, int]]:
    return _stored(TicketMonth, ("community_id", "month", "kind"), TICKET_FIGURES)


def stored_visit_months() -> dict[Key, dict[str, int]]:
    return _stored(ReturnVisitMonth, ("community_id", "month"), VISIT_FIGURES)


def _differences(expected: dict[Key, Any], stored: dict[Key, Any]) -> list[Key]:
    return sorted(
        (k for k in expected.keys() | stored.keys() if expected.get(k) != stored.get(k)), key=str
    )


def _lock_sources() -> None:
    """Hold writers off the tickets and visits while their figures are recomputed and
    replaced (PostgreSQL; SQLite serialises writers anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"LOCK TABLE {Ticket._meta.db_table}, {ReturnVisit._meta.db_table} IN SHARE MODE"
            )


def rebuild() -> tuple[int, int]:
    """Replace both tables by the recomputed figures; returns (ticket rows, visit rows)."""
    with transaction.atomic():
        _lock_sources()
        tickets, visits = expected_ticket_months(), expected_visit_months()
        TicketMonth.objects.all().delete()
        ReturnVisitMonth.objects.all().delete()
        TicketMonth.objects.bulk_create(
            TicketMonth(community_id=k[0], month=k[1], kind=k[2], **v) for k, v in tickets.items()
        )
        ReturnVisitMonth.objects.bulk_create(
            ReturnVisitMonth(community_id=k[0], month=k[1], **v) for k, v in visits.items()
        )
    return len(tickets), len(visits)


def check(*, repair: bool = True) -> list[str]:
    """Compare the stored figures with the recomputed ones; on drift, log it and rebuild.
    Returns a line per differing row (empty when the triggers kept everything right)."""
    with transaction.atomic():
        _lock_sources()
        # Reinstalled first: the trigger text holds settings.TIME_ZONE as it was when it was
        # installed; after a change of zone, the repaired figures stay right from here on.
        install()
        drift = [
            f"month figures {k}: stored {stored} expected {expected}"
            for expected_rows, stored_rows in (
                (expected_ticket_months(), stored_ticket_months()),
                (expected_visit_months(), stored_visit_months()),
            )
            for k in _differences(expected_rows, stored_rows)
            for expected, stored in [(expected_rows.get(k), stored_rows.get(k))]
        ]
        if drift:
            logger.warning("monthly ticket figures drifted (%d rows): %s", len(drift), drift[:20])
            if repair:
                rebuild()
    return drift
