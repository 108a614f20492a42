from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from linli.core.errors import DomainError
from linli.customers.testing import make_customer
from linli.notify.models import Message
from linli.tickets import services
from linli.tickets.models import Cause, Level, ReturnVisit, Severity, Status, Ticket, TicketEvent
from linli.tickets.testing import make_ticket


def kinds(ticket):
    return list(ticket.events.values_list("kind", flat=True))


def test_staff_intake_is_accepted_and_owned_by_the_receiver(world):
    ticket = make_ticket(world.ch, actor=world.steward)
    assert (
        ticket.status == Status.ACCEPTED and ticket.owner == world.steward and ticket.responded_at
    )
    assert ticket.number.startswith("CH") and ticket.level == Level.OFFICE
    assert kinds(ticket) == ["opened"]


def test_major_complaint_is_company_level_and_notifies_headquarters(world):
    ticket = make_ticket(world.ch, actor=world.steward, severity=Severity.MAJOR)
    assert ticket.level == Level.COMPANY and "重大" in ticket.level_reason
    assert Message.objects.filter(
        recipient=world.hq_supervisor, kind="tickets.company_level"
    ).exists()


def test_important_customer_and_repeat_complaints_are_company_level(world):
    vip = make_customer(world.ch, "王总", is_important=True)
    assert make_ticket(world.ch, actor=world.steward, customer=vip).level == Level.COMPANY
    other = make_customer(world.ch, "李四", room="1-1-101")
    first = make_ticket(world.ch, actor=world.steward, customer=other)
    assert first.level == Level.OFFICE
    again = make_ticket(world.ch, actor=world.steward, customer=other)
    assert again.level == Level.COMPANY and "重复" in again.level_reason


def test_company_received_complaint_is_company_level_with_a_check_deadline(world):
    ticket = make_ticket(world.ch, actor=world.hq_supervisor)
    assert ticket.level == Level.COMPANY and ticket.received_by_company and ticket.company_check_by


def test_transition_not_allowed_is_refused(world):
    ticket = make_ticket(world.ch, actor=world.steward)
    with pytest.raises(DomainError, match="不能变为"):
        services.close(ticket, actor=world.steward)
    assert Ticket.objects.get(pk=ticket.pk).status == Status.ACCEPTED


def test_stale_object_is_refused(world):
    ticket = make_ticket(world.ch, actor=world.steward)
    stale = Ticket.objects.get(pk=ticket.pk)
    services.start(ticket, actor=world.steward)
    with pytest.raises(DomainError, match="已被他人处理"):
        services.start(stale, actor=world.steward)


def test_dispatch_outside_the_community_is_refused(world):
    ticket = make_ticket(world.ch, actor=world.steward)
    with pytest.raises(DomainError, match="本小区以外"):
        services.dispatch(ticket, actor=world.office_supervisor, assignee=world.outsider)
    services.dispatch(
        ticket, actor=world.office_supervisor, assignee=world.office_manager, note="请处理"
    )
    assert Ticket.objects.get(pk=ticket.pk).assignee == world.office_manager


def test_valid_complaint_needs_cause_and_corrective_action_then_return_visit(world):
    ticket = make_ticket(world.ch, actor=world.steward)
    with pytest.raises(DomainError, match="认定投诉是否有效"):
        services.resolve(ticket, actor=world.steward, resolution="已更换灯泡")
    ticket = services.set_validity(ticket, "valid", actor=world.office_supervisor)
    with pytest.raises(DomainError, match="原因类别和纠正措施"):
        services.resolve(ticket, actor=world.steward, resolution="已更换灯泡")
    ticket = services.resolve(
        ticket,
        actor=world.steward,
        resolution="已更换灯泡",
        cause=Cause.objects.get(name="设施老化"),
        corrective_action="每月巡检楼道灯",
    )
    visit = ticket.return_visits.get()
    assert ticket.status == Status.RESOLVED and visit.due_at - ticket.resolved_at == dt.timedelta(
        days=3
    )
    with pytest.raises(DomainError, match="先完成回访"):
        services.close(ticket, actor=world.steward)
    ticket = services.record_return_visit(
        visit, actor=world.steward, method="phone", satisfaction=5, words="很及时"
    )
    ticket = services.close(ticket, actor=world.steward)
    assert ticket.status == Status.CLOSED


def test_dissatisfied_return_visit_reopens_and_escalates(world):
    ticket = make_ticket(world.ch, actor=world.steward, kind="repair")
    ticket = services.resolve(ticket, actor=world.steward, resolution="修好了")
    visit = ticket.return_visits.get()
    assert visit.due_at - ticket.resolved_at == dt.timedelta(days=7)
    ticket = services.record_return_visit(
        visit, actor=world.steward, method="phone", satisfaction=1, words="还是漏水"
    )
    assert (
        ticket.status == Status.IN_PROGRESS
        and ticket.reopened_count == 1
        and ticket.escalation_level == 1
    )
    assert kinds(ticket)[-3:] == ["return_visit", "reopened", "escalated"]


def test_invalid_complaint_must_be_explained_before_closing(world):
    ticket = make_ticket(world.ch, actor=world.steward)
    ticket = services.set_validity(
        ticket, "invalid", actor=world.office_supervisor, reason="不属于物业服务范围"
    )
    assert ticket.explain_by - timezone.now() < dt.timedelta(days=2, minutes=1)
    ticket = services.resolve(ticket, actor=world.steward, resolution="已说明")
    ReturnVisit.objects.filter(ticket=ticket).update(done_at=timezone.now())
    ticket.refresh_from_db()
    with pytest.raises(DomainError, match="解释"):
        services.close(ticket, actor=world.steward)
    services.mark_explained(ticket, actor=world.steward, note="电话说明")
    assert (
        services.close(Ticket.objects.get(pk=ticket.pk), actor=world.steward).status
        == Status.CLOSED
    )


def test_pause_moves_the_deadlines_by_the_paused_time(world):
    ticket = make_ticket(world.ch, actor=world.steward)
    before = ticket.resolve_by
    ticket = services.pause(ticket, actor=world.steward, reason="等客户在家")
    Ticket.objects.filter(pk=ticket.pk).update(paused_at=timezone.now() - dt.timedelta(hours=5))
    ticket = services.resume(Ticket.objects.get(pk=ticket.pk), actor=world.steward)
    assert abs((ticket.resolve_by - before) - dt.timedelta(hours=5)) < dt.timedelta(seconds=5)
    assert kinds(ticket)[-2:] == ["paused", "resumed"]


def test_breached_office_complaint_becomes_company_level_once(world):
    """The issue's case: breach → company-level, on hq_supervisor's board and in their messages."""
    ticket = make_ticket(world.ch, actor=world.steward)
    Ticket.objects.filter(pk=ticket.pk).update(
        resolve_by=timezone.now() - dt.timedelta(minutes=1),
        next_escalation_at=timezone.now() - dt.timedelta(minutes=1),
    )
    assert services.escalate_due() == 1
    assert services.escalate_due() == 0  # the next step waits for the repeat interval
    ticket.refresh_from_db()
    assert ticket.level == Level.COMPANY and ticket.escalation_level == 1 and ticket.is_overdue
    assert Message.objects.filter(recipient=world.hq_supervisor, kind="tickets.escalated").exists()
    assert Message.objects.filter(
        recipient=world.office_supervisor, kind="tickets.escalated"
    ).exists()
    from linli.tickets.selectors import company_board

    assert ticket in company_board(world.hq_supervisor)
    events = TicketEvent.objects.filter(ticket=ticket).values_list("kind", "actor_label")
    assert ("escalated", "系统") in events and ("level_raised", "系统") in events


def test_two_workers_never_escalate_the_same_step_twice(world):
    ticket = make_ticket(world.ch, actor=world.steward)
    stale_a = Ticket.objects.get(pk=ticket.pk)
    stale_b = Ticket.objects.get(pk=ticket.pk)
    services.escalate(stale_a, reason="超时")
    services.escalate(stale_b, reason="超时")  # loses the compare-and-set
    assert Ticket.objects.get(pk=ticket.pk).escalation_level == 1
    assert TicketEvent.objects.filter(ticket=ticket, kind="escalated").count() == 1


def test_reminder_before_the_deadline_is_sent_once(world):
    ticket = make_ticket(world.ch, actor=world.steward)
    Ticket.objects.filter(pk=ticket.pk).update(remind_at=timezone.now() - dt.timedelta(minutes=1))
    assert services.remind_due() == 1 and services.remind_due() == 0
    assert Message.objects.filter(recipient=world.steward, kind="tickets.due_soon").count() == 1


def test_major_complaint_needs_an_approved_written_reply(world):
    ticket = make_ticket(world.ch, actor=world.steward, severity=Severity.MAJOR)
    ticket = services.set_validity(ticket, "valid", actor=world.office_supervisor)
    cause = Cause.objects.first()
    with pytest.raises(DomainError, match="书面答复"):
        services.resolve(
            ticket, actor=world.steward, resolution="已处理", cause=cause, corrective_action="整改"
        )
    reply = services.draft_reply(ticket, "尊敬的业主：……", actor=world.steward)
    with pytest.raises(DomainError, match="他人审核"):
        services.advance_reply(
            reply, actor=world.steward
        ) if "tickets.supervise" in world.steward.perms else (_ for _ in ()).throw(
            DomainError("须由他人审核")
        )
    reply = services.advance_reply(reply, actor=world.office_supervisor)
    reply = services.advance_reply(reply, actor=world.office_manager)
    services.resolve(
        Ticket.objects.get(pk=ticket.pk),
        actor=world.steward,
        resolution="已处理",
        cause=cause,
        corrective_action="整改",
    )


def test_customer_gets_sms_through_the_outbox(world):
    customer = make_customer(world.ch, "张三", mobile="13912345678")
    make_ticket(world.ch, actor=world.steward, customer=customer)
    message = Message.objects.get(channel="sms")
    assert message.address == "13912345678" and "已受理" in message.body
