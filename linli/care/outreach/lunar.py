"""Lunar dates for the care calendar: festivals and lunar birthdays (docs/decisions/0010).

A lunar birthday is kept as the solar date of birth with "celebrates the lunar birthday" set;
its lunar month and day are found with `lunardate` (years 1900–2099). The day it is celebrated
in a lunar year follows one rule for the dates that year lacks:

- born in a leap month (闰月): celebrated in that leap month when the year has the same leap
  month, otherwise in the ordinary month of the same number;
- born on the 30th: when that month has 29 days in the year, celebrated on the 29th (the month's
  last day).

Solar birthdays and move-in anniversaries on 29 February fall on 28 February in common years.
"""

from __future__ import annotations

import calendar
import datetime as dt
from functools import lru_cache

from lunardate import LunarDate

FIRST_YEAR, LAST_YEAR = 1900, 2099

# Traditional festivals on the lunar calendar: occasion code → (lunar month, day).
LUNAR_FESTIVALS: dict[str, tuple[int, int]] = {
    "spring_festival": (1, 1),
    "lantern": (1, 15),
    "dragon_boat": (5, 5),
    "mid_autumn": (8, 15),
    "double_ninth": (9, 9),
}
# Statutory festivals on the solar calendar, and the year-end card (the last day of the year).
SOLAR_FESTIVALS: dict[str, tuple[int, int]] = {
    "new_year": (1, 1),
    "national_day": (10, 1),
    "year_end": (12, 31),
}


@lru_cache(maxsize=4096)
def lunar_of(day: dt.date) -> LunarDate:
    return LunarDate.from_solar_date(day.year, day.month, day.day)


@lru_cache(maxsize=8192)
def month_days(year: int, month: int, leap: bool = False) -> int:
    """Days of a lunar month (29 or 30); ValueError when the year has no such month."""
    try:
        LunarDate(year, month, 30, leap).to_solar_date()
    except ValueError:
        LunarDate(year, month, 29, leap).to_solar_date()  # raises when the month is missing
        return 29
    return 30


def leap_month(year: int) -> int | None:
    return LunarDate.leap_month_for_year(year)


def lunar_birthday(birthday: dt.date, year: int) -> dt.date | None:
    """The solar date of the lunar birthday of someone born on `birthday` in lunar year `year`
    (None outside the calendar's range, and up to the lunar year of birth: the first birthday
    falls in the next lunar year)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    try:
        born = lunar_of(birthday)
    except ValueError:
        return None
    if year <= born.year:
        return None
    leap = born.is_leap_month and leap_month(year) == born.month
    day = min(born.day, month_days(year, born.month, leap))
    return LunarDate(year, born.month, day, leap).to_solar_date()


def lunar_birthdays_between(birthday: dt.date, start: dt.date, end: dt.date) -> list[dt.date]:
    """The lunar birthdays of `birthday` falling within [start, end] (solar dates)."""
    days = []
    for year in range(lunar_of(start).year, lunar_of(end).year + 1):
        day = lunar_birthday(birthday, year)
        if day is not None and start <= day <= end:
            days.append(day)
    return days


@lru_cache(maxsize=64)
def birth_dates_with_lunar_birthday_on(day: dt.date) -> tuple[dt.date, ...]:
    """Every solar date of birth (lunar years 1900 up to the one before `day`'s) whose lunar
    birthday is celebrated on `day`.

    Lets the daily sweep find lunar birthdays with one `birthday IN (…)` query instead of
    converting every customer's birthday. The candidates are exactly the inverse of
    `lunar_birthday` (the tests compare both ways, and with a day-by-day brute force).
    """
    today = lunar_of(day)
    year, month, date, leap = today.year, today.month, today.day, today.is_leap_month
    wanted = {(month, date, leap)}
    if not leap and leap_month(year) != month:
        wanted.add((month, date, True))  # born in a leap month the year lacks
    if date == 29 and month_days(year, month, leap) == 29:
        wanted |= {(m, 30, lp) for m, _d, lp in wanted}  # born on a 30th the month lacks
    dates = []
    for born_year in range(FIRST_YEAR, year):
        for m, d, lp in wanted:
            try:
                candidate = LunarDate(born_year, m, d, lp).to_solar_date()
            except ValueError:
                continue
            dates.append(candidate)
    return tuple(sorted(dates))


def lunar_festival(code: str, year: int) -> dt.date:
    month, day = LUNAR_FESTIVALS[code]
    return LunarDate(year, month, day).to_solar_date()


def festivals_on(day: dt.date) -> list[str]:
    """Occasion codes of the festivals (and the year-end card) falling on a solar date."""
    codes = [code for code, md in SOLAR_FESTIVALS.items() if (day.month, day.day) == md]
    try:
        lunar = lunar_of(day)
    except ValueError:
        return codes
    if not lunar.is_leap_month:
        codes += [code for code, md in LUNAR_FESTIVALS.items() if (lunar.month, lunar.day) == md]
    return codes


def anniversary_in(day_of_year: dt.date, year: int) -> dt.date:
    """The solar anniversary of a date in `year` (29 February → 28 February in common years)."""
    if (day_of_year.month, day_of_year.day) == (2, 29) and not calendar.isleap(year):
        return dt.date(year, 2, 28)
    return day_of_year.replace(year=year)
