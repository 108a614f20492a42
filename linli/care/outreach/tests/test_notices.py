"""Notices: one step to every current occupant of the chosen buildings/units, delivery figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from linli.care.outreach import notices
from linli.care.outreach.models import Notice
from linli.core.errors import DomainError
from linli.customers import services as customer_services
from linli.customers.models import Building, Occupancy, Unit
from linli.customers.testing import make_customer, make_room
from linli.notify.models import Message
from linli.notify.services import deliver_due

pytestmark = pytest.mark.django_db


def publish(world, *, buildings=(), units=(), community=None):
    now = timezone.now()
    return notices.publish_notice(
        community or world.ch, kind="water", title="3号楼停水", body="管道维修，请提前储水。",
        starts_at=now + dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=5),
        buildings=buildings, units=units, actor=world.office_supervisor,
    )  # fmt: skip


@pytest.fixture
def estate(world):
    owner = make_customer(world.ch, "王建国", room="3-1-101", mobile="13800000001")
    tenant = make_customer(
        world.ch, "李娜", room="3-2-201", mobile="13800000002", role=Occupancy.Role.TENANT
    )
    both = make_customer(world.ch, "赵敏", room="3-2-202", mobile="13800000003")
    customer_services.add_occupancy(
        make_room(world.ch, "3-1-102"), both, role="owner", move_in=dt.date(2021, 1, 1), actor=None
    )
    no_phone = make_customer(world.ch, "钱多", room="3-1-103", mobile="")
    gone = make_customer(world.ch, "孙悦", room="3-1-104", mobile="13800000005")
    customer_services.move_out(gone.occupancies.get(), on=dt.date(2025, 1, 1), actor=None)
    elsewhere = make_customer(world.ch, "周杰", room="5-1-101", mobile="13800000006")
    other_community = make_customer(world.jg, "吴刚", room="3-1-101", mobile="13800000007")
    return {"owner": owner, "tenant": tenant, "both": both, "no_phone": no_phone, "gone": gone,
            "elsewhere": elsewhere, "other": other_community}  # fmt: skip


def test_a_notice_to_a_building_reaches_only_its_current_occupants(world, estate):
    building = Building.objects.get(community=world.ch, code="3")
    notice = publish(world, buildings=[building])
    addresses = sorted(Message.objects.filter(kind="care.notice").values_list("address", flat=True))
    assert addresses == ["13800000001", "13800000002", "13800000003"]  # one message for two rooms
    assert (notice.recipients, notice.unreachable, notice.rooms) == (4, 1, 5)
    message = Message.objects.filter(kind="care.notice").first()
    assert "3号楼停水" in message.body and "管道维修" in message.body and "翠湖苑" in message.body
    assert message.status == "pending" and message.community_id == world.ch.pk


def test_a_notice_to_one_unit(world, estate):
    unit = Unit.objects.get(community=world.ch, building__code="3", code="2")
    notice = publish(world, units=[unit])
    assert sorted(Message.objects.filter(kind="care.notice").values_list("address", flat=True)) == [
        "13800000002",
        "13800000003",
    ]
    assert notice.recipients == 2


def test_bad_input_changes_nothing(world, estate):
    with pytest.raises(DomainError, match="楼栋或单元"):
        publish(world)
    foreign = Building.objects.get(community=world.jg, code="3")
    with pytest.raises(DomainError, match="不属于本小区"):
        publish(world, buildings=[foreign])
    assert not Notice.objects.exists() and not Message.objects.exists()


def test_delivery_figures_follow_the_outbox(world, estate, settings):
    notice = publish(world, buildings=[Building.objects.get(community=world.ch, code="3")])
    figures = notices.delivery(notice)
    assert (figures.queued, figures.sent, figures.failed, figures.finished, figures.met) == (
        3,
        0,
        0,
        False,
        None,
    )
    assert notice.deliver_by - notice.published_at == dt.timedelta(minutes=10)
    first = Message.objects.filter(kind="care.notice").order_by("pk").first()
    Message.objects.filter(pk=first.pk).update(status="failed", last_error="网关拒绝")
    deliver_due()
    figures = notices.delivery(notice)
    assert (figures.queued, figures.sent, figures.failed) == (0, 2, 1)
    assert figures.by_channel == [
        {"channel": "sms", "label": "短信", "queued": 0, "sent": 2, "failed": 1}
    ]
    assert figures.finished and figures.met is False and figures.percent_sent == 67


def test_delivered_in_time_is_met_and_late_is_not(world, estate):
    notice = publish(world, buildings=[Building.objects.get(community=world.ch, code="3")])
    deliver_due()
    assert notices.delivery(notice).met is True
    Message.objects.filter(kind="care.notice").update(
        sent_at=notice.deliver_by + dt.timedelta(minutes=1)
    )
    assert notices.delivery(notice).met is False


def test_residents_read_the_current_notices_of_their_rooms(world, estate):
    unit = Unit.objects.get(community=world.ch, building__code="3", code="2")
    notice = publish(world, units=[unit])
    assert list(notices.notices_for_resident(estate["tenant"])) == [notice]
    assert list(notices.notices_for_resident(estate["owner"])) == []  # unit 1
    assert list(notices.notices_for_resident(estate["other"])) == []
    later = timezone.now() + dt.timedelta(hours=6)
    assert list(notices.notices_for_resident(estate["tenant"], at=later)) == []  # ended
