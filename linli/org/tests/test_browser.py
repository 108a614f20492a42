"""The first journey in a real browser: sign in, see the scoped home page, switch community."""

from __future__ import annotations

import pytest

from linli.core.browser import chromium_page, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "Test-pass-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_steward_signs_in_and_sees_only_own_community(live_server, world):
    with chromium_page() as page:
        try:
            sign_in(page, live_server, "steward")
            body = page.inner_text("main")
            assert "翠湖苑" in body and "金桂园" not in body
            assert page.locator("link[href*='bootstrap.min.css']").count() == 1
            # Styles really load (no CDN): the navbar has Linli's colour.
            color = page.eval_on_selector("nav.navbar", "e => getComputedStyle(e).backgroundColor")
            assert color == "rgb(31, 95, 139)"
            page.goto(f"{live_server.url}/org/communities/JG/")
            assert "未找到" in page.inner_text("main")
        except Exception:
            screenshot(page, "steward-home-failure")
            raise


def test_company_supervisor_switches_community(live_server, world):
    with chromium_page() as page:
        try:
            sign_in(page, live_server, "hq_supervisor")
            assert "公司总览" in page.inner_text("main")
            page.select_option("#community-switcher", "JG")
            page.wait_for_load_state("networkidle")
            rows = page.locator("main table tbody tr")
            assert rows.count() == 1 and "金桂园" in rows.first.inner_text()
        except Exception:
            screenshot(page, "hq-switch-failure")
            raise


def test_wrong_password_then_success_on_a_phone_screen(live_server, world):
    with chromium_page(width=375, height=740) as page:
        try:
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("#id_username", "steward")
            page.fill("#id_password", "wrong")
            page.click("button[type=submit]")
            assert "用户名或密码不正确" in page.inner_text("body")
            assert page.input_value("#id_username") == "steward"
            page.fill("#id_password", "Test-pass-2026")
            page.click("button[type=submit]")
            page.wait_for_url(f"{live_server.url}/")
        except Exception:
            screenshot(page, "login-phone-failure")
            raise
