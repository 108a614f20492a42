"""Today's greetings on "my work" and the office board (linli.care.outreach.providers)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from linli.care.outreach.models import GreetingTask
from linli.care.outreach.testing import graded_customer
from linli.core.work import board_sections, my_work_items

pytestmark = pytest.mark.django_db


def _greeting(world, name: str, room: str, **extra) -> GreetingTask:
    today = timezone.localdate()
    customer = graded_customer(world.ch, name, "vip", room=room, gender="male", mobile="")
    values = {"community": world.ch, "customer": customer, "occasion": "birthday", "care_event": "birthday",
              "occasion_on": today, "due_on": today, "method": "in_person", "steward": world.steward}  # fmt: skip
    values.update(extra)
    return GreetingTask.objects.create(**values)


def test_my_work_names_the_occasion_and_the_customer(world):
    greeting = _greeting(world, "王建国", "3-1-101")
    (item,) = [i for i in my_work_items(world.steward) if i.kind == "greeting"]
    assert item.title == "生日问候 王建国"
    assert item.link == f"/care/outreach/today/#greeting-{greeting.pk}"
    assert item.due is not None and timezone.localtime(item.due).date() == greeting.due_on


def test_the_board_counts_todays_greetings_done_and_owed(world):
    _greeting(world, "王建国", "3-1-101")
    _greeting(world, "李秀英", "3-1-102", status="done")
    _greeting(world, "张伟", "3-1-103", status="sent", method="message")
    [section] = [s for s in board_sections(world.office_supervisor, world.ch.pk) if s.title == "今日关怀问候"]  # fmt: skip
    assert section.figure == "2/3 已完成" and section.count == 1
    assert section.link == "/care/outreach/today/"
    jg_customer = graded_customer(world.jg, "钱七", "vip", room="2-1-201", mobile="")
    today = timezone.localdate()
    GreetingTask.objects.create(
        community=world.jg, customer=jg_customer, occasion="birthday", care_event="birthday",
        occasion_on=today, due_on=today, method="in_person", steward=world.outsider,
    )  # fmt: skip
    [other] = [s for s in board_sections(world.office_supervisor, world.jg.pk) if s.title == "今日关怀问候"]  # fmt: skip
    assert other.figure == "0/0 已完成" and other.count == 0
    [theirs] = [s for s in board_sections(world.hq_supervisor, world.jg.pk) if s.title == "今日关怀问候"]  # fmt: skip
    assert theirs.figure == "0/1 已完成" and theirs.count == 1
