"""The monthly figures (`TicketMonth`, `ReturnVisitMonth`) follow every write through the
database triggers: after each step below they equal the figures recomputed with the ORM
(`rollup.check` finds no drift). Runs on SQLite and on PostgreSQL (two trigger dialects)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils import timezone

from linli.tickets import rollup, services
from linli.tickets.models import ReturnVisit, ReturnVisitMonth, Status, Ticket, TicketMonth
from linli.tickets.testing import make_ticket


def figures(community_id: int, kind: str) -> dict[str, int]:
    rows = TicketMonth.objects.filter(community_id=community_id, kind=kind)
    return {n: sum(getattr(r, n) for r in rows) for n in rollup.TICKET_FIGURES}


def test_open_tickets_are_not_rolled_up_and_settling_one_adds_it(world):
    ticket = make_ticket(world.ch, actor=world.steward, kind="repair")
    assert figures(world.ch.pk, "repair")["received"] == 0  # open: read live
    ticket = services.resolve(ticket, actor=world.steward, resolution="修好了")
    assert figures(world.ch.pk, "repair") == {
        "received": 1, "respond_due": 1, "respond_on_time": 1, "resolve_due": 1, "resolve_on_time": 1,
    }  # fmt: skip
    month = TicketMonth.objects.get(community=world.ch, kind="repair").month
    assert month == timezone.localtime(ticket.opened_at).date().replace(day=1)
    assert rollup.check(repair=False) == []


def test_every_step_of_a_ticket_keeps_the_figures_exact(world):
    ticket = make_ticket(world.ch, actor=world.steward, kind="repair")
    complaint = make_ticket(world.ch, actor=world.steward)
    assert rollup.check(repair=False) == []
    ticket = services.resolve(ticket, actor=world.steward, resolution="修好了")
    visit = ticket.return_visits.get()
    ticket = services.record_return_visit(
        visit, actor=world.steward, method="phone", satisfaction=1, words="还是漏水"
    )
    assert ticket.status == Status.IN_PROGRESS  # reopened: out of the roll-up again
    assert figures(world.ch.pk, "repair")["received"] == 0
    done = ReturnVisitMonth.objects.filter(community=world.ch)
    assert sum(r.visits_done for r in done) == sum(r.visits_rated for r in done) == 1
    assert rollup.check(repair=False) == []
    ticket = services.resolve(ticket, actor=world.steward, resolution="换了水管")
    services.cancel(complaint, actor=world.steward, reason="客户撤回")
    assert figures(world.ch.pk, "complaint") == {
        "received": 1, "respond_due": 0, "respond_on_time": 0, "resolve_due": 0, "resolve_on_time": 0,
    }  # fmt: skip
    assert rollup.check(repair=False) == []


def test_writes_outside_the_services_are_followed_too(world):
    """A bulk update, a change of opening month and a delete move the counts as well."""
    tickets = [make_ticket(world.ch, actor=world.steward, kind="repair") for _ in range(3)]
    now = timezone.now()
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(
        status=Status.CLOSED, resolved_at=now, closed_at=now
    )
    assert figures(world.ch.pk, "repair")["received"] == 3
    Ticket.objects.filter(pk=tickets[0].pk).update(opened_at=now - dt.timedelta(days=400))
    Ticket.objects.filter(pk=tickets[1].pk).update(respond_by=now - dt.timedelta(days=30))
    ReturnVisit.objects.create(
        community=world.ch, ticket=tickets[2], due_at=now, done_at=now, satisfaction=4
    )
    assert rollup.check(repair=False) == []
    ReturnVisit.objects.all().delete()
    tickets[2].events.all().delete()
    Ticket.objects.filter(pk=tickets[2].pk).delete()
    assert figures(world.ch.pk, "repair")["received"] == 2
    assert rollup.check(repair=False) == []


def test_a_save_that_changes_nothing_counted_moves_nothing(world):
    ticket = make_ticket(world.ch, actor=world.steward, kind="repair")
    ticket = services.resolve(ticket, actor=world.steward, resolution="修好了")
    before = figures(world.ch.pk, "repair")
    ticket.title = "改个标题"
    ticket.save()
    assert figures(world.ch.pk, "repair") == before
    assert rollup.check(repair=False) == []


def test_check_reports_drift_and_repairs_it(world):
    ticket = make_ticket(world.ch, actor=world.steward, kind="repair")
    services.resolve(ticket, actor=world.steward, resolution="修好了")
    TicketMonth.objects.filter(community=world.ch).update(received=7)
    drift = rollup.check()
    assert len(drift) == 1 and "stored" in drift[0]
    assert rollup.check(repair=False) == []
    assert figures(world.ch.pk, "repair")["received"] == 1


def test_installing_on_a_database_with_tickets_fills_the_tables(world):
    """What the migration does on an existing database: the triggers' own sums fill them."""
    for kind in ("repair", "complaint", "praise"):
        ticket = make_ticket(world.ch, actor=world.steward, kind=kind)
        if kind != "complaint":
            services.resolve(ticket, actor=world.steward, resolution="好了")
    expected = (rollup.expected_ticket_months(), rollup.expected_visit_months())
    assert expected[0]
    TicketMonth.objects.all().delete()
    ReturnVisitMonth.objects.all().delete()
    rollup.install(connection, fill=True)
    assert (rollup.stored_ticket_months(), rollup.stored_visit_months()) == expected
    assert rollup.rebuild() == (len(expected[0]), len(expected[1]))
    assert rollup.check(repair=False) == []


def test_reinstalling_on_postgresql_never_drops_a_trigger():
    """DROP TRIGGER locks the table against readers too; the nightly check reinstalls."""
    statements = rollup.trigger_sql("postgresql")
    assert statements and not [s for s in statements if "DROP" in s.upper()]
    assert sum("CREATE OR REPLACE TRIGGER" in s for s in statements) == 2


def test_a_change_of_time_zone_is_repaired_by_the_check(world, settings):
    """The trigger text holds the zone it was installed with; the daily check reinstalls it
    and rebuilds, so months follow the new zone from then on."""
    ticket = make_ticket(world.ch, actor=world.steward, kind="repair")
    Ticket.objects.filter(pk=ticket.pk).update(
        opened_at=dt.datetime(2026, 2, 28, 20, 0, tzinfo=dt.UTC)  # March 1st in Shanghai
    )
    services.resolve(Ticket.objects.get(pk=ticket.pk), actor=world.steward, resolution="好了")
    assert TicketMonth.objects.get().month == dt.date(2026, 3, 1)
    settings.TIME_ZONE = "UTC"
    assert len(rollup.check()) == 2  # March gone, February there
    assert TicketMonth.objects.filter(received__gt=0).get().month == dt.date(2026, 2, 1)
    ticket = Ticket.objects.get(pk=ticket.pk)
    services.reopen(ticket, actor=world.steward, reason="又坏了")
    services.resolve(Ticket.objects.get(pk=ticket.pk), actor=world.steward, resolution="好了")
    assert rollup.check(repair=False) == []


def test_a_removal_never_creates_a_row(world):
    """Taking a contribution back only updates its row: emptying the figures first and the
    tickets after (Django's flush on SQLite, table by table) leaves nothing behind that could
    point at a deleted community."""
    ticket = make_ticket(world.ch, actor=world.steward, kind="repair")
    ticket = services.resolve(ticket, actor=world.steward, resolution="修好了")
    TicketMonth.objects.all().delete()
    ReturnVisitMonth.objects.all().delete()
    ReturnVisit.objects.filter(ticket=ticket).update(done_at=timezone.now(), satisfaction=5)
    ReturnVisit.objects.all().delete()
    ticket.events.all().delete()
    Ticket.objects.filter(pk=ticket.pk).delete()
    assert not TicketMonth.objects.exists()
    assert not ReturnVisitMonth.objects.filter(visits_due__lt=0).exists()
