"""Test helpers: a CH household with a reception entry and a personalised need."""

from __future__ import annotations

from typing import Any

from linli.care.reception import services
from linli.care.reception.models import Outcome, PersonalNeed, ReceptionEntry


def household(world: Any) -> Any:
    """张三 of 3-2-501 in CH, in the area of the CH steward."""
    from linli.customers.models import Customer
    from linli.customers.testing import make_customer, make_room
    from linli.org.models import Area

    found = Customer.objects.filter(community=world.ch, name="张三").first()
    if found is not None:
        return found
    room = make_room(world.ch, "3-2-501", area=Area.objects.get(code="CH01"))
    return make_customer(world.ch, "张三", room=room)


def open_entry(world: Any) -> ReceptionEntry:
    found = ReceptionEntry.objects.filter(community=world.ch, outcome=Outcome.FOLLOW_UP).first()
    return found or services.log_contact(
        world.ch, actor=world.steward, channel="phone", subject="咨询停水时间",
        customer=household(world), outcome=Outcome.FOLLOW_UP,
    )  # fmt: skip


def pending_need(world: Any) -> PersonalNeed:
    found = PersonalNeed.objects.filter(community=world.ch).first()
    return found or services.record_need(
        actor=world.office_supervisor, customer=household(world), description="每周代收快递",
        need_type="parcel", source="reception",
    )  # fmt: skip
