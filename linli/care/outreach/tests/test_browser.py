"""The care calendar, a notice with live delivery figures and an event, in a real browser
(CSP-safe scripts, htmx polling), with screenshots of each page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from linli.care.outreach import events, greetings
from linli.care.outreach.models import GreetingTask, Notice
from linli.care.outreach.testing import graded_customer
from linli.core.browser import chromium_page, screenshot
from linli.customers.models import Building
from linli.customers.testing import make_room
from linli.notify.models import Message
from linli.notify.services import deliver_due
from linli.org.models import Area
from linli.org.tests.test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def default_scheme():
    """An earlier transactional test may have flushed what the data migration wrote."""
    import importlib

    from django.apps import apps

    importlib.import_module("linli.grading.migrations.0002_default_scheme").forwards(apps, None)


@pytest.fixture
def households(world):
    area = Area.objects.get(code="CH01")
    today = timezone.localdate()
    names = [("王建国", "vip", "male"), ("李娜", "a", "female"), ("欧阳修", "vip", "male"), ("赵敏", "b", "female"),
             ("周杰", "a", "male"), ("孙丽", "b", "female")]  # fmt: skip
    people = []
    for index, (name, grade, gender) in enumerate(names):
        room = make_room(world.ch, f"3-{index % 2 + 1}-{101 + index}", area=area)
        birthday = dt.date(1960 + index, today.month, min(28, 3 + index * 4))
        people.append(graded_customer(world.ch, name, grade, room=room, gender=gender, birthday=birthday,
                                      mobile="" if index == 2 else f"1391234560{index}"))  # fmt: skip
    return people


def test_calendar_today_and_ticking_off_on_a_phone(live_server, world, households):
    today = timezone.localdate()
    for back in range(today.day - 1, -1, -1):
        day = today - dt.timedelta(days=back)
        greetings.create_greetings(day)
        if back:
            greetings.send_greetings(
                day, now=timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
            )
    greetings.mark_missed(today)
    GreetingTask.objects.create(
        community=world.ch, customer=households[2], occasion="birthday", care_event="birthday",
        occasion_on=today, due_on=today, method="in_person", steward=world.steward,
    )  # fmt: skip
    deliver_due()
    with chromium_page() as page:
        try:
            sign_in(page, live_server, "office_supervisor")
            page.goto(f"{live_server.url}/care/outreach/")
            assert "关怀日历" in page.inner_text("main")
            assert page.locator("table.care-calendar td").count() >= 28
            screenshot(page, "outreach-calendar")
        except Exception:
            screenshot(page, "outreach-calendar-failure")
            raise
    with chromium_page(width=390, height=844) as page:
        try:
            sign_in(page, live_server, "steward")
            page.goto(f"{live_server.url}/care/outreach/today/")
            screenshot(page, "outreach-today-phone")
            page.fill("input[name=note]", "上门送上生日蛋糕")
            page.click("button:has-text('已问候')")
            page.wait_for_load_state("networkidle")
            assert "已登记 欧阳修 的问候" in page.inner_text("main")
            assert GreetingTask.objects.get(customer=households[2], due_on=today).status == "done"
        except Exception:
            screenshot(page, "outreach-today-failure")
            raise


def test_a_notice_goes_out_and_its_figures_refresh_live(live_server, world, households):
    with chromium_page() as page:
        try:
            sign_in(page, live_server, "office_supervisor")
            page.goto(f"{live_server.url}/care/outreach/notices/new/")
            page.select_option("select[name=kind]", "water")
            page.fill("input[name=title]", "3号楼停水通知")
            page.fill("textarea[name=body]", "因供水管道维修，3号楼1单元暂停供水，请提前储水。")
            building = Building.objects.get(community=world.ch, code="3")
            unit = building.units.get(code="1")
            page.check(f"input[name=units][value='{unit.pk}']")
            page.on("dialog", lambda dialog: dialog.accept())
            page.click("button:has-text('立即发送')")
            page.wait_for_selector("#notice-delivery")
            assert "通知已发出，共 3 人" in page.inner_text("main")
            assert "排队中" in page.inner_text("#notice-delivery")
            notice = Notice.objects.get()
            first = Message.objects.filter(kind="care.notice").order_by("pk").first()
            Message.objects.filter(pk=first.pk).update(status="failed", last_error="网关拒绝")
            deliver_due()  # the outbox worker delivers; the page picks it up within 3 seconds
            page.wait_for_selector("#notice-delivery:has-text('未按时送达')", timeout=10000)
            assert "1" in page.inner_text("#notice-delivery")
            assert notice.deliveries.count() == 3
            screenshot(page, "outreach-notice")
        except Exception:
            screenshot(page, "outreach-notice-failure")
            raise


def test_an_event_with_invitations_attendance_and_feedback(live_server, world, households):
    event = events.create_event(
        world.ch, actor=world.office_supervisor, kind="forum", title="第四季度业主座谈会", place="管理处会议室",
        capacity=5, audience="all", starts_at=timezone.now() - dt.timedelta(hours=2), description="通报服务工作，听取业主意见",
    )  # fmt: skip
    with chromium_page() as page:
        try:
            sign_in(page, live_server, "office_supervisor")
            page.goto(f"{live_server.url}/care/outreach/events/{event.pk}/")
            assert "邀请名单预览" in page.inner_text("main")
            page.on("dialog", lambda dialog: dialog.accept())
            page.click("button:has-text('发出邀请')")
            page.wait_for_load_state("networkidle")
            assert "已向 5 位客户发出邀请" in page.inner_text("main")
            boxes = page.locator("input[name=attended]")
            boxes.nth(0).check()
            boxes.nth(1).check()
            boxes.nth(3).check()
            page.click("button:has-text('保存签到')")
            page.wait_for_load_state("networkidle")
            assert "出席 3 人" in page.inner_text("main")
            page.locator("select[name=rating]").first.select_option("5")
            page.locator("input[name=feedback]").first.fill("座谈会开得很实在")
            page.locator("form:has(select[name=rating]) button").first.click()
            page.wait_for_load_state("networkidle")
            assert "座谈会开得很实在" in page.inner_text("main")
            screenshot(page, "outreach-event")
            page.goto(f"{live_server.url}/care/outreach/events/")
            page.wait_for_selector("[data-events-chart] svg")
            screenshot(page, "outreach-events")
        except Exception:
            screenshot(page, "outreach-event-failure")
            raise
