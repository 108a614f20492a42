"""Every URL of the care calendar, notices and events in the permission matrix (DESIGN §4)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from linli.care.outreach import events, notices
from linli.care.outreach.models import Event, GreetingTask, Invitation, Notice
from linli.core.testing import Endpoint, case_id, permission_matrix
from linli.customers.models import Building
from linli.org.roles import Perm


def _customer(world: Any) -> Any:
    from linli.care.outreach.testing import graded_customer
    from linli.customers.models import Customer

    return Customer.objects.filter(community=world.ch, name="王建国").first() or graded_customer(
        world.ch, "王建国", "vip", room="3-1-101", gender="male"
    )


def _greeting(world: Any) -> GreetingTask:
    today = timezone.localdate()
    task, _created = GreetingTask.objects.get_or_create(
        community=world.ch, customer=_customer(world), occasion="birthday", care_event="birthday",
        due_on=today, defaults={"occasion_on": today, "method": "in_person"},
    )  # fmt: skip
    return task


def _notice(world: Any) -> Notice:
    notice = Notice.objects.filter(community=world.ch).first()
    if notice is None:
        _customer(world)
        now = timezone.now()
        notice = notices.publish_notice(
            world.ch, kind="water", title="停水", body="维修", starts_at=now, ends_at=now + dt.timedelta(hours=2),
            buildings=[Building.objects.get(community=world.ch, code="3")], units=[], actor=world.office_supervisor,
        )  # fmt: skip
    return notice


def _event(world: Any, *, invited: bool = False) -> Event:
    event = Event.objects.filter(
        community=world.ch, status="invited" if invited else "planned"
    ).first()
    if event is None:
        _customer(world)
        event = events.create_event(
            world.ch, actor=world.office_supervisor, kind="forum", title="座谈会", place="会所", capacity=0,
            audience="all", starts_at=timezone.now() - dt.timedelta(hours=1),
        )  # fmt: skip
        if invited:
            events.invite(event, actor=world.office_supervisor)
            event.refresh_from_db()
    return event


def _invitation(world: Any) -> Invitation:
    event = _event(world, invited=True)
    invitation = event.invitations.first()
    Invitation.objects.filter(pk=invitation.pk).update(attended=True)
    return invitation


def _notice_post(world: Any) -> dict[str, Any]:
    _customer(world)
    return {"kind": "power", "title": "停电", "body": "线路检修", "starts_at": "2026-12-01T09:00",
            "ends_at": "2026-12-01T12:00", "buildings": [Building.objects.get(community=world.ch, code="3").pk]}  # fmt: skip


EVENT_POST = {"kind": "activity", "title": "中秋游园会", "starts_at": "2026-12-20T15:00", "place": "中心花园",
              "capacity": 50, "audience": "all"}  # fmt: skip
VISIT, NOTICES, EVENTS, VIEW, OFFICE, TEMPLATES = (
    Perm.CARE_VISIT, Perm.CARE_NOTICES, Perm.CARE_EVENTS, Perm.CUSTOMERS_VIEW, Perm.REPORTS_OFFICE, Perm.CARE_TEMPLATES,
)  # fmt: skip
MOVED = frozenset({302})

ENDPOINTS = [
    Endpoint("calendar", "/care/outreach/?month=2026-12", permission=VISIT),
    Endpoint("today", "/care/outreach/today/", permission=VISIT),
    Endpoint("greeting-done", lambda w: f"/care/outreach/greetings/{_greeting(w).pk}/done/", method="post",
             permission=VISIT, scoped=True, ok=MOVED),
    Endpoint("stats", "/care/outreach/greetings/stats/", permission=OFFICE),
    Endpoint("templates", "/care/outreach/greetings/templates/", permission=TEMPLATES),
    Endpoint("templates-post", "/care/outreach/greetings/templates/", method="post", permission=TEMPLATES, ok=MOVED,
             data={"care_event": "birthday", "occasion": "birthday", "text": "{称呼}生日快乐！"}),
    Endpoint("notices", "/care/outreach/notices/", permission=VIEW),
    Endpoint("notice-new", "/care/outreach/notices/new/", permission=NOTICES, ok=frozenset({200, 302})),
    Endpoint("notice-new-post", "/care/outreach/notices/new/", method="post", data=_notice_post, permission=NOTICES,
             ok=MOVED),
    Endpoint("notice", lambda w: f"/care/outreach/notices/{_notice(w).pk}/", permission=VIEW, scoped=True),
    Endpoint("notice-delivery", lambda w: f"/care/outreach/notices/{_notice(w).pk}/delivery/", permission=VIEW,
             scoped=True),
    Endpoint("events", "/care/outreach/events/", permission=VIEW),
    Endpoint("event-new", "/care/outreach/events/new/", permission=EVENTS, ok=frozenset({200, 302})),
    Endpoint("event-new-post", "/care/outreach/events/new/", method="post", data=EVENT_POST, permission=EVENTS,
             ok=MOVED),
    Endpoint("event", lambda w: f"/care/outreach/events/{_event(w).pk}/", permission=VIEW, scoped=True),
    Endpoint("event-invite", lambda w: f"/care/outreach/events/{_event(w).pk}/invite/", method="post",
             permission=EVENTS, scoped=True, ok=MOVED),
    Endpoint("event-attendance", lambda w: f"/care/outreach/events/{_event(w, invited=True).pk}/attendance/",
             method="post", data={"attended": []}, permission=EVENTS, scoped=True, ok=MOVED),
    Endpoint("invitation-feedback", lambda w: f"/care/outreach/invitations/{_invitation(w).pk}/feedback/",
             method="post", data={"rating": 5, "feedback": "很好"}, permission=EVENTS, scoped=True, ok=MOVED),
]  # fmt: skip


@pytest.mark.parametrize("case", permission_matrix(ENDPOINTS), ids=case_id)
def test_outreach_urls_respect_scope_and_permissions(case, client, world):
    assert case.actual(client, world) in case.expected()


def test_office_staff_create_notices_and_events_in_their_own_community(client, world):
    client.force_login(world.office_supervisor)
    assert client.post("/care/outreach/notices/new/", _notice_post(world)).status_code == 302
    assert client.post("/care/outreach/events/new/", EVENT_POST).status_code == 302
    assert set(Notice.objects.values_list("community__code", flat=True)) == {"CH"}
    assert set(Event.objects.values_list("community__code", flat=True)) == {"CH"}


def test_a_greeting_of_a_file_above_clearance_is_404(client, world):
    from linli.customers.models import Customer, Secrecy

    task = _greeting(world)
    Customer.objects.filter(pk=task.customer_id).update(secrecy=Secrecy.TOP_SECRET)
    client.force_login(world.steward)
    assert client.post(f"/care/outreach/greetings/{task.pk}/done/").status_code == 404
    task.refresh_from_db()
    assert task.status == "pending"


def test_every_outreach_url_is_in_the_matrix(world):
    from django.urls import resolve

    from linli.core.tests.test_url_coverage import all_routes

    mine = {route for route in all_routes() if route.startswith("care/outreach/")}
    covered = {resolve(ep.resolve_path(world).split("?")[0]).route for ep in ENDPOINTS}
    assert mine == covered
