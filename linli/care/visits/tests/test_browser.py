"""The steward's phone: today's visits at 375 px, recording one on the spot."""

from __future__ import annotations

import pytest
from django.utils import timezone

from linli.care.visits.models import PlanItem, Visit
from linli.care.visits.planning import generate_plan
from linli.core.browser import chromium_page, screenshot
from linli.org.tests.test_browser import sign_in

from .conftest import household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def default_scheme():
    """An earlier transactional test may have flushed what the data migration wrote."""
    import importlib

    from django.apps import apps

    importlib.import_module("linli.grading.migrations.0002_default_scheme").forwards(apps, None)


def test_steward_records_todays_visit_on_a_phone(live_server, world):
    vip = household(world, "王总", "1-1-101", grade_code="vip", care_flags=["elderly_alone"])
    household(world, "李四", "1-1-102", grade_code="b")
    generate_plan(world.ch, timezone.localdate().replace(day=1))
    with chromium_page(width=375, height=812) as page:
        try:
            sign_in(page, live_server, "steward")
            page.goto(f"{live_server.url}/care/visits/today/")
            row = page.locator(f'[data-section="due"] a[data-customer="{vip.pk}"]')
            assert "VIP" in row.inner_text() and "独居老人" in row.inner_text()
            box = row.bounding_box()
            assert box["height"] >= 48 and box["width"] >= 330  # a big touch target
            assert (
                page.evaluate("document.documentElement.scrollWidth") <= 375
            )  # no sideways scroll
            screenshot(page, "care-visits-today-375")
            row.click()
            page.wait_for_selector("form.visit-form")
            assert "138****5678" in page.inner_text(".customer-card")
            page.click("label[for=id_method_1]")  # 电话
            page.fill("#id_raised", "楼道灯不亮")
            screenshot(page, "care-visits-record-375")
            page.click("form.visit-form button.btn-primary")
            page.wait_for_load_state("networkidle")
            assert "已记录对 王总 的拜访" in page.inner_text("main")
            visit = Visit.objects.get()
            assert visit.method == "phone" and visit.raised == "楼道灯不亮"
            assert (
                PlanItem.objects.get(customer=vip, visitor_role="steward", visit=visit).status
                == "done"
            )
            page.goto(f"{live_server.url}/care/visits/today/")
            assert page.locator('[data-figure="done-today"]').inner_text() == "1"
            screenshot(page, "care-visits-today-after-375")
        except Exception:
            screenshot(page, "care-visits-failure")
            raise
