"""The demo's year of tickets, at a small scale: plausible states, made through the services."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.core.management import call_command
from django.db.models import Count, F
from django.utils import timezone

from linli.notify.models import Message
from linli.org.models import Community
from linli.tickets.models import ReturnVisit, Ticket, TicketEvent


def test_demo_loads_a_year_of_tickets_in_each_community(db):
    started = timezone.now()
    call_command("demo", "--seed", "11", "--households", "20")
    assert timezone.now() > started  # the real clock is back
    per_community = dict(Ticket.objects.values_list("community__code").annotate(n=Count("pk")))
    assert set(per_community) == set(Community.objects.values_list("code", flat=True))
    assert all(12 <= n <= 30 for n in per_community.values()), per_community  # ~1 per household
    opened = list(Ticket.objects.order_by("opened_at").values_list("opened_at", flat=True))
    first, last = opened[0], opened[-1]
    assert started - dt.timedelta(days=366) < first and last < started
    assert last - first > dt.timedelta(days=200)  # spread over the year

    statuses = Counter(Ticket.objects.values_list("status", flat=True))
    assert statuses["closed"] > 0.6 * sum(statuses.values())  # most are done
    assert (
        statuses["in_progress"] + statuses["accepted"] + statuses["dispatched"] + statuses["new"]
        >= 3
    )
    assert Ticket.objects.filter(
        status__in=["new", "accepted", "dispatched", "in_progress"], resolve_by__lt=started
    ).exists()  # overdue now
    assert TicketEvent.objects.filter(kind="escalated").values("ticket").distinct().count() >= 3
    assert (
        Ticket.objects.filter(reopened_count__gt=0).count() >= 3
    )  # one dissatisfied visit per community at least
    assert (
        Ticket.objects.filter(level="company").count() >= 6
    )  # a major one and a company-received one each
    assert Ticket.objects.filter(resolved_at__gt=F("resolve_by")).exists()  # some resolved late
    assert (
        Ticket.objects.filter(
            kind="complaint", validity="valid", status="closed", cause__isnull=True
        ).count()
        == 0
    )

    # History lies in the past, in order; return visits carry a realistic spread of satisfaction.
    assert not TicketEvent.objects.filter(at__gt=timezone.now()).exists()
    done = ReturnVisit.objects.filter(done_at__isnull=False)
    assert done.count() > 0.5 * ReturnVisit.objects.count()
    assert done.filter(satisfaction__gte=4).count() > done.filter(satisfaction__lte=2).count()
    # The year's messages were delivered back then; the worker is not left to send them today.
    old = Message.objects.filter(created_at__lt=started - dt.timedelta(days=4))
    assert old.exists() and not old.exclude(status="sent").exists()
