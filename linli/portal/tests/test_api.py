"""The portal API: a resident token from a code, the household's rooms and tickets, the rating."""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token

from linli.notify.models import Message
from linli.org.models import Area
from linli.portal import selectors, services
from linli.portal.models import LoginCode, ResidentSession
from linli.portal.testing import api_headers, make_resident
from linli.tickets import services as tickets
from linli.tickets.models import Status, Ticket
from linli.tickets.testing import category, make_ticket
from linli.tickets.tests.test_views import PNG

pytestmark = pytest.mark.urls("linli.portal.tests.urls")

API = "/api/v1/portal"
MOBILE = "13812345678"


def post(client, path, data, **headers):
    return client.post(
        f"{API}{path}", json.dumps(data), content_type="application/json", headers=headers
    )


@pytest.fixture
def resident(world):
    return make_resident(world.ch, "张三", mobile=MOBILE, area=Area.objects.get(community=world.ch))


def test_code_then_token_then_rooms(client, world, resident):
    response = post(client, "/auth/code/", {"mobile": MOBILE})
    assert response.status_code == 200 and "138****5678" in response.json()["detail"]
    code = re.search(r"\d{6}", Message.objects.get().body).group(0)
    response = post(client, "/auth/login/", {"mobile": MOBILE, "code": code})
    assert response.status_code == 200
    token = response.json()["token"]
    assert ResidentSession.objects.get().channel == "api" and "expires_at" in response.json()
    rooms = client.get(f"{API}/rooms/", headers={"Authorization": f"Resident {token}"}).json()
    assert rooms == [{"id": resident.occupancies.get().room_id, "code": "3-2-501", "community": "CH",
                      "community_name": "翠湖苑", "role": "业主"}]  # fmt: skip


def test_a_flood_of_code_requests_is_a_json_429(client, world):
    assert post(client, "/auth/code/", {"mobile": "13700001111"}).status_code == 200
    response = post(client, "/auth/code/", {"mobile": "13700001111"})
    assert response.status_code == 429 and "秒后再获取验证码" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0 and LoginCode.objects.count() == 1


def test_a_wrong_code_is_a_400_that_names_the_field(client, world, resident):
    post(client, "/auth/code/", {"mobile": MOBILE})
    code = re.search(r"\d{6}", Message.objects.get().body).group(0)
    response = post(
        client,
        "/auth/login/",
        {"mobile": MOBILE, "code": "000000" if code != "000000" else "111111"},
    )
    assert response.status_code == 400 and "还可以再试 4 次" in response.json()["detail"]
    assert "code" in response.json()["errors"]
    assert post(client, "/auth/login/", {"mobile": MOBILE}).status_code == 400


def test_tickets_post_with_photos_then_list_and_detail(client, world, resident):
    headers = api_headers(MOBILE)
    room = resident.occupancies.get().room
    response = client.post(
        f"{API}/tickets/",
        {"room": room.pk, "kind": "repair", "category": "facilities", "description": "卫生间漏水",
         "photos": [SimpleUploadedFile("a.png", PNG, "image/png"), SimpleUploadedFile("b.png", PNG, "image/png")]},
        headers=headers,
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "new" and body["status_label"] == "待受理" and len(body["photos"]) == 2
    assert body["timeline"][0]["title"] == "已提交" and body["timeline"][0]["by_resident"] is True
    photo = client.get(body["photos"][0]["url"], headers=headers)
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    listing = client.get(f"{API}/tickets/", headers=headers).json()
    assert listing["count"] == 1 and listing["results"][0]["number"] == body["number"]
    detail = client.get(f"{API}/tickets/{body['id']}/", headers=headers).json()
    assert detail["description"] == "卫生间漏水" and detail["rating_choices"] == []


def test_a_bad_photo_is_a_400_and_nothing_is_written(client, world, resident):
    response = client.post(
        f"{API}/tickets/",
        {"room": resident.occupancies.get().room_id, "kind": "repair", "category": "facilities",
         "description": "漏水", "photos": [SimpleUploadedFile("x.png", b"GIF89a not really", "image/png")]},
        headers=api_headers(MOBILE),
    )  # fmt: skip
    assert response.status_code == 400 and "photos" in response.json()["errors"]
    assert not Ticket.objects.exists()


def test_a_json_ticket_without_photos_and_unknown_values(client, world, resident):
    headers = api_headers(MOBILE)
    room = resident.occupancies.get().room_id
    ok = post(
        client,
        "/tickets/",
        {"room": room, "kind": "suggestion", "category": "greening", "description": "多种树"},
        **headers,
    )
    assert ok.status_code == 201
    bad = post(
        client,
        "/tickets/",
        {"room": room, "kind": "sabotage", "category": "nope", "description": ""},
        **headers,
    )
    assert bad.status_code == 400 and {"kind", "category", "description"} <= set(
        bad.json()["errors"]
    )


def test_a_dissatisfied_rating_reopens_through_the_api(client, world, resident):
    household = selectors.household_for(MOBILE)
    ticket = services.submit_ticket(household, room=household.rooms[0], kind="repair",
                                    category=category(), description="门禁坏了")  # fmt: skip
    ticket = tickets.resolve(ticket, actor=world.steward, resolution="已更换读卡器")
    headers = api_headers(MOBILE)
    detail = client.get(f"{API}/tickets/{ticket.pk}/", headers=headers).json()
    assert detail["awaiting_rating"] and detail["rating_choices"][0] == {
        "value": 5,
        "label": "很满意",
    }
    assert detail["resolution"] == "已更换读卡器"
    response = post(
        client,
        f"/tickets/{ticket.pk}/return-visit/",
        {"satisfaction": 1, "words": "还是坏的"},
        **headers,
    )
    assert response.status_code == 200
    assert (
        response.json()["status"] == Status.IN_PROGRESS
        and response.json()["status_label"] == "重新处理中"
    )
    assert [s["title"] for s in response.json()["timeline"]][-2:] == ["服务评价", "重新处理"]
    again = post(client, f"/tickets/{ticket.pk}/return-visit/", {"satisfaction": 5}, **headers)
    assert again.status_code == 400 and "不需要评价" in again.json()["detail"]


def test_another_households_ticket_is_404(client, world, resident):
    other = make_resident(world.ch, "李四", mobile="13912345678", room="3-2-502")
    theirs = make_ticket(
        world.ch, actor=world.steward, customer=other, room=other.occupancies.get().room
    )
    headers = api_headers(MOBILE)
    assert client.get(f"{API}/tickets/{theirs.pk}/", headers=headers).status_code == 404
    assert (
        post(
            client, f"/tickets/{theirs.pk}/return-visit/", {"satisfaction": 1}, **headers
        ).status_code
        == 404
    )
    response = post(client, "/tickets/", {"room": other.occupancies.get().room_id, "kind": "repair",
                                          "category": "facilities", "description": "x"}, **headers)  # fmt: skip
    assert response.status_code == 404 and Ticket.objects.count() == 1


def test_staff_credentials_are_not_resident_tokens(client, world, resident):
    token = Token.objects.create(user=world.steward)
    for headers in (
        {"Authorization": f"Token {token.key}"},
        {"Authorization": f"Resident {token.key}"},
    ):
        assert client.get(f"{API}/rooms/", headers=headers).status_code == 401
    client.force_login(world.hq_admin)
    response = client.get(f"{API}/tickets/")
    assert response.status_code == 401 and response["WWW-Authenticate"] == 'Resident realm="portal"'


def test_logout_ends_the_token(client, world, resident):
    headers = api_headers(MOBILE)
    assert client.post(f"{API}/auth/logout/", headers=headers).status_code == 204
    response = client.get(f"{API}/rooms/", headers=headers)
    assert response.status_code == 401 and "重新登录" in response.json()["detail"]


def test_commitments_and_categories(client, world, resident):
    headers = api_headers(MOBILE)
    rows = client.get(f"{API}/commitments/", headers=headers).json()
    assert rows[0]["community"] == "CH" and any(
        "15 分钟内到场" in i["text"] for i in rows[0]["items"]
    )
    codes = [c["code"] for c in client.get(f"{API}/categories/", headers=headers).json()]
    assert "facilities" in codes


def test_the_schema_documents_the_portal_endpoints(client, world):
    client.force_login(world.steward)
    schema = client.get("/api/v1/schema/", headers={"Accept": "application/json"}).json()
    assert f"{API}/tickets/{{id}}/return-visit/" in schema["paths"]
    assert "residentToken" in schema["components"]["securitySchemes"]
