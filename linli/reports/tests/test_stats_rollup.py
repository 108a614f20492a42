"""A monthly trend read from the monthly figures (settled tickets, done visits) plus the live
rest gives exactly what counting every ticket live gives — on the hand-built March of
`test_stats` and on tickets in every state across a year and a half."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from types import SimpleNamespace
from typing import Any

import pytest

from linli.reports import statistics
from linli.reports.periods import Trend, make_period
from linli.reports.tests.test_stats import MARCH, NOW, at, march, ticket, visit  # noqa: F401
from linli.tickets import rollup
from linli.tickets.models import TicketMonth


@pytest.fixture
def year_of_tickets(march: dict[str, Any], world: Any) -> None:  # noqa: F811
    """~120 tickets from January 2025 to April 2026 in CH and JG, in every state the figures
    distinguish: open, resolved without a recorded response, late, cancelled, no resolve
    deadline, reopened; visits done, not done, due before and after "now", done before they
    were due."""
    rng = random.Random(2026)
    for _ in range(120):
        community = rng.choice([world.ch, world.ch, world.jg])
        opened = at(1, 1) - dt.timedelta(days=365) + dt.timedelta(hours=rng.randrange(24 * 465))
        opened = min(opened, NOW - dt.timedelta(hours=1))
        state = rng.choice(
            ["closed", "late", "open", "cancelled", "unresponded", "praise", "resolved"]
        )
        fields: dict[str, Any] = {
            "responded_at": opened + dt.timedelta(hours=rng.choice([1, 30])),
            "resolve_by": opened + dt.timedelta(days=3),
            "resolved_at": opened + dt.timedelta(days=rng.choice([1, 2, 5])),
        }
        kind = rng.choice(["repair", "complaint", "enquiry", "suggestion"])
        if state == "open":
            fields.update(status="in_progress", resolved_at=None)
        elif state == "cancelled":
            fields.update(status="cancelled", resolved_at=None)
        elif state == "unresponded":
            fields.update(status="resolved", responded_at=None)
        elif state == "praise":
            kind = "praise"
            fields.update(resolve_by=None, resolved_at=None)
        elif state == "resolved":
            fields.update(status="resolved")
        made = ticket(community, kind, opened, **fields)
        if made.resolved_at and rng.random() < 0.7:
            due = made.resolved_at + dt.timedelta(days=3)
            done = due - dt.timedelta(days=1) if due < NOW and rng.random() < 0.8 else None
            if due >= NOW and made.resolved_at < NOW - dt.timedelta(hours=2) and rng.random() < 0.6:
                done = NOW - dt.timedelta(hours=2)  # done early: due after "now"
            visit(made, due, done, rng.choice([1, 2, 3, 4, 5]) if done else None)
    # Resolved two days before "now", visited this morning, due after the trend that runs to
    # today ends: a done visit of the current month that a to-today trend must not count.
    early = ticket(world.ch, "repair", at(4, 7), resolve_by=at(4, 10), resolved_at=at(4, 8))
    visit(early, at(4, 13), NOW - dt.timedelta(hours=2), 5)
    assert TicketMonth.objects.exists()


def _as_dicts(rows: list[statistics.Figures]) -> list[dict[str, Any]]:
    return [dataclasses.asdict(r) for r in rows]


def _both_ways(
    user: Any, community_id: int | None, trend: Trend, monkeypatch: pytest.MonkeyPatch
) -> tuple[Any, Any]:
    rolled = statistics._trend(user, community_id, trend, NOW, 30)
    with monkeypatch.context() as patch:
        patch.setattr(Trend, "rolled_months", lambda self: [])
        live = statistics._trend(user, community_id, trend, NOW, 30)
    return (_as_dicts(rolled[0]), rolled[1]), (_as_dicts(live[0]), live[1])


@pytest.mark.parametrize(
    "trend",
    [
        Trend("month", dt.date(2025, 4, 1), dt.date(2026, 3, 31)),  # whole months
        Trend("month", dt.date(2025, 5, 1), dt.date(2026, 4, 10)),  # runs to today
        Trend("month", dt.date(2025, 1, 15), dt.date(2026, 2, 20)),  # partial months at both ends
    ],
    ids=["whole", "to-today", "partial"],
)
def test_monthly_trend_from_the_rollup_equals_counting_live(
    year_of_tickets, trend, hq_admin, office_manager, monkeypatch, world
):
    assert trend.rolled_months()  # at least one month read whole
    for user, community_id in (
        (hq_admin, None), (hq_admin, world.jg.pk), (office_manager, None),
    ):  # fmt: skip
        rolled, live = _both_ways(user, community_id, trend, monkeypatch)
        assert rolled == live
    assert rollup.check(repair=False) == []


def test_which_months_are_read_whole():
    whole = Trend("month", dt.date(2025, 4, 1), dt.date(2026, 3, 31))
    assert len(whole.rolled_months()) == 12
    partial = Trend("month", dt.date(2025, 1, 15), dt.date(2026, 2, 20))
    assert partial.rolled_months()[0] == dt.date(2025, 2, 1)
    assert partial.rolled_months()[-1] == dt.date(2026, 1, 1)
    assert Trend("week", dt.date(2026, 1, 5), dt.date(2026, 3, 29)).rolled_months() == []
    to_today = Trend("month", dt.date(2025, 5, 1), dt.date(2026, 4, 10))
    assert to_today.rolled_months()[-1] == dt.date(2026, 3, 1)  # April so far: counted live


def test_the_march_bucket_of_the_monthly_trend_matches_the_counted_month(march, office_manager):  # noqa: F811
    """The rolled-up March bucket has the figures of March counted live by the period's own
    query (whose numbers `test_stats` checks by hand: received 8, T1–T8)."""
    month = make_period("month", "2026-03", today=dt.date(2026, 4, 10))
    result = statistics.ticket_report(office_manager, community_id=None, period=month, now=NOW)
    counted = statistics.ticket_report(office_manager, community_id=None, period=MARCH, now=NOW)
    march_bucket = result.trend_rows[-1]
    assert march_bucket.received == counted.total.received == 8
    for name in statistics.TREND_FIGURES:
        assert getattr(march_bucket, name) == getattr(counted.total, name), name


def test_the_rates_chart_shows_the_lowest_groups_when_there_are_too_many():
    from linli.reports import stats_views

    rows = [
        statistics.Figures(key=i, label=f"C{i:03d}", resolve_due=10, resolve_on_time=10 - i % 10)
        for i in range(30)
    ] + [statistics.Figures(key=99, label="无解决期限")]
    shown, selected = stats_views.rate_chart_rows(SimpleNamespace(rows=rows))  # type: ignore[arg-type]
    assert selected and len(shown) == stats_views.RATE_CHART_GROUPS
    assert [r.resolve_rate for r in shown[:3]] == [10.0, 10.0, 10.0]  # 1 of 10 on time
    assert all(r.label != "无解决期限" for r in shown)  # no rate: last, cut off
    few, selected = stats_views.rate_chart_rows(SimpleNamespace(rows=rows[:5]))  # type: ignore[arg-type]
    assert few == rows[:5] and not selected
    # The selection is drawn as a ranking: the resolve rate alone, the names down the side.
    report = SimpleNamespace(rows=rows, trend_rows=[], trend_kinds={})
    rates = stats_views.chart_specs(report)["rates"]  # type: ignore[arg-type]
    assert rates["horizontal"] and [s["name"] for s in rates["series"]] == ["按时解决率"]
    assert rates["labels"] == [r.label for r in shown]
    rates = stats_views.chart_specs(SimpleNamespace(rows=rows[:5], trend_rows=[], trend_kinds={}))[
        "rates"
    ]  # type: ignore[arg-type]
    assert not rates["horizontal"] and len(rates["series"]) == 2
