"""Service plans (POLICY Ch.4, Ch.5): what a grade or flag is owed, and one customer's plan.

A visit cadence either holds its own numbers ("1 visit every 2 months by the steward") or
follows a care.visit.* policy parameter, so the policy's numbers stay parameters: a company
that changes "VIP monthly" to "VIP every two weeks" changes the parameter, not the plans.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Subquery
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli import policy
from linli.grading.models import CustomerGrade, Flag, ServicePlan, VisitCadence

CARE_EVENTS: dict[str, str | Promise] = {
    "birthday": gettext_lazy("生日祝福"),
    "spring_festival": gettext_lazy("春节问候"),
    "mid_autumn": gettext_lazy("中秋问候"),
    "move_in_anniversary": gettext_lazy("入住周年问候"),
    "year_end_card": gettext_lazy("年终贺卡"),
    "festival_visit": gettext_lazy("节日上门慰问"),
}

# care.visit.* parameters a cadence may follow: ("times", per_months) — the parameter is the
# number of visits in a fixed period; ("interval", None) — the parameter is the interval.
CADENCE_PARAMETERS: dict[str, tuple[str, int | None]] = {
    "care.visit.household_per_quarter": ("times", 3),
    "care.visit.household_per_year": ("times", 12),
    "care.visit.vip_steward_interval_months": ("interval", None),
    "care.visit.vip_manager_interval_months": ("interval", None),
    "care.visit.vip_company_interval_months": ("interval", None),
    "care.visit.committee_interval_months": ("interval", None),
}


def cadence_parameter_choices() -> list[tuple[str, str]]:
    """The care.visit.* parameters with the value in force (company-wide)."""
    from linli.policy.registry import get

    choices = [("", _("自定（按左侧次数和月数）"))]
    for key in CADENCE_PARAMETERS:
        param = get(key)
        value = f"{policy.value(key)} {param.unit}".strip()
        choices.append(
            (key, _("%(label)s（现行 %(value)s）") % {"label": param.label, "value": value})
        )
    return choices


def effective_cadence(
    cadence: VisitCadence, *, community: Any = None, at: dt.datetime | None = None
) -> tuple[int, int]:
    """(times, per_months) in force for a community."""
    if cadence.policy_key in CADENCE_PARAMETERS:
        mode, months = CADENCE_PARAMETERS[cadence.policy_key]
        value = int(policy.value(cadence.policy_key, at=at, community=community))
        return (value, int(months or 1)) if mode == "times" else (1, value)
    return cadence.times, cadence.per_months


def describe_cadence(times: int, per_months: int) -> str:
    if per_months == 1:
        return _("每月 %(t)s 次") % {"t": times}
    if per_months == 3:
        return _("每季度 %(t)s 次") % {"t": times}
    if per_months == 6:
        return _("每半年 %(t)s 次") % {"t": times}
    if per_months == 12:
        return _("每年 %(t)s 次") % {"t": times}
    return _("每 %(m)s 个月 %(t)s 次") % {"m": per_months, "t": times}


@dataclass
class PlanView:
    """A plan as shown: cadences with the numbers in force."""

    plan: ServicePlan
    cadences: list[dict[str, Any]]
    care_labels: list[str]


def plan_view(plan: ServicePlan, *, community: Any = None) -> PlanView:
    rows = []
    for cadence in plan.cadences.all():
        times, months = effective_cadence(cadence, community=community)
        rows.append(
            {
                "visitor": cadence.get_visitor_display(),
                "visitor_code": cadence.visitor,
                "times": times,
                "per_months": months,
                "text": describe_cadence(times, months),
                "policy_key": cadence.policy_key,
            }
        )
    labels = [str(CARE_EVENTS.get(code, code)) for code in plan.care_events or []]
    return PlanView(plan=plan, cadences=rows, care_labels=labels)


@dataclass
class CustomerPlan:
    """A customer's service: their grade's plan merged with the plans of their flags — per
    visitor and period the most visits, every care event, the smallest SLA factor."""

    sources: list[str] = field(default_factory=list)
    cadences: dict[tuple[str, int], int] = field(default_factory=dict)  # (visitor, months) → times
    care_events: list[str] = field(default_factory=list)
    sla_factor: Decimal | None = None
    invitations_first: bool = False
    dedicated_steward: bool = False

    def cadence_rows(self) -> list[dict[str, Any]]:
        labels = dict(VisitCadence.Visitor.choices)
        return [
            {"visitor": labels.get(v, v), "visitor_code": v, "times": t, "per_months": m,
             "text": describe_cadence(t, m)}
            for (v, m), t in sorted(self.cadences.items(), key=lambda kv: (kv[0][1], kv[0][0]))
        ]  # fmt: skip

    @property
    def care_labels(self) -> list[str]:
        return [str(CARE_EVENTS.get(c, c)) for c in self.care_events]


def customer_flag_codes(customer: Any) -> set[str]:
    """The customer's flags: manual ones and those derived from the file."""
    from linli.grading.inputs import customer_facts

    return set(customer_facts(customer).flags)


def plans_for(customer: Any, *, flags: set[str] | None = None) -> list[ServicePlan]:
    grade_id = (
        CustomerGrade.objects.filter(pk=customer.pk).values_list("grade_id", flat=True).first()
    )
    flag_plans = list(
        ServicePlan.objects.filter(flag__isnull=False, flag__is_active=True)
        .select_related("flag")
        .prefetch_related("cadences")
    )
    plans: list[ServicePlan] = []
    if grade_id:
        plan = (
            ServicePlan.objects.filter(grade_id=grade_id)
            .select_related("grade")
            .prefetch_related("cadences")
            .first()
        )
        if plan:
            plans.append(plan)
    if flag_plans:
        codes = flags if flags is not None else customer_flag_codes(customer)
        plans += [p for p in flag_plans if p.flag and p.flag.code in codes]
    return plans


def service_plan_for(customer: Any, *, flags: set[str] | None = None) -> CustomerPlan:
    """What the care chapter asks: how often, by whom, which care events, what priority."""
    result = CustomerPlan()
    for plan in plans_for(customer, flags=flags):
        has_content = (
            plan.sla_factor is not None or plan.care_events or plan.invitations_first
            or plan.dedicated_steward or plan.notes or plan.cadences.all()
        )  # fmt: skip
        if plan.grade_id or has_content:
            result.sources.append(str(plan.subject))
        for cadence in plan.cadences.all():
            times, months = effective_cadence(cadence, community=customer.community_id)
            key = (cadence.visitor, months)
            result.cadences[key] = max(times, result.cadences.get(key, 0))
        for event in plan.care_events or []:
            if event not in result.care_events:
                result.care_events.append(event)
        if plan.sla_factor is not None:
            result.sla_factor = min(result.sla_factor or plan.sla_factor, plan.sla_factor)
        result.invitations_first |= plan.invitations_first
        result.dedicated_steward |= plan.dedicated_steward
    return result


def sla_factor(customer: Any, at: dt.datetime) -> Decimal | None:
    """The SLA factor provider registered in tickets.deadlines: the smallest factor of the
    customer's grade plan and flag plans (None: no adjustment)."""
    if customer is None or not getattr(customer, "pk", None):
        return None
    factors: list[Decimal] = []
    current = CustomerGrade.objects.filter(pk=customer.pk).values("grade_id")
    grade_factor = (
        ServicePlan.objects.filter(grade_id=Subquery(current[:1]))
        .values_list("sla_factor", flat=True)
        .first()
    )
    if grade_factor is not None:
        factors.append(grade_factor)
    flag_factors = dict(
        ServicePlan.objects.filter(
            flag__isnull=False, flag__is_active=True, sla_factor__isnull=False
        ).values_list("flag__code", "sla_factor")
    )
    if flag_factors:
        codes = _cheap_flags(customer, set(flag_factors))
        factors += [f for code, f in flag_factors.items() if code in codes and f is not None]
    return min(factors) if factors else None


def top_grade_reason(customer: Any) -> str:
    """Registered in tickets.rules: a complaint from a customer whose grade needs company
    approval (VIP by default) is company-level (POLICY Ch.6)."""
    name = (
        CustomerGrade.objects.filter(pk=customer.pk, grade__needs_approval=True)
        .values_list("grade__name", flat=True)
        .first()
    )
    return _("%(grade)s 客户投诉") % {"grade": name} if name else ""


def _cheap_flags(customer: Any, wanted: set[str]) -> set[str]:
    """Which of `wanted` the customer has, reading only what is needed."""
    derived = dict(
        Flag.objects.filter(code__in=wanted).exclude(source="manual").values_list("code", "source")
    )
    has: set[str] = set()
    for code, source in derived.items():
        if (
            (source == Flag.Source.IMPORTANT and customer.is_important)
            or (source == Flag.Source.COMMITTEE and customer.is_committee_member)
            or (source == Flag.Source.CARE and customer.care_flags)
        ):
            has.add(code)
        elif source == Flag.Source.VACANT and code not in has:
            has |= customer_flag_codes(customer) & {code}
    manual = wanted - set(derived)
    if manual:
        from linli.grading.models import CustomerFlag

        has |= set(
            CustomerFlag.objects.filter(customer_id=customer.pk, flag__code__in=manual).values_list(
                "flag__code", flat=True
            )
        )
    return has
