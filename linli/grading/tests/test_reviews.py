"""The periodic re-grading review: created by the sweep once per period, proposals from the
rules, confirmed in bulk or row by row, history kept; the background job and its progress."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from linli.core.errors import DomainError
from linli.core.models import SweepRun
from linli.customers.testing import make_customer
from linli.grading import jobs, services
from linli.grading.models import (
    ChangeSource,
    CustomerGrade,
    GradeChange,
    GradeReview,
    GradeReviewItem,
    RegradeJob,
)
from linli.grading.testing import grade, set_grade
from linli.policy.services import set_parameter

Decision = GradeReviewItem.Decision


def _households(world):
    vip = make_customer(world.ch, "李总", room="1-1-101", is_important=True)
    member = make_customer(world.ch, "孙丽", room="1-1-102", is_committee_member=True)
    plain = make_customer(world.ch, "张三", room="1-1-103")
    other = make_customer(world.jg, "王五", room="1-1-101")
    return vip, member, plain, other


def test_period_starts_align_to_january():
    assert jobs.period_start(dt.date(2026, 11, 27), 6) == dt.date(2026, 7, 1)
    assert jobs.period_start(dt.date(2026, 6, 30), 6) == dt.date(2026, 1, 1)
    assert jobs.period_start(dt.date(2026, 5, 3), 3) == dt.date(2026, 4, 1)
    assert jobs.period_start(dt.date(2026, 5, 3), 12) == dt.date(2026, 1, 1)


def test_the_sweep_creates_one_review_per_community_and_period(world):
    vip, member, plain, _other = _households(world)
    assert "2 communities, 4 customers, 4 proposals" in jobs.create_due_reviews()
    reviews = GradeReview.objects.order_by("community__code")
    assert [r.community.code for r in reviews] == ["CH", "JG"]
    ch = reviews.get(community=world.ch)
    proposals = dict(ch.items.values_list("customer_id", "proposed_grade__code"))
    assert proposals == {vip.pk: "vip", member.pk: "a", plain.pk: "b"}
    assert set(ch.items.values_list("decision", flat=True)) == {Decision.PENDING}
    items = GradeReviewItem.objects.count()
    assert "complete" in jobs.create_due_reviews()  # idempotent within the period
    assert GradeReview.objects.count() == 2 and GradeReviewItem.objects.count() == items
    job = RegradeJob.objects.get()
    assert job.status == RegradeJob.Status.DONE and job.customers == 4 and job.proposals == 4


def test_the_sweep_runs_from_the_worker(world):
    _households(world)
    call_command("worker", "--once")
    assert GradeReview.objects.count() == 2
    assert "reviews for" in SweepRun.objects.get(name="grading.reviews").last_result


def test_a_new_period_makes_a_new_review(world):
    _households(world)
    now = timezone.now()
    jobs.create_due_reviews(now)
    later = now + dt.timedelta(days=200)
    jobs.create_due_reviews(later)
    assert GradeReview.objects.filter(community=world.ch).count() == 2
    set_parameter("grading.review.interval_months", 3, actor=world.hq_admin, reason="改为季度复评")
    assert jobs.review_interval() == 3


def test_the_supervisor_confirms_and_history_shows_old_new_who_and_why(world):
    """The issue's "done when": proposals from the rules, confirmed, history old → new."""
    vip, member, plain, _other = _households(world)
    set_grade(member, "b", actor=world.office_supervisor)  # graded B earlier
    set_grade(plain, "b", actor=world.office_supervisor)
    jobs.create_due_reviews()
    review = GradeReview.objects.get(community=world.ch)
    assert review.items.get(customer=member).current_grade.code == "b"
    assert not review.items.filter(customer=plain).exists()  # B and proposed B: nothing to review
    ids = list(review.items.values_list("pk", flat=True))
    counts = services.confirm_items(review, ids, actor=world.office_supervisor)
    assert counts == {"confirmed": 1, "awaiting": 1, "stale": 0}
    change = GradeChange.objects.get(customer=member, source=ChangeSource.REVIEW)
    assert (change.old_grade.code, change.new_grade.code) == ("b", "a")
    assert change.rule_name == "业主委员会成员" and change.decided_by == world.office_supervisor
    assert CustomerGrade.objects.get(customer=vip).pending_grade.code == "vip"
    assert review.items.get(customer=vip).decision == Decision.AWAITING_APPROVAL
    services.approve_grade(vip, actor=world.hq_admin, approve=True)
    item = review.items.get(customer=vip)
    assert item.decision == Decision.CONFIRMED and item.approved_by == world.hq_admin
    change = GradeChange.objects.get(customer=vip)
    assert change.source == ChangeSource.REVIEW and change.approved_by == world.hq_admin


def test_customers_without_a_grade_are_proposed_their_first_grade(world):
    _vip, _member, plain, _other = _households(world)
    jobs.create_due_reviews()
    item = GradeReviewItem.objects.get(customer=plain)
    assert item.current_grade is None and item.proposed_grade.code == "b"
    assert item.rule_name == "" and item.inputs["rooms"] == 1


def test_override_and_keep_need_a_reason(world):
    _vip, member, plain, _other = _households(world)
    set_grade(member, "b", actor=world.office_supervisor)
    jobs.create_due_reviews()
    item = GradeReviewItem.objects.get(customer=member)
    with pytest.raises(DomainError, match="理由"):
        services.decide_item(item, action="keep", actor=world.office_supervisor)
    with pytest.raises(DomainError, match="理由"):
        services.decide_item(
            item, action="override", grade=grade("c"), actor=world.office_supervisor
        )
    assert GradeReviewItem.objects.get(pk=item.pk).decision == Decision.PENDING
    item = services.decide_item(
        item, action="keep", reason="刚入选，观察半年", actor=world.office_supervisor
    )
    assert item.decision == Decision.KEPT and item.decided_by == world.office_supervisor
    assert CustomerGrade.objects.get(customer=member).grade.code == "b"
    first = GradeReviewItem.objects.get(customer=plain)
    first = services.decide_item(
        first,
        action="override",
        grade=grade("c"),
        reason="长期不配合",
        actor=world.office_supervisor,
    )
    assert first.decision == Decision.OVERRIDDEN
    change = GradeChange.objects.get(customer=plain)
    assert (
        change.source == ChangeSource.OVERRIDE
        and change.reason == "长期不配合"
        and change.review_item_id == first.pk
    )


def test_a_proposal_made_stale_by_a_decision_elsewhere_is_superseded(world):
    _vip, member, _plain, _other = _households(world)
    jobs.create_due_reviews()
    review = GradeReview.objects.get(community=world.ch)
    item = review.items.get(customer=member)
    services.decide_grade(member, grade=grade("b"), actor=world.office_manager, reason="先定 B")
    counts = services.confirm_items(review, [item.pk], actor=world.office_supervisor)
    assert counts["stale"] == 1
    assert GradeReviewItem.objects.get(pk=item.pk).decision == Decision.SUPERSEDED
    jobs.regrade([world.ch.pk])  # re-evaluation brings the proposal back as a fresh row
    fresh = review.items.get(customer=member)
    assert fresh.decision == Decision.PENDING and fresh.current_grade.code == "b"


def test_re_evaluating_withdraws_proposals_that_no_longer_differ(world):
    _vip, member, _plain, _other = _households(world)
    jobs.create_due_reviews()
    review = GradeReview.objects.get(community=world.ch)
    assert review.items.filter(customer=member).exists()
    from linli.customers import services as customers

    customers.update_customer(member, {"is_committee_member": False}, actor=world.office_supervisor)
    jobs.regrade([world.ch.pk])
    assert review.items.get(customer=member).proposed_grade.code == "b"
    set_grade(member, "b", actor=world.office_supervisor)
    jobs.regrade([world.ch.pk])
    assert not review.items.filter(customer=member, decision=Decision.PENDING).exists()


def test_a_started_job_runs_in_the_background_with_progress(
    world, django_capture_on_commit_callbacks
):
    _households(world)
    with django_capture_on_commit_callbacks(execute=True):  # the task is enqueued at commit
        job = jobs.start_regrade(world.ch, actor=world.office_supervisor)
        assert job.status == RegradeJob.Status.QUEUED
    job.refresh_from_db()
    assert job.status == RegradeJob.Status.DONE and job.progress == 100
    assert job.customers == 3 and job.communities_done == 1 and job.seconds is not None
    assert GradeReview.objects.filter(
        community=world.ch, created_by=world.office_supervisor
    ).exists()
    assert not GradeReview.objects.filter(community=world.jg).exists()


def test_only_one_job_at_a_time(world):
    RegradeJob.objects.create(
        community=world.ch, at=timezone.now(), status=RegradeJob.Status.RUNNING
    )
    with pytest.raises(DomainError, match="正在进行"):
        jobs.start_regrade(world.ch, actor=world.office_supervisor)
    with pytest.raises(DomainError):
        jobs.start_regrade(None, actor=world.hq_admin)
    jobs.start_regrade(world.jg, actor=world.hq_admin)  # another community is free


def test_regrade_all_is_the_bench_entry_point(world):
    _households(world)
    job = jobs.regrade_all()
    assert job.status == RegradeJob.Status.DONE and job.customers == 4 and job.community is None
    assert GradeReview.objects.count() == 2
