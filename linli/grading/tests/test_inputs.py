"""The rules' inputs from the data the system holds, on hand-built customers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from linli.customers import services as customers
from linli.customers.models import Occupancy, Room
from linli.customers.testing import make_customer, make_room
from linli.grading import services
from linli.grading.inputs import add_months, customer_facts, full_years
from linli.grading.models import FeeStanding
from linli.grading.selectors import proposal_for
from linli.tickets import services as tickets
from linli.tickets.models import Kind
from linli.tickets.testing import make_ticket


def _area(room: Room, area: str) -> Room:
    Room.objects.filter(pk=room.pk).update(floor_area=Decimal(area))
    room.refresh_from_db()
    return room


def test_years_count_from_the_first_move_in_including_rooms_left_since():
    today = dt.date(2026, 11, 27)
    assert full_years(dt.date(2018, 11, 27), today) == 8
    assert full_years(dt.date(2018, 11, 28), today) == 7
    assert full_years(None, today) == 0
    assert add_months(dt.date(2026, 3, 31), -1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 1, 15), -12) == dt.date(2025, 1, 15)


def test_rooms_area_and_years_of_an_owner(world):
    today = timezone.localdate()
    owner = make_customer(world.ch, "王大伟", room=_area(make_room(world.ch, "1-1-101"), "150.5"),
                          move_in=today.replace(year=today.year - 4))  # fmt: skip
    second = _area(make_room(world.ch, "2-1-201"), "130")
    customers.add_occupancy(second, owner, role=Occupancy.Role.OWNER, move_in=today.replace(year=today.year - 2), actor=None)  # fmt: skip
    first_home = make_room(world.ch, "5-1-501")
    old = customers.add_occupancy(first_home, owner, role=Occupancy.Role.OWNER, move_in=today.replace(year=today.year - 11), actor=None)  # fmt: skip
    customers.move_out(old, on=today.replace(year=today.year - 5), actor=None)
    tenant_room = _area(make_room(world.ch, "3-1-301"), "90")
    customers.add_occupancy(
        tenant_room, owner, role=Occupancy.Role.TENANT, move_in=today, actor=None
    )

    facts = customer_facts(owner)
    assert facts.rooms == 2 and facts.owner  # the rented room and the room left are not owned now
    assert facts.total_area == Decimal("280.5")
    assert facts.years == 11
    proposal = proposal_for(owner)
    assert proposal.grade.code == "a" and proposal.rule.name == "多套房业主"


def test_complaints_in_the_window_come_from_tickets(world):
    customer = make_customer(world.ch, "李芳", move_in=dt.date(2014, 5, 1))
    services.set_fee_standing(customer, status="paid", actor=world.office_supervisor)
    now = timezone.now()
    for days in (10, 200, 300):
        make_ticket(world.ch, actor=world.office_supervisor, customer=customer,
                    opened_at=now - dt.timedelta(days=days))  # fmt: skip
    make_ticket(
        world.ch,
        actor=world.office_supervisor,
        customer=customer,
        opened_at=now - dt.timedelta(days=400),
    )
    make_ticket(world.ch, actor=world.office_supervisor, customer=customer, kind=Kind.REPAIR)
    withdrawn = make_ticket(world.ch, actor=world.office_supervisor, customer=customer)
    tickets.cancel(withdrawn, actor=world.office_supervisor, reason="客户撤回")

    facts = customer_facts(customer)
    assert facts.complaints_12m == 3  # 400 days ago, the repair and the cancelled one do not count
    proposal = proposal_for(customer)
    assert proposal.grade.code == "b"  # an old owner, but 3 complaints > 2: not A
    assert any(r["rule"].name == "老业主" and not r["matched"] for r in proposal.rules)


def test_an_old_owner_who_pays_is_a(world):
    customer = make_customer(world.ch, "赵刚", move_in=dt.date(2012, 5, 1))
    assert proposal_for(customer).grade.code == "b"  # fee status not yet recorded
    services.set_fee_standing(customer, status="prepaid", actor=world.office_supervisor)
    proposal = proposal_for(customer)
    assert proposal.grade.code == "a"
    assert [m["ok"] for m in proposal.matched] == [True, True, True]


def test_fee_status_committee_important_and_flags(world):
    member = make_customer(world.ch, "孙丽", is_committee_member=True, care_flags=["elderly_alone"])
    services.set_fee_standing(member, status=FeeStanding.Status.ARREARS, arrears_months=7,
                              actor=world.office_supervisor)  # fmt: skip
    services.set_flags(member, ["sensitive"], actor=world.office_supervisor)
    facts = customer_facts(member)
    assert facts.committee and facts.fee_status == "arrears" and facts.arrears_months == 7
    assert facts.flags == {"committee", "special_care", "sensitive"}
    assert proposal_for(member).grade.code == "c"  # long arrears come before committee membership

    important = make_customer(world.ch, "周敏", room="2-2-202", is_important=True)
    assert "important" in customer_facts(important).flags
    assert proposal_for(important).grade.code == "vip"


def test_an_owner_whose_rooms_are_all_vacant_is_flagged_vacant(world):
    owner = make_customer(
        world.ch, "吴强", room="6-1-601", move_in=None
    )  # no move-in: room stays vacant
    assert Room.objects.get(code="6-1-601").status == Room.Status.VACANT
    assert "vacant" in customer_facts(owner).flags
    lived = make_customer(world.ch, "郑洁", room="6-1-602")
    assert "vacant" not in customer_facts(lived).flags


def test_facts_as_of_a_past_date(world):
    customer = make_customer(world.ch, "钱军", move_in=dt.date(2020, 5, 1))
    at = timezone.make_aware(dt.datetime(2022, 6, 1, 10))
    assert customer_facts(customer, at=at).years == 2
    assert customer_facts(customer, at=timezone.make_aware(dt.datetime(2019, 1, 1))).rooms == 0
