"""The cadence arithmetic: windows, spreading, and coarse cadences filling only what finer
ones leave."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from linli.care.visits.schedule import add_months, due_in_month, month_end, month_index, slots

Y2026 = month_index(dt.date(2026, 1, 1))


def test_monthly_cadence_is_due_every_month():
    assert [s.due - Y2026 for s in slots({1: 1}, Y2026, Y2026 + 11)] == list(range(12))


def test_quarterly_visit_falls_in_one_month_of_each_quarter_by_customer():
    for spread in range(6):
        dues = [s.due - Y2026 for s in slots({3: 1}, Y2026, Y2026 + 11, spread=spread)]
        assert dues == [q * 3 + spread % 3 for q in range(4)]
        assert all(
            s.window_start - Y2026 == q * 3
            for q, s in enumerate(slots({3: 1}, Y2026, Y2026 + 11, spread=spread))
        )


def test_quarter_and_twice_a_year_make_four_visits_not_six():
    """The policy minimum: the quarterly visits already give two per year."""
    assert len(slots({3: 1, 12: 2}, Y2026, Y2026 + 11, spread=4)) == 4


def test_twice_a_year_alone_gives_one_visit_per_half():
    dues = [s.due - Y2026 for s in slots({12: 2}, Y2026, Y2026 + 11, spread=7)]
    assert dues == [1, 7]


def test_coarse_cadence_adds_what_the_finer_one_lacks():
    # once every six months plus four a year: two from the half-years, two more from the year
    assert len(slots({6: 1, 12: 4}, Y2026, Y2026 + 11)) == 4
    assert len(slots({6: 1, 12: 3}, Y2026, Y2026 + 11)) == 3


def test_several_visits_a_month():
    month = dt.date(2026, 3, 1)
    assert len(due_in_month({1: 2}, month)) == 2


def test_zero_times_plans_nothing():
    assert slots({3: 0}, Y2026, Y2026 + 11) == []


def test_month_helpers():
    assert month_end(month_index(dt.date(2028, 2, 10))) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2026, 12, 31), 2) == dt.date(2027, 2, 28)


@given(
    months=st.sampled_from([1, 2, 3, 4, 6, 12]),
    times=st.integers(min_value=1, max_value=6),
    spread=st.integers(min_value=0, max_value=10_000),
)
def test_every_window_gets_exactly_its_visits_inside_it(months, times, spread):
    found = slots({months: times}, Y2026, Y2026 + 23, spread=spread)
    assert len(found) == times * 24 // months
    for slot in found:
        assert slot.window_start <= slot.due < slot.window_start + months
