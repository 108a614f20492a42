"""Factories for tests that need residents: a household and a signed-in browser or app."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from linli.customers.models import Customer, Occupancy
from linli.customers.testing import make_customer, make_room
from linli.portal.auth import COOKIE
from linli.portal.models import ResidentSession
from linli.portal.selectors import token_hash


def make_resident(
    community: Any,
    name: str = "张三",
    *,
    mobile: str = "13812345678",
    room: str = "3-2-501",
    role: str = Occupancy.Role.OWNER,
    area: Any = None,
) -> Customer:
    """A customer with a current occupancy of `room` (created in the community if missing)."""
    room_obj = make_room(community, room, area=area)
    return make_customer(community, name, room=room_obj, role=role, mobile=mobile)


def make_session(mobile: str = "13812345678", *, channel: str = "web") -> str:
    """A live resident session; returns the token (the cookie value or the API token)."""
    token = f"test-{channel}-{mobile}-{ResidentSession.objects.count()}"
    now = timezone.now()
    ResidentSession.objects.create(
        token_hash=token_hash(token), mobile=mobile, channel=channel, created_at=now,
        expires_at=now + dt.timedelta(days=30),
    )  # fmt: skip
    return token


def sign_in(client: Any, mobile: str = "13812345678") -> str:
    """Give the test client a resident's portal cookie."""
    token = make_session(mobile, channel=ResidentSession.Channel.WEB)
    client.cookies[COOKIE] = token
    return token


def api_headers(mobile: str = "13812345678") -> dict[str, str]:
    return {
        "Authorization": f"Resident {make_session(mobile, channel=ResidentSession.Channel.API)}"
    }
