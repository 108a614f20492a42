"""Every grading URL in the permission matrix (DESIGN §4)."""

from __future__ import annotations

from typing import Any

import pytest

from linli.core.testing import Endpoint, case_id, permission_matrix
from linli.grading.models import (
    CustomerGrade,
    Flag,
    Grade,
    GradeReview,
    GradeReviewItem,
    GradeRule,
    RegradeJob,
    ServicePlan,
)
from linli.org.roles import Perm


def _customer(world: Any) -> Any:
    from linli.customers.models import Customer
    from linli.customers.testing import make_customer

    return Customer.objects.filter(community=world.ch, name="张三").first() or make_customer(
        world.ch, "张三", room="3-2-501"
    )


def _pending(world: Any) -> Any:
    """A CH customer whose VIP grade waits for the company's approval."""
    from linli.customers.testing import make_customer
    from linli.grading import services

    row = CustomerGrade.objects.filter(community=world.ch, pending_grade__isnull=False).first()
    if row is not None:
        return row.customer
    customer = make_customer(world.ch, "李总", room="3-2-502", is_important=True)
    services.decide_grade(
        customer, grade=Grade.objects.get(code="vip"), actor=world.office_supervisor
    )
    return customer


def _review(world: Any) -> GradeReview:
    from linli.grading import jobs

    review = GradeReview.objects.filter(community=world.ch).first()
    if review is None:
        _customer(world)
        jobs.regrade([world.ch.pk])
        review = GradeReview.objects.get(community=world.ch)
    return review


def _item(world: Any) -> GradeReviewItem:
    return _review(world).items.filter(decision="pending").first()


def _job(world: Any) -> RegradeJob:
    from django.utils import timezone

    return RegradeJob.objects.filter(community=world.ch).first() or RegradeJob.objects.create(
        community=world.ch, at=timezone.now(), status=RegradeJob.Status.DONE, progress=100
    )


def _grade_pk(world: Any) -> int:
    return Grade.objects.get(code="b").pk


def _a(world: Any) -> dict[str, Any]:
    return {"grade": Grade.objects.get(code="a").pk, "reason": "矩阵测试"}


APPROVE = Perm.GRADING_APPROVE_VIP
V, EDIT, CONFIRM, PROPOSE, OFFICE = (
    Perm.CUSTOMERS_VIEW, Perm.GRADING_CONFIGURE, Perm.GRADING_CONFIRM, Perm.GRADING_PROPOSE, Perm.REPORTS_OFFICE,
)  # fmt: skip
MOVED = frozenset({302})
NEW_GRADE = {"code": "d", "name": "D类客户", "rank": 5, "colour": "#123456", "is_active": "on"}


def _rule_post(world: Any, *, preview: bool = False) -> dict[str, Any]:
    data = {
        "name": "单位客户", "grade": Grade.objects.get(code="a").pk, "priority": 45, "is_active": "on",
        "c-TOTAL_FORMS": 1, "c-INITIAL_FORMS": 0, "c-0-input": "kind", "c-0-op": "=", "c-0-value": "organisation",
    }  # fmt: skip
    if preview:
        data["preview"] = "1"
    return data


ENDPOINTS = [
    Endpoint("scheme", "/grading/", permission=V),
    Endpoint("grade-new", "/grading/grades/new/", permission=EDIT),
    Endpoint("grade-new-post", "/grading/grades/new/", method="post", data=NEW_GRADE, permission=EDIT, ok=MOVED),
    Endpoint("grade-edit", lambda w: f"/grading/grades/{_grade_pk(w)}/edit/", permission=EDIT),
    Endpoint("rule-new", "/grading/rules/new/", permission=EDIT),
    Endpoint("rule-new-post", "/grading/rules/new/", method="post", data=_rule_post, permission=EDIT, ok=MOVED),
    Endpoint("rule-preview", "/grading/rules/new/", method="post", data=lambda w: _rule_post(w, preview=True), permission=EDIT),
    Endpoint("rule-edit", lambda w: f"/grading/rules/{GradeRule.objects.first().pk}/edit/", permission=EDIT),
    Endpoint("rule-delete", lambda w: f"/grading/rules/{GradeRule.objects.last().pk}/delete/", method="post", permission=EDIT, ok=MOVED),
    Endpoint("flag-new", "/grading/flags/new/", permission=EDIT),
    Endpoint("flag-edit", lambda w: f"/grading/flags/{Flag.objects.first().pk}/edit/", permission=EDIT),
    Endpoint("plans", "/grading/plans/", permission=V),
    Endpoint("plan-edit", lambda w: f"/grading/plans/{ServicePlan.objects.first().pk}/edit/", permission=EDIT),
    Endpoint("customer", lambda w: f"/grading/customers/{_customer(w).pk}/", permission=V, scoped=True),
    Endpoint("customer-decide", lambda w: f"/grading/customers/{_customer(w).pk}/decide/", method="post", data=_a,
             permission=CONFIRM, scoped=True, ok=MOVED),
    Endpoint("customer-approve", lambda w: f"/grading/customers/{_pending(w).pk}/approve/", method="post",
             data={"decision": "approve"}, permission=APPROVE, scoped=True, ok=MOVED),
    Endpoint("customer-fee", lambda w: f"/grading/customers/{_customer(w).pk}/fee/", method="post",
             data={"status": "paid"}, permission=PROPOSE, scoped=True, ok=MOVED),
    Endpoint("customer-flags", lambda w: f"/grading/customers/{_customer(w).pk}/flags/", method="post",
             data={"flags": ["peer"]}, permission=PROPOSE, scoped=True, ok=MOVED),
    Endpoint("reviews", "/grading/reviews/", permission=OFFICE),
    Endpoint("review-start", "/grading/reviews/start/", method="post", permission=CONFIRM, ok=MOVED),
    Endpoint("review", lambda w: f"/grading/reviews/{_review(w).pk}/", permission=OFFICE, scoped=True),
    Endpoint("review-confirm", lambda w: f"/grading/reviews/{_review(w).pk}/confirm/", method="post",
             data={"scope": "filtered"}, permission=CONFIRM, scoped=True, ok=MOVED),
    Endpoint("item-decide", lambda w: f"/grading/reviews/items/{_item(w).pk}/decide/", method="post",
             data={"action": "confirm"}, permission=CONFIRM, scoped=True, ok=MOVED),
    Endpoint("approvals", "/grading/approvals/", permission=APPROVE),
    Endpoint("regrade-all", "/grading/regrade/", method="post", permission=APPROVE, ok=MOVED),
    Endpoint("job", lambda w: f"/grading/jobs/{_job(w).pk}/", permission=OFFICE, scoped=True),
    Endpoint("analysis", "/grading/analysis/", permission=OFFICE),
    Endpoint("analysis-export", "/grading/analysis/export/", permission=OFFICE),
]  # fmt: skip


@pytest.mark.parametrize("case", permission_matrix(ENDPOINTS), ids=case_id)
def test_grading_urls_respect_scope_and_permissions(case, client, world):
    assert case.actual(client, world) in case.expected()


def test_above_clearance_the_customer_grade_page_is_404(client, world):
    from linli.customers.models import Customer, Secrecy

    customer = _customer(world)
    Customer.objects.filter(pk=customer.pk).update(secrecy=Secrecy.TOP_SECRET)
    client.force_login(world.office_supervisor)
    assert client.get(f"/grading/customers/{customer.pk}/").status_code == 404
    assert client.post(f"/grading/customers/{customer.pk}/decide/", _a(world)).status_code == 404
