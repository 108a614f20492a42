"""Factories for tests of every app that needs rooms and customers (built through services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from linli.customers import services
from linli.customers.models import Customer, Occupancy, Room
from linli.customers.parsing import id_check_digit, parse_room_code


def make_room(community: Any, code: str = "3-2-501", *, area: Any = None) -> Room:
    room, _created = services.ensure_room(community, parse_room_code(code), actor=None)
    if area is not None and room.area_id != area.pk:
        Room.objects.filter(pk=room.pk).update(area=area)
        room.refresh_from_db()
    return room


def valid_id(birth: str = "19900307", region: str = "110101", seq: str = "451") -> str:
    first17 = region + birth + seq
    return first17 + id_check_digit(first17)


def make_customer(
    community: Any,
    name: str = "张三",
    *,
    room: Room | str | None = "3-2-501",
    role: str = Occupancy.Role.OWNER,
    secrecy: int = 1,
    mobile: str = "13812345678",
    move_in: dt.date | None = dt.date(2020, 5, 1),
    actor: Any = None,
    **values: Any,
) -> Customer:
    customer = services.create_customer(
        community, {"name": name, "mobile": mobile, **values}, actor=actor
    )
    if room is not None:
        if isinstance(room, str):
            room = make_room(community, room)
        services.add_occupancy(
            room, customer, role=role, move_in=move_in, actor=actor, is_primary=True
        )
    if secrecy != customer.secrecy:
        Customer.objects.filter(pk=customer.pk).update(secrecy=secrecy)
        customer.refresh_from_db()
    return customer
