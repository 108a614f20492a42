"""Events: invitation order, outbox invitations, attendance, feedback, yearly counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from linli.care.outreach import events
from linli.care.outreach.models import Event, Invitation
from linli.care.outreach.testing import graded_customer
from linli.core.errors import DomainError
from linli.customers.testing import make_customer
from linli.notify.models import Message

pytestmark = pytest.mark.django_db


def plan(world, **fields):
    values = {"kind": "forum", "title": "业主座谈会", "starts_at": timezone.now() + dt.timedelta(days=7),
              "place": "会所二楼", "capacity": 0, "audience": "all"}  # fmt: skip
    values.update(fields)
    return events.create_event(world.ch, actor=world.office_supervisor, **values)


@pytest.fixture
def people(world):
    return {
        "b": graded_customer(world.ch, "安然", "b", room="1-1-101", gender="female"),
        "vip": graded_customer(world.ch, "张伟", "vip", room="1-1-102", gender="male"),
        "c": graded_customer(world.ch, "白雪", "c", room="1-1-103"),
        "a": graded_customer(world.ch, "陈静", "a", room="1-1-104"),
        "committee": graded_customer(
            world.ch, "丁一", "b", room="1-1-105", is_committee_member=True
        ),
        "ungraded": make_customer(world.ch, "艾米", room="1-1-106"),
        "other": graded_customer(world.jg, "顾客", "vip", room="1-1-101"),
    }


def test_important_customers_are_invited_first(world, people):
    event = plan(world)
    order = [c.name for c in events.invitation_order(event)]
    # invitations-first plans (VIP, A, the committee flag) by grade rank, then the rest by grade
    assert order == ["张伟", "陈静", "丁一", "安然", "白雪", "艾米"]


def test_capacity_keeps_the_first_in_order_and_each_gets_an_sms(world, people):
    event = plan(world, capacity=3)
    assert events.invite(event, actor=world.office_supervisor) == 3
    rows = list(Invitation.objects.filter(event=event).order_by("position"))
    assert [(r.customer.name, r.priority, r.grade_name) for r in rows] == [
        ("张伟", True, "VIP客户"),
        ("陈静", True, "A类客户"),
        ("丁一", True, "B类客户"),
    ]
    message = Message.objects.get(pk=rows[0].message_id)
    assert message.kind == "care.event" and message.body.startswith(
        "张先生，诚邀您参加翠湖苑“业主座谈会”"
    )
    with pytest.raises(DomainError):
        events.invite(Event.objects.get(pk=event.pk), actor=world.office_supervisor)
    assert Message.objects.filter(kind="care.event").count() == 3


def test_audiences(world, people):
    committee = plan(world, audience="committee")
    assert [c.name for c in events.invitation_order(committee)] == ["丁一"]
    priority = plan(world, audience="priority")
    assert [c.name for c in events.invitation_order(priority)] == ["张伟", "陈静", "丁一"]


def test_attendance_and_feedback(world, people):
    event = plan(world, starts_at=timezone.now() + dt.timedelta(days=1))
    events.invite(event, actor=world.office_supervisor)
    event.refresh_from_db()
    first, second = list(event.invitations.order_by("position"))[:2]
    with pytest.raises(DomainError, match="尚未开始"):
        events.record_attendance(event, [first.pk], actor=world.office_supervisor)
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - dt.timedelta(hours=2))
    event.refresh_from_db()
    assert events.record_attendance(event, [first.pk], actor=world.office_supervisor) == 1
    event.refresh_from_db()
    assert event.status == Event.Status.HELD
    second.refresh_from_db()
    assert second.attended is False
    with pytest.raises(DomainError, match="出席"):
        events.record_feedback(second, rating=5, feedback="", actor=world.office_supervisor)
    first.refresh_from_db()
    with pytest.raises(DomainError, match="1 至 5"):
        events.record_feedback(first, rating=6, feedback="", actor=world.office_supervisor)
    events.record_feedback(first, rating=4, feedback="希望多办", actor=world.office_supervisor)
    first.refresh_from_db()
    assert (first.rating, first.feedback) == (4, "希望多办")


def test_events_are_counted_per_community_and_year_against_the_target(world, people):
    year = timezone.localdate().year
    for n in range(2):
        event = plan(world, title=f"活动{n}", starts_at=timezone.now() - dt.timedelta(hours=n + 1))
        Event.objects.filter(pk=event.pk).update(status="held")
    plan(world, title="下月活动", kind="activity")
    [ch] = events.yearly_counts([world.ch], year)
    assert (ch["held"], ch["forums"], ch["target"], ch["met"], ch["short"]) == (2, 2, 6, False, 4)
    assert ch["planned"] == (1 if (timezone.now() + dt.timedelta(days=7)).year == year else 0)
