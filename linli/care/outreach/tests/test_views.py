"""The pages: calendar, today's greetings, notices with live figures, events; timeline, my work."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from linli.care.outreach import events, notices
from linli.care.outreach.models import Event, GreetingTask, Invitation, Notice
from linli.care.outreach.testing import graded_customer
from linli.core import timeline
from linli.core.work import board_sections, my_work_items
from linli.customers.models import Building, Unit
from linli.notify.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def greeting(world):
    today = timezone.localdate()
    customer = graded_customer(world.ch, "王建国", "vip", room="3-1-101", gender="male", mobile="")
    return GreetingTask.objects.create(
        community=world.ch, customer=customer, occasion="birthday", care_event="birthday",
        occasion_on=today, due_on=today, method="in_person", steward=world.steward,
    )  # fmt: skip


def test_the_steward_ticks_off_todays_greeting_and_it_reaches_the_timeline(client, world, greeting):
    assert [i.kind for i in my_work_items(world.steward)].count("greeting") == 1
    client.force_login(world.steward)
    page = client.get("/care/outreach/today/").content.decode()
    assert "王建国" in page and "已问候" in page
    response = client.post(
        f"/care/outreach/greetings/{greeting.pk}/done/", {"note": "上门送花"}, follow=True
    )
    assert "已登记 王建国 的问候" in response.content.decode()
    greeting.refresh_from_db()
    assert (greeting.status, greeting.done_by, greeting.note) == ("done", world.steward, "上门送花")
    assert [i.kind for i in my_work_items(world.steward)].count("greeting") == 0
    entries = [
        e
        for e in timeline.collect(world.steward, customer=greeting.customer)
        if e.kind == "greeting"
    ]
    assert [e.title for e in entries] == ["生日问候（上门/电话）"] and entries[
        0
    ].detail == "上门送花"
    [section] = [
        s for s in board_sections(world.office_supervisor, world.ch.pk) if s.title == "今日关怀问候"
    ]
    assert section.figure == "1/1 已完成"


def test_the_outsider_sees_nothing_of_another_community(world, greeting):
    assert [i for i in my_work_items(world.outsider) if i.kind == "greeting"] == []
    room = greeting.customer.occupancies.get().room
    GreetingTask.objects.filter(pk=greeting.pk).update(status="done")
    assert [e for e in timeline.collect(world.office_supervisor, room=room) if e.kind == "greeting"]
    assert [e for e in timeline.collect(world.outsider, room=room) if e.kind == "greeting"] == []


def test_the_calendar_page_shows_the_month(client, world, greeting):
    client.force_login(world.office_supervisor)
    today = timezone.localdate()
    page = client.get(f"/care/outreach/?month={today:%Y-%m}").content.decode()
    assert "关怀日历" in page and "王建国" in page and f"{today.year}年{today.month}月" in page
    assert client.get("/care/outreach/?month=bogus").status_code == 200


def test_the_notice_page_shows_figures_and_masked_phones(client, world):
    graded_customer(world.ch, "李娜", "b", room="3-1-102", mobile="13912345678")
    client.force_login(world.office_supervisor)
    data = {"kind": "elevator", "title": "3号楼电梯停运", "body": "电梯年检", "starts_at": "2026-12-01T09:00",
            "ends_at": "2026-12-01T12:00", "units": [Unit.objects.get(community=world.ch, building__code="3").pk]}  # fmt: skip
    response = client.post("/care/outreach/notices/new/", data, follow=True)
    page = response.content.decode()
    notice = Notice.objects.get()
    assert "通知已发出，共 1 人" in page and "139****5678" in page and "13912345678" not in page
    assert 'hx-trigger="every 3s"' in page and "送达时限" in page
    Message.objects.update(status="sent", sent_at=timezone.now())
    partial = client.get(f"/care/outreach/notices/{notice.pk}/delivery/").content.decode()
    assert "按时送达" in partial and "hx-trigger" not in partial and "100%" in partial


def test_the_notice_form_refuses_an_empty_scope(client, world):
    Building.objects.create(community=world.ch, code="9")
    client.force_login(world.office_supervisor)
    data = {
        "kind": "water",
        "title": "停水",
        "body": "维修",
        "starts_at": "2026-12-01T09:00",
        "ends_at": "2026-12-01T08:00",
    }
    page = client.post("/care/outreach/notices/new/", data).content.decode()
    assert "请至少选择一个楼栋或单元" in page and "结束时间不能早于开始时间" in page
    assert not Notice.objects.exists()


def test_the_event_journey_on_the_pages(client, world):
    graded_customer(world.ch, "张伟", "vip", room="3-1-101", gender="male")
    graded_customer(world.ch, "安然", "b", room="3-1-102")
    client.force_login(world.office_supervisor)
    starts = (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "kind": "forum",
        "title": "业主座谈会",
        "starts_at": starts,
        "place": "会所",
        "capacity": 0,
        "audience": "all",
    }
    response = client.post("/care/outreach/events/new/", data, follow=True)
    event = Event.objects.get()
    page = response.content.decode()
    assert "邀请名单预览" in page and page.index("张伟") < page.index("安然")
    client.post(f"/care/outreach/events/{event.pk}/invite/")
    first = Invitation.objects.get(event=event, position=1)
    client.post(f"/care/outreach/events/{event.pk}/attendance/", {"attended": [first.pk]})
    client.post(
        f"/care/outreach/invitations/{first.pk}/feedback/", {"rating": 5, "feedback": "很有收获"}
    )
    page = client.get(f"/care/outreach/events/{event.pk}/").content.decode()
    assert "已举办" in page and "很有收获" in page and "5.0" in page
    listing = client.get("/care/outreach/events/").content.decode()
    assert "业主座谈会" in listing and "events-chart" in listing
    entries = [
        e
        for e in timeline.collect(world.office_supervisor, customer=first.customer)
        if e.kind == "event"
    ]
    assert entries[0].title == "参加业主座谈会“业主座谈会”" and "5 星" in entries[0].detail


def test_stats_and_templates_pages(client, world, greeting):
    client.force_login(world.office_manager)
    page = client.get("/care/outreach/greetings/stats/").content.decode()
    assert "翠湖苑" in page and "greeting-chart" in page
    client.force_login(world.hq_supervisor)
    page = client.get("/care/outreach/greetings/templates/").content.decode()
    assert "生日祝福" in page and "{称呼}" in page
    response = client.post("/care/outreach/greetings/templates/",
                           {"care_event": "birthday", "occasion": "birthday", "text": "{坏}"}, follow=True)  # fmt: skip
    assert "未知的占位符" in response.content.decode()


def test_company_staff_pick_a_community_before_creating(client, world):
    client.force_login(world.hq_supervisor)
    response = client.get("/care/outreach/events/new/", follow=True)
    assert "请先在页面顶部选择举办活动的小区" in response.content.decode()


def test_event_notices_helpers_stay_scoped(world):
    graded_customer(world.jg, "顾客", "vip", room="3-1-101")
    now = timezone.now()
    notices.publish_notice(world.jg, kind="water", title="停水", body="x", starts_at=now, ends_at=now,
                           buildings=Building.objects.filter(community=world.jg), units=[], actor=world.outsider)  # fmt: skip
    events.create_event(
        world.jg, actor=world.outsider, kind="activity", title="活动", place="x", starts_at=now
    )
    from linli.care.outreach import selectors

    assert not selectors.notice_list(world.office_supervisor, None).exists()
    assert not selectors.event_list(world.office_supervisor, None, now.year).exists()
    assert selectors.notice_list(world.hq_supervisor, None).count() == 1
