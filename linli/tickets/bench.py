"""The tickets of `linli bench` (issue 4 item 13): ten years of requests and complaints.

At scale 1.0 about 3,000,000 tickets (DESIGN §8) over the bench's 200 communities, opened over
the last ten years in time order (as a real table fills), each by a household of the customer
data set (`linli.customers.bench`), so a community's share follows its size: about 820 a day
company-wide, 15,000 per community. Every ticket has a planned life drawn from the seed —
responded, resolved (most in time, some late), return-visited (complaints within 3 days,
repairs within a week, a realistic satisfaction mix), closed — and the steps that lie before
now are filled in: the tickets of the last days are still open, a few older ones are stuck
open and overdue. Late ones carry an escalation (`is_overdue`, `escalation_level`, one
`escalated` TicketEvent: the statistics count escalations from those events); no other
history rows are written (the pages measured read none).

Deadlines are plain hours and days after opening (not the working calendar the services use):
the bench needs their distribution, not their exact values. Rows go in with PostgreSQL COPY
(`bulk_create` elsewhere, for the tests), secondary indexes dropped during the load and rebuilt
after. Deterministic for a seed apart from the date it is run.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import random
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from linli.customers.bench import MARKER_TABLE
from linli.customers.models import Occupancy
from linli.org.models import Community, Department, Staff
from linli.org.roles import Role
from linli.tickets.demo import KIND_WEIGHTS, RESOLUTIONS, SATISFACTION_WEIGHTS, TEXTS
from linli.tickets.models import (
    Category,
    Cause,
    Channel,
    Kind,
    Level,
    ReturnVisit,
    Severity,
    Status,
    Ticket,
    TicketEvent,
    Validity,
)

GENERATOR_VERSION = 1
FULL_TICKETS = 3_000_000
YEARS = 10
MARKER_KEY = "tickets"
LOADED_MODELS: tuple[type[models.Model], ...] = (Ticket, ReturnVisit, TicketEvent)
BATCH = 20_000

CHANNELS = (
    (Channel.PHONE, 40), (Channel.FRONT_DESK, 22), (Channel.PORTAL, 20), (Channel.WECHAT, 10),
    (Channel.VISIT, 4), (Channel.HOTLINE_12345, 3), (Channel.LETTER, 1),
)  # fmt: skip
# Hours to respond and days to resolve, by kind and severity (POLICY Ch.6 orders of magnitude).
RESPOND_HOURS = {Severity.ORDINARY: 24, Severity.URGENT: 2, Severity.MAJOR: 1}
RESOLVE_DAYS = {
    Kind.REPAIR: 3, Kind.COMPLAINT: 5, Kind.ENQUIRY: 2, Kind.SUGGESTION: 10, Kind.PRAISE: None,
}  # fmt: skip
VISIT_DAYS = {Kind.COMPLAINT: 3, Kind.REPAIR: 7}  # return visit due after resolution


# --- the marker (same table as the customers' data set, its own key) --------------------------
def read_marker() -> dict[str, Any] | None:
    with connection.cursor() as cursor:
        if MARKER_TABLE not in connection.introspection.table_names(cursor):
            return None
        cursor.execute(f"SELECT value FROM {MARKER_TABLE} WHERE key = %s", [MARKER_KEY])
        row = cursor.fetchone()
    return json.loads(row[0]) if row else None


def write_marker(info: dict[str, Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (key varchar(50) PRIMARY KEY, value text)"
        )
        cursor.execute(f"DELETE FROM {MARKER_TABLE} WHERE key = %s", [MARKER_KEY])
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} (key, value) VALUES (%s, %s)",
            [MARKER_KEY, json.dumps(info)],
        )


def matches(marker: dict[str, Any] | None, scale: float, seed: int) -> bool:
    return bool(
        marker
        and marker.get("version") == GENERATOR_VERSION
        and float(marker.get("scale", -1)) == float(scale)
        and marker.get("seed") == seed
    )


# --- writing rows -----------------------------------------------------------------------------
class _Table:
    """Rows of one model as value lists in column order, starting from the field defaults."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.index = {f.attname: i for i, f in enumerate(self.fields)}
        self.template = [_default(f) for f in self.fields]
        self.json = [i for i, f in enumerate(self.fields) if isinstance(f, models.JSONField)]
        self.rows: list[list[Any]] = []
        self.written = 0
        top = model._default_manager.aggregate(top=models.Max("pk"))["top"] or 0
        self.next_id = top + 1

    def new(self, **values: Any) -> list[Any]:
        row = self.template.copy()
        row[self.index["id"]] = self.next_id
        self.next_id += 1
        for name, value in values.items():
            row[self.index[name]] = value
        self.rows.append(row)
        return row

    def flush(self) -> None:
        if not self.rows:
            return
        if connection.vendor == "postgresql":
            quote = connection.ops.quote_name
            columns = ", ".join(quote(f.column) for f in self.fields)
            sql = f"COPY {quote(self.model._meta.db_table)} ({columns}) FROM STDIN"
            with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
                for row in self.rows:
                    for i in self.json:
                        row[i] = json.dumps(row[i], ensure_ascii=False)
                    copy.write_row(row)
        else:
            names = [f.attname for f in self.fields]
            self.model._default_manager.bulk_create(
                [self.model(**dict(zip(names, row, strict=True))) for row in self.rows],
                batch_size=500,
            )
        self.written += len(self.rows)
        self.rows = []


def _default(field: models.Field) -> Any:
    if field.primary_key:
        return None
    value = field.get_default()
    return value.value if hasattr(value, "value") and not isinstance(value, Decimal) else value


def _weighted(pairs: Any) -> Callable[[random.Random], Any]:
    values = [v for v, _w in pairs]
    cumulative: list[float] = []
    total = 0.0
    for _v, weight in pairs:
        total += weight
        cumulative.append(total)

    def pick(rng: random.Random) -> Any:
        return values[bisect.bisect_right(cumulative, rng.random() * total)]

    return pick


# --- the people and places of each community ---------------------------------------------------
class _Office:
    def __init__(self, community_id: int, staff: list[Staff], departments: dict[str, int]) -> None:
        self.community_id = community_id
        self.stewards = [s.pk for s in staff if s.role == Role.STEWARD]
        roles = {s.role: s.pk for s in reversed(staff)}
        self.receptionist = roles.get(Role.RECEPTIONIST)
        self.supervisor = roles.get(Role.OFFICE_CUSTOMER_SUPERVISOR)
        self.manager = roles.get(Role.OFFICE_MANAGER)
        self.departments = departments


def _offices() -> dict[int, _Office]:
    staff: dict[int, list[Staff]] = {}
    for person in Staff.objects.filter(community__isnull=False, is_active=True).order_by(
        "username"
    ):
        staff.setdefault(int(person.community_id or 0), []).append(person)
    departments: dict[int, dict[str, int]] = {}
    for department in Department.objects.filter(community__isnull=False).order_by("pk"):
        departments.setdefault(int(department.community_id or 0), {}).setdefault(
            department.kind, department.pk
        )
    return {
        pk: _Office(pk, staff.get(pk, []), departments.get(pk, {}))
        for pk in Community.objects.values_list("pk", flat=True)
    }


def _households() -> list[tuple[int, int, int, str, str, str]]:
    """(community, room, customer, customer name, mobile, community code) of every household's
    primary contact, in community order."""
    codes = dict(Community.objects.values_list("pk", "code"))
    rows = (
        Occupancy.objects.filter(move_out__isnull=True, is_primary=True)
        .order_by("community_id", "pk")
        .values_list("community_id", "room_id", "customer_id", "customer__name", "customer__mobile")
    )
    return [(c, r, k, n, m, codes[c]) for c, r, k, n, m in rows]


# --- one ticket -------------------------------------------------------------------------------
class _Generator:
    def __init__(self, seed: int, now: dt.datetime, total: int) -> None:
        self.rng = random.Random(f"{seed}-bench-tickets")
        self.now = now
        self.start = now - dt.timedelta(days=365 * YEARS)
        self.total = total
        self.tickets = _Table(Ticket)
        self.visits = _Table(ReturnVisit)
        self.events = _Table(TicketEvent)
        self.households = _households()
        self.offices = _offices()
        self.categories = {c.code: c.pk for c in Category.objects.all()}
        self.causes = {c.name: c.pk for c in Cause.objects.all()}
        self.kind = _weighted(KIND_WEIGHTS)
        self.channel = _weighted(CHANNELS)
        self.satisfaction = _weighted(SATISFACTION_WEIGHTS)
        texts: dict[str, list[tuple[int, str, str, tuple[str, str] | None]]] = {}
        for (kind, code), entries in TEXTS.items():
            if code not in self.categories:
                continue
            for title, description, lesson in entries:
                description = description.format(b=3, u=2, f=5)
                texts.setdefault(kind, []).append(
                    (self.categories[code], title, description, lesson)
                )
        self.texts = texts
        self.stats = {"open": 0, "late": 0, "stuck": 0, "cancelled": 0, "company": 0}

    def run(self, log: Callable[[str], None], started: float) -> None:
        step = (self.now - self.start) / self.total
        for i in range(self.total):
            opened_at = self.start + step * (i + self.rng.random())
            self.one(opened_at.replace(microsecond=0))
            if len(self.tickets.rows) >= BATCH:
                self.flush()
            if (i + 1) % 500_000 == 0:
                log(f"  {i + 1:,} tickets ({time.perf_counter() - started:.0f} s)")
        self.flush()

    def flush(self) -> None:
        with transaction.atomic():
            self.tickets.flush()
            self.visits.flush()
            self.events.flush()

    def one(self, opened_at: dt.datetime) -> None:
        rng = self.rng
        community_id, room_id, customer_id, name, mobile, code = self.households[
            int(rng.random() * len(self.households))
        ]
        office = self.offices[community_id]
        kind = self.kind(rng)
        category_id, title, description, lesson = rng.choice(self.texts[kind])
        severity = Severity.ORDINARY
        roll = rng.random()
        if kind == Kind.COMPLAINT:
            severity = (
                Severity.MAJOR if roll < 0.02 else Severity.URGENT if roll < 0.12 else severity
            )
        elif kind == Kind.REPAIR and roll < 0.15:
            severity = Severity.URGENT
        steward = rng.choice(office.stewards) if office.stewards else None
        receiver = office.receptionist if rng.random() < 0.6 else steward
        respond_by = opened_at + dt.timedelta(hours=RESPOND_HOURS[severity])
        days = RESOLVE_DAYS[kind]
        if days is not None and severity != Severity.ORDINARY:
            days = max(1, days // 2)
        resolve_by = opened_at + dt.timedelta(days=days) if days is not None else None
        window = (resolve_by - opened_at) if resolve_by else dt.timedelta(days=1)
        late = resolve_by is not None and rng.random() < 0.07
        # a few late ones of the last three months are still open (the board's overdue list)
        stuck = late and opened_at > self.now - dt.timedelta(days=90) and rng.random() < 0.3
        responded_at = opened_at + (respond_by - opened_at) * rng.uniform(0.05, 0.9)
        if late and rng.random() < 0.3:
            responded_at = respond_by + dt.timedelta(hours=rng.uniform(1, 30))
        resolved_at = opened_at + window * (
            rng.uniform(1.05, 2.5) if late else rng.uniform(0.1, 0.95)
        )
        cancelled = rng.random() < 0.01
        row: dict[str, Any] = {
            "created_at": opened_at,
            "updated_at": opened_at,
            "community_id": community_id,
            "number": f"{code}{opened_at:%y%m%d}{self.tickets.next_id:07d}",
            "kind": kind,
            "channel": self.channel(rng),
            "category_id": category_id,
            "title": title,
            "description": description,
            "customer_id": customer_id,
            "room_id": room_id,
            "contact_name": name,
            "contact_phone": mobile,
            "severity": severity,
            "received_by_id": receiver,
            "owner_id": receiver,
            "opened_at": opened_at,
            "dispatch_by": opened_at + dt.timedelta(hours=2),
            "respond_by": respond_by,
            "resolve_by": resolve_by,
            "status": Status.NEW,
        }
        if kind == Kind.COMPLAINT and (severity == Severity.MAJOR or (late and roll < 0.3)):
            row["level"] = Level.COMPANY
            row["level_reason"] = "重大投诉" if severity == Severity.MAJOR else "管理处级超时"
            self.stats["company"] += 1
        now = self.now
        if cancelled and opened_at + dt.timedelta(hours=3) < now:
            row.update(status=Status.CANCELLED, closed_at=opened_at + dt.timedelta(hours=3))
            self.stats["cancelled"] += 1
            self.tickets.new(**row)
            return
        if responded_at < now:
            row.update(
                status=Status.ACCEPTED,
                responded_at=responded_at,
                dispatched_at=responded_at,
                assignee_id=steward,
                department_id=office.departments.get(
                    "engineering" if kind == Kind.REPAIR else "customer_service"
                ),
            )
            if opened_at + window * 0.1 < now:
                row["status"] = Status.IN_PROGRESS
        escalate_at = (resolve_by or respond_by) + dt.timedelta(hours=1)
        if late and escalate_at < now:
            row.update(is_overdue=True, escalation_level=1 if rng.random() < 0.8 else 2)
        if stuck or resolved_at >= now:  # still open today
            self.stats["stuck" if stuck and resolved_at < now else "open"] += 1
            if not row.get("is_overdue"):
                row["next_escalation_at"] = escalate_at
                row["remind_at"] = escalate_at - dt.timedelta(hours=4)
            ticket = self.tickets.new(**row)
            self._escalation(ticket, row, escalate_at)
            return
        self.stats["late"] += int(late)
        row.update(
            status=Status.RESOLVED,
            resolved_at=resolved_at,
            resolution=rng.choice(RESOLUTIONS[kind]),
        )
        if kind == Kind.COMPLAINT:
            if rng.random() < 0.1:
                row.update(validity=Validity.INVALID, invalid_reason="属开发商保修范围")
            else:
                row["validity"] = Validity.VALID
                if lesson is not None:
                    row.update(cause_id=self.causes.get(lesson[0]), corrective_action=lesson[1])
        visit_days = VISIT_DAYS.get(kind)
        done_at = None
        satisfaction = None
        if visit_days is not None:
            due = resolved_at + dt.timedelta(days=visit_days)
            row["return_visit_by"] = due
            done_at = resolved_at + (due - resolved_at) * rng.uniform(0.05, 1.15)
            if done_at < now:
                satisfaction = self.satisfaction(rng)
                row.update(status=Status.RETURN_VISITED, satisfaction=satisfaction)
            else:
                done_at = None
        close_at = (done_at or resolved_at) + dt.timedelta(hours=rng.uniform(1, 48))
        if close_at < now and (visit_days is None or done_at is not None):
            row.update(status=Status.CLOSED, closed_at=close_at)
        row["updated_at"] = row.get("closed_at") or done_at or resolved_at
        ticket = self.tickets.new(**row)
        if late:
            self._escalation(ticket, row, escalate_at)
        if visit_days is not None:
            visit: dict[str, Any] = {
                "created_at": resolved_at,
                "updated_at": done_at or resolved_at,
                "community_id": community_id,
                "ticket_id": ticket[self.tickets.index["id"]],
                "assigned_to_id": office.supervisor if kind == Kind.COMPLAINT else steward,
                "due_at": row["return_visit_by"],
            }
            if done_at is not None:
                visit.update(
                    done_at=done_at,
                    done_by_id=visit["assigned_to_id"],
                    method=ReturnVisit.Method.PHONE,
                    satisfaction=satisfaction,
                )
            self.visits.new(**visit)

    def _escalation(self, ticket: list[Any], row: dict[str, Any], at: dt.datetime) -> None:
        if not row.get("is_overdue"):
            return
        self.events.new(
            community_id=row["community_id"],
            ticket_id=ticket[self.tickets.index["id"]],
            kind=TicketEvent.Kind.ESCALATED,
            actor_label="系统",
            note="超过解决期限，升级督办",
            data={"level": row["escalation_level"]},
            at=at,
        )


# --- the whole set ----------------------------------------------------------------------------
def _secondary_indexes() -> list[tuple[str, str]]:
    tables = [m._meta.db_table for m in LOADED_MODELS]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.relname, pg_get_indexdef(i.oid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            ORDER BY i.relname
            """,
            [tables],
        )
        return [(name, sql) for name, sql in cursor.fetchall()]


def build(
    scale: float = 1.0, *, seed: int = 2026, log: Callable[[str], None] = lambda _m: None
) -> dict[str, Any]:
    """Add the bench's tickets to the current database (which holds the customer data set)."""
    started = time.perf_counter()
    postgres = connection.vendor == "postgresql"
    total = max(100, round(FULL_TICKETS * scale))
    generator = _Generator(seed, timezone.now(), total)
    if not generator.households:
        raise RuntimeError("the customer data set must be built before the tickets")
    dropped: list[tuple[str, str]] = []
    if postgres:
        dropped = _secondary_indexes()
        with connection.cursor() as cursor:
            for name, _sql in dropped:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
            cursor.execute("SET session_replication_role = replica")
    try:
        log(f"adding {total:,} tickets over {YEARS} years …")
        generator.run(log, started)
    finally:
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = origin")
    if postgres:
        log(f"  rebuilding {len(dropped)} indexes …")
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            for _name, sql in dropped:
                cursor.execute(sql)
            cursor.execute("RESET maintenance_work_mem")
            for model in LOADED_MODELS:
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {connection.ops.quote_name(table)}))"
                )
        # The load ran with triggers off (replica role): compute the monthly figures now.
        from linli.tickets import rollup

        log("  monthly figures …")
        rollup.rebuild()
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        log(f"  {command} …")
        with connection.cursor() as cursor:
            for model in LOADED_MODELS:
                cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")
    counts = {
        "tickets": generator.tickets.written,
        "return_visits": generator.visits.written,
        "escalations": generator.events.written,
        **generator.stats,
    }
    return {
        "version": GENERATOR_VERSION,
        "scale": scale,
        "seed": seed,
        "counts": counts,
        "build_seconds": round(time.perf_counter() - started, 1),
        "built_at": timezone.now().isoformat(timespec="seconds"),
    }


def reset() -> None:
    """Remove any tickets (an older generator's) before building: the bench database only."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {Ticket._meta.db_table} CASCADE")
    else:
        for model in (TicketEvent, ReturnVisit, Ticket):
            model._default_manager.all().delete()
