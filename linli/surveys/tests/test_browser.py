"""A resident answers through a one-time link in a real browser; the link then refuses."""

from __future__ import annotations

import pytest

from conftest import make_staff
from linli.core.browser import chromium_page, screenshot
from linli.surveys import answering, draws
from linli.surveys.models import Invitation, Response
from linli.surveys.testing import bulk_households, make_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def standard_questionnaire():
    """An earlier transactional test may have flushed what the data migration wrote."""
    import importlib

    from django.apps import apps

    importlib.import_module("linli.surveys.migrations.0002_standard_questionnaire").forwards(
        apps, None
    )


def test_a_resident_answers_once_on_a_phone(live_server, world):
    researcher = make_staff("researcher", "survey_researcher")
    bulk_households(world.ch, 1)
    round_ = make_round([world.ch], actor=researcher, approver=world.hq_admin, method="census")
    draws.draw_sample(round_, actor=researcher)
    answering.open_round(round_, actor=researcher)
    invitation = round_.invitations.get()
    link = f"{live_server.url}/s/{answering.token_for(invitation)}/"
    with chromium_page(width=390, height=844) as page:
        try:
            page.goto(link)
            assert "满意度调查" in page.title() or "满意度调查" in page.inner_text("header")
            groups = page.locator(".survey-scale")
            for i in range(groups.count()):  # tap 满意 everywhere (the labels are the targets)
                groups.nth(i).locator(".survey-opt").nth(1).click()
            page.fill("textarea", "希望增加儿童游乐设施")
            screenshot(page, "survey-answer-phone")
            page.click("button[value=submit]")
            page.wait_for_selector("text=提交成功")
            page.goto(link)
            assert "已经提交" in page.inner_text("main")
            screenshot(page, "survey-answer-refused")
        except Exception:
            screenshot(page, "survey-answer-failure")
            raise
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.RETURNED
    response = Response.objects.get(invitation=invitation)
    assert response.answers.filter(value="satisfied").count() == groups_count(round_)
    assert response.answers.filter(text="希望增加儿童游乐设施").exists()


def groups_count(round_):
    from linli.surveys.models import Question

    return Question.objects.filter(
        section__questionnaire_version=round_.questionnaire_version_id, kind="scale"
    ).count()
