"""The issue's Done-when, from the demo data: a steward's "my work" shows the visits due this
month that follow from the grade plans; recording one updates plan vs actual and the
household timeline."""

from __future__ import annotations

import pytest
from django.utils import timezone

from linli.care.visits import selectors
from linli.care.visits.demo import load_demo
from linli.care.visits.models import PlanItem, PlanRun, Visit
from linli.care.visits.planning import household_minimum, merge
from linli.care.visits.schedule import due_in_month
from linli.core.work import my_work_items
from linli.customers.demo import load_households
from linli.grading.demo import load_grades
from linli.grading.plans import service_plan_for
from linli.org.demo import load_organisation
from linli.org.models import Community, Staff


@pytest.fixture
def demo(db):
    load_organisation(7)
    for community in Community.objects.all():
        load_households(community, 7, limit=40)
    load_grades(7)
    return load_demo(7)


def _steward_cadence(customer, month):
    """The steward's cadence of the customer: the household minimum and the grade plan."""
    plan = service_plan_for(customer)
    own = {}
    for (visitor, months), times in plan.cadences.items():
        own.setdefault(visitor, {})[months] = times
    at = timezone.make_aware(timezone.datetime.combine(month, timezone.datetime.min.time()))
    return merge(household_minimum(customer.community_id, at), own).get("steward", {})


def test_demo_year_of_visits_and_the_done_when(demo, client):
    this_month = timezone.localdate().replace(day=1)
    assert demo["visits"] == Visit.objects.count() > 100
    assert PlanRun.objects.filter(month=this_month).count() == Community.objects.count()
    assert PlanItem.objects.filter(month=this_month, status="planned").exists()
    assert PlanItem.objects.filter(month=this_month, status="done").exists()
    oldest = Visit.objects.order_by("visited_at").first().visited_at
    assert (timezone.now() - oldest).days >= 300
    assert load_demo(7) == {}  # nothing twice
    _stewards_my_work_follows_the_grade_plans_and_recording_one_updates_everything(client)


def _stewards_my_work_follows_the_grade_plans_and_recording_one_updates_everything(client):
    steward = Staff.objects.get(username="ch_steward1")
    this_month = timezone.localdate().replace(day=1)
    visits = [item for item in my_work_items(steward) if item.kind == "visit"]
    due_now = PlanItem.objects.filter(
        visitor=steward, status="planned", month=this_month
    ).select_related("customer")
    assert due_now.exists()
    shown = {item.link for item in visits}
    for item in due_now:
        assert f"/care/visits/record/?customer={item.customer_id}&item={item.pk}" in shown
        slots = due_in_month(
            _steward_cadence(item.customer, this_month), this_month, spread=item.customer_id
        )
        assert slots, f"{item.customer} has no steward visit due this month in its plan"
    # a VIP of the steward's areas is due every month
    vip = PlanItem.objects.filter(visitor=steward, month=this_month, per_months=1).first()
    if vip is not None:
        assert service_plan_for(vip.customer).cadences.get(("steward", 1)) == 1

    item = due_now.first()
    period = selectors.period_of("month", this_month)
    before = selectors.plan_vs_actual(steward, period, community_id=None, group="person")
    mine_before = next(r for r in before["rows"] if r.key == steward.pk)
    client.force_login(steward)
    response = client.post(
        f"/care/visits/record/?customer={item.customer_id}&item={item.pk}",
        {"customer": item.customer_id, "item": item.pk, "kind": "regular", "method": "door",
         "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "raised": "希望加装快递柜"},
    )  # fmt: skip
    assert response.status_code == 302
    after = selectors.plan_vs_actual(steward, period, community_id=None, group="person")
    mine_after = next(r for r in after["rows"] if r.key == steward.pk)
    assert mine_after.done == mine_before.done + 1
    assert after["total"].done == before["total"].done + 1
    page = client.get("/tickets/my/").content.decode()
    assert f"item={item.pk}" not in page
    timeline = client.get(f"/customers/{item.customer_id}/").content.decode()
    assert "希望加装快递柜" in timeline
