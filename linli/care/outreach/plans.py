"""Service plans over many customers at once.

`linli.grading.plans.service_plan_for(customer)` answers for one customer (a few queries each);
the daily sweep and the event invitations need the same answer for thousands, so this module
turns "the plan has X" into one `Q` over `Customer`: the grades whose plan has X, or any active
flag whose plan has X, the flags read the way `grading.inputs` derives them. The tests check that
both give the same answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from linli.customers.models import Occupancy, Room
from linli.grading.models import CustomerFlag, Flag, ServicePlan


def _current(on: dt.date) -> Q:
    return (Q(move_out__isnull=True) | Q(move_out__gt=on)) & (
        Q(move_in__isnull=True) | Q(move_in__lte=on)
    )


def _flag_q(flag: Flag, on: dt.date) -> Q:
    source = flag.source
    if source == Flag.Source.IMPORTANT:
        return Q(is_important=True)
    if source == Flag.Source.COMMITTEE:
        return Q(is_committee_member=True)
    if source == Flag.Source.CARE:
        return ~Q(care_flags=[])
    if source == Flag.Source.VACANT:
        held = Occupancy.objects.filter(_current(on), customer_id=OuterRef("pk"))
        lived_in = held.exclude(room__status=Room.Status.VACANT)
        return Q(Exists(held)) & ~Q(Exists(lived_in))
    return Q(pk__in=CustomerFlag.objects.filter(flag=flag).values("customer_id"))


def customers_whose_plan(predicate: Callable[[ServicePlan], bool], on: dt.date | None = None) -> Q:
    """Customers whose grade plan or one of whose flag plans satisfies `predicate`."""
    on = on or timezone.localdate()
    grade_ids = [
        plan.grade_id for plan in ServicePlan.objects.filter(grade__isnull=False) if predicate(plan)
    ]
    condition = Q(grading__grade_id__in=grade_ids) if grade_ids else Q(pk__in=[])
    for plan in ServicePlan.objects.filter(flag__is_active=True).select_related("flag"):
        if plan.flag is not None and predicate(plan):
            condition |= _flag_q(plan.flag, on)
    return condition


def with_care_event(event: str, on: dt.date | None = None) -> Q:
    return customers_whose_plan(lambda plan: event in (plan.care_events or []), on)


def invited_first(on: dt.date | None = None) -> Q:
    return customers_whose_plan(lambda plan: plan.invitations_first, on)


def living_customers(on: dt.date) -> Q:
    """Customers with a current room (moved-out and anonymised files get no greetings)."""
    return Q(anonymised_at__isnull=True) & Q(
        Exists(Occupancy.objects.filter(_current(on), customer_id=OuterRef("pk")))
    )


def responsible_steward() -> Any:
    """Subquery: the steward of the area of the customer's (primary) current room."""
    from django.db.models import Subquery
    from django.db.models.functions import Coalesce

    rooms = Occupancy.objects.filter(customer_id=OuterRef("pk"), move_out__isnull=True).order_by(
        "-is_primary", "pk"
    )
    return Coalesce(
        Subquery(rooms.values("room__area__steward_id")[:1]),
        Subquery(rooms.values("room__building__area__steward_id")[:1]),
    )
