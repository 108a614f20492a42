"""Generating the month's plan from the service plans: who is owed which visits, by whom."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from linli.care.visits.models import PlanItem, PlanRun, Visit
from linli.care.visits.planning import generate_due_plans, generate_plan
from linli.care.visits.schedule import add_months, month_end, month_index

from .conftest import grade

pytestmark = pytest.mark.django_db


def _roles(customer, month):
    return sorted(
        PlanItem.objects.filter(customer=customer, month=month).values_list(
            "visitor_role", flat=True
        )
    )


def _year(world, customer, year=2026):
    first = dt.date(year, 1, 1)
    for n in range(12):
        generate_plan(world.ch, add_months(first, n))
    return list(PlanItem.objects.filter(customer=customer).order_by("due_on"))


def test_vip_is_visited_monthly_by_the_steward_quarterly_by_the_manager_yearly_by_a_leader(
    world, homes
):
    items = _year(world, homes["vip"])
    by_role = {}
    for item in items:
        by_role.setdefault(item.visitor_role, []).append(item)
    assert len(by_role["steward"]) == 12
    assert {i.month.month for i in by_role["steward"]} == set(range(1, 13))
    assert len(by_role["office_manager"]) == 4
    assert len(by_role["company_leader"]) == 1
    assert all(i.visitor == world.steward for i in by_role["steward"])
    assert all(i.visitor == world.office_manager for i in by_role["office_manager"])
    assert all(i.visitor is None for i in by_role["company_leader"])  # any company leader


def test_every_household_at_least_once_a_quarter_even_ungraded(world, homes):
    for key in ("plain", "ungraded"):
        items = _year(world, homes[key])
        assert [i.visitor_role for i in items] == ["steward"] * 4
        quarters = {(i.due_on.month - 1) // 3 for i in items}
        assert quarters == {0, 1, 2, 3}
        for item in items:  # workable from the start of its quarter, due by a month's end
            assert item.window_start == dt.date(2026, (item.due_on.month - 1) // 3 * 3 + 1, 1)
            assert item.due_on == month_end(month_index(item.due_on))


def test_policy_parameters_drive_the_household_minimum(world, homes):
    from linli.policy.services import set_parameter

    set_parameter(
        "care.visit.household_per_quarter", 0, actor=world.hq_admin, reason="测试",
    )  # fmt: skip
    items = _year(world, homes["ungraded"], year=timezone.localdate().year + 1)
    assert len(items) == 2  # twice a year only, one in each half
    assert {(i.due_on.month - 1) // 6 for i in items} == {0, 1}


def test_a_family_member_gets_only_what_their_plan_adds(world, homes):
    from linli.customers.services import add_occupancy
    from linli.customers.testing import make_customer

    spouse = make_customer(world.ch, "王太太", room=None)
    add_occupancy(
        homes["plain"].occupancies.first().room, spouse, role="family", move_in=None, actor=None
    )
    grade(spouse, "b")
    committee = make_customer(world.ch, "孙委员", room=None, is_committee_member=True)
    add_occupancy(
        homes["ungraded"].occupancies.first().room,
        committee,
        role="family",
        move_in=None,
        actor=None,
    )
    _year(world, spouse)
    assert not PlanItem.objects.filter(customer=spouse).exists()  # B = the household minimum
    assert set(
        PlanItem.objects.filter(customer=committee).values_list("visitor_role", flat=True)
    ) == {"office_manager"}


def test_generation_is_idempotent(world, homes, this_month):
    first = generate_plan(world.ch, this_month)
    rows = list(
        PlanItem.objects.order_by("pk").values_list(
            "pk", "customer_id", "visitor_role", "due_on", "visitor_id"
        )
    )
    second = generate_plan(world.ch, this_month)
    assert first.items == second.items > 0
    assert (second.created, second.updated, second.removed) == (0, 0, 0)
    assert (
        list(
            PlanItem.objects.order_by("pk").values_list(
                "pk", "customer_id", "visitor_role", "due_on", "visitor_id"
            )
        )
        == rows
    )
    assert PlanRun.objects.filter(community=world.ch, month=this_month).count() == 1


def test_regenerating_follows_a_grade_change_and_keeps_done_items(world, homes, this_month):
    generate_plan(world.ch, this_month)
    vip = homes["vip"]
    done = PlanItem.objects.filter(customer=vip, visitor_role="steward").first()
    PlanItem.objects.filter(pk=done.pk).update(status="done", done_on=timezone.localdate())
    grade(vip, "c")
    run = generate_plan(world.ch, this_month)
    assert PlanItem.objects.filter(pk=done.pk, status="done").exists()
    assert not PlanItem.objects.filter(
        customer=vip, status="planned", visitor_role="office_manager"
    ).exists()
    assert run.removed >= 0


def test_regenerating_assigns_the_new_area_steward(world, homes, this_month):
    from conftest import make_staff
    from linli.org.models import Area

    generate_plan(world.ch, this_month)
    newcomer = make_staff("new_steward", "steward", world.ch)
    Area.objects.filter(community=world.ch).update(steward=newcomer)
    run = generate_plan(world.ch, this_month)
    assert run.updated > 0
    assert set(
        PlanItem.objects.filter(
            community=world.ch, visitor_role="steward", status="planned"
        ).values_list("visitor", flat=True)
    ) == {newcomer.pk}


def test_a_visit_made_before_generation_fulfils_the_new_item(world, homes, this_month):
    vip = homes["vip"]
    Visit.objects.create(
        community=world.ch, customer=vip, visitor=world.steward, visitor_role="steward", kind="regular",
        method="door", visited_at=timezone.make_aware(dt.datetime.combine(this_month, dt.time(9))),
    )  # fmt: skip
    generate_plan(world.ch, this_month)
    item = PlanItem.objects.get(customer=vip, visitor_role="steward", month=this_month)
    assert item.status == "done" and item.visit is not None


def test_the_sweep_generates_each_community_once(world, homes, this_month):
    grade(homes["other"], "vip")  # due every month, whatever its id's place in the quarter
    assert generate_due_plans() == 2  # CH and JG
    assert generate_due_plans() == 0
    assert PlanItem.objects.filter(community=world.jg).exists()
    assert PlanRun.objects.filter(month=this_month).count() == 2


def test_other_community_customers_stay_in_their_plan(world, homes, this_month):
    generate_plan(world.ch, this_month)
    assert not PlanItem.objects.filter(community=world.ch, customer=homes["other"]).exists()


def test_the_monthly_plan_is_a_registered_sweep():
    from linli.core.sweeps import SWEEPS

    assert "care.visits.plans" in SWEEPS
