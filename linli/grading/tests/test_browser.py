"""The grading journey in a real browser: confirm a review, then read the charts (CSP-safe)."""

from __future__ import annotations

import pytest

from linli.core.browser import chromium_page, screenshot
from linli.customers.testing import make_customer
from linli.grading import jobs
from linli.grading.models import CustomerGrade, GradeReview
from linli.org.tests.test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def default_scheme():
    """An earlier transactional test may have flushed what the data migration wrote."""
    import importlib

    from django.apps import apps

    importlib.import_module("linli.grading.migrations.0002_default_scheme").forwards(apps, None)


def test_supervisor_confirms_the_review_and_sees_the_structure(live_server, world):
    make_customer(world.ch, "孙丽", room="1-1-101", is_committee_member=True)
    make_customer(world.ch, "张三", room="1-1-102")
    jobs.create_due_reviews()
    review = GradeReview.objects.get(community=world.ch)
    with chromium_page() as page:
        try:
            sign_in(page, live_server, "office_supervisor")
            page.goto(f"{live_server.url}/grading/reviews/{review.pk}/")
            page.check("[data-select-all]")
            assert page.locator("input[name=items]:checked").count() == 2
            page.click("button[name=scope][value=selected]")
            page.wait_for_load_state("networkidle")
            assert "已确认 2 位客户的等级" in page.inner_text("main")
            assert set(CustomerGrade.objects.values_list("grade__code", flat=True)) == {"a", "b"}
            page.goto(f"{live_server.url}/grading/analysis/")
            page.wait_for_selector("[data-chart=grades] canvas")
            assert page.locator("[data-chart] canvas").count() >= 6
        except Exception:
            screenshot(page, "grading-review-failure")
            raise
