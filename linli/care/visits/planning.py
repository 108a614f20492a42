"""Generating a community's visit plan for a month, in bulk (POLICY Ch.5).

Who is owed visits: one customer per household (the room's primary contact, else its owner)
gets the household minimum (care.visit.household_per_quarter / _per_year, visited by the
area's steward) merged with the service plans of their grade and flags
(linli.grading.plans); any other occupant gets items only where their own plan asks more
than the household minimum (a VIP family member, say). A customer who heads several
households is planned once.

The plan is computed set-based — a handful of queries per community whatever its size — and
written as a diff against the month's existing items: missing items are created, open items
whose person changed are updated, open items the plans no longer ask for are removed; done
items are never touched. Running it twice changes nothing (the sweep and the "regenerate"
button share it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from linli import policy
from linli.audit import services as audit
from linli.care.visits.models import PlanItem, PlanRun, Visit, VisitorRole
from linli.care.visits.schedule import due_in_month, month_end, month_index, month_start
from linli.customers.models import Occupancy
from linli.org.models import Area, Community, Staff
from linli.org.roles import Role

Cadences = dict[str, dict[int, int]]  # visitor role → {per_months: times}

# A staff role's visits count for this visitor code of the cadences.
ROLE_VISITOR: dict[str, str] = {
    Role.STEWARD: VisitorRole.STEWARD,
    Role.OFFICE_CUSTOMER_SUPERVISOR: VisitorRole.OFFICE_SUPERVISOR,
    Role.OFFICE_MANAGER: VisitorRole.OFFICE_MANAGER,
    Role.RELATIONSHIP_OFFICER: VisitorRole.RELATIONSHIP_OFFICER,
    Role.GENERAL_MANAGER: VisitorRole.COMPANY_LEADER,
    Role.GM_ASSISTANT: VisitorRole.COMPANY_LEADER,
}
COMPANY_LEADER_ROLES = frozenset({Role.GENERAL_MANAGER, Role.GM_ASSISTANT})
OWNING = (Occupancy.Role.OWNER, Occupancy.Role.ORGANISATION)


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _at(month: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(month, dt.time(0, 0)))


def household_minimum(community_id: int, at: dt.datetime) -> Cadences:
    quarter = int(policy.value("care.visit.household_per_quarter", at=at, community=community_id))
    year = int(policy.value("care.visit.household_per_year", at=at, community=community_id))
    return {VisitorRole.STEWARD: {3: quarter, 12: year}}


def plan_cadences(
    community_id: int, at: dt.datetime
) -> tuple[dict[int, Cadences], dict[str, Cadences]]:
    """(grade id → cadences, flag code → cadences) with the numbers in force."""
    from linli.grading.models import ServicePlan
    from linli.grading.plans import effective_cadence

    by_grade: dict[int, Cadences] = {}
    by_flag: dict[str, Cadences] = {}
    plans = ServicePlan.objects.select_related("flag").prefetch_related("cadences")
    for plan in plans:
        if plan.flag_id and not plan.flag.is_active:  # type: ignore[union-attr]
            continue
        cadences: Cadences = {}
        for cadence in plan.cadences.all():
            times, months = effective_cadence(cadence, community=community_id, at=at)
            row = cadences.setdefault(cadence.visitor, {})
            row[months] = max(times, row.get(months, 0))
        if plan.grade_id:
            by_grade[plan.grade_id] = cadences
        elif plan.flag_id and cadences:
            by_flag[plan.flag.code] = cadences  # type: ignore[union-attr]
    return by_grade, by_flag


def merge(*parts: Cadences) -> Cadences:
    result: Cadences = {}
    for part in parts:
        for visitor, row in part.items():
            target = result.setdefault(visitor, {})
            for months, times in row.items():
                target[months] = max(times, target.get(months, 0))
    return result


def beyond(cadences: Cadences, minimum: Cadences) -> Cadences:
    """The part of `cadences` the household minimum does not already cover."""
    result: Cadences = {}
    for visitor, row in cadences.items():
        floor = minimum.get(visitor, {})
        extra = {m: t for m, t in row.items() if t > floor.get(m, 0)}
        if extra:
            result[visitor] = row
    return result


def targets(community_id: int, month: dt.date) -> dict[int, tuple[bool, int, int | None]]:
    """customer id → (heads a household, room id, area id) for the month's occupants."""
    first, last = month, month_end(month_index(month))
    rows = (
        Occupancy.objects.filter(community_id=community_id, customer__anonymised_at__isnull=True)
        .filter(Q(move_out__isnull=True) | Q(move_out__gte=first))
        .filter(Q(move_in__isnull=True) | Q(move_in__lte=last))
        .values_list("room_id", "customer_id", "is_primary", "role", "room__code", "room__area_id")
        .order_by("room__code", "pk")
    )
    by_room: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        by_room[row[0]].append(row)
    result: dict[int, tuple[bool, int, int | None]] = {}
    for room_id, occupants in by_room.items():
        occupants.sort(key=lambda r: (not r[2], r[3] not in OWNING, r[1]))
        for position, (_room, customer_id, _p, _r, _code, area_id) in enumerate(occupants):
            heads = position == 0
            known = result.get(customer_id)
            if known is None or (heads and not known[0]):
                result[customer_id] = (heads, room_id, area_id)
    return result


def customer_cadences(
    community_id: int, month: dt.date
) -> dict[int, tuple[Cadences, int, int | None]]:
    """customer id → (cadences, room id, area id) of everyone the month's plan covers."""
    from linli.grading.inputs import community_facts
    from linli.grading.models import CustomerGrade

    at = _at(month)
    minimum = household_minimum(community_id, at)
    by_grade, by_flag = plan_cadences(community_id, at)
    grades = dict(
        CustomerGrade.objects.filter(community_id=community_id, grade__isnull=False).values_list(
            "customer_id", "grade_id"
        )
    )
    flags: dict[int, frozenset[str]] = {}
    if by_flag:
        flags = {pk: facts.flags for pk, facts in community_facts(community_id, at=at).items()}
    result = {}
    for customer_id, (heads, room_id, area_id) in targets(community_id, month).items():
        parts = [by_grade.get(grades.get(customer_id, 0), {})]
        parts += [by_flag[code] for code in flags.get(customer_id, ()) if code in by_flag]
        own = merge(*parts)
        cadences = merge(minimum, own) if heads else beyond(own, minimum)
        if cadences:
            result[customer_id] = (cadences, room_id, area_id)
    return result


def visitors(community_id: int) -> tuple[dict[int, int | None], dict[str, int | None]]:
    """(area id → steward id, visitor role → the office's person in that role)."""
    stewards = dict(Area.objects.filter(community_id=community_id).values_list("pk", "steward_id"))
    office: dict[str, int | None] = {}
    for role in (Role.OFFICE_MANAGER, Role.OFFICE_CUSTOMER_SUPERVISOR, Role.RELATIONSHIP_OFFICER):
        office[ROLE_VISITOR[role]] = (
            Staff.objects.filter(community_id=community_id, role=role, is_active=True)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
    return stewards, office


def desired_items(
    community_id: int, month: dt.date
) -> dict[tuple[int, str, dt.date, int], dict[str, Any]]:
    stewards, office = visitors(community_id)
    wanted: dict[tuple[int, str, dt.date, int], dict[str, Any]] = {}
    for customer_id, (cadences, room_id, area_id) in customer_cadences(community_id, month).items():
        for role, row in cadences.items():
            if role == VisitorRole.STEWARD:
                person = stewards.get(area_id) if area_id else None
            else:
                person = office.get(role)
            seqs: dict[dt.date, int] = defaultdict(int)
            for slot in due_in_month(row, month, spread=customer_id):
                due = month_end(slot.due)
                key = (customer_id, str(role), due, seqs[due])
                seqs[due] += 1
                wanted[key] = {
                    "room_id": room_id, "area_id": area_id, "visitor_id": person,
                    "window_start": month_start(slot.window_start), "per_months": slot.per_months,
                }  # fmt: skip
    return wanted


@transaction.atomic
def generate_plan(community: Community, month: dt.date, *, actor: Any = None) -> PlanRun:
    """Write the month's plan items of a community (idempotent; see the module docstring)."""
    month = first_of_month(month)
    wanted = desired_items(community.pk, month)
    existing = {
        (row.customer_id, row.visitor_role, row.due_on, row.seq): row
        for row in PlanItem.objects.filter(community=community, month=month).only(
            "pk", "customer_id", "visitor_role", "due_on", "seq", "status", "visitor_id",
            "room_id", "area_id",
        )
    }  # fmt: skip
    remove = [
        row.pk for key, row in existing.items() if key not in wanted and row.status == "planned"
    ]
    changed = []
    for key, row in existing.items():
        values = wanted.get(key)
        if values is None or row.status != PlanItem.Status.PLANNED:
            continue
        if (row.visitor_id, row.room_id, row.area_id) != (
            values["visitor_id"], values["room_id"], values["area_id"],
        ):  # fmt: skip
            row.visitor_id, row.room_id, row.area_id = (
                values["visitor_id"], values["room_id"], values["area_id"],
            )  # fmt: skip
            changed.append(row)
    new = [
        PlanItem(community=community, month=month, customer_id=key[0], visitor_role=key[1],
                 due_on=key[2], seq=key[3], **values)
        for key, values in wanted.items() if key not in existing
    ]  # fmt: skip
    if remove:
        PlanItem.objects.filter(pk__in=remove, status=PlanItem.Status.PLANNED).delete()
    if changed:
        PlanItem.objects.bulk_update(changed, ["visitor", "room", "area"], batch_size=500)
    if new:
        PlanItem.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
        reconcile(community.pk, month)
    run, _created = PlanRun.objects.update_or_create(
        community=community, month=month,
        defaults={"generated_at": timezone.now(), "generated_by": actor, "items": len(wanted),
                  "created": len(new), "updated": len(changed), "removed": len(remove)},
    )  # fmt: skip
    if actor is not None:
        audit.record(
            actor, "care.visits.plan.generated", run,
            {"month": f"{month:%Y-%m}", "items": len(wanted), "created": len(new),
             "updated": len(changed), "removed": len(remove)},
        )  # fmt: skip
    return run


def reconcile(community_id: int, month: dt.date) -> int:
    """Open items of the month that a visit already made fulfils (a visit recorded before the
    plan was generated, e.g. on the 1st before the sweep ran). Each visit fulfils one item."""
    items = list(
        PlanItem.objects.filter(community_id=community_id, month=month, status="planned")
        .order_by("due_on", "pk")
        .only("pk", "customer_id", "visitor_role", "window_start", "visitor_id")
    )
    if not items:
        return 0
    since = min(item.window_start for item in items)
    used = set(
        PlanItem.objects.filter(community_id=community_id, visit__isnull=False)
        .filter(visit__visited_at__gte=_at(since))
        .values_list("visit_id", "visitor_role")
    )
    visits: dict[tuple[int, str], list[tuple[int, dt.date]]] = defaultdict(list)
    for pk, customer_id, role, at in (
        Visit.objects.filter(community_id=community_id, visited_at__gte=_at(since))
        .exclude(visitor_role="")
        .values_list("pk", "customer_id", "visitor_role", "visited_at")
        .order_by("visited_at")
    ):
        if (pk, role) not in used:
            visits[(customer_id, role)].append((pk, timezone.localtime(at).date()))
    done = 0
    for item in items:
        candidates = visits.get((item.customer_id, item.visitor_role))
        if not candidates:
            continue
        match = next((c for c in candidates if c[1] >= item.window_start), None)
        if match is None:
            continue
        candidates.remove(match)
        done += PlanItem.objects.filter(pk=item.pk, status="planned").update(
            status=PlanItem.Status.DONE, visit_id=match[0], done_on=match[1]
        )
    return done


def generate_due_plans(today: dt.date | None = None) -> int:
    """The sweep: each active community's plan for the current month, once. The PlanRun row
    is claimed first, so two workers never generate the same community-month twice."""
    month = first_of_month(today or timezone.localdate())
    made = 0
    for community in Community.objects.filter(is_active=True).order_by("pk"):
        if PlanRun.objects.filter(community=community, month=month).exists():
            continue
        try:
            with transaction.atomic():
                PlanRun.objects.create(
                    community=community, month=month, generated_at=timezone.now()
                )
        except IntegrityError:
            continue  # another worker claimed it
        generate_plan(community, month)
        made += 1
    return made
