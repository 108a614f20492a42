"""Read-only figures gathered across chapters for the home pages and statistics."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from linli.customers.models import Customer, Occupancy, ReviewTask


def customer_figures(user: Any, *, community_id: int | None) -> dict[str, int]:
    """Households, customers, incomplete and overdue files, open review tasks — within scope."""
    now = timezone.now()
    customers = (
        Customer.objects.visible_to(user)
        .in_community(community_id)
        .filter(anonymised_at__isnull=True)
    )
    figures = customers.aggregate(
        customers=Count("pk"),
        incomplete=Count("pk", filter=Q(completeness__lt=100)),
        overdue=Count("pk", filter=Q(completeness__lt=100, file_due_at__lt=now)),
        important=Count("pk", filter=Q(is_important=True)),
        cared=Count("pk", filter=~Q(care_flags=[])),
    )
    figures["households"] = (
        Occupancy.objects.filter(move_out__isnull=True)
        .filter(room__in=_rooms_in_scope(user, community_id))
        .values("room_id")
        .distinct()
        .count()
    )
    figures["reviews_open"] = (
        ReviewTask.objects.visible_to(user)
        .in_community(community_id)
        .filter(completed_at__isnull=True)
        .count()
    )
    return figures


def _rooms_in_scope(user: Any, community_id: int | None) -> Any:
    from linli.customers.models import Room

    return Room.objects.visible_to(user).in_community(community_id).values("pk")


def per_community_customer_figures(
    user: Any, *, community_id: int | None
) -> dict[int, dict[str, int]]:
    now = timezone.now()
    rows = (
        Customer.objects.visible_to(user)
        .in_community(community_id)
        .filter(anonymised_at__isnull=True)
        .values("community_id")
        .annotate(
            customers=Count("pk"),
            incomplete=Count("pk", filter=Q(completeness__lt=100)),
            overdue=Count("pk", filter=Q(completeness__lt=100, file_due_at__lt=now)),
        )
    )
    return {row["community_id"]: row for row in rows}
