"""Cadences → due months: pure arithmetic, no database.

A cadence "T visits every N months" splits time into windows of N months aligned on the
calendar (N = 3: quarters, 12: years; the window of month index i is i // N). Visit k of a
window is due by the end of a month inside the k-th T-th part of the window; which month
of that part depends on the customer (`spread`), so an office's quarterly visits fall evenly
over the quarter's three months instead of all in its last one.

Several cadences of one visitor combine: the finest is planned in full; a coarser one only
adds the visits its window still lacks. With the policy defaults (once a quarter, twice a
year) a household gets four visits a year — the quarterly ones already make two per year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def month_start(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(index: int) -> dt.date:
    return month_start(index + 1) - dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = month_index(day) + months
    last = month_end(index).day
    return dt.date(index // 12, index % 12 + 1, min(day.day, last))


@dataclass(frozen=True)
class Slot:
    window_start: int  # month index
    due: int  # month index of the due month
    per_months: int


def _positions(months: int, times: int, window: int, spread: int) -> list[int]:
    """The due month index of each of the `times` visits of a window."""
    start = window * months
    result = []
    for k in range(times):
        base = (k * months) // times
        span = max(1, ((k + 1) * months) // times - base)
        result.append(start + base + spread % span)
    return result


@lru_cache(maxsize=4096)
def _slots(
    cadences: tuple[tuple[int, int], ...], first: int, last: int, spread: int
) -> tuple[Slot, ...]:
    result: list[Slot] = []
    done: list[tuple[int, int]] = []
    for months, times in sorted(cadences):
        if times <= 0 or months <= 0:
            continue
        for window in range(first // months, last // months + 1):
            start, end = window * months, window * months + months - 1
            finer = len(_slots(tuple(done), start, end, spread)) if done else 0
            missing = times - finer
            if missing <= 0:
                continue
            for due in _positions(months, times, window, spread)[-missing:]:
                if first <= due <= last:
                    result.append(Slot(start, due, months))
        done.append((months, times))
    result.sort(key=lambda s: (s.due, s.per_months))
    return tuple(result)


def slots(cadences: dict[int, int], first: int, last: int, *, spread: int = 0) -> list[Slot]:
    """Every visit due in months [first, last] (indexes) for {per_months: times}."""
    return list(_slots(tuple(sorted(cadences.items())), first, last, spread))


def due_in_month(cadences: dict[int, int], month: dt.date, *, spread: int = 0) -> list[Slot]:
    index = month_index(month)
    return slots(cadences, index, index, spread=spread)
