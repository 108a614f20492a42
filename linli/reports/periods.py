"""Reporting periods: a week, month, quarter or year chosen from a list, or any date range.

Boundaries are whole local days (Asia/Shanghai by default); a period's `end` is exclusive.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# ----------------------------------------------------------------------------------
PERIOD_KINDS: tuple[tuple[str, Any], ...] = (
    ("week", gettext_lazy("周")),
    ("month", gettext_lazy("月")),
    ("quarter", gettext_lazy("季度")),
    ("year", gettext_lazy("年")),
    ("custom", gettext_lazy("自定义")),
)


@dataclass(frozen=True)
class Period:
    """Whole local days from `first` to `last` (both included)."""

    kind: str
    first: dt.date
    last: dt.date
    value: str = ""

    @property
    def start(self) -> dt.datetime:
        return _local_midnight(self.first)

    @property
    def end(self) -> dt.datetime:
        """Exclusive."""
        return _local_midnight(self.last + dt.timedelta(days=1))

    @property
    def label(self) -> str:
        return period_label(self.kind, self.first, self.last)

    def trend(self) -> Trend:
        """The trend beside the figures: 12 weeks or 12 months ending with the period."""
        if self.kind == "week":
            return Trend("week", self.first - dt.timedelta(weeks=11), self.last)
        if self.kind == "custom":
            unit = "week" if (self.last - self.first).days <= 92 else "month"
            return Trend(unit, self.first, self.last)
        if self.kind == "year":
            return Trend("month", self.first, self.last)
        return Trend("month", _add_months(_month_start(self.last), -11), self.last)


@dataclass(frozen=True)
class Trend:
    unit: str  # week | month
    first: dt.date
    last: dt.date

    @property
    def start(self) -> dt.datetime:
        return _local_midnight(self.first)

    @property
    def end(self) -> dt.datetime:
        return _local_midnight(self.last + dt.timedelta(days=1))

    def buckets(self) -> list[dt.date]:
        day = _monday(self.first) if self.unit == "week" else _month_start(self.first)
        result = []
        while day <= self.last:
            result.append(day)
            day = day + dt.timedelta(weeks=1) if self.unit == "week" else _add_months(day, 1)
        return result

    def rolled_months(self) -> list[dt.date]:
        """The months of a monthly trend whose figures may be read whole from a monthly
        roll-up: those wholly inside the trend. A partial month is counted live, also the
        current one of a trend that ends today: its roll-up row holds visits done early but due
        after the trend's end, which the trend does not count. Weekly trends are counted live."""
        if self.unit != "month":
            return []
        return [
            month
            for month in self.buckets()
            if month >= self.first and _local_midnight(_add_months(month, 1)) <= self.end
        ]

    @staticmethod
    def span_of_months(months: list[dt.date]) -> tuple[dt.datetime, dt.datetime]:
        """From the local midnight starting the first month to the one ending the last."""
        return _local_midnight(months[0]), _local_midnight(_add_months(months[-1], 1))

    def bucket_label(self, day: dt.date) -> str:
        if self.unit == "week":
            return day.strftime("%m-%d")
        return _("%(y)s年%(m)s月") % {"y": day.year, "m": day.month}

    def trunc(self, field_name: str) -> Any:
        tz = timezone.get_current_timezone()
        return (
            TruncWeek(field_name, tzinfo=tz)
            if self.unit == "week"
            else TruncMonth(field_name, tzinfo=tz)
        )


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def period_value(kind: str, day: dt.date) -> str:
    """The selector value of the period of `kind` containing `day`."""
    if kind == "week":
        year, week, _weekday = day.isocalendar()
        return f"{year}-W{week:02d}"
    if kind == "month":
        return f"{day.year}-{day.month:02d}"
    if kind == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def period_bounds(kind: str, value: str) -> tuple[dt.date, dt.date]:
    """First and last day of a week/month/quarter/year value; ValueError when malformed."""
    if kind == "week":
        year, week = value.split("-W")
        first = dt.date.fromisocalendar(int(year), int(week), 1)
        return first, first + dt.timedelta(days=6)
    if kind == "month":
        year, month = value.split("-")
        first = dt.date(int(year), int(month), 1)
        return first, _add_months(first, 1) - dt.timedelta(days=1)
    if kind == "quarter":
        year, quarter = value.split("-Q")
        if not 1 <= int(quarter) <= 4:
            raise ValueError(value)
        first = dt.date(int(year), 3 * int(quarter) - 2, 1)
        return first, _add_months(first, 3) - dt.timedelta(days=1)
    if kind == "year":
        return dt.date(int(value), 1, 1), dt.date(int(value), 12, 31)
    raise ValueError(kind)


def period_label(kind: str, first: dt.date, last: dt.date) -> str:
    if kind == "week":
        year, week, _weekday = first.isocalendar()
        return _("%(y)s年第%(w)s周（%(a)s–%(b)s）") % {
            "y": year, "w": week, "a": first.strftime("%m-%d"), "b": last.strftime("%m-%d"),
        }  # fmt: skip
    if kind == "month":
        return _("%(y)s年%(m)s月") % {"y": first.year, "m": first.month}
    if kind == "quarter":
        return _("%(y)s年第%(q)s季度") % {"y": first.year, "q": (first.month - 1) // 3 + 1}
    if kind == "year":
        return _("%(y)s年") % {"y": first.year}
    return f"{first:%Y-%m-%d} – {last:%Y-%m-%d}"


def period_choices(kind: str, today: dt.date) -> list[tuple[str, str]]:
    """Recent periods of a kind, newest first (26 weeks, 24 months, 8 quarters, 5 years)."""
    if kind == "week":
        days = [_monday(today) - dt.timedelta(weeks=n) for n in range(26)]
    elif kind == "month":
        days = [_add_months(_month_start(today), -n) for n in range(24)]
    elif kind == "quarter":
        days = [_add_months(_quarter_start(today), -3 * n) for n in range(8)]
    elif kind == "year":
        days = [dt.date(today.year - n, 1, 1) for n in range(5)]
    else:
        return []
    result = []
    for day in days:
        value = period_value(kind, day)
        first, last = period_bounds(kind, value)
        result.append((value, period_label(kind, first, last)))
    return result


def make_period(
    kind: str, value: str = "", *, today: dt.date, since: dt.date | None = None,
    until: dt.date | None = None,
) -> Period:  # fmt: skip
    """The chosen period; a malformed value falls back to the current one of its kind."""
    if kind == "custom":
        last = until or today
        first = since or last - dt.timedelta(days=29)
        if first > last:
            first, last = last, first
        return Period("custom", first, last)
    if kind not in {k for k, _label in PERIOD_KINDS}:
        kind = "month"
    try:
        first, last = period_bounds(kind, value)
    except (ValueError, TypeError):
        value = period_value(kind, today)
        first, last = period_bounds(kind, value)
    return Period(kind, first, last, value)
