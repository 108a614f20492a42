"""Demo grades: loaded through the services after the households; idempotent."""

from __future__ import annotations

from linli.customers.demo import load_households
from linli.grading.demo import load_grades
from linli.grading.models import (
    ChangeSource,
    CustomerGrade,
    FeeStanding,
    GradeChange,
    GradeReview,
    GradeReviewItem,
)
from linli.org.demo import load_organisation
from linli.org.models import Community


def test_the_demo_grades_customers_with_a_year_of_history(db):
    load_organisation(7)
    for community in Community.objects.all():
        load_households(community, 7, limit=25)
    made = load_grades(7)
    graded = CustomerGrade.objects.filter(grade__isnull=False)
    assert made["graded"] == graded.count() > 0 and FeeStanding.objects.exists()
    assert "b" in set(graded.values_list("grade__code", flat=True))
    assert ChangeSource.REVIEW in set(GradeChange.objects.values_list("source", flat=True))
    assert GradeReview.objects.values("period_start").distinct().count() == 3
    assert GradeReviewItem.objects.filter(decision=GradeReviewItem.Decision.CONFIRMED).exists()
    changes = GradeChange.objects.count()
    assert load_grades(7) == {"graded": 0}  # nothing happens twice
    assert GradeChange.objects.count() == changes
