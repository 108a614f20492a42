"""The resident's pages: their household only, a request with photos, its progress, the rating."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from linli.customers.models import Occupancy
from linli.customers.testing import make_customer
from linli.org.models import Area
from linli.policy.services import set_parameter
from linli.portal import selectors, services
from linli.portal.testing import make_resident, sign_in
from linli.tickets import services as tickets
from linli.tickets.models import Cause, Channel, Status, Ticket, TicketEvent
from linli.tickets.testing import category, make_ticket
from linli.tickets.tests.test_views import PNG

MOBILE = "13812345678"


@pytest.fixture
def resident(world):
    return make_resident(world.ch, "张三", mobile=MOBILE, area=Area.objects.get(community=world.ch))


def post_ticket(client, room, **extra):
    data = {"room": room.pk, "kind": "complaint", "category": category("environment").pk,
            "description": "垃圾桶两天没有清运"}  # fmt: skip
    data.update(extra)
    return client.post("/portal/tickets/new/", data)


def resolve(ticket, actor):
    if ticket.kind == "complaint":
        ticket = tickets.set_validity(ticket, "valid", actor=actor)
    return tickets.resolve(ticket, actor=actor, resolution="已清运并加派保洁",
                           cause=Cause.objects.first(), corrective_action="每日两次巡查")  # fmt: skip


# --- the household ----------------------------------------------------------------------------
def test_a_household_spans_every_current_occupancy_of_the_number(world, resident):
    make_customer(world.jg, "张三", mobile=MOBILE, room="1-1-101")
    make_customer(world.ch, "王五", mobile="13900000000", room="9-9-909")
    household = selectors.household_for(MOBILE)
    assert {r.code for r in household.rooms} == {"3-2-501", "1-1-101"}
    assert {c.code for c in household.communities} == {"CH", "JG"}


def test_the_home_page_shows_rooms_requests_and_the_big_buttons(client, world, resident):
    room = resident.occupancies.get().room
    mine = make_ticket(world.ch, actor=world.steward, customer=resident, room=room)
    make_ticket(world.ch, actor=world.steward, title="别人家的事", room=None)
    sign_in(client, MOBILE)
    page = client.get("/portal/").content.decode()
    assert "报事报修" in page and "投诉建议" in page and "服务承诺" in page
    assert "3-2-501" in page and mine.title in page and "别人家的事" not in page
    assert "sidenav" not in page and "/tickets/my/" not in page  # no staff navigation


def test_a_new_tenant_does_not_see_the_last_tenants_requests(client, world):
    room_owner = make_resident(world.ch, "张三", mobile=MOBILE, role=Occupancy.Role.TENANT)
    room = room_owner.occupancies.get().room
    old = make_ticket(world.ch, actor=world.steward, room=room, title="上一位租户的投诉")
    Ticket.objects.filter(pk=old.pk).update(opened_at=timezone.now() - dt.timedelta(days=900))
    Occupancy.objects.filter(customer=room_owner).update(
        move_in=timezone.localdate() - dt.timedelta(days=30)
    )
    new = make_ticket(world.ch, actor=world.steward, room=room, title="本人的报修")
    sign_in(client, MOBILE)
    page = client.get("/portal/tickets/").content.decode()
    assert new.title in page and old.title not in page
    assert client.get(f"/portal/tickets/{old.pk}/").status_code == 404


def test_another_households_ticket_room_and_photo_are_404(client, world, resident):
    other = make_resident(world.ch, "李四", mobile="13912345678", room="3-2-502")
    other_room = other.occupancies.get().room
    theirs = make_ticket(world.ch, actor=world.steward, customer=other, room=other_room)
    tickets.attach_photos(theirs, [SimpleUploadedFile("a.png", PNG)], actor=world.steward)
    sign_in(client, MOBILE)
    for path in (
        f"/portal/tickets/{theirs.pk}/",
        f"/portal/rooms/{other_room.pk}/",
        f"/portal/tickets/{theirs.pk}/photos/{theirs.attachments.get().pk}/",
        f"/portal/tickets/new/?room={other_room.pk}",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "不属于您的房屋" in response.content.decode()
    assert client.post(f"/portal/tickets/{theirs.pk}/rate/", {"satisfaction": 1}).status_code == 404
    assert post_ticket(client, other_room).status_code == 404
    assert Ticket.objects.count() == 1


# --- submitting -------------------------------------------------------------------------------
def test_a_resident_submits_a_complaint_with_photos(client, world, resident):
    room = resident.occupancies.get().room
    sign_in(client, MOBILE)
    form = client.get("/portal/tickets/new/?kind=complaint").content.decode()
    assert 'value="complaint"' in form and "checked" in form
    response = post_ticket(client, room, photos=[SimpleUploadedFile("a.png", PNG, "image/png"),
                                                 SimpleUploadedFile("b.png", PNG, "image/png")])  # fmt: skip
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/portal/tickets/{ticket.pk}/"
    assert ticket.channel == Channel.PORTAL and ticket.customer == resident and ticket.room == room
    assert ticket.contact_phone == MOBILE and ticket.status == Status.NEW
    assert ticket.owner == world.steward  # the area's steward owns it (首问负责)
    assert ticket.attachments.count() == 2
    opened = ticket.events.get(kind=TicketEvent.Kind.OPENED)
    assert opened.actor is None and opened.actor_label == "业主 张三"
    page = client.get(response["Location"]).content.decode()
    assert "已提交" in page and "垃圾桶两天没有清运" in page and "待受理" in page


def test_a_non_image_is_refused_and_nothing_is_written(client, world, resident):
    sign_in(client, MOBILE)
    response = post_ticket(client, resident.occupancies.get().room,
                           photos=[SimpleUploadedFile("x.png", b"%PDF-1.4 nope", "image/png")])  # fmt: skip
    assert (
        response.status_code == 400 and "不是 JPEG、PNG 或 WebP 图片" in response.content.decode()
    )
    assert not Ticket.objects.exists() and not TicketEvent.objects.exists()


def test_too_many_photos_follow_the_policy(client, world, resident):
    set_parameter("tickets.upload.max_files", "1", actor=world.hq_admin, reason="测试")
    sign_in(client, MOBILE)
    photos = [SimpleUploadedFile(f"{n}.png", PNG, "image/png") for n in range(2)]
    response = post_ticket(client, resident.occupancies.get().room, photos=photos)
    assert response.status_code == 400 and "最多 1 张照片" in response.content.decode()
    assert not Ticket.objects.exists()


def test_an_empty_description_keeps_the_choices(client, world, resident):
    sign_in(client, MOBILE)
    response = post_ticket(
        client, resident.occupancies.get().room, description="  ", kind="suggestion"
    )
    page = response.content.decode()
    assert response.status_code == 400 and "请描述您遇到的问题" in page
    assert 'value="suggestion" id="id_kind_2" checked' in page or 'value="suggestion"' in page


def test_a_double_tap_does_not_file_twice(client, world, resident):
    room = resident.occupancies.get().room
    sign_in(client, MOBILE)
    first = post_ticket(client, room)
    second = post_ticket(client, room)
    assert Ticket.objects.count() == 1 and second["Location"] == first["Location"]


# --- progress and rating ----------------------------------------------------------------------
def test_the_timeline_hides_internal_notes_and_staff_names(client, world, resident):
    household = selectors.household_for(MOBILE)
    ticket = services.submit_ticket(household, room=household.rooms[0], kind="repair",
                                    category=category(), description="厨房水管漏水")  # fmt: skip
    ticket = tickets.accept(ticket, actor=world.office_supervisor)
    tickets.add_note(ticket, "业主脾气很差，注意沟通", actor=world.office_supervisor)
    ticket = tickets.dispatch(
        ticket, actor=world.office_supervisor, assignee=world.steward, note="内部：找老李"
    )
    tickets.add_note(ticket, "师傅下午两点上门", actor=world.steward, to_customer=True)
    ticket = tickets.press(ticket, actor=world.office_manager, note="抓紧")
    sign_in(client, MOBILE)
    page = client.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "已受理" in page and "已派单" in page and "师傅下午两点上门" in page
    for secret in ("业主脾气很差", "找老李", "抓紧", "steward", "office_supervisor", "催办"):
        assert secret not in page, secret


def test_a_satisfied_rating_completes_the_ticket(client, world, resident):
    household = selectors.household_for(MOBILE)
    ticket = services.submit_ticket(household, room=household.rooms[0], kind="repair",
                                    category=category(), description="门禁坏了")  # fmt: skip
    ticket = resolve(ticket, world.steward)
    sign_in(client, MOBILE)
    page = client.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "请评价这次处理" in page and "已解决" in page and "很满意" in page
    response = client.post(
        f"/portal/tickets/{ticket.pk}/rate/", {"satisfaction": 5, "words": "师傅很专业"}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    visit = ticket.return_visits.get()
    assert (
        ticket.status == Status.RETURN_VISITED
        and visit.method == "portal"
        and visit.satisfaction == 5
    )
    page = client.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "感谢您的评价" in page and "请评价这次处理" not in page and "很满意：师傅很专业" in page


def test_a_dissatisfied_rating_reopens_and_escalates(client, world, resident):
    household = selectors.household_for(MOBILE)
    ticket = services.submit_ticket(household, room=household.rooms[0], kind="complaint",
                                    category=category(), description="噪音扰民")  # fmt: skip
    ticket = resolve(ticket, world.office_supervisor)
    sign_in(client, MOBILE)
    client.post(f"/portal/tickets/{ticket.pk}/rate/", {"satisfaction": 1, "words": "还是很吵"})
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS and ticket.reopened_count == 1
    assert ticket.escalation_level == 1
    assert ticket.events.filter(kind=TicketEvent.Kind.REOPENED).exists()
    page = client.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "重新处理" in page and "很抱歉没有让您满意" in page and "升级督办" not in page


def test_rating_twice_or_before_resolution_is_refused(client, world, resident):
    household = selectors.household_for(MOBILE)
    ticket = services.submit_ticket(household, room=household.rooms[0], kind="repair",
                                    category=category(), description="电梯异响")  # fmt: skip
    sign_in(client, MOBILE)
    response = client.post(f"/portal/tickets/{ticket.pk}/rate/", {"satisfaction": 5})
    assert response.status_code == 400 and "不需要评价" in response.content.decode()
    response = client.post(f"/portal/tickets/{ticket.pk}/rate/", {"satisfaction": 9})
    assert response.status_code == 400


def test_the_list_filters_requests_awaiting_a_rating(client, world, resident):
    household = selectors.household_for(MOBILE)
    room = household.rooms[0]
    done = resolve(services.submit_ticket(household, room=room, kind="repair", category=category(),
                                          description="灯坏了"), world.steward)  # fmt: skip
    services.submit_ticket(
        household, room=room, kind="repair", category=category(), description="门坏了"
    )
    sign_in(client, MOBILE)
    page = client.get("/portal/tickets/?state=rate").content.decode()
    assert "灯坏了" in page and "门坏了" not in page
    assert "请您评价" in client.get("/portal/").content.decode()
    assert done.pk in [t.pk for t in selectors.awaiting_rating(household)]


# --- commitments ------------------------------------------------------------------------------
def test_commitments_come_from_the_policy(client, world, resident):
    sign_in(client, MOBILE)
    page = client.get("/portal/commitments/").content.decode()
    assert "24 小时有人接听" in page and "一般维修 15 分钟内到场" in page and "回访率 100%" in page
    assert "24 小时内响应、3 个工作日内解决" in page and "不低于 95%" in page
    set_parameter(
        "commitments.repair.ordinary_arrival_minutes", "10", actor=world.hq_admin, reason="新承诺"
    )
    set_parameter("tickets.ordinary.resolve_workdays", "0", actor=world.hq_admin, reason="新承诺")
    set_parameter("commitments.satisfaction.rate", "92.5", actor=world.hq_admin, reason="新承诺")
    page = client.get("/portal/commitments/").content.decode()
    assert "一般维修 10 分钟内到场" in page and "当日解决" in page and "不低于 92.5%" in page


def test_commitments_show_the_offices_phone(client, world, resident):
    world.ch.phone = "0571-88886666"
    world.ch.save()
    sign_in(client, MOBILE)
    page = client.get("/portal/commitments/").content.decode()
    assert 'href="tel:0571-88886666"' in page and "翠湖苑" in page


def test_the_home_page_shows_current_notices_and_survey_invitations(client, world, resident):
    from conftest import make_staff
    from linli.care.outreach.notices import publish_notice
    from linli.surveys import answering, draws
    from linli.surveys.testing import make_round

    room = resident.occupancies.get().room
    now = timezone.now()
    publish_notice(world.ch, kind="water", title="明日停水", body="9:00-12:00 停水检修", starts_at=now + dt.timedelta(hours=20),
                   ends_at=now + dt.timedelta(hours=23), buildings=[room.building], units=[], actor=world.office_supervisor)  # fmt: skip
    researcher = make_staff("researcher", "survey_researcher")
    round_ = make_round(
        [world.ch],
        actor=researcher,
        approver=world.hq_admin,
        method="census",
        name="年中满意度调查",
    )
    draws.draw_sample(round_, actor=researcher)
    answering.open_round(round_, actor=researcher)
    sign_in(client, MOBILE)
    page = client.get("/portal/").content.decode()
    assert "明日停水" in page and "9:00-12:00 停水检修" in page
    invitation = round_.invitations.get(room=room)
    assert "年中满意度调查" in page and answering.answer_path(invitation) in page
