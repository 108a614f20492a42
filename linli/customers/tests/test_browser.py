"""The front desk's journey in a real browser: find the caller, open the file, show the phone."""

from __future__ import annotations

import pytest

from linli.core.browser import chromium_page, screenshot
from linli.customers.testing import make_customer
from linli.privacy.models import AccessLog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reception_finds_caller_and_unmasks_phone_with_a_reason(live_server, world):
    make_customer(world.ch, "张三丰", mobile="13912345678", room="3-2-501")
    with chromium_page() as page:
        try:
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("#id_username", "office_supervisor")
            page.fill("#id_password", "Test-pass-2026")
            page.click("button[type=submit]")
            page.wait_for_url(f"{live_server.url}/")
            page.goto(f"{live_server.url}/customers/search/")
            page.fill("input[name=q]", "zsf")  # initials, typed: results appear without a submit
            page.wait_for_selector("#search-results a.list-group-item")
            assert "139****5678" in page.inner_text("#search-results")
            page.click("#search-results a.list-group-item")
            page.wait_for_selector("#field-mobile")
            assert "13912345678" not in page.inner_text("main")
            page.fill("#field-mobile input[name=reason]", "客户来电核对")
            page.click("#field-mobile button")
            page.wait_for_selector("#field-mobile .badge")
            assert "13912345678" in page.inner_text("#field-mobile")
            log = AccessLog.objects.get()
            assert (log.action, log.field, log.reason) == ("unmask", "mobile", "客户来电核对")
        except Exception:
            screenshot(page, "reception-unmask-failure")
            raise
