"""The hot paths of DESIGN §8 (search, list pages) answer exactly as before, with a number of
queries that does not grow with the rows shown (no timing here: `linli bench` measures)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIRequestFactory

from linli.customers import services
from linli.customers.api import CustomerSerializer, ListRows
from linli.customers.models import Customer, Occupancy, Secrecy
from linli.customers.testing import make_customer, make_room, valid_id
from linli.privacy.services import decide_grant, request_grant


def _households(community, n, *, start=0):
    for i in range(start, start + n):
        make_customer(
            community,
            f"张{'伟芳敏静丽强磊军洋勇'[i % 10]}{i}",
            room=f"{i // 20 + 1}-1-{101 + i % 20}",
            mobile=f"1381234{i:04d}",
            id_number=valid_id(seq=f"{i % 900 + 100:03d}"),
        )


def _api(user):
    token, _ = Token.objects.get_or_create(user=user)
    return Client(headers={"Authorization": f"Token {token.key}"})


def _count(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    return len(queries.captured_queries), response


def test_list_rows_are_the_serializers_own(world):
    customer = make_customer(
        world.ch, "王秀英", birthday=dt.date(1980, 3, 4), address="北京市朝阳区幸福路 3 号",
        phone_other="010-12345678", care_notes="独居", emergency_contact_phone="13900001111",
        tags=["业委会"], care_flags=["elderly_alone"], email="w@example.cn",
    )  # fmt: skip
    second = make_room(world.ch, "5-1-301")
    services.add_occupancy(second, customer, role=Occupancy.Role.OWNER, move_in=None, actor=None)
    make_customer(world.ch, "李四", room="5-1-302", kind="organisation")
    request = APIRequestFactory().get("/api/v1/customers/")
    for user in (world.steward, world.hq_supervisor):
        request.user = user
        rows = ListRows.shared()
        values = list(
            Customer.objects.filter(community=world.ch).order_by("pk").values(*rows.values)
        )
        fast = rows.represent(values, user)
        slow = [
            CustomerSerializer(c, context={"request": request}).data
            for c in Customer.objects.filter(community=world.ch).order_by("pk")
        ]
        assert fast == [dict(d) for d in slow]
        assert [list(d) for d in fast] == [list(d) for d in slow]  # same keys, same order
        assert fast[0]["mobile"] == "138****5678" and fast[0]["birthday"] == "****-**-**"


def test_api_list_and_search_queries_do_not_grow_with_the_rows(world):
    _households(world.ch, 3)
    client = _api(world.steward)
    _count(client, "/api/v1/customers/?community=CH")  # reads the community codes once
    few, _ = _count(client, "/api/v1/customers/?community=CH")
    search_few, _ = _count(client, "/api/v1/search/?q=zhang&community=CH")
    _households(world.ch, 40, start=3)
    many, response = _count(client, "/api/v1/customers/?community=CH")
    assert len(response.json()["results"]) == 43
    assert many == few
    search_many, response = _count(client, "/api/v1/search/?q=zhang&community=CH")
    assert len(response.json()["customers"]) == 20
    assert search_many == search_few
    rooms, response = _count(client, "/api/v1/search/?q=1-1-1&community=CH")
    assert response.json()["rooms"] and rooms <= search_many + 1


def test_html_list_queries_do_not_grow_with_the_rows(world):
    _households(world.ch, 3)
    client = Client()
    client.force_login(world.steward)
    _count(client, "/customers/")
    few, _ = _count(client, "/customers/")
    _households(world.ch, 60, start=3)
    many, response = _count(client, "/customers/")
    assert many == few
    assert response.content.count(b'<tr><td><a href="/customers/') == 50
    assert b"138****" in response.content and b"13812340" not in response.content
    page = response.content.decode()
    assert page.count("客户名录</h1>") == 1 and page.count('<form class="row g-2') == 1


def test_search_hits_keep_secrecy_grants_and_masking(world):
    vip = make_customer(world.ch, "王五", secrecy=Secrecy.CONFIDENTIAL, room="8-1-101")
    client = _api(world.steward)
    _n, response = _count(client, "/api/v1/search/?q=wangwu&community=CH")
    assert response.json()["customers"] == []
    grant = request_grant(vip, actor=world.steward, reason="上门维修需联系")
    decide_grant(grant, actor=world.office_manager, approve=True)
    _n, response = _count(client, "/api/v1/search/?q=wangwu&community=CH")
    (hit,) = response.json()["customers"]
    assert hit == {
        "id": vip.pk, "community": "CH", "name": "王五", "mobile": "138****5678",
        "secrecy": int(Secrecy.CONFIDENTIAL), "rooms": ["8-1-101"],
    }  # fmt: skip


@pytest.mark.parametrize("code", ["JG", "XX"])
def test_another_or_unknown_community_is_404(world, code):
    response = _api(world.steward).get(f"/api/v1/customers/?community={code}")
    assert response.status_code == 404
    response = _api(world.steward).get(f"/api/v1/search/?q=zhang&community={code}")
    assert response.status_code == 404
