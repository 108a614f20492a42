"""The working calendar: real holiday cases and the laws it must keep (hypothesis)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linli.core import worktime

TZ = ZoneInfo("Asia/Shanghai")
OPEN, CLOSE = dt.time(8, 30), dt.time(17, 30)
FIRST, LAST = worktime.calendar_coverage()


@pytest.mark.parametrize(
    "start,n,expected",
    [
        # National Day 2025: Oct 1–8 off, Saturday Oct 11 a make-up working day.
        ("2025-09-30", 3, "2025-10-11"),
        ("2025-09-30", 1, "2025-10-09"),
        # Spring Festival 2026: Feb 15–23 off, Saturday Feb 14 a make-up working day.
        ("2026-02-13", 1, "2026-02-14"),
        ("2026-02-13", 2, "2026-02-24"),
        # National Day 2024: Oct 1–7 off, Saturday Oct 12 worked.
        ("2024-09-30", 1, "2024-10-08"),
        ("2024-10-11", 1, "2024-10-12"),
        # Labour Day 2025: May 1–5 off.
        ("2025-04-30", 1, "2025-05-06"),
        # An ordinary weekend.
        ("2026-03-06", 1, "2026-03-09"),
        ("2026-03-09", 0, "2026-03-09"),
        # Backwards across Spring Festival 2026.
        ("2026-02-24", -1, "2026-02-14"),
    ],
)
def test_add_workdays_on_real_holidays(start, n, expected):
    assert worktime.add_workdays(dt.date.fromisoformat(start), n) == dt.date.fromisoformat(expected)


def test_make_up_saturday_is_a_workday_and_holiday_weekday_is_not():
    assert worktime.is_workday(dt.date(2026, 2, 14))  # Saturday, make-up
    assert not worktime.is_workday(dt.date(2026, 2, 16))  # Monday, Spring Festival
    assert not worktime.is_workday(dt.date(2025, 10, 1))


def test_beyond_the_covered_years_only_weekends_are_off():
    year = LAST + 1
    jan1 = dt.date(year, 1, 1)
    assert worktime.is_workday(jan1) == (jan1.weekday() < 5)
    assert not worktime.is_covered(jan1)


def test_resolve_time_two_workdays_keeps_the_clock_time():
    opened = dt.datetime(2026, 2, 13, 16, 0, tzinfo=TZ)
    assert worktime.add_workdays_keep_time(opened, 2) == dt.datetime(2026, 2, 24, 16, 0, tzinfo=TZ)


def test_working_hours_skip_nights_and_holidays():
    # Fri 13 Feb 2026 16:00 + 24 office hours: 1.5 h Fri, 9 h Sat (make-up), 9 h Tue 24 Feb, 4.5 h Wed.
    opened = dt.datetime(2026, 2, 13, 16, 0, tzinfo=TZ)
    due = worktime.add_working_hours(opened, 24, day_start=OPEN, day_end=CLOSE)
    assert due == dt.datetime(2026, 2, 25, 13, 0, tzinfo=TZ)
    # Opened at night: counting starts at the next opening.
    night = dt.datetime(2026, 3, 9, 22, 0, tzinfo=TZ)
    assert worktime.add_working_hours(night, 2, day_start=OPEN, day_end=CLOSE) == dt.datetime(
        2026, 3, 10, 10, 30, tzinfo=TZ
    )


def test_bad_office_hours_are_refused():
    with pytest.raises(ValueError):
        worktime.add_working_hours(
            dt.datetime(2026, 3, 9, 9, tzinfo=TZ), 1, day_start=CLOSE, day_end=OPEN
        )


days = st.dates(min_value=dt.date(FIRST, 1, 1), max_value=dt.date(LAST + 2, 12, 31))
counts = st.integers(min_value=0, max_value=40)


@settings(max_examples=200, deadline=None)
@given(day=days, n=st.integers(min_value=1, max_value=40))
def test_never_lands_on_a_day_off(day, n):
    assert worktime.is_workday(worktime.add_workdays(day, n))


@settings(max_examples=200, deadline=None)
@given(a=days, b=days, n=counts)
def test_monotonic(a, b, n):
    lo, hi = sorted((a, b))
    assert worktime.add_workdays(lo, n) <= worktime.add_workdays(hi, n)


@settings(max_examples=200, deadline=None)
@given(day=days, n=counts)
def test_round_trip_with_workdays_between(day, n):
    assert worktime.workdays_between(day, worktime.add_workdays(day, n)) == n


@settings(max_examples=100, deadline=None)
@given(day=days, n=st.integers(min_value=1, max_value=30))
def test_backwards_undoes_forwards_from_a_workday(day, n):
    if not worktime.is_workday(day):
        day = worktime.next_workday(day)
    assert worktime.add_workdays(worktime.add_workdays(day, n), -n) == day


moments = st.builds(
    lambda d, minutes: (
        dt.datetime.combine(d, dt.time(0, 0), tzinfo=TZ) + dt.timedelta(minutes=minutes)
    ),
    days,
    st.integers(min_value=0, max_value=24 * 60 - 1),
)
hours = st.integers(min_value=0, max_value=80)


@settings(max_examples=200, deadline=None)
@given(start=moments, h=hours)
def test_working_hours_end_inside_office_time_on_a_workday(start, h):
    due = worktime.add_working_hours(start, h, day_start=OPEN, day_end=CLOSE)
    assert due >= start
    assert worktime.is_workday(due.date())
    assert OPEN <= due.timetz().replace(tzinfo=None) <= CLOSE


@settings(max_examples=150, deadline=None)
@given(start=moments, a=hours, b=hours)
def test_working_hours_add_up(start, a, b):
    one = worktime.add_working_hours(start, a + b, day_start=OPEN, day_end=CLOSE)
    two = worktime.add_working_hours(
        worktime.add_working_hours(start, a, day_start=OPEN, day_end=CLOSE),
        b,
        day_start=OPEN,
        day_end=CLOSE,
    )
    # A step that ends exactly at closing continues at the next opening: the same working instant.
    if one != two:
        assert worktime.working_hours_between(one, two, day_start=OPEN, day_end=CLOSE) == 0


@settings(max_examples=150, deadline=None)
@given(start=moments, h=hours)
def test_working_hours_between_inverts_add(start, h):
    due = worktime.add_working_hours(start, h, day_start=OPEN, day_end=CLOSE)
    assert abs(worktime.working_hours_between(start, due, day_start=OPEN, day_end=CLOSE) - h) < 1e-6
