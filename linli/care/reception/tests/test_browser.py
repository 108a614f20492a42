"""The front desk in a real browser: find the caller by keyboard, log, convert; the needs
report's charts (CSP-safe: no inline scripts)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from linli.care.reception import services
from linli.care.reception.models import PersonalNeed, ReceptionEntry
from linli.care.reception.testing import household, open_entry, pending_need
from linli.core.browser import chromium_page, screenshot
from linli.customers.testing import make_customer
from linli.org.tests.test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def need_types():
    """An earlier transactional test may have flushed what the data migration wrote."""
    import importlib

    from django.apps import apps

    importlib.import_module("linli.care.reception.migrations.0002_default_need_types").add_types(
        apps, None
    )


def test_the_desk_finds_the_caller_by_keyboard_and_logs_the_call(live_server, world):
    customer = household(world)
    make_customer(world.ch, "张晓明", room="3-2-502", mobile="13955556666")
    open_entry(world)
    pending_need(world)
    with chromium_page() as page:
        try:
            sign_in(page, live_server, "steward")
            page.goto(f"{live_server.url}/care/reception/")
            assert page.evaluate("document.activeElement.id") == "caller-q"
            page.keyboard.type("张三")
            page.wait_for_selector(".caller-pick")
            page.keyboard.press("ArrowDown")
            page.keyboard.press("Enter")
            page.wait_for_selector("#caller-card .card")
            assert "3-2-501" in page.inner_text("#caller-chosen")
            assert page.evaluate("document.activeElement.name") == "subject"
            page.keyboard.press("Alt+2")  # 来访
            page.keyboard.type("咨询电梯年检时间")
            page.fill("textarea[name=reply]", "已告知下周二")
            assert page.eval_on_selector("input[name=channel]:checked", "e => e.value") == "visit"
            page.wait_for_timeout(400)  # let the buttons' colour transition finish
            screenshot(page, "reception-desk")
            page.focus("input[name=subject]")
            page.keyboard.press("Control+Enter")
            page.wait_for_selector(".alert-success, .alert")
            entry = ReceptionEntry.objects.get(subject="咨询电梯年检时间")
            assert (
                entry.customer == customer
                and entry.channel == "visit"
                and entry.room.code == "3-2-501"
            )
            assert "咨询电梯年检时间" in page.inner_text("main")
        except Exception:
            screenshot(page, "reception-desk-failure")
            raise
    with chromium_page(width=390, height=844) as page:
        sign_in(page, live_server, "steward")
        page.goto(f"{live_server.url}/care/reception/")
        page.click("#caller-q")  # under load the autofocus may not have happened yet
        page.keyboard.type("3-2-50")
        page.wait_for_selector(".caller-pick")
        screenshot(page, "reception-desk-phone")


def test_the_needs_report_draws_its_charts(live_server, world):
    customer = household(world)
    open_entry(world)
    PersonalNeed.objects.filter(pk=pending_need(world).pk).update(due_on=timezone.localdate())
    for code, text in [("parcel", "代收快递"), ("housekeeping", "保洁"), ("parcel", "再代收")]:
        need = services.record_need(
            actor=world.steward, customer=customer, description=text, need_type=code
        )
        if text != "再代收":
            services.set_need_status(need, actor=world.steward, status="done", result="已办")
    with chromium_page() as page:
        try:
            sign_in(page, live_server, "office_manager")
            page.goto(
                f"{live_server.url}/care/reception/needs/report/?year={timezone.localdate().year}"
            )
            page.wait_for_selector("[data-chart=need-counts] svg")
            assert page.locator("[data-chart] svg").count() >= 2
            screenshot(page, "reception-needs-report")
            page.goto(f"{live_server.url}/care/reception/check/")
            screenshot(page, "reception-daily-check")
        except Exception:
            screenshot(page, "reception-needs-report-failure")
            raise
