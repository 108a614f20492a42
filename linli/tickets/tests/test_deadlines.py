from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linli.core import worktime
from linli.policy.services import set_parameter
from linli.tickets import deadlines
from linli.tickets.models import Kind, Severity

TZ = ZoneInfo("Asia/Shanghai")


def at(*args):
    return dt.datetime(*args, tzinfo=TZ)


def in_force_since(key, value, since, actor):
    """A version that was already in force at `since` (history; the service refuses backdating)."""
    from linli.policy.models import ParameterVersion

    ParameterVersion.objects.create(
        key=key, version=1, value=value, effective_from=since, reason="历史版本", created_by=actor
    )


def test_two_working_day_resolve_across_spring_festival(world):
    """The issue's case: opened 2026-02-13 16:00, 2 working days → 2026-02-24 16:00."""
    in_force_since("tickets.ordinary.resolve_workdays", 2, at(2026, 1, 1), world.hq_admin)
    due = deadlines.compute(
        kind=Kind.COMPLAINT,
        severity=Severity.ORDINARY,
        opened_at=at(2026, 2, 13, 16),
        community_id=world.ch.pk,
    )
    assert due.resolve_by == at(2026, 2, 24, 16)


@pytest.mark.parametrize(
    "opened,days,expected",
    [
        (at(2025, 9, 30, 10), 3, at(2025, 10, 11, 10)),  # National Day, make-up Saturday Oct 11
        (at(2026, 4, 30, 9), 1, at(2026, 5, 6, 9)),  # Labour Day 2026: May 1–5 off
        (
            at(2026, 9, 30, 15),
            2,
            at(2026, 10, 9, 15),
        ),  # National Day 2026: Oct 1–7 off, Oct 9 Friday
    ],
)
def test_resolve_days_on_real_holidays(world, opened, days, expected):
    in_force_since("tickets.ordinary.resolve_workdays", days, at(2025, 1, 1), world.hq_admin)
    due = deadlines.compute(
        kind=Kind.REPAIR, severity=Severity.ORDINARY, opened_at=opened, community_id=world.ch.pk
    )
    assert due.resolve_by == expected
    assert worktime.is_workday(due.resolve_by.date())


def test_ordinary_response_counts_office_hours_in_working_mode(world):
    in_force_since("tickets.hours_mode", "working", at(2025, 1, 1), world.hq_admin)
    # Friday 16:00 + 24 office hours (9 a day): 1.5 h Fri, 9 h Sat (make-up), 9 h Tue 24 Feb, 4.5 h Wed.
    due = deadlines.compute(
        kind=Kind.COMPLAINT,
        severity=Severity.ORDINARY,
        opened_at=at(2026, 2, 13, 16),
        community_id=world.ch.pk,
    )
    assert due.respond_by == at(2026, 2, 25, 13, 0)


def test_calendar_hours_mode(world):
    in_force_since("tickets.hours_mode", "calendar", at(2025, 1, 1), world.hq_admin)
    due = deadlines.compute(
        kind=Kind.COMPLAINT,
        severity=Severity.URGENT,
        opened_at=at(2026, 2, 13, 16),
        community_id=world.ch.pk,
    )
    assert due.respond_by == at(2026, 2, 13, 18) and due.resolve_by == at(2026, 2, 14, 16)


def test_the_parameters_in_force_at_opening_apply(world):
    set_parameter(
        "tickets.ordinary.resolve_workdays",
        5,
        actor=world.hq_admin,
        reason="将来放宽",
        effective_from=dt.datetime(2099, 1, 1, tzinfo=TZ),
    )
    due = deadlines.compute(
        kind=Kind.COMPLAINT,
        severity=Severity.ORDINARY,
        opened_at=at(2026, 3, 2, 10),
        community_id=world.ch.pk,
    )
    assert due.resolve_by == at(2026, 3, 5, 10)  # still the 3 working days in force in 2026


def test_praise_has_no_resolve_deadline(world):
    due = deadlines.compute(
        kind=Kind.PRAISE,
        severity=Severity.ORDINARY,
        opened_at=at(2026, 3, 2, 10),
        community_id=world.ch.pk,
    )
    assert due.resolve_by is None


def test_sla_factor_shortens_deadlines(world):
    from decimal import Decimal

    half = deadlines.compute(
        kind=Kind.COMPLAINT,
        severity=Severity.URGENT,
        opened_at=at(2026, 3, 2, 9),
        community_id=world.ch.pk,
        factor=Decimal("0.5"),
    )
    full = deadlines.compute(
        kind=Kind.COMPLAINT,
        severity=Severity.URGENT,
        opened_at=at(2026, 3, 2, 9),
        community_id=world.ch.pk,
    )
    assert half.respond_by < full.respond_by and half.resolve_by < full.resolve_by


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    minutes=st.integers(min_value=0, max_value=60 * 24 * 700),
    severity=st.sampled_from(list(Severity.values)),
)
def test_deadlines_follow_opening_and_land_on_working_days(db, minutes, severity):
    opened = at(2025, 1, 1, 0) + dt.timedelta(minutes=minutes)
    due = deadlines.compute(
        kind=Kind.COMPLAINT, severity=severity, opened_at=opened, community_id=None
    )
    assert opened <= due.dispatch_by and opened <= due.respond_by <= due.resolve_by
    if severity == Severity.URGENT:  # an hour limit: clock hours by default (ADR 0007)
        assert due.resolve_by == opened + dt.timedelta(hours=24)
    else:  # a day limit: a working day, within office hours
        local = due.resolve_by.astimezone(TZ)
        assert worktime.is_workday(local.date()) and dt.time(8, 30) <= local.time() <= dt.time(
            17, 30
        )
