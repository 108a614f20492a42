"""The lunar birthday rule of docs/decisions/0010-lunar-birthdays.md."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from lunardate import LunarDate

from linli.care.outreach import lunar


def born(year: int, month: int, day: int, leap: bool = False) -> dt.date:
    return LunarDate(year, month, day, leap).to_solar_date()


def test_ordinary_lunar_birthday_is_the_same_lunar_day_each_year():
    birthday = born(1960, 8, 15)
    assert lunar.lunar_birthday(birthday, 2026) == dt.date(2026, 9, 25)  # 中秋 2026
    assert lunar.lunar_birthday(birthday, 2025) == LunarDate(2025, 8, 15).to_solar_date()


def test_leap_month_birthday_falls_in_the_ordinary_month_when_the_year_has_no_such_leap_month():
    birthday = born(1987, 6, 15, leap=True)  # 1987 闰六月十五
    assert birthday == dt.date(1987, 8, 9)
    assert lunar.leap_month(2026) is None
    assert lunar.lunar_birthday(birthday, 2026) == dt.date(2026, 7, 28)  # 2026 六月十五


def test_leap_month_birthday_stays_in_the_leap_month_when_the_year_has_it():
    birthday = born(1987, 6, 15, leap=True)
    assert lunar.leap_month(2025) == 6
    assert lunar.lunar_birthday(birthday, 2025) == LunarDate(2025, 6, 15, True).to_solar_date()
    # someone born in the ordinary sixth month keeps the ordinary month in 2025
    assert lunar.lunar_birthday(born(1987, 6, 15), 2025) == LunarDate(2025, 6, 15).to_solar_date()


def test_thirtieth_falls_on_the_29th_when_the_month_is_short_that_year():
    birthday = born(1960, 5, 30)
    assert lunar.month_days(2026, 5) == 29
    assert lunar.lunar_birthday(birthday, 2026) == LunarDate(2026, 5, 29).to_solar_date()
    assert lunar.month_days(2026, 3) == 30
    assert lunar.lunar_birthday(born(1960, 3, 30), 2026) == LunarDate(2026, 3, 30).to_solar_date()


def test_thirtieth_of_a_leap_month_combines_both_rules():
    birthday = born(1952, 5, 30, leap=True)  # 1952 闰五月三十
    assert lunar.lunar_birthday(birthday, 2026) == LunarDate(2026, 5, 29).to_solar_date()


def test_no_birthday_before_birth_or_outside_the_calendar():
    assert lunar.lunar_birthday(dt.date(2000, 1, 1), 1990) is None
    assert lunar.lunar_birthday(dt.date(2000, 6, 1), 2000) is None  # the day of birth itself
    assert lunar.lunar_birthday(dt.date(1960, 1, 1), 2100) is None


def test_solar_anniversary_of_29_february_is_28_february_in_common_years():
    assert lunar.anniversary_in(dt.date(2000, 2, 29), 2026) == dt.date(2026, 2, 28)
    assert lunar.anniversary_in(dt.date(2000, 2, 29), 2028) == dt.date(2028, 2, 29)


def test_festivals_of_2026():
    assert lunar.festivals_on(dt.date(2026, 2, 17)) == ["spring_festival"]
    assert lunar.festivals_on(dt.date(2026, 3, 3)) == ["lantern"]
    assert lunar.festivals_on(dt.date(2026, 6, 19)) == ["dragon_boat"]
    assert lunar.festivals_on(dt.date(2026, 9, 25)) == ["mid_autumn"]
    assert lunar.festivals_on(dt.date(2026, 10, 18)) == ["double_ninth"]  # 重阳 = 九月初九
    assert lunar.festivals_on(dt.date(2026, 10, 1)) == ["national_day"]
    assert lunar.festivals_on(dt.date(2026, 12, 31)) == ["year_end"]
    assert lunar.festivals_on(dt.date(2026, 3, 4)) == []


def test_the_inverse_lookup_finds_exactly_the_birth_dates_celebrated_on_a_day():
    day = LunarDate(2026, 5, 29).to_solar_date()  # short month: 29th and 30th births land here
    found = set(lunar.birth_dates_with_lunar_birthday_on(day))
    assert born(1960, 5, 30) in found and born(1960, 5, 29) in found
    assert born(1952, 5, 30, leap=True) in found
    assert born(1960, 5, 28) not in found


@settings(max_examples=15, deadline=None)
@given(
    birthday=st.dates(min_value=dt.date(1901, 3, 1), max_value=dt.date(2025, 12, 31)),
    year=st.integers(min_value=2026, max_value=2040),
)
def test_every_lunar_birthday_is_found_by_the_inverse_lookup(birthday, year):
    day = lunar.lunar_birthday(birthday, year)
    assert day is not None
    assert birthday in lunar.birth_dates_with_lunar_birthday_on(day)
    assert lunar.lunar_of(day).year == year


def test_the_inverse_lookup_equals_a_day_by_day_brute_force():
    for day in (dt.date(2026, 7, 28), LunarDate(2026, 12, 29).to_solar_date()):
        year = lunar.lunar_of(day).year
        brute, born_on = set(), dt.date(1900, 1, 31)
        while born_on <= day:
            if lunar.lunar_birthday(born_on, year) == day:
                brute.add(born_on)
            born_on += dt.timedelta(days=1)
        assert set(lunar.birth_dates_with_lunar_birthday_on(day)) == brute
