"""The visits card of the office board: the month's plan against actual and the overdue visits
in one aggregate, their first rows only when there are any (linli.care.visits.providers)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.care.visits.models import PlanItem
from linli.care.visits.planning import generate_plan
from linli.care.visits.providers import office_board
from linli.care.visits.tests.conftest import grade
from linli.policy.selectors import snapshot

pytestmark = pytest.mark.django_db


def test_the_card_counts_the_month_and_the_overdue_visits(world, homes, this_month):
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    generate_plan(world.ch, last_month)
    generate_plan(world.ch, this_month)
    items = list(PlanItem.objects.filter(community=world.ch, month=this_month).order_by("pk"))
    assert len(items) == 2
    PlanItem.objects.filter(pk=items[0].pk).update(status=PlanItem.Status.DONE)
    # Overdue: last month's open items and one of this month whose date is moved back.
    PlanItem.objects.filter(pk=items[1].pk).update(due_on=last_month - dt.timedelta(days=1), visitor=None)  # fmt: skip
    overdue = PlanItem.objects.filter(community=world.ch, status="planned", due_on__lt=timezone.localdate())  # fmt: skip
    assert overdue.count() == 3  # last month's two, this month's one moved back
    section = office_board(world.office_manager, world.ch.pk)
    assert section is not None
    assert section.figure == "本月拜访 1/2（50%）"
    assert section.count == 3
    first = overdue.order_by("due_on", "pk")[0]
    assert first.pk == items[1].pk
    assert section.items[0].title == first.customer.name
    assert section.items[0].subtitle.endswith("未指定")
    assert section.items[0].link == f"/care/visits/record/?customer={first.customer_id}&item={first.pk}"  # fmt: skip
    assert len(section.items) == 3
    assert section.link == "/care/visits/?status=overdue"
    # JG has overdue visits of its own; CH's manager asking for JG sees none of them.
    grade(homes["other"], "vip")
    generate_plan(world.jg, last_month)
    assert PlanItem.objects.filter(community=world.jg, due_on__lt=timezone.localdate()).exists()
    other = office_board(world.office_manager, world.jg.pk)
    assert other is not None and other.count == 0 and other.items == []


def test_without_overdue_visits_the_card_is_one_query(world, homes, this_month):
    generate_plan(world.ch, this_month)
    PlanItem.objects.filter(community=world.ch).update(due_on=this_month + dt.timedelta(days=27))
    with snapshot():  # as in a request: the policy parameters read once
        office_board(world.office_manager, world.ch.pk)
        with CaptureQueriesContext(connection) as queries:
            section = office_board(world.office_manager, world.ch.pk)
    assert section is not None and section.count == 0 and section.items == []
    assert len(queries.captured_queries) == 1


def test_the_card_is_for_those_who_plan_or_report(world):
    assert office_board(world.steward, world.ch.pk) is None
