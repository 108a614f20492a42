from __future__ import annotations

import json

from linli.customers.models import ChangeRecord, Customer, Occupancy, Room, Secrecy
from linli.customers.testing import make_customer, make_room, valid_id
from linli.privacy.models import AccessLog


def test_list_masks_phones_and_ids(client, world):
    make_customer(world.ch, "张三", mobile="13912345678", id_number=valid_id())
    client.force_login(world.steward)
    body = client.get("/customers/").content.decode()
    assert "139****5678" in body and "13912345678" not in body
    assert "110101********" in body and valid_id() not in body


def test_unmask_needs_a_reason_and_is_logged(client, world):
    customer = make_customer(world.ch, "张三", mobile="13912345678")
    client.force_login(world.office_supervisor)
    refused = client.post(
        f"/customers/{customer.pk}/unmask/",
        {"field": "mobile", "reason": ""},
        headers={"HX-Request": "true"},
    )
    assert "13912345678" not in refused.content.decode()
    assert not AccessLog.objects.exists()
    shown = client.post(
        f"/customers/{customer.pk}/unmask/",
        {"field": "mobile", "reason": "回访客户"},
        headers={"HX-Request": "true"},
    )
    assert "13912345678" in shown.content.decode()
    log = AccessLog.objects.get()
    assert (log.action, log.field, log.reason, log.actor) == (
        "unmask",
        "mobile",
        "回访客户",
        world.office_supervisor,
    )


def test_create_customer_with_room_from_the_form(client, world):
    make_room(world.ch, "3-2-501")
    client.force_login(world.steward)
    response = client.post(
        "/customers/new/",
        {"community": "CH", "kind": "person", "name": "王小明", "mobile": "138 0000 1111", "room_code": "3栋2单元501室",
         "role": "owner", "move_in": "2024-03-01", "id_type": "", "gender": ""},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    customer = Customer.objects.get(name="王小明")
    assert customer.mobile == "13800001111" and customer.name_initials == "wxm"
    assert customer.occupancies.get().room.code == "3-2-501"


def test_create_refuses_unknown_room_and_keeps_the_input(client, world):
    client.force_login(world.steward)
    response = client.post(
        "/customers/new/",
        {
            "community": "CH",
            "kind": "person",
            "name": "王小明",
            "room_code": "8-8-808",
            "role": "owner",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and "8-8-808 不存在" in body and "王小明" in body
    assert not Customer.objects.exists()


def test_invalid_id_and_phone_name_the_field(client, world):
    client.force_login(world.steward)
    response = client.post(
        "/customers/new/",
        {
            "community": "CH",
            "kind": "person",
            "name": "甲",
            "id_number": "110101199003074519",
            "role": "owner",
        },
    )
    assert "校验位不正确" in response.content.decode()
    response = client.post(
        "/customers/new/",
        {"community": "CH", "kind": "person", "name": "甲", "mobile": "138abc", "role": "owner"},
    )
    assert "不能有字母" in response.content.decode()
    assert not Customer.objects.exists()


def test_edit_records_history_with_sensitive_values_masked(client, world):
    customer = make_customer(world.ch, "张三", mobile="13912345678")
    client.force_login(world.steward)
    form = client.get(f"/customers/{customer.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "care_flags"}
    data.update({"mobile": "13700002222", "name": "张三丰", "version": customer.version})
    assert client.post(f"/customers/{customer.pk}/edit/", data).status_code == 302
    change = ChangeRecord.objects.get(field="mobile")
    assert change.old == "139****5678" and change.new == "137****2222"
    assert ChangeRecord.objects.get(field="name").new == "张三丰"


def test_stale_edit_is_refused(client, world):
    customer = make_customer(world.ch, "张三")
    client.force_login(world.steward)
    stale = customer.version
    from linli.customers.services import update_customer

    update_customer(customer, {"notes": "别人先改了"}, actor=world.office_supervisor)
    response = client.post(
        f"/customers/{customer.pk}/edit/",
        {"kind": "person", "name": "张三", "version": stale, "notes": "我的修改"},
    )
    assert "已被他人修改" in response.content.decode()
    customer.refresh_from_db()
    assert customer.notes == "别人先改了"


def test_move_out_keeps_the_customer_and_history(client, world):
    customer = make_customer(world.ch, "张三")
    occupancy = Occupancy.objects.get(customer=customer)
    client.force_login(world.steward)
    client.post(f"/customers/occupancies/{occupancy.pk}/move-out/", {"on": "2026-01-31"})
    occupancy.refresh_from_db()
    assert str(occupancy.move_out) == "2026-01-31"
    assert Customer.objects.filter(pk=customer.pk).exists()
    assert Room.objects.get(pk=occupancy.room_id).status == Room.Status.VACANT
    page = client.get(f"/customers/rooms/{occupancy.room_id}/").content.decode()
    assert "历史住户" in page and "张三" in page


def test_move_out_before_move_in_is_refused(client, world):
    customer = make_customer(world.ch, "张三")
    occupancy = Occupancy.objects.get(customer=customer)
    client.force_login(world.steward)
    client.post(f"/customers/occupancies/{occupancy.pk}/move-out/", {"on": "2019-01-01"})
    occupancy.refresh_from_db()
    assert occupancy.move_out is None


def test_room_page_offers_a_grant_request_for_restricted_occupants(client, world):
    make_customer(world.ch, "王五", room="1-1-101", secrecy=Secrecy.CONFIDENTIAL)
    room = Room.objects.get(code="1-1-101")
    client.force_login(world.steward)
    body = client.get(f"/customers/rooms/{room.pk}/").content.decode()
    assert "王五" not in body and "申请查阅" in body


def test_set_secrecy_is_limited_to_own_clearance(client, world):
    customer = make_customer(world.ch, "张三")
    client.force_login(world.office_supervisor)
    client.post(f"/customers/{customer.pk}/secrecy/", {"level": "3", "reason": "董事"})
    customer.refresh_from_db()
    assert customer.secrecy == Secrecy.SECRET  # 绝密 is above a supervisor's clearance
    client.post(f"/customers/{customer.pk}/secrecy/", {"level": "2", "reason": "重要客户"})
    customer.refresh_from_db()
    assert customer.secrecy == Secrecy.CONFIDENTIAL
    assert ChangeRecord.objects.filter(action="secrecy").count() == 1


def test_search_page_finds_by_initials(client, world):
    make_customer(world.ch, "张三")
    client.force_login(world.steward)
    body = client.get("/customers/search/?q=zs").content.decode()
    assert "张三" in body


def test_api_lists_masked_and_unmask_logs(client, world):
    customer = make_customer(world.ch, "张三", mobile="13912345678")
    make_customer(world.jg, "李四", mobile="13700001111")
    client.force_login(world.office_supervisor)
    rows = client.get("/api/v1/customers/").json()["results"]
    assert [r["name"] for r in rows] == ["张三"] and rows[0]["mobile"] == "139****5678"
    response = client.post(
        f"/api/v1/customers/{customer.pk}/unmask/",
        json.dumps({"field": "mobile", "reason": "回访"}),
        content_type="application/json",
    )
    assert response.json() == {"field": "mobile", "value": "13912345678"}
    assert AccessLog.objects.filter(action="unmask").count() == 1


def test_api_create_update_with_version(client, world):
    client.force_login(world.steward)
    created = client.post(
        "/api/v1/customers/",
        json.dumps({"community": "CH", "name": "赵六", "mobile": "13600001234"}),
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    bad = client.put(
        f"/api/v1/customers/{pk}/",
        json.dumps({"community": "CH", "name": "赵六六", "version": 99}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and "已被他人修改" in bad.json()["detail"]
    ok = client.patch(
        f"/api/v1/customers/{pk}/",
        json.dumps({"notes": "喜欢安静", "version": 1}),
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["notes"] == "喜欢安静"


def test_api_bad_phone_is_400_naming_the_field(client, world):
    client.force_login(world.steward)
    response = client.post(
        "/api/v1/customers/",
        json.dumps({"community": "CH", "name": "赵六", "mobile": "abc"}),
        content_type="application/json",
    )
    assert response.status_code == 400 and "mobile" in response.json()["errors"]


def test_api_cannot_create_in_another_community(client, world):
    client.force_login(world.steward)
    response = client.post(
        "/api/v1/customers/",
        json.dumps({"community": "JG", "name": "赵六"}),
        content_type="application/json",
    )
    assert response.status_code == 404
