"""Deadlines of a ticket, computed from the policy in force when it is opened (POLICY Ch.6).

Hours-based limits count office hours on the Chinese working calendar (or clock hours, by the
`tickets.hours_mode` parameter); day-based limits count working days and keep the clock time
(a complaint opened on Friday 16:00 with 2 working days is due on the second working day after,
at 16:00). A per-customer SLA factor (grades) scales every limit.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from linli import policy
from linli.core import worktime
from linli.tickets.models import Kind, Severity


@dataclass(frozen=True)
class Deadlines:
    dispatch_by: dt.datetime
    respond_by: dt.datetime
    resolve_by: dt.datetime | None


# Providers of a customer's SLA factor (the grading chapter registers one); the smallest wins.
SLA_FACTOR_PROVIDERS: list[Callable[[Any, dt.datetime], Decimal | None]] = []


def sla_factor_for(customer: Any, at: dt.datetime) -> Decimal:
    if customer is None:
        return Decimal(1)
    factors = [
        f for f in (provider(customer, at) for provider in SLA_FACTOR_PROVIDERS) if f is not None
    ]
    return min(factors, default=Decimal(1))


class Clock:
    """Adds hours and working days with the policy's mode and office hours for one community."""

    def __init__(self, *, at: dt.datetime, community_id: int | None) -> None:
        self.at = at
        self.community_id = community_id
        self.mode = policy.value("tickets.hours_mode", at=at)
        self.day_start = policy.value("worktime.day_start", at=at, community=community_id)
        self.day_end = policy.value("worktime.day_end", at=at, community=community_id)

    def add_hours(self, start: dt.datetime, hours: float | Decimal) -> dt.datetime:
        if self.mode == "calendar":
            return start + dt.timedelta(hours=float(hours))
        local = start.astimezone(worktime_zone())
        return worktime.add_working_hours(
            local, hours, day_start=self.day_start, day_end=self.day_end
        )

    def add_workdays(self, start: dt.datetime, days: int) -> dt.datetime:
        # Counted from the next office opening when opened at night or on a day off.
        local = worktime.align_to_working_time(
            start.astimezone(worktime_zone()), self.day_start, self.day_end
        )
        if days <= 0:  # "same day": the end of that working day
            return dt.datetime.combine(local.date(), self.day_end, tzinfo=local.tzinfo)
        return worktime.add_workdays_keep_time(local, days)


def worktime_zone() -> dt.tzinfo:
    from django.utils import timezone

    return timezone.get_current_timezone()


def _scaled_hours(value: int, factor: Decimal) -> Decimal:
    return (Decimal(value) * factor).quantize(Decimal("0.01"))


def _scaled_days(value: int, factor: Decimal) -> int:
    return math.ceil(Decimal(value) * factor) if value else 0


def compute(
    *,
    kind: str,
    severity: str,
    opened_at: dt.datetime,
    community_id: int | None,
    factor: Decimal = Decimal(1),
) -> Deadlines:
    clock = Clock(at=opened_at, community_id=community_id)
    value = lambda key: int(policy.value(key, at=opened_at))  # noqa: E731
    dispatch_by = opened_at + dt.timedelta(minutes=value("tickets.dispatch.within_minutes"))
    if severity == Severity.MAJOR:
        respond_by = opened_at + dt.timedelta(minutes=value("tickets.major.notify_company_minutes"))
        respond_by = max(
            respond_by,
            clock.add_hours(
                opened_at, _scaled_hours(value("tickets.urgent.respond_hours"), factor)
            ),
        )
        resolve_by: dt.datetime | None = clock.add_workdays(
            opened_at, _scaled_days(value("tickets.major.resolve_days"), factor)
        )
    elif severity == Severity.URGENT:
        respond_by = clock.add_hours(
            opened_at, _scaled_hours(value("tickets.urgent.respond_hours"), factor)
        )
        resolve_by = clock.add_hours(
            opened_at, _scaled_hours(value("tickets.urgent.resolve_hours"), factor)
        )
    else:
        respond_by = clock.add_hours(
            opened_at, _scaled_hours(value("tickets.ordinary.respond_hours"), factor)
        )
        resolve_by = clock.add_workdays(
            opened_at, _scaled_days(value("tickets.ordinary.resolve_workdays"), factor)
        )
    if resolve_by is not None:
        respond_by = min(respond_by, resolve_by)  # nobody can be asked to reply after solving
    if kind == Kind.PRAISE:
        resolve_by = None  # praise is acknowledged, not resolved
    return Deadlines(dispatch_by=dispatch_by, respond_by=respond_by, resolve_by=resolve_by)


def return_visit_due(*, kind: str, resolved_at: dt.datetime) -> dt.datetime | None:
    if kind == Kind.COMPLAINT:
        days = int(policy.value("tickets.return_visit.complaint_days", at=resolved_at))
    elif kind == Kind.REPAIR:
        days = int(policy.value("tickets.return_visit.repair_days", at=resolved_at))
    else:
        return None
    return resolved_at + dt.timedelta(days=days)


def escalation_repeat(at: dt.datetime, community_id: int | None) -> dt.datetime:
    hours = int(policy.value("tickets.escalation.repeat_hours", at=at))
    return Clock(at=at, community_id=community_id).add_hours(at, hours)
