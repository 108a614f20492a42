"""The Chinese working calendar: statutory holidays and make-up working days.

Working days come from `chinesecalendar` for the years its data covers; outside those years
only weekends are days off (the data for next year is published by the State Council each
November or December). `calendar_coverage()` tells which years are covered so the policy page
can say so.

Office hours are passed in by the caller (they are policy parameters); nothing here reads the
database.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache

import chinese_calendar

ONE_DAY = dt.timedelta(days=1)


@lru_cache(maxsize=1)
def calendar_coverage() -> tuple[int, int]:
    years = {d.year for d in chinese_calendar.holidays} | {
        d.year for d in chinese_calendar.workdays
    }
    return min(years), max(years)


def is_covered(day: dt.date) -> bool:
    first, last = calendar_coverage()
    return first <= day.year <= last


@lru_cache(maxsize=8192)
def is_workday(day: dt.date) -> bool:
    if is_covered(day):
        return bool(chinese_calendar.is_workday(day))
    return day.weekday() < 5


def next_workday(day: dt.date) -> dt.date:
    """The first working day strictly after `day`."""
    day += ONE_DAY
    while not is_workday(day):
        day += ONE_DAY
    return day


def previous_workday(day: dt.date) -> dt.date:
    day -= ONE_DAY
    while not is_workday(day):
        day -= ONE_DAY
    return day


def add_workdays(day: dt.date, n: int) -> dt.date:
    """The date `n` working days after `day` (before, for negative `n`); `n == 0` is `day`."""
    step = next_workday if n >= 0 else previous_workday
    for _ in range(abs(n)):
        day = step(day)
    return day


def workdays_between(start: dt.date, end: dt.date) -> int:
    """How many working days lie in (start, end]; negative when end is before start."""
    if end < start:
        return -workdays_between(end, start)
    count = 0
    day = start
    while day < end:
        day += ONE_DAY
        if is_workday(day):
            count += 1
    return count


def add_workdays_keep_time(moment: dt.datetime, n: int) -> dt.datetime:
    """`n` working days later at the same local clock time (a 2-working-day resolve time)."""
    local = moment
    target = add_workdays(local.date(), n)
    return local.replace(year=target.year, month=target.month, day=target.day)


def align_to_working_time(moment: dt.datetime, day_start: dt.time, day_end: dt.time) -> dt.datetime:
    """The first working instant at or after `moment`."""
    tz = moment.tzinfo
    day = moment.date()
    clock = moment.timetz().replace(tzinfo=None)
    if is_workday(day) and day_start <= clock < day_end:
        return moment
    if is_workday(day) and clock < day_start:
        return dt.datetime.combine(day, day_start, tzinfo=tz)
    return dt.datetime.combine(next_workday(day), day_start, tzinfo=tz)


def add_working_hours(
    moment: dt.datetime,
    hours: float | Decimal | int,
    *,
    day_start: dt.time,
    day_end: dt.time,
) -> dt.datetime:
    """Add `hours` of office time (between `day_start` and `day_end` on working days).

    A start outside office hours counts from the next opening. The result is always inside
    office hours or exactly at a closing time.
    """
    if day_end <= day_start:
        raise ValueError("office hours must end after they start")
    if hours < 0:
        raise ValueError("hours must not be negative")
    remaining = dt.timedelta(hours=float(hours))
    tz = moment.tzinfo
    current = align_to_working_time(moment, day_start, day_end)
    while True:
        closing = dt.datetime.combine(current.date(), day_end, tzinfo=tz)
        available = closing - current
        if remaining <= available:
            return current + remaining
        remaining -= available
        current = dt.datetime.combine(next_workday(current.date()), day_start, tzinfo=tz)


def working_hours_between(
    start: dt.datetime, end: dt.datetime, *, day_start: dt.time, day_end: dt.time
) -> float:
    """Office hours elapsed from `start` to `end` (0 when end is not after start)."""
    if end <= start:
        return 0.0
    tz = start.tzinfo
    total = dt.timedelta()
    day = start.date()
    while day <= end.date():
        if is_workday(day):
            opening = dt.datetime.combine(day, day_start, tzinfo=tz)
            closing = dt.datetime.combine(day, day_end, tzinfo=tz)
            lo, hi = max(opening, start), min(closing, end)
            if hi > lo:
                total += hi - lo
        day += ONE_DAY
    return total.total_seconds() / 3600
