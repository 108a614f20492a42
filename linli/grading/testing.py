"""Helpers for tests that need graded customers (built through the grading services)."""

from __future__ import annotations

from typing import Any

from linli.grading import services
from linli.grading.models import CustomerGrade, Grade


def grade(code: str) -> Grade:
    return Grade.objects.get(code=code)


def set_grade(
    customer: Any, code: str, *, actor: Any, approver: Any = None, reason: str = "测试定级"
) -> CustomerGrade:
    """Give a customer a grade as an office would: decided by `actor` (an office supervisor),
    approved by `approver` (a company role) when the grade needs approval."""
    row = services.decide_grade(customer, grade=grade(code), actor=actor, reason=reason)
    if row.pending_grade_id:
        if approver is None:
            raise ValueError("this grade needs a company approver")
        row = services.approve_grade(customer, actor=approver, approve=True)
    return row
