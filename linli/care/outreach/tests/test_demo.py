"""Demo greetings, notices and events: from the real services, deterministic, once."""

from __future__ import annotations

import time

from django.utils import timezone

from linli.care.outreach.demo import load_demo
from linli.care.outreach.models import Event, GreetingTask, Invitation, Notice
from linli.customers.demo import load_households
from linli.grading.demo import load_grades
from linli.org.demo import load_organisation
from linli.org.models import Community


def test_the_demo_has_greetings_notices_and_events(db):
    load_organisation(7)
    for community in Community.objects.all():
        load_households(community, 7, limit=80)  # enough greetings of every state
    load_grades(7)
    started = time.perf_counter()
    made = load_demo(7)
    print(f"outreach demo: {time.perf_counter() - started:.1f} s, {made}")
    today = timezone.localdate()
    assert made["greetings"] == GreetingTask.objects.count() > 0
    past = GreetingTask.objects.filter(due_on__lt=today)
    assert set(past.values_list("status", flat=True)) <= {"done", "sent", "missed"}
    assert past.filter(status="done").exists() and past.filter(status="sent").exists()
    assert not past.filter(status="sent", message__status="pending").exists()  # delivered or failed
    assert made["notices"] == Notice.objects.count() == 3 * Community.objects.count()
    assert Notice.objects.filter(ends_at__gte=timezone.now()).exists()
    assert (
        Event.objects.filter(status="held").exists()
        and Invitation.objects.filter(rating__isnull=False).exists()
    )
    assert load_demo(7) == {}
