"""The resident's journey on a phone-sized screen: code, login, complaint, progress, and a
dissatisfied rating that sends the complaint back for handling."""

from __future__ import annotations

import importlib
import os
import re

import pytest

from linli.core.browser import chromium_page, screenshot
from linli.notify.models import Message
from linli.org.models import Area
from linli.portal.testing import make_resident
from linli.tickets import services as tickets
from linli.tickets.models import Cause, Status, Ticket, TicketEvent
from linli.tickets.tests.test_views import PNG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def default_categories():
    """An earlier transactional test may have flushed what the data migration wrote."""
    from django.apps import apps

    migration = "linli.tickets.migrations.0002_default_categories_and_causes"
    importlib.import_module(migration).forwards(apps, None)


MOBILE = "13812345678"
# LINLI_SCREENSHOTS=1 saves every step (to look at the pages); failures are always saved.
STEPS = bool(os.environ.get("LINLI_SCREENSHOTS"))


def step(page, name):
    if STEPS:
        screenshot(page, f"portal-{name}")


def test_resident_complains_and_a_dissatisfied_rating_reopens_it(live_server, world, tmp_path):
    default_categories()
    make_resident(world.ch, "张三", mobile=MOBILE, area=Area.objects.get(community=world.ch))
    photo = tmp_path / "楼道.png"
    photo.write_bytes(PNG)
    with chromium_page(width=375, height=740) as page:
        try:
            page.goto(f"{live_server.url}/portal/")
            assert "/portal/login/" in page.url
            step(page, "01-login")
            page.fill("#id_mobile", MOBILE)
            page.click("#send-code")
            page.wait_for_load_state()
            assert "验证码短信" in page.inner_text("main")
            step(page, "02-code-sent")
            body = Message.objects.get(channel="sms", address=MOBILE).body
            page.fill("#id_code", re.search(r"\d{6}", body).group(0))
            page.click("#login-button")
            page.wait_for_url(f"{live_server.url}/portal/")
            assert "您好，张三" in page.inner_text("main")
            step(page, "03-home")

            page.click("a.big-action.complaint")
            page.wait_for_url(re.compile(r".*/portal/tickets/new/\?kind=complaint"))
            page.get_by_text("环境卫生", exact=True).click()
            page.fill("#id_description", "3 号楼门口的垃圾桶两天没有清运，气味很大")
            page.set_input_files("#id_photos", str(photo))
            step(page, "04-new")
            page.click("#submit-ticket")
            page.wait_for_url(re.compile(r".*/portal/tickets/\d+/$"))
            assert page.inner_text("#ticket-status") == "待受理"
            step(page, "05-submitted")
            ticket = Ticket.objects.get()
            assert ticket.kind == "complaint" and ticket.category.code == "environment"
            assert ticket.attachments.count() == 1

            # The office handles it, as it would from the staff pages.
            office = world.office_supervisor
            ticket = tickets.accept(ticket, actor=office)
            ticket = tickets.set_validity(ticket, "valid", actor=office)
            tickets.resolve(ticket, actor=office, resolution="已清运，并增加每日清运次数",
                            cause=Cause.objects.first(), corrective_action="清运改为每日两次")  # fmt: skip

            page.reload()
            assert page.inner_text("#ticket-status") == "已解决"
            assert "已清运，并增加每日清运次数" in page.inner_text("main")
            step(page, "06-resolved")
            page.get_by_text("不满意", exact=True).click()
            page.fill("#id_words", "第二天又堆满了")
            page.click("#rate-button")
            page.wait_for_load_state()
            assert page.inner_text("#ticket-status") == "重新处理中"
            history = page.inner_text("#timeline")
            assert "重新处理" in history and "不满意：第二天又堆满了" in history
            step(page, "07-reopened")

            ticket.refresh_from_db()
            assert ticket.status == Status.IN_PROGRESS and ticket.reopened_count == 1
            assert ticket.events.filter(kind=TicketEvent.Kind.REOPENED).exists()
            visit = ticket.return_visits.get()
            assert visit.method == "portal" and visit.satisfaction == 1

            page.click(".portal-tabs a:has-text('服务承诺')")
            page.wait_for_url(f"{live_server.url}/portal/commitments/")
            assert "分钟内到场" in page.inner_text("main")
            step(page, "08-commitments")
            page.click(".portal-tabs a:has-text('我的诉求')")
            page.wait_for_url(f"{live_server.url}/portal/tickets/")
            step(page, "09-list")
        except Exception:
            screenshot(page, "portal-journey-failure")
            raise
