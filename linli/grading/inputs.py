"""The grading rules' inputs, computed set-based: a handful of grouped queries per community.

Rooms, area and years come from occupancies (years from the first move-in, past rooms
included), complaints from tickets within the policy's window, fee status and manual flags
from this app, derived flags from the customer file. Everything is "as of" a moment, so a
re-grading can be replayed for a past date (the demo does).

This is a system read: re-grading must cover every customer of a community whatever the
secrecy of the file; nothing it reads is shown to anyone except through `visible_to(user)`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from linli.customers.models import Customer, Occupancy, Room
from linli.grading.models import CustomerFlag, FeeStanding, Flag
from linli.grading.rules import Facts, complaints_window_months

OWNING_ROLES = (Occupancy.Role.OWNER, Occupancy.Role.ORGANISATION)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def full_years(since: dt.date | None, on: dt.date) -> int:
    if since is None or since > on:
        return 0
    return on.year - since.year - ((on.month, on.day) < (since.month, since.day))


def derived_flag_codes() -> dict[str, str]:
    """source → flag code of the active derived flags."""
    return dict(
        Flag.objects.filter(is_active=True)
        .exclude(source=Flag.Source.MANUAL)
        .values_list("source", "code")
    )


def complaint_counts(
    community_id: int, *, since: dt.datetime, until: dt.datetime, customer_ids: Any = None
) -> dict[int, int]:
    """Complaints per customer opened in [since, until], cancelled ones excluded.

    Reads the tickets table directly (read-only): tickets offers no selector for this yet;
    see the report — it belongs in `linli.tickets.selectors`."""
    from linli.tickets.models import Kind, Status, Ticket

    rows = Ticket.objects.filter(
        community_id=community_id,
        kind=Kind.COMPLAINT,
        opened_at__gte=since,
        opened_at__lte=until,
        customer__isnull=False,
    ).exclude(status=Status.CANCELLED)
    if customer_ids is not None:
        rows = rows.filter(customer_id__in=customer_ids)
    return dict(
        rows.values("customer_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("customer_id", "n")
    )


def community_facts(
    community_id: int, *, at: dt.datetime | None = None, customer_ids: Iterable[int] | None = None
) -> dict[int, Facts]:
    """Facts of the (non-anonymised) customers of one community, keyed by customer id."""
    at = at or timezone.now()
    on = timezone.localtime(at).date()
    ids = list(customer_ids) if customer_ids is not None else None

    def scoped(rows: Any, field: str = "customer_id") -> Any:
        return rows.filter(**{f"{field}__in": ids}) if ids is not None else rows

    customers = scoped(
        Customer.objects.filter(community_id=community_id, anonymised_at__isnull=True), "pk"
    ).values_list("pk", "kind", "is_important", "is_committee_member", "care_flags")
    current = (Q(move_out__isnull=True) | Q(move_out__gt=on)) & (
        Q(move_in__isnull=True) | Q(move_in__lte=on)
    )
    owning = current & Q(role__in=OWNING_ROLES)
    occupancy = {
        row["customer_id"]: row
        for row in scoped(Occupancy.objects.filter(community_id=community_id))
        .values("customer_id")
        .annotate(
            first=Min("move_in", filter=Q(move_in__lte=on)),
            rooms=Count("room_id", filter=owning, distinct=True),
            area=Sum("room__floor_area", filter=owning),
            held=Count("room_id", filter=current, distinct=True),
            vacant=Count(
                "room_id", filter=current & Q(room__status=Room.Status.VACANT), distinct=True
            ),
        )
        .order_by()
    }
    since = timezone.make_aware(
        dt.datetime.combine(add_months(on, -complaints_window_months(at)), dt.time.min)
    )
    complaints = complaint_counts(community_id, since=since, until=at, customer_ids=ids)
    fees = {
        cid: (status, months)
        for cid, status, months in scoped(
            FeeStanding.objects.filter(community_id=community_id)
        ).values_list("customer_id", "status", "arrears_months")
    }
    manual: dict[int, set[str]] = {}
    for cid, code in scoped(
        CustomerFlag.objects.filter(community_id=community_id, flag__is_active=True)
    ).values_list("customer_id", "flag__code"):
        manual.setdefault(cid, set()).add(code)
    derived = derived_flag_codes()

    result: dict[int, Facts] = {}
    for pk, kind, important, committee, care in customers:
        occ = occupancy.get(pk) or {}
        status, arrears = fees.get(pk, (FeeStanding.Status.UNKNOWN, 0))
        flags = set(manual.get(pk, ()))
        held, vacant = occ.get("held") or 0, occ.get("vacant") or 0
        for source, present in (
            (Flag.Source.IMPORTANT, important),
            (Flag.Source.COMMITTEE, committee),
            (Flag.Source.CARE, bool(care)),
            (Flag.Source.VACANT, held > 0 and vacant == held),
        ):
            if present and source in derived:
                flags.add(derived[source])
        rooms = occ.get("rooms") or 0
        result[pk] = Facts(
            rooms=rooms,
            total_area=Decimal(occ.get("area") or 0),
            years=full_years(occ.get("first"), on),
            fee_status=status,
            arrears_months=arrears if status == FeeStanding.Status.ARREARS else 0,
            complaints_12m=complaints.get(pk, 0),
            committee=bool(committee),
            important=bool(important),
            owner=rooms > 0,
            kind=kind,
            flags=frozenset(flags),
        )
    return result


def customer_facts(customer: Customer, *, at: dt.datetime | None = None) -> Facts:
    return community_facts(customer.community_id, at=at, customer_ids=[customer.pk]).get(
        customer.pk, Facts()
    )
