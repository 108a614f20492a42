"""Demo reception log and needs: deterministic, with content for today's end-of-day check."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from linli.care.reception.demo import load_demo
from linli.care.reception.models import (
    DailyCheck,
    NeedEvent,
    NeedStatus,
    Outcome,
    PersonalNeed,
    ReceptionEntry,
)
from linli.customers.demo import load_households
from linli.org.demo import load_organisation
from linli.org.models import Community


def _world(seed: int) -> None:
    load_organisation(seed)
    for community in Community.objects.all():
        load_households(community, seed, limit=25)


def test_the_demo_logs_months_of_contacts_and_needs_with_open_work_today(db):
    _world(7)
    made = load_demo(7)
    assert made["reception entries"] == ReceptionEntry.objects.count() > 500
    assert made["personalised needs"] == PersonalNeed.objects.count() > 100
    assert made["daily checks"] == DailyCheck.objects.count() > 0
    today = timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    for community in Community.objects.all():
        open_today = ReceptionEntry.objects.filter(
            community=community, received_at__gte=start, outcome=Outcome.FOLLOW_UP
        )
        assert open_today.count() >= 1, community.code
    oldest = ReceptionEntry.objects.order_by("received_at").first().received_at
    assert (timezone.now() - oldest).days >= 85
    statuses = set(PersonalNeed.objects.values_list("status", flat=True))
    assert {NeedStatus.PENDING, NeedStatus.DONE} <= statuses
    assert PersonalNeed.objects.filter(
        status__in=["pending", "in_progress"], due_on__lt=today
    ).exists()
    assert (
        NeedEvent.objects.filter(to_status="done").count()
        == PersonalNeed.objects.filter(status="done").count()
    )
    linked = ReceptionEntry.objects.filter(outcome=Outcome.NEED).select_related("need").first()
    assert linked is not None and linked.need.source_ref == str(linked.pk)
    months = {n.created_at.month for n in PersonalNeed.objects.all()}
    assert len(months) >= 10  # a year of needs for the report by month
    yesterday = today - dt.timedelta(days=1)
    checked = set(
        DailyCheck.objects.filter(day=yesterday).values_list("community__code", flat=True)
    )
    assert len(checked) < Community.objects.count()  # one office has not checked yesterday
    count = ReceptionEntry.objects.count()
    assert load_demo(7) == {} and ReceptionEntry.objects.count() == count


def test_the_demo_is_deterministic_for_a_seed(db):
    _world(3)
    load_demo(3)
    first = list(
        ReceptionEntry.objects.order_by("pk").values_list("subject", "channel", "outcome")[:200]
    )
    ReceptionEntry.objects.all().delete()
    NeedEvent.objects.all().delete()
    PersonalNeed.objects.all().delete()
    DailyCheck.objects.all().delete()
    load_demo(3)
    again = list(
        ReceptionEntry.objects.order_by("pk").values_list("subject", "channel", "outcome")[:200]
    )
    assert first == again
