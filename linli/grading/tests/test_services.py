"""Decisions, approval, history, and the scheme's bad input: clear messages, nothing changed."""

from __future__ import annotations

import pytest

from linli.audit.models import AuditEvent
from linli.core.errors import DomainError
from linli.customers.testing import make_customer
from linli.grading import services
from linli.grading.models import (
    ChangeSource,
    CustomerGrade,
    Grade,
    GradeChange,
    GradeRule,
    ServicePlan,
)
from linli.grading.plans import service_plan_for
from linli.grading.testing import grade, set_grade
from linli.notify.models import Message


def test_confirming_the_proposal_records_history_with_who(world):
    customer = make_customer(world.ch, "张三")
    row = services.decide_grade(customer, grade=grade("b"), actor=world.office_supervisor)
    assert row.grade.code == "b" and not row.is_override
    change = GradeChange.objects.get(customer=customer)
    assert change.old_grade is None and change.new_grade.code == "b"
    assert change.source == ChangeSource.RULES and change.proposed_by is None
    assert change.decided_by == world.office_supervisor and change.rule_name == ""
    assert AuditEvent.objects.filter(
        action="grading.grade.changed", target_id=str(customer.pk)
    ).exists()


def test_an_override_without_a_reason_is_refused_and_nothing_changes(world):
    customer = make_customer(world.ch, "张三")
    with pytest.raises(DomainError) as error:
        services.decide_grade(
            customer, grade=grade("a"), actor=world.office_supervisor, reason="  "
        )
    assert error.value.field == "reason" and "理由" in error.value.message
    assert not GradeChange.objects.exists()
    assert CustomerGrade.objects.filter(customer=customer, grade__isnull=False).count() == 0


def test_an_override_with_a_reason_keeps_who_and_why(world):
    customer = make_customer(world.ch, "张三")
    services.decide_grade(customer, grade=grade("b"), actor=world.office_supervisor)
    row = services.decide_grade(
        customer, grade=grade("a"), actor=world.office_manager, reason="业主热心社区事务"
    )
    assert row.grade.code == "a" and row.is_override
    change = GradeChange.objects.filter(customer=customer).first()
    assert (change.old_grade.code, change.new_grade.code) == ("b", "a")
    assert change.source == ChangeSource.OVERRIDE and change.reason == "业主热心社区事务"
    assert change.proposed_by == world.office_manager == change.decided_by


def test_setting_the_same_grade_again_is_explained(world):
    customer = make_customer(world.ch, "张三")
    services.decide_grade(customer, grade=grade("b"), actor=world.office_supervisor)
    with pytest.raises(DomainError, match="已是"):
        services.decide_grade(customer, grade=grade("b"), actor=world.office_supervisor)


def test_vip_waits_for_a_company_role_then_the_history_shows_the_approver(world):
    customer = make_customer(world.ch, "李总", is_important=True)
    row = services.decide_grade(customer, grade=grade("vip"), actor=world.office_supervisor)
    assert row.grade is None and row.pending_grade.code == "vip"
    assert not GradeChange.objects.exists()
    assert Message.objects.filter(recipient=world.hq_admin, kind="grading.approval").exists()
    with pytest.raises(DomainError):
        services.approve_grade(
            customer, actor=world.office_manager, approve=True
        )  # office roles cannot
    with pytest.raises(DomainError, match="等待公司审批"):
        services.decide_grade(
            customer, grade=grade("a"), actor=world.office_supervisor, reason="改主意"
        )
    row = services.approve_grade(customer, actor=world.hq_admin, approve=True)
    assert row.grade.code == "vip" and row.pending_grade is None
    change = GradeChange.objects.get(customer=customer)
    assert change.decided_by == world.office_supervisor and change.approved_by == world.hq_admin
    assert change.rule_name == "管理处指定的重要客户"


def test_a_vip_refusal_needs_a_reason_and_leaves_the_grade(world):
    customer = make_customer(world.ch, "李总")
    set_grade(customer, "b", actor=world.office_supervisor)
    services.decide_grade(
        customer, grade=grade("vip"), actor=world.office_supervisor, reason="区人大代表"
    )
    with pytest.raises(DomainError, match="理由"):
        services.approve_grade(customer, actor=world.hq_admin, approve=False)
    row = services.approve_grade(customer, actor=world.hq_admin, approve=False, reason="条件不足")
    assert row.grade.code == "b" and row.pending_grade is None
    assert GradeChange.objects.filter(customer=customer).count() == 1
    assert Message.objects.filter(
        recipient=world.office_supervisor, kind="grading.rejected"
    ).exists()


def test_a_stale_version_is_refused(world):
    customer = make_customer(world.ch, "张三")
    row = services.decide_grade(customer, grade=grade("b"), actor=world.office_supervisor)
    services.decide_grade(
        customer,
        grade=grade("a"),
        actor=world.office_manager,
        reason="理由",
        expected_version=row.version,
    )
    with pytest.raises(DomainError, match="刚被他人调整"):
        services.decide_grade(customer, grade=grade("c"), actor=world.office_supervisor, reason="理由",
                              expected_version=row.version)  # fmt: skip


def test_decisions_need_the_permission(world):
    customer = make_customer(world.ch, "张三")
    with pytest.raises(DomainError, match=r"grading\.confirm"):
        services.decide_grade(customer, grade=grade("b"), actor=world.steward)


def test_a_rule_over_a_missing_field_is_refused_and_nothing_is_saved(world):
    before = list(GradeRule.objects.values_list("pk", "conditions"))
    with pytest.raises(DomainError, match="annual_income"):
        services.save_rule(None, grade=grade("a"), name="高收入", priority=5,
                           conditions=[{"input": "annual_income", "op": ">=", "value": 1}], actor=world.hq_admin)  # fmt: skip
    rule = GradeRule.objects.get(name="多套房业主")
    with pytest.raises(DomainError):
        services.save_rule(rule, grade=rule.grade, name=rule.name, priority=rule.priority,
                           conditions=[{"input": "rooms", "op": "contains", "value": 2}], actor=world.hq_admin)  # fmt: skip
    assert list(GradeRule.objects.values_list("pk", "conditions")) == before


def test_rules_are_saved_validated_and_audited(world):
    rule = services.save_rule(None, grade=grade("a"), name="单位客户", priority=45,
                              conditions=[{"input": "kind", "op": "=", "value": "organisation"}], actor=world.hq_admin)  # fmt: skip
    assert rule.conditions == [{"input": "kind", "op": "=", "value": "organisation"}]
    with pytest.raises(DomainError, match=r"grading\.configure"):
        services.save_rule(rule, grade=grade("a"), name="x", priority=1, conditions=rule.conditions, actor=world.office_supervisor)  # fmt: skip
    assert AuditEvent.objects.filter(action="grading.rule.created").exists()


def test_the_scheme_keeps_one_default_grade(world):
    with pytest.raises(DomainError, match="默认等级"):
        services.save_grade(grade("b"), {"is_default": False}, actor=world.hq_admin)
    services.save_grade(grade("c"), {"is_default": True}, actor=world.hq_admin)
    assert list(Grade.objects.filter(is_default=True).values_list("code", flat=True)) == ["c"]
    new = services.save_grade(
        None, {"code": "d", "name": "D类客户", "rank": 5, "colour": "#123456"}, actor=world.hq_admin
    )
    assert ServicePlan.objects.filter(grade=new).exists()
    with pytest.raises(DomainError, match="颜色"):
        services.save_grade(new, {"colour": "red"}, actor=world.hq_admin)


def test_a_grade_in_use_cannot_be_deactivated(world):
    customer = make_customer(world.ch, "张三")
    set_grade(customer, "c", actor=world.office_supervisor)
    with pytest.raises(DomainError, match="不能停用"):
        services.save_grade(grade("c"), {"is_active": False}, actor=world.hq_admin)


def test_fee_standing_and_manual_flags(world):
    customer = make_customer(world.ch, "张三")
    fee = services.set_fee_standing(
        customer, status="arrears", arrears_months=3, actor=world.office_supervisor
    )
    assert (fee.status, fee.arrears_months) == ("arrears", 3)
    fee = services.set_fee_standing(
        customer, status="paid", arrears_months=3, actor=world.office_supervisor
    )
    assert fee.arrears_months == 0
    with pytest.raises(DomainError):
        services.set_fee_standing(customer, status="rich", actor=world.office_supervisor)
    with pytest.raises(DomainError, match="取自客户资料"):
        services.set_flags(customer, ["committee"], actor=world.office_supervisor)
    with pytest.raises(DomainError, match="nobody"):
        services.set_flags(customer, ["nobody"], actor=world.office_supervisor)
    assert services.set_flags(customer, ["peer", "media_gov"], actor=world.office_supervisor)[
        "added"
    ] == ["media_gov", "peer"]
    assert services.set_flags(customer, ["peer"], actor=world.office_supervisor) == {
        "added": [],
        "removed": ["media_gov"],
    }


def test_a_customers_service_plan_merges_grade_and_flags(world):
    member = make_customer(world.ch, "孙丽", is_committee_member=True)
    set_grade(member, "a", actor=world.office_supervisor)
    plan = service_plan_for(member)
    assert plan.sources == ["A类客户", "业主委员会成员"]
    visits = {(r["visitor_code"], r["per_months"]): r["times"] for r in plan.cadence_rows()}
    assert visits == {("steward", 2): 1, ("office_manager", 6): 1, ("office_manager", 3): 1}
    assert str(plan.sla_factor) == "0.75" and plan.invitations_first


def test_an_anonymised_customer_is_not_graded(world):
    from linli.customers import services as customers

    customer = make_customer(world.ch, "张三")
    customers.anonymise_customer(customer, actor=world.office_manager, reason="本人申请删除")
    customer.refresh_from_db()
    with pytest.raises(DomainError, match="匿名化"):
        services.decide_grade(customer, grade=grade("b"), actor=world.office_supervisor)
