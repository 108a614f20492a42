"""Helpers for tests of the care calendar, notices and events."""

from __future__ import annotations

from typing import Any

from linli.customers.testing import make_customer
from linli.grading.models import CustomerGrade, Grade


def graded_customer(community: Any, name: str, grade: str, **values: Any) -> Any:
    """A customer with a current room and a grade (set directly: the grading workflow is tested
    in its own app; here only the plan that follows from the grade matters)."""
    customer = make_customer(community, name, **values)
    CustomerGrade.objects.update_or_create(
        customer=customer,
        defaults={"community": community, "grade": Grade.objects.get(code=grade)},
    )
    return customer
