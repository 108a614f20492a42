from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from linli.core import worktime
from linli.org import selectors as org_selectors
from linli.org.roles import Perm
from linli.policy.selectors import parameter_states
from linli.reports import selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    current = request.current_community_id  # type: ignore[attr-defined]
    communities = list(org_selectors.communities_overview(user, current))
    per_community = (
        selectors.per_community_customer_figures(user, community_id=current)
        if Perm.CUSTOMERS_VIEW in request.perms  # type: ignore[attr-defined]
        else {}
    )
    for community in communities:
        community.figures = per_community.get(community.pk, {})  # type: ignore[attr-defined]
    states = parameter_states()
    context = {
        "communities": communities,
        "figures": selectors.customer_figures(user, community_id=current)
        if Perm.CUSTOMERS_VIEW in request.perms  # type: ignore[attr-defined]
        else None,
        "totals": {
            "communities": len(communities),
            "areas": sum(c.area_count for c in communities),  # type: ignore[attr-defined]
            "areas_without_steward": sum(c.areas_without_steward for c in communities),  # type: ignore[attr-defined]
            "staff": sum(c.staff_count for c in communities),  # type: ignore[attr-defined]
        },
        "policy_changed": sum(1 for s in states if not s.is_default),
        "policy_scheduled": sum(len(s.scheduled) for s in states),
        "policy_total": len(states),
        "coverage": worktime.calendar_coverage(),
        "next_year_uncovered": _next_year_uncovered(),
    }
    return render(request, "reports/home.html", context)


def _next_year_uncovered() -> int | None:
    year = timezone.localdate().year
    _first, last = worktime.calendar_coverage()
    return next((y for y in (year, year + 1) if y > last), None)
