"""Services of the reception log and personalised needs: validation, transitions, scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from linli.audit.models import AuditEvent
from linli.care.reception import services
from linli.care.reception.models import (
    NeedEvent,
    NeedStatus,
    Outcome,
    PersonalNeed,
    ReceptionEntry,
)
from linli.core.errors import DomainError
from linli.customers.models import Secrecy
from linli.customers.testing import make_customer, make_room


@pytest.fixture
def customer(world):
    from linli.org.models import Area

    room = make_room(world.ch, "3-2-501", area=Area.objects.get(code="CH01"))
    return make_customer(world.ch, "张三", room=room)


def test_record_need_defaults_room_assignee_and_due_date(world, customer):
    need = services.record_need(
        actor=world.office_supervisor, customer=customer, description="每周二代收快递",
        need_type="parcel",
    )  # fmt: skip
    assert need.community_id == world.ch.pk
    assert need.room.code == "3-2-501"
    assert need.assignee == world.steward  # the area's steward
    assert need.source == "visit" and need.status == NeedStatus.PENDING
    assert need.due_on > timezone.localdate()
    assert need.created_by == world.office_supervisor
    event = NeedEvent.objects.get(need=need)
    assert (event.from_status, event.to_status) == ("", "pending")
    assert AuditEvent.objects.filter(action="care.need.recorded", target_id=str(need.pk)).exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"description": "  "}, "description"),
        ({"need_type": "flying"}, "need_type"),
        ({"source": "rumour"}, "source"),
        ({"due_on": dt.date(2000, 1, 1)}, "due_on"),
    ],
)
def test_record_need_bad_input_names_the_field_and_saves_nothing(world, customer, kwargs, field):
    args = {"actor": world.steward, "customer": customer, "description": "钥匙托管",
            "need_type": "key_custody", **kwargs}  # fmt: skip
    with pytest.raises(DomainError) as error:
        services.record_need(**args)
    assert error.value.field == field
    assert not PersonalNeed.objects.exists()


def test_record_need_refuses_a_customer_of_another_community(world, customer):
    with pytest.raises(DomainError) as error:
        services.record_need(
            actor=world.outsider, customer=customer, description="x", need_type="parcel"
        )
    assert error.value.field == "customer"
    assert not PersonalNeed.objects.exists()


def test_record_need_refuses_a_customer_above_the_actors_clearance(world):
    secret = make_customer(world.ch, "王总", room="1-1-101", secrecy=Secrecy.TOP_SECRET)
    with pytest.raises(DomainError) as error:
        services.record_need(
            actor=world.steward, customer=secret, description="x", need_type="parcel"
        )
    assert error.value.field == "customer"


def test_record_need_refuses_an_assignee_of_another_community(world, customer):
    with pytest.raises(DomainError) as error:
        services.record_need(
            actor=world.steward, customer=customer, description="x", need_type="parcel",
            assignee=world.outsider,
        )  # fmt: skip
    assert error.value.field == "assignee"


def test_need_transitions_are_recorded_and_done_needs_a_result(world, customer):
    need = services.record_need(
        actor=world.steward, customer=customer, description="家政保洁", need_type="housekeeping"
    )
    need = services.set_need_status(need, actor=world.steward, status=NeedStatus.IN_PROGRESS)
    with pytest.raises(DomainError) as error:
        services.set_need_status(need, actor=world.steward, status=NeedStatus.DONE)
    assert error.value.field == "result"
    need = services.set_need_status(
        need, actor=world.steward, status=NeedStatus.DONE, result="已联系家政公司上门"
    )
    assert need.status == "done" and need.completed_at is not None and need.completed_on_time
    with pytest.raises(DomainError):
        services.set_need_status(need, actor=world.steward, status=NeedStatus.IN_PROGRESS)
    steps = list(NeedEvent.objects.filter(need=need).values_list("from_status", "to_status"))
    assert steps == [("", "pending"), ("pending", "in_progress"), ("in_progress", "done")]
    need = services.record_need_feedback(need, actor=world.steward, feedback="很满意")
    assert need.feedback == "很满意"


def test_a_stale_version_is_refused(world, customer):
    need = services.record_need(
        actor=world.steward, customer=customer, description="x", need_type="parcel"
    )
    with pytest.raises(DomainError) as error:
        services.set_need_status(
            need, actor=world.steward, status="cancelled", note="客户取消", expected_version=99
        )
    assert error.value.field == "version"
    need.refresh_from_db()
    assert need.status == "pending"


def test_log_contact_needs_a_customer_or_a_name(world, customer):
    with pytest.raises(DomainError) as error:
        services.log_contact(world.ch, actor=world.steward, channel="phone", subject="问停水")
    assert error.value.field == "caller_name"
    entry = services.log_contact(
        world.ch, actor=world.steward, channel="phone", subject="问停水", customer=customer,
        outcome=Outcome.FOLLOW_UP, rings=2,
    )  # fmt: skip
    assert entry.room.code == "3-2-501" and entry.caller_name == "张三" and entry.is_open
    with pytest.raises(DomainError) as error:
        services.log_contact(
            world.ch, actor=world.steward, channel="fax", subject="x", caller_name="李"
        )
    assert error.value.field == "channel"
    with pytest.raises(DomainError) as error:
        services.log_contact(
            world.ch, actor=world.steward, channel="visit", subject="x", caller_name="李",
            caller_phone="138xxxx5678",
        )  # fmt: skip
    assert error.value.field == "caller_phone"
    assert ReceptionEntry.objects.count() == 1


def test_log_contact_refuses_a_customer_the_actor_cannot_see(world, customer):
    with pytest.raises(DomainError) as error:
        services.log_contact(
            world.jg, actor=world.outsider, channel="phone", subject="x", customer=customer
        )
    assert error.value.field == "customer"


def test_close_entry_and_convert_to_need_and_ticket(world, customer):
    from linli.tickets.models import Category

    entry = services.log_contact(
        world.ch, actor=world.steward, channel="phone", subject="代收快递", customer=customer,
        outcome=Outcome.FOLLOW_UP,
    )  # fmt: skip
    need = services.convert_to_need(entry, actor=world.steward, need_type="parcel")
    entry.refresh_from_db()
    assert entry.outcome == Outcome.NEED and entry.need == need
    assert need.source == "reception" and need.source_ref == str(entry.pk)
    with pytest.raises(DomainError):
        services.convert_to_ticket(
            entry, actor=world.steward, kind="repair", category=Category.objects.first()
        )
    other = services.log_contact(
        world.ch, actor=world.steward, channel="visit", subject="楼道灯不亮", topic="repair",
        caller_name="李四", caller_phone="13900001111",
    )  # fmt: skip
    ticket = services.convert_to_ticket(
        other, actor=world.steward, kind="repair", category=Category.objects.first()
    )
    other.refresh_from_db()
    assert other.ticket == ticket and other.outcome == Outcome.TICKET
    assert ticket.channel == "front_desk" and ticket.contact_name == "李四"
    third = services.log_contact(
        world.ch, actor=world.steward, channel="phone", subject="问物业费", caller_name="王",
        outcome=Outcome.FOLLOW_UP,
    )  # fmt: skip
    with pytest.raises(DomainError) as error:
        services.close_entry(third, actor=world.steward, reply="")
    assert error.value.field == "reply"
    third = services.close_entry(third, actor=world.office_supervisor, reply="已回电说明")
    assert third.outcome == Outcome.ANSWERED and third.closed_by == world.office_supervisor


def test_check_day_keeps_the_counts_and_only_once(world, customer):
    services.log_contact(
        world.ch, actor=world.steward, channel="phone", subject="x", customer=customer,
        outcome=Outcome.FOLLOW_UP,
    )  # fmt: skip
    today = timezone.localdate()
    check = services.check_day(world.ch, today, actor=world.office_supervisor)
    assert check.open_entries == 1 and check.checked_by == world.office_supervisor
    with pytest.raises(DomainError) as error:
        services.check_day(world.ch, today, actor=world.office_supervisor)
    assert error.value.field == "day"
    with pytest.raises(DomainError):
        services.check_day(world.ch, today + dt.timedelta(days=1), actor=world.office_supervisor)
