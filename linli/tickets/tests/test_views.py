from __future__ import annotations

import base64

from django.core.files.uploadedfile import SimpleUploadedFile

from linli.customers.testing import make_customer, make_room
from linli.tickets.models import Attachment, Status, Ticket
from linli.tickets.testing import category, make_ticket

# A 1×1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def intake(client, **extra):
    data = {"kind": "repair", "channel": "phone", "category": category().pk, "severity": "ordinary",
            "description": "卫生间漏水", "title": "", "contact_name": "", "contact_phone": ""}  # fmt: skip
    data.update(extra)
    return client.post("/tickets/new/", data)


def test_intake_from_the_customer_file_in_one_post(client, world):
    customer = make_customer(world.ch, "张三", mobile="13912345678")
    client.force_login(world.steward)
    response = intake(
        client,
        customer=customer.pk,
        room_code="3-2-501",
        photos=[SimpleUploadedFile("a.png", PNG, "image/png")],
    )
    ticket = Ticket.objects.get()
    assert (
        response.status_code == 302
        and ticket.customer == customer
        and ticket.room.code == "3-2-501"
    )
    assert ticket.contact_phone == "13912345678" and ticket.owner == world.steward
    assert Attachment.objects.get().content_type == "image/png"


def test_non_image_upload_is_refused_and_nothing_is_written(client, world):
    make_room(world.ch, "3-2-501")
    client.force_login(world.steward)
    response = intake(
        client,
        room_code="3-2-501",
        photos=[SimpleUploadedFile("x.png", b"%PDF-1.4 not an image", "image/png")],
    )
    assert "不是 JPEG、PNG 或 WebP 图片" in response.content.decode()
    assert not Ticket.objects.exists()


def test_intake_for_another_communitys_customer_is_404(client, world):
    other = make_customer(world.jg, "李四")
    client.force_login(world.steward)
    assert intake(client, customer=other.pk).status_code == 404
    assert not Ticket.objects.exists()


def test_company_user_must_choose_a_community(client, world):
    client.force_login(world.hq_supervisor)
    response = intake(client)
    assert "选择小区" in response.content.decode() and not Ticket.objects.exists()


def test_actions_through_the_detail_page(client, world):
    ticket = make_ticket(world.ch, actor=world.steward, kind="repair")
    client.force_login(world.office_supervisor)
    client.post(
        f"/tickets/{ticket.pk}/do/dispatch/", {"assignee": world.steward.pk, "note": "今天处理"}
    )
    client.post(f"/tickets/{ticket.pk}/do/resolve/", {"resolution": "已修复"})
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "派单" in page and "已修复" in page and "登记回访" in page


def test_stale_form_is_refused_with_a_clear_message(client, world):
    ticket = make_ticket(world.ch, actor=world.steward)
    client.force_login(world.office_supervisor)
    response = client.post(
        f"/tickets/{ticket.pk}/do/press/",
        {"version": ticket.version - 1 if ticket.version > 1 else 99},
        follow=True,
    )
    assert "已被他人更新" in response.content.decode()


def test_steward_cannot_escalate(client, world):
    ticket = make_ticket(world.ch, actor=world.steward)
    client.force_login(world.steward)
    assert client.post(f"/tickets/{ticket.pk}/do/escalate/", {"reason": "x"}).status_code == 403


def test_my_work_lists_tickets_and_return_visits_by_deadline(client, world):
    make_ticket(world.ch, actor=world.steward, title="第一件")
    client.force_login(world.steward)
    body = client.get("/tickets/my/").content.decode()
    assert "第一件" in body


def test_ticket_appears_on_the_household_timeline(client, world):
    customer = make_customer(world.ch, "张三")
    make_ticket(world.ch, actor=world.steward, customer=customer, title="门禁坏了")
    client.force_login(world.steward)
    assert "门禁坏了" in client.get(f"/customers/{customer.pk}/").content.decode()
