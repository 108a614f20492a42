"""Recording visits (fulfilling the plan), commitments, one-step tickets and needs, plan vs
actual, and the steward handover."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from linli.audit.models import AuditEvent
from linli.care.visits import selectors, services
from linli.care.visits.models import Commitment, FollowUp, Handover, HandoverTask, PlanItem, Visit
from linli.care.visits.planning import generate_plan
from linli.core.errors import DomainError

pytestmark = pytest.mark.django_db


def _record(customer, actor, **extra):
    values = {"kind": "regular", "method": "door", "visited_at": timezone.now()} | extra
    return services.record_visit(customer, actor=actor, **values)


def test_recording_a_visit_fulfils_the_visitors_plan_item(world, homes, this_month):
    generate_plan(world.ch, this_month)
    vip = homes["vip"]
    visit = _record(
        vip,
        world.steward,
        raised="电梯异响",
        commitments=[("三天内维修", timezone.localdate() + dt.timedelta(days=3))],
    )
    steward_item = PlanItem.objects.get(customer=vip, visitor_role="steward", month=this_month)
    assert steward_item.status == "done" and steward_item.visit == visit
    assert steward_item.done_on == timezone.localdate()
    # the manager's quarterly item is not the steward's to fulfil
    assert PlanItem.objects.filter(
        customer=vip, visitor_role="office_manager", status="planned"
    ).count() in (0, 1)
    assert visit.room.code == "1-1-101"
    assert Commitment.objects.get(visit=visit).assignee == world.steward
    assert AuditEvent.objects.filter(action="care.visits.visit.recorded").count() == 1


def test_an_explicit_plan_item_is_fulfilled_whoever_visits(world, homes, this_month):
    generate_plan(world.ch, this_month)
    item = PlanItem.objects.filter(customer=homes["vip"], visitor_role="office_manager").first()
    if item is None:  # not due this month: use the steward's
        item = PlanItem.objects.get(customer=homes["vip"], visitor_role="steward", month=this_month)
    _record(homes["vip"], world.office_supervisor, plan_item=item)
    item.refresh_from_db()
    assert item.status == "done"


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"kind": "party"}, "kind"),
        ({"method": "carrier pigeon"}, "method"),
        ({"satisfaction": 9}, "satisfaction"),
        ({"visited_at": timezone.now() + dt.timedelta(days=1)}, "visited_at"),
        ({"commitments": [("修灯", dt.date(2000, 1, 1))]}, "commitments"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(world, homes, extra, field):
    with pytest.raises(DomainError) as error:
        _record(homes["plain"], world.steward, **extra)
    assert error.value.field == field
    assert not Visit.objects.exists()


def test_a_done_or_foreign_plan_item_is_refused(world, homes, this_month):
    generate_plan(world.ch, this_month)
    item = PlanItem.objects.filter(customer=homes["vip"]).first()
    with pytest.raises(DomainError) as error:
        _record(homes["plain"], world.steward, plan_item=item)
    assert error.value.field == "plan_item"
    assert not Visit.objects.exists()


def test_commitment_is_tracked_to_done_once(world, homes):
    visit = _record(homes["plain"], world.steward, commitments=[("修灯", timezone.localdate())])
    promise = visit.commitments.get()
    services.complete_commitment(promise, actor=world.steward, note="已修好")
    promise.refresh_from_db()
    assert promise.is_done and promise.done_note == "已修好"
    with pytest.raises(DomainError):
        services.complete_commitment(promise, actor=world.steward)


def test_what_was_raised_becomes_a_ticket_in_one_step(world, homes):
    from linli.tickets.models import Category, Ticket

    visit = _record(homes["plain"], world.steward, raised="楼道灯不亮")
    ticket = services.raise_ticket(
        visit, actor=world.steward, kind="repair", category=Category.objects.first(), description=""
    )
    assert ticket.channel == "visit" and ticket.customer == homes["plain"]
    assert ticket.description == "楼道灯不亮" and ticket.room == visit.room
    assert Ticket.objects.count() == 1
    assert FollowUp.objects.get(visit=visit).ref_id == ticket.pk


def test_what_was_raised_becomes_a_personalised_need(world, homes):
    if not services.needs_available():
        pytest.skip("the reception chapter offers no record_need")
    from linli.care.reception.models import NeedType, PersonalNeed

    kind = NeedType.objects.filter(is_active=True).first() or NeedType.objects.create(
        code="parcel", name="代收快递"
    )
    visit = _record(homes["plain"], world.steward, raised="出差期间请代收快递")
    need = services.raise_need(visit, actor=world.steward, need_type=kind.code, description="")
    assert PersonalNeed.objects.get(pk=need.pk).source_ref == str(visit.pk)
    assert FollowUp.objects.get(visit=visit, kind="need").ref_id == need.pk


def test_plan_vs_actual_counts_planned_done_and_overdue(world, homes, this_month):
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    generate_plan(world.ch, last_month)
    generate_plan(world.ch, this_month)
    _record(homes["vip"], world.steward)
    period = selectors.period_of("month", this_month)
    figures = selectors.plan_vs_actual(world.office_manager, period, community_id=None)
    total = figures["total"]
    planned = PlanItem.objects.filter(month=this_month, community=world.ch).count()
    assert total.planned == planned and total.done == 1 and total.visits == 1
    steward_row = next(r for r in figures["rows"] if r.key == world.steward.pk)
    assert steward_row.done == 1
    overdue = selectors.plan_vs_actual(
        world.office_manager, selectors.period_of("month", last_month), community_id=None
    )
    assert (
        overdue["total"].overdue
        == PlanItem.objects.filter(month=last_month, status="planned").count()
        > 0
    )
    year = selectors.plan_vs_actual(
        world.office_manager, selectors.period_of("year", this_month), community_id=None
    )
    assert year["total"].planned >= total.planned


def test_plan_vs_actual_leaves_out_files_above_clearance(world, homes, this_month):
    from linli.customers.models import Customer

    generate_plan(world.ch, this_month)
    Customer.objects.filter(pk=homes["vip"].pk).update(secrecy=3)
    period = selectors.period_of("month", this_month)
    seen = selectors.plan_vs_actual(world.steward, period, community_id=None)["total"].planned
    assert (
        seen
        == PlanItem.objects.filter(month=this_month, community=world.ch)
        .exclude(customer=homes["vip"])
        .count()
    )


# --- handover ---------------------------------------------------------------------------------
def _handover(world, homes, this_month):
    from conftest import make_staff
    from linli.org.models import Area

    generate_plan(world.ch, this_month)
    newcomer = make_staff("steward_new", "steward", world.ch)
    area = Area.objects.get(community=world.ch, code="CH01")
    return services.hand_over_area(
        area, new_steward=newcomer, actor=world.office_manager, note="调岗"
    ), newcomer


def test_handover_moves_open_items_and_creates_a_contact_task_per_customer(
    world, homes, this_month
):
    open_before = PlanItem.objects.filter(status="planned").count()
    handover, newcomer = _handover(world, homes, this_month)
    handover.area.refresh_from_db()
    assert handover.area.steward == newcomer and handover.old_steward == world.steward
    open_steward = PlanItem.objects.filter(
        community=world.ch, visitor_role="steward", status="planned"
    )
    assert open_steward.exists() and set(open_steward.values_list("visitor", flat=True)) == {
        newcomer.pk
    }
    assert handover.items_moved == open_steward.count() >= open_before
    tasks = HandoverTask.objects.filter(handover=handover)
    assert set(tasks.values_list("customer", flat=True)) == {
        homes["vip"].pk,
        homes["plain"].pk,
        homes["ungraded"].pk,
    }
    months = 2  # care.handover.contact_within_months
    expected = services.add_months(timezone.localdate(), months)
    assert set(tasks.values_list("due_on", flat=True)) == {expected}
    assert set(tasks.values_list("assignee", flat=True)) == {newcomer.pk}


def test_a_visit_or_a_logged_contact_completes_the_handover_task(world, homes, this_month):
    handover, newcomer = _handover(world, homes, this_month)
    _record(homes["vip"], newcomer, method="phone")
    vip_task = HandoverTask.objects.get(handover=handover, customer=homes["vip"])
    assert vip_task.done_at is not None and vip_task.visit is not None
    plain_task = HandoverTask.objects.get(handover=handover, customer=homes["plain"])
    services.log_contact(plain_task, actor=newcomer, method="wechat", note="加了微信")
    plain_task.refresh_from_db()
    assert plain_task.done_at and plain_task.method == "wechat"
    with pytest.raises(DomainError):
        services.log_contact(plain_task, actor=newcomer, method="phone")
    assert selectors.handover_progress([handover])[handover.pk] == (2, 3)


def test_handover_refuses_a_steward_of_another_office_or_the_same_one(world, homes):
    from linli.org.models import Area

    area = Area.objects.get(community=world.ch, code="CH01")
    with pytest.raises(DomainError) as error:
        services.hand_over_area(area, new_steward=world.outsider, actor=world.office_manager)
    assert error.value.field == "new_steward"
    with pytest.raises(DomainError):
        services.hand_over_area(area, new_steward=world.steward, actor=world.office_manager)
    with pytest.raises(DomainError):
        services.hand_over_area(
            area, new_steward=world.office_supervisor, actor=world.office_manager
        )
    assert not Handover.objects.exists()
    area.refresh_from_db()
    assert area.steward == world.steward


def test_visit_coverage_hook_reports_visited_customers(world, homes):
    from linli.customers.models import Customer
    from linli.grading.hooks import VISITED_PROVIDERS

    _record(homes["plain"], world.steward)
    assert selectors.visited_customer_ids in VISITED_PROVIDERS
    ids = set(
        selectors.visited_customer_ids(
            Customer.objects.all(), timezone.localdate() - dt.timedelta(days=90)
        ).values_list("customer_id", flat=True)
    )
    assert ids == {homes["plain"].pk}
