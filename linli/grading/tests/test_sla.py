"""Complaint priority: a grade's SLA factor flows through tickets.deadlines into open_ticket."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from linli.customers.testing import make_customer
from linli.grading import services
from linli.grading.models import ServicePlan
from linli.grading.plans import sla_factor
from linli.grading.testing import set_grade
from linli.tickets.deadlines import SLA_FACTOR_PROVIDERS
from linli.tickets.models import Kind, Severity
from linli.tickets.testing import make_ticket

MONDAY = dt.datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_the_provider_is_registered_once():
    assert SLA_FACTOR_PROVIDERS.count(sla_factor) == 1


def test_a_vip_complaint_gets_the_shorter_deadline(world):
    vip = make_customer(world.ch, "李总", room="1-1-101", is_important=True)
    set_grade(vip, "vip", actor=world.office_supervisor, approver=world.hq_admin)
    ordinary = make_customer(world.ch, "张三", room="1-1-102")
    set_grade(ordinary, "b", actor=world.office_supervisor)

    fast = make_ticket(world.ch, actor=world.office_supervisor, customer=vip, opened_at=MONDAY)
    slow = make_ticket(world.ch, actor=world.office_supervisor, customer=ordinary, opened_at=MONDAY)
    assert fast.sla_factor == Decimal("0.50") and slow.sla_factor == Decimal(1)
    assert fast.resolve_by < slow.resolve_by
    assert fast.respond_by < slow.respond_by


def test_an_ungraded_customer_and_no_customer_keep_the_standard_deadline(world):
    customer = make_customer(world.ch, "王五")
    assert sla_factor(customer, MONDAY) is None
    anonymous = make_ticket(
        world.ch, actor=world.office_supervisor, kind=Kind.REPAIR, severity=Severity.URGENT
    )
    assert anonymous.sla_factor == Decimal(1)


def test_a_flag_plan_can_shorten_it_too_and_the_smallest_factor_wins(world):
    sensitive = make_customer(world.ch, "赵敏", room="1-1-103")
    set_grade(sensitive, "a", actor=world.office_supervisor, reason="老业主")
    assert sla_factor(sensitive, MONDAY) == Decimal("0.75")
    services.set_flags(sensitive, ["sensitive"], actor=world.office_supervisor)
    plan = ServicePlan.objects.get(flag__code="sensitive")
    services.save_plan(plan, {"sla_factor": "0.6"}, cadences=[], actor=world.hq_admin)
    assert sla_factor(sensitive, MONDAY) == Decimal("0.60")
    ticket = make_ticket(
        world.ch, actor=world.office_supervisor, customer=sensitive, opened_at=MONDAY
    )
    assert ticket.sla_factor == Decimal("0.60")


def test_a_vip_graded_customer_makes_a_complaint_company_level(world):
    """POLICY Ch.6: a VIP's complaint is company-level even when the file's 重要客户 flag is off."""
    vip = make_customer(world.ch, "王董", room="1-1-103")
    set_grade(vip, "vip", actor=world.office_supervisor, approver=world.hq_admin)
    ordinary = make_customer(world.ch, "赵四", room="1-1-104")
    set_grade(ordinary, "b", actor=world.office_supervisor)

    vip_ticket = make_ticket(
        world.ch, actor=world.office_supervisor, customer=vip, kind=Kind.COMPLAINT
    )
    other = make_ticket(
        world.ch, actor=world.office_supervisor, customer=ordinary, kind=Kind.COMPLAINT
    )
    assert vip_ticket.level == "company" and "VIP" in vip_ticket.level_reason
    assert other.level == "office"
