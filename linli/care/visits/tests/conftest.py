"""Households of community CH for the visit tests: rooms in area CH01 (steward `steward`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone


def grade(customer: Any, code: str) -> None:
    from linli.grading.models import CustomerGrade, Grade

    CustomerGrade.objects.update_or_create(
        customer=customer,
        defaults={"community_id": customer.community_id, "grade": Grade.objects.get(code=code),
                  "graded_at": timezone.now()},
    )  # fmt: skip


def household(
    world: Any, name: str, room: str, *, grade_code: str | None = None, **values: Any
) -> Any:
    from linli.customers.testing import make_customer, make_room
    from linli.org.models import Area

    area = Area.objects.get(community=world.ch, code="CH01")
    customer = make_customer(world.ch, name, room=make_room(world.ch, room, area=area), **values)
    if grade_code:
        grade(customer, grade_code)
    return customer


@pytest.fixture
def homes(world: Any) -> dict[str, Any]:
    """A VIP, an ordinary owner and an ungraded owner in CH; a customer in JG."""
    from linli.customers.testing import make_customer

    return {
        "vip": household(world, "王总", "1-1-101", grade_code="vip"),
        "plain": household(world, "李四", "1-1-102", grade_code="b"),
        "ungraded": household(world, "赵六", "1-1-103"),
        "other": make_customer(world.jg, "钱七", room="2-1-201"),
    }


@pytest.fixture
def this_month() -> dt.date:
    return timezone.localdate().replace(day=1)
