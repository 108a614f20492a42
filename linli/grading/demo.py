"""Demo grades: fee standings, a few manual flags, and a year of grading history.

Everything goes through the chapter's services, as an office would work: a re-grading a year
ago confirmed by each office's customer supervisor (VIPs approved by the general manager),
fee standings recorded, the review of the last half-year with confirmations, adjustments and
one "keep", and the current half-year's review left partly open, with one VIP awaiting
approval. Deterministic for a seed; does nothing when grades exist.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from linli.customers.models import Customer, Occupancy
from linli.grading import jobs, services
from linli.grading.inputs import add_months
from linli.grading.models import CustomerGrade, FeeStanding, Grade, GradeReview, GradeReviewItem
from linli.org.models import Community, Staff
from linli.org.roles import Role

Decision = GradeReviewItem.Decision


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _review_all(period_at: dt.datetime, people: dict[int, Any], approver: Any, rng: random.Random,
                *, leave_open: float = 0.0, adjust: int = 0) -> None:  # fmt: skip
    """Each community's supervisor works through the review of `period_at`'s period."""
    jobs.regrade(at=period_at)
    period = jobs.current_period(period_at)
    decided_at = min(period_at + dt.timedelta(days=3), timezone.now())
    vip = Grade.objects.filter(needs_approval=True).order_by("-rank").first()
    for review in GradeReview.objects.filter(period_start=period).order_by("community__code"):
        supervisor = people.get(review.community_id)
        if supervisor is None:
            continue
        pending = list(review.items.filter(decision=Decision.PENDING).order_by("pk"))
        rng.shuffle(pending)
        keep_open = pending[: int(len(pending) * leave_open)]
        for item in pending[len(keep_open) : len(keep_open) + adjust]:
            if item.current_grade_id is not None and rng.random() < 0.5:
                services.decide_item(item, action="keep", actor=supervisor, at=decided_at,
                                     reason="刚续缴物业费并承诺按时缴纳，暂维持原级")  # fmt: skip
            else:
                others = Grade.objects.filter(is_active=True, needs_approval=False).exclude(
                    pk__in=[item.proposed_grade_id, item.current_grade_id or 0]
                )
                target = min(
                    others, key=lambda g: abs(g.rank - item.proposed_grade.rank), default=None
                )
                if target is not None:
                    services.decide_item(item, action="override", grade=target, actor=supervisor,
                                         at=decided_at, reason="与业主面谈后，按实际情况调整")  # fmt: skip
        chosen = {i.pk for i in keep_open}
        rest = [i.pk for i in pending if i.pk not in chosen]
        rest = list(
            review.items.filter(pk__in=rest, decision=Decision.PENDING).values_list("pk", flat=True)
        )
        services.confirm_items(review, rest, actor=supervisor, at=decided_at)
    if approver is None or vip is None:
        return
    for row in CustomerGrade.objects.filter(pending_grade=vip).select_related("customer"):
        at = min(decided_at + dt.timedelta(days=2), timezone.now())
        services.approve_grade(row.customer, actor=approver, approve=True, at=at)


def load_grades(seed: int = 2026) -> dict[str, int]:
    if CustomerGrade.objects.exists() or not Customer.objects.exists():
        return {"graded": 0}
    rng = random.Random(f"{seed}-grading")
    now = timezone.now()
    supervisors = {
        s.community_id: s
        for s in Staff.objects.filter(role=Role.OFFICE_CUSTOMER_SUPERVISOR, is_active=True).order_by("username")
    }  # fmt: skip
    approver = Staff.objects.filter(role=Role.GENERAL_MANAGER, is_active=True).first()
    current = jobs.current_period(now)
    last_half = _at(add_months(current, -jobs.review_interval(now)) + dt.timedelta(days=20))
    a_year_ago = _at(add_months(current, -2 * jobs.review_interval(now)) + dt.timedelta(days=20))

    # A year ago: the first grading, before fee standings were kept.
    _review_all(a_year_ago, supervisors, approver, rng)

    # Fee standings of owners and organisations (the office's records), and a few flags.
    owners = list(
        Customer.objects.filter(
            occupancies__role__in=[Occupancy.Role.OWNER, Occupancy.Role.MERCHANT],
            occupancies__move_out__isnull=True,
        )
        .distinct()
        .order_by("pk")
    )
    for customer in owners:
        actor = supervisors.get(customer.community_id)
        roll = rng.random()
        if roll < 0.08:
            services.set_fee_standing(customer, status=FeeStanding.Status.ARREARS,
                                      arrears_months=rng.choice((2, 3, 6, 7, 9, 14)), actor=actor,
                                      note="已电话催缴")  # fmt: skip
        elif roll < 0.22:
            services.set_fee_standing(customer, status=FeeStanding.Status.PREPAID, actor=actor)
        elif roll < 0.95:
            services.set_fee_standing(customer, status=FeeStanding.Status.PAID, actor=actor)
    for customer in rng.sample(owners, k=min(len(owners), max(3, len(owners) // 40))):
        actor = supervisors.get(customer.community_id)
        services.set_flags(customer, [rng.choice(("peer", "media_gov", "sensitive", "sensitive"))],
                           actor=actor, note="管理处了解的情况")  # fmt: skip

    # The last half-year's review: confirmed, with a few adjustments and a "keep".
    _review_all(last_half, supervisors, approver, rng, adjust=2)

    # Arrears that began since, then the current review, left partly open.
    paid = list(FeeStanding.objects.filter(status=FeeStanding.Status.PAID).order_by("pk"))
    for fee in rng.sample(paid, k=min(len(paid), max(2, len(paid) // 50))):
        customer = Customer.objects.get(pk=fee.customer_id)
        services.set_fee_standing(customer, status=FeeStanding.Status.ARREARS, arrears_months=6,
                                  actor=supervisors.get(customer.community_id), note="本年度未缴")  # fmt: skip
    _review_all(now, supervisors, None, rng, leave_open=0.6)
    _one_vip_awaiting(supervisors)
    return {"graded": CustomerGrade.objects.filter(grade__isnull=False).count()}


def _one_vip_awaiting(supervisors: dict[int, Any]) -> None:
    """The office proposes a committee chair as VIP: it waits for the company's approval."""
    vip = Grade.objects.filter(needs_approval=True).order_by("-rank").first()
    if vip is None:
        return
    for community in Community.objects.order_by("code")[:2]:
        supervisor = supervisors.get(community.pk)
        row = (
            CustomerGrade.objects.filter(community=community, pending_grade__isnull=True, grade__isnull=False)
            .exclude(grade=vip)
            .filter(customer__is_committee_member=True)
            .select_related("customer")
            .first()
        )  # fmt: skip
        if supervisor is None or row is None:
            continue
        open_item = GradeReviewItem.objects.filter(
            customer=row.customer, decision=Decision.PENDING
        ).first()
        if open_item is not None:
            services.decide_item(open_item, action="override", grade=vip, actor=supervisor,
                                 reason="业主委员会主任，对小区舆论影响大")  # fmt: skip
        else:
            services.decide_grade(row.customer, grade=vip, actor=supervisor,
                                  reason="业主委员会主任，对小区舆论影响大")  # fmt: skip
