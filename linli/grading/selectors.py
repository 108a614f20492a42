"""Reads of the grading chapter; everything about customers goes through the scoping and
secrecy gate (`Customer.objects.visible_to(user)`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from linli.customers.models import Customer
from linli.grading.inputs import community_facts, customer_facts
from linli.grading.models import (
    CustomerFlag,
    CustomerGrade,
    FeeStanding,
    Flag,
    Grade,
    GradeChange,
    GradeReview,
    GradeReviewItem,
    GradeRule,
    RegradeJob,
    ServicePlan,
)
from linli.grading.rules import (
    CompiledRule,
    Facts,
    describe_rule,
    explain,
    facts_text,
    load_ruleset,
    with_candidate,
)

Decision = GradeReviewItem.Decision


def grades() -> list[Grade]:
    return list(Grade.objects.order_by("-rank"))


def active_grades() -> list[Grade]:
    return list(Grade.objects.filter(is_active=True).order_by("-rank"))


# --- one customer --------------------------------------------------------------------------------
@dataclass
class Proposal:
    grade_id: int | None
    grade: Grade | None
    rule: GradeRule | None
    facts: Facts
    matched: list[dict[str, Any]]
    rules: list[dict[str, Any]] = field(default_factory=list)


def proposal_for(customer: Customer, *, at: dt.datetime | None = None) -> Proposal:
    """The rules' proposal for one customer, with every rule's conditions checked."""
    facts = customer_facts(customer, at=at)
    ruleset = load_ruleset()
    grade_id, decided = ruleset.propose(facts)
    by_pk = {g.pk: g for g in Grade.objects.all()}
    rules = {r.pk: r for r in GradeRule.objects.filter(pk__in=[r.pk for r in ruleset.rules])}
    table = []
    for compiled in ruleset.rules:
        checks = explain(compiled, facts)
        table.append(
            {
                "rule": rules.get(compiled.pk),
                "grade": by_pk.get(compiled.grade_id),
                "checks": checks,
                "matched": all(c["ok"] for c in checks),
                "decides": decided is not None and compiled.pk == decided.pk,
            }
        )
    return Proposal(
        grade_id=grade_id,
        grade=by_pk.get(grade_id) if grade_id else None,
        rule=rules.get(decided.pk) if decided else None,
        facts=facts,
        matched=explain(decided, facts) if decided else [],
        rules=table,
    )


def access_customer(user: Any, pk: int) -> Customer:
    """404 for missing, another community and above clearance alike (opening is logged)."""
    from linli.customers.selectors import access_customer as access

    return access(user, pk)


def flags_of(customer: Customer, facts: Facts) -> list[dict[str, Any]]:
    manual = {
        cf.flag_id: cf
        for cf in CustomerFlag.objects.filter(customer=customer).select_related("set_by")
    }
    rows = []
    for flag in Flag.objects.filter(is_active=True).order_by("sort", "code"):
        present = flag.code in facts.flags
        rows.append({"flag": flag, "present": present, "manual": manual.get(flag.pk)})
    return rows


def history(customer: Customer, limit: int = 100) -> list[GradeChange]:
    return list(
        GradeChange.objects.filter(customer=customer)
        .select_related("old_grade", "new_grade", "proposed_by", "decided_by", "approved_by")
        .order_by("-at", "-pk")[:limit]
    )


def grade_panel(customer: Customer, user: Any) -> dict[str, Any]:
    """Everything the customer's grade page shows."""
    from linli.grading.plans import service_plan_for

    row = (
        CustomerGrade.objects.filter(pk=customer.pk)
        .select_related("grade", "pending_grade", "pending_by", "graded_by", "pending_rule")
        .first()
    )
    proposal = proposal_for(customer)
    fee = FeeStanding.objects.filter(pk=customer.pk).select_related("updated_by").first()
    return {
        "row": row,
        "current": row.grade if row else None,
        "proposal": proposal,
        "facts": facts_text(proposal.facts),
        "flags": flags_of(customer, proposal.facts),
        "fee": fee,
        "history": history(customer),
        "plan": service_plan_for(customer, flags=set(proposal.facts.flags)),
        "grades": active_grades(),
        "open_item": GradeReviewItem.objects.filter(customer=customer, decision=Decision.PENDING)
        .select_related("review", "proposed_grade")
        .first(),
    }


# --- the scheme ----------------------------------------------------------------------------------
def visible_customers(user: Any, community_id: int | None) -> QuerySet[Customer]:
    return (
        Customer.objects.visible_to(user)
        .in_community(community_id)
        .filter(anonymised_at__isnull=True)
    )


PREVIEW_LIMIT = 20_000


def _visible_facts(user: Any, community_id: int | None) -> Iterator[Facts] | None:
    """The facts of every visible customer in scope, or None above PREVIEW_LIMIT customers."""
    visible = visible_customers(user, community_id)
    per_community = dict(
        visible.values("community_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("community_id", "n")
    )
    if sum(per_community.values()) > PREVIEW_LIMIT:
        return None

    def generate() -> Iterator[Facts]:
        for cid in per_community:
            allowed = set(visible.filter(community_id=cid).values_list("pk", flat=True))
            for pk, facts in community_facts(cid).items():
                if pk in allowed:
                    yield facts

    return generate()


def rule_preview(
    user: Any, community_id: int | None, rules: list[tuple[Any, CompiledRule]]
) -> dict[Any, int] | None:
    """How many of the visible customers each rule's conditions hit (regardless of order).

    Computed live over the current community, or over every visible community while that is
    at most PREVIEW_LIMIT customers; None when it is more."""
    everyone = _visible_facts(user, community_id)
    if everyone is None:
        return None
    hits = {key: 0 for key, _rule in rules}
    for facts in everyone:
        for key, rule in rules:
            if rule.matches(facts):
                hits[key] += 1
    return hits


def preview_candidate(
    user: Any, community_id: int | None, candidate: CompiledRule, *, replaces: int | None
) -> dict[str, int] | None:
    """A rule being edited: how many customers its conditions hit, and how many it would
    grade once saved in its place in the order."""
    everyone = _visible_facts(user, community_id)
    if everyone is None:
        return None
    ruleset = with_candidate(load_ruleset(), candidate, replaces=replaces)
    result = {"customers": 0, "hits": 0, "decides": 0}
    for facts in everyone:
        result["customers"] += 1
        result["hits"] += candidate.matches(facts)
        _grade, deciding = ruleset.propose(facts)
        result["decides"] += deciding is candidate
    return result


def decided_counts(user: Any, community_id: int | None) -> dict[int | None, int]:
    """How many visible customers each rule proposes for at the last re-grading."""
    rows = (
        CustomerGrade.objects.visible_to(user)
        .in_community(community_id)
        .filter(customer__in=visible_customers(user, community_id).values("pk"))
        .values("proposed_rule_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {r["proposed_rule_id"]: r["n"] for r in rows}


def grade_counts(user: Any, community_id: int | None) -> dict[int | None, int]:
    """Visible customers per grade (None: not yet graded), counted from CustomerGrade narrowed
    by community first (its (community, grade) index)."""
    visible = visible_customers(user, community_id)
    rows = (
        CustomerGrade.objects.visible_to(user)
        .in_community(community_id)
        .filter(customer__in=visible.values("pk"), grade__isnull=False)
        .values("grade_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[int | None, int] = {r["grade_id"]: r["n"] for r in rows}
    counts[None] = visible.count() - sum(counts.values())
    return counts


def scheme(user: Any, community_id: int | None) -> dict[str, Any]:
    ruleset = load_ruleset()
    compiled = {r.pk: r for r in ruleset.rules}
    rules = list(
        GradeRule.objects.select_related("grade").order_by("priority", "-grade__rank", "pk")
    )
    hits = rule_preview(
        user, community_id, [(r.pk, compiled[r.pk]) for r in rules if r.pk in compiled]
    )
    decided = decided_counts(user, community_id)
    counts = grade_counts(user, community_id)
    return {
        "grades": [
            {"grade": g, "count": counts.get(g.pk, 0)}
            for g in Grade.objects.select_related("plan").order_by("-rank")
        ],
        "ungraded": counts.get(None, 0),
        "rules": [
            {
                "rule": r,
                "text": describe_rule(r.conditions),
                "valid": r.pk in compiled or not r.is_active,
                "hits": None if hits is None else hits.get(r.pk),
                "decides": decided.get(r.pk, 0),
            }
            for r in rules
        ],
        "default_decides": decided.get(None, 0),
        "default_grade": Grade.objects.filter(is_default=True).first(),
        "flags": list(Flag.objects.order_by("sort", "code")),
        "preview_capped": hits is None,
    }


def plans() -> dict[str, Any]:
    from linli.grading.plans import plan_view

    rows = ServicePlan.objects.select_related("grade", "flag").prefetch_related("cadences")
    grade_plans = sorted(
        (p for p in rows if p.grade_id), key=lambda p: -(p.grade.rank if p.grade else 0)
    )
    flag_plans = sorted((p for p in rows if p.flag_id), key=lambda p: p.flag.sort if p.flag else 0)
    return {
        "grade_plans": [plan_view(p) for p in grade_plans],
        "flag_plans": [plan_view(p) for p in flag_plans],
    }


# --- reviews ------------------------------------------------------------------------------------
def review_list(user: Any, community_id: int | None) -> QuerySet[GradeReview]:
    return (
        GradeReview.objects.visible_to(user)
        .in_community(community_id)
        .select_related("community", "created_by")
        .order_by("-period_start", "community__code")
    )


def with_counts(user: Any, reviews: Iterable[GradeReview]) -> list[GradeReview]:
    """Each review's rows counted over the customers the user may see (`total`, `pending`,
    `awaiting`): one grouped query for a page of reviews, the secrecy gate as a semi-join."""
    reviews = list(reviews)
    communities = {r.community_id for r in reviews}
    seen = Customer.objects.visible_to(user).filter(community_id__in=communities).values("pk")
    counts: dict[int, dict[str, int]] = {r.pk: {} for r in reviews}
    rows = (
        GradeReviewItem.objects.filter(review__in=[r.pk for r in reviews], customer__in=seen)
        .values("review_id", "decision")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[row["review_id"]][row["decision"]] = row["n"]
    for review in reviews:
        mine = counts[review.pk]
        review.total = sum(mine.values())  # type: ignore[attr-defined]
        review.pending = mine.get(Decision.PENDING, 0)  # type: ignore[attr-defined]
        review.awaiting = mine.get(Decision.AWAITING_APPROVAL, 0)  # type: ignore[attr-defined]
    return reviews


def _seen(user: Any, community_id: int) -> QuerySet[Customer, dict[str, Any]]:
    """The customers of one community the user may see (a semi-join, not a per-row check)."""
    return Customer.objects.visible_to(user).filter(community_id=community_id).values("pk")


def access_review(user: Any, pk: int) -> GradeReview:
    return get_object_or_404(
        GradeReview.objects.visible_to(user).select_related("community"), pk=pk
    )


def review_items(
    user: Any, review: GradeReview, filters: dict[str, Any] | None = None
) -> QuerySet[GradeReviewItem]:
    """The review's rows whose customers the user may see, filtered."""
    filters = filters or {}
    rows = GradeReviewItem.objects.visible_to(user).filter(
        review=review, customer__in=_seen(user, review.community_id)
    )
    decision = filters.get("decision", Decision.PENDING)
    if decision:
        rows = rows.filter(decision=decision)
    for name in ("current_grade", "proposed_grade"):
        value = filters.get(name)
        if value == "none":
            rows = rows.filter(**{f"{name}__isnull": True})
        elif value:
            rows = rows.filter(**{f"{name}_id": value})
    direction = filters.get("direction")
    if direction == "new":
        rows = rows.filter(current_grade__isnull=True)
    elif direction == "up":
        rows = rows.filter(proposed_grade__rank__gt=F("current_grade__rank"))
    elif direction == "down":
        rows = rows.filter(proposed_grade__rank__lt=F("current_grade__rank"))
    if filters.get("q"):
        rows = rows.filter(customer__name__contains=filters["q"].strip())
    return rows.select_related(
        "customer", "current_grade", "proposed_grade", "decided_grade", "decided_by", "approved_by"
    ).order_by("-proposed_grade__rank", "customer__name_sort", "pk")


def review_summary(user: Any, review: GradeReview) -> dict[str, int]:
    rows = (
        GradeReviewItem.objects.visible_to(user)
        .filter(review=review, customer__in=_seen(user, review.community_id))
        .values("decision")
        .annotate(n=Count("pk"))
        .order_by()
    )
    summary = dict.fromkeys(Decision.values, 0)
    summary.update({r["decision"]: r["n"] for r in rows})
    summary["total"] = sum(summary.values())
    return summary


def access_item(user: Any, pk: int) -> GradeReviewItem:
    return get_object_or_404(
        GradeReviewItem.objects.visible_to(user)
        .filter(customer__in=Customer.objects.visible_to(user))
        .select_related("review", "customer", "proposed_grade", "current_grade"),
        pk=pk,
    )


def pending_approvals(user: Any, community_id: int | None) -> QuerySet[CustomerGrade]:
    return (
        CustomerGrade.objects.visible_to(user)
        .in_community(community_id)
        .filter(pending_grade__isnull=False, customer__in=Customer.objects.visible_to(user))
        .select_related(
            "customer", "community", "grade", "pending_grade", "pending_by", "pending_rule"
        )
        .order_by("pending_at")
    )


# --- jobs ---------------------------------------------------------------------------------------
def access_job(user: Any, pk: int) -> RegradeJob:
    return get_object_or_404(
        RegradeJob.objects.visible_to(user).select_related("community", "started_by"), pk=pk
    )


def recent_jobs(user: Any, community_id: int | None, limit: int = 5) -> list[RegradeJob]:
    rows = RegradeJob.objects.visible_to(user).select_related("community", "started_by")
    if community_id:
        rows = rows.filter(Q(community_id=community_id) | Q(community__isnull=True))
    return list(rows.order_by("-created_at", "-pk")[:limit])


def active_job(user: Any, community_id: int | None) -> RegradeJob | None:
    fresh = timezone.now() - dt.timedelta(hours=2)
    return (
        RegradeJob.objects.visible_to(user)
        .filter(
            status__in=[RegradeJob.Status.QUEUED, RegradeJob.Status.RUNNING], created_at__gte=fresh
        )
        .filter(Q(community_id=community_id) | Q(community__isnull=True) if community_id else Q())
        .order_by("-created_at")
        .first()
    )
