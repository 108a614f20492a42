from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from linli.org.models import Area, Community, Staff
from linli.org.roles import Role


def access_community(user: Any, code: str) -> Community:
    """404 for a missing community and for one outside the user's scope alike."""
    return get_object_or_404(Community.objects.visible_to(user), code=code.upper())


def access_staff(user: Any, pk: int) -> Staff:
    return get_object_or_404(
        Staff.objects.visible_to(user).select_related("community", "department"), pk=pk
    )


def communities_overview(user: Any, community_id: int | None = None) -> QuerySet[Community]:
    return (
        Community.objects.visible_to(user)
        .filter(**({"pk": community_id} if community_id else {}))
        .annotate(
            area_count=Count("areas", distinct=True),
            areas_without_steward=Count(
                "areas", filter=Q(areas__steward__isnull=True), distinct=True
            ),
            staff_count=Count("staff", filter=Q(staff__is_active=True), distinct=True),
        )
        .order_by("code")
    )


def staff_directory(
    user: Any,
    *,
    community_id: int | None = None,
    role: str = "",
    query: str = "",
    active: bool = True,
) -> QuerySet[Staff]:
    rows = (
        Staff.objects.visible_to(user)
        .select_related("community", "department")
        .filter(is_active=active)
    )
    rows = rows.exclude(role="")
    if community_id:
        rows = rows.filter(community_id=community_id)
    if role:
        rows = rows.filter(role=role)
    query = query.strip()
    if query:
        rows = rows.filter(
            Q(name__icontains=query)
            | Q(username__icontains=query)
            | Q(phone__endswith=query)
            | Q(employee_no__iexact=query)
        )
    return rows.order_by("community__code", "role", "username")


def areas_of(community: Community) -> QuerySet[Area]:
    return community.areas.select_related("steward").order_by("code")


def stewards_of(community: Community) -> QuerySet[Staff]:
    return Staff.objects.filter(community=community, role=Role.STEWARD, is_active=True).order_by(
        "username"
    )
