"""A round's figures from the database: issue/return rates and satisfaction, scored exactly as
`scoring.py` says, by counting answers in SQL (100,000 forms × 25 questions stay a GROUP BY)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count, Q

from linli import policy
from linli.surveys.models import Answer, Invitation, Question, Response, SurveyRound
from linli.surveys.scoring import SCALE, Tally, as_percent


@dataclass
class Rates:
    key: str
    label: str
    sample: int = 0
    issued: int = 0
    returned: int = 0

    @property
    def issue_rate(self) -> Decimal | None:
        return as_percent(Fraction(self.issued, self.sample)) if self.sample else None

    @property
    def return_rate(self) -> Decimal | None:
        return as_percent(Fraction(self.returned, self.issued)) if self.issued else None


def rates(round_: SurveyRound, invitations: Any = None) -> tuple[list[Rates], Rates]:
    """发放/回收一览表: per community, sample, issued and returned; and the total."""
    rows = (invitations if invitations is not None else round_.invitations.all()).values(
        "community_id", "community__code", "community__name"
    ).annotate(
        sample=Count("id", filter=~Q(status=Invitation.Status.VOID)),
        issued=Count("id", filter=Q(status__in=[Invitation.Status.ISSUED, Invitation.Status.PARTIAL, Invitation.Status.RETURNED])),
        returned=Count("id", filter=Q(status=Invitation.Status.RETURNED)),
    ).order_by("community__code")  # fmt: skip
    per = [
        Rates(r["community__code"], r["community__name"], r["sample"], r["issued"], r["returned"])
        for r in rows
    ]
    total = Rates("", "", sum(r.sample for r in per), sum(r.issued for r in per), sum(r.returned for r in per))  # fmt: skip
    return per, total


@dataclass
class QuestionResult:
    question: Question
    number: int
    tally: Tally

    @property
    def percent(self) -> Decimal | None:
        return self.tally.percent


@dataclass
class Result:
    """Satisfaction of a round or a part of it (a community, a grade, a building)."""

    returned: int
    questions: list[QuestionResult]
    dimensions: dict[str, Tally] = field(default_factory=dict)
    overall: Tally = field(default_factory=Tally)

    def below_target(self, target: Decimal) -> list[str]:
        """The dimensions (and "overall") whose figure misses the target."""
        missed = [name for name, t in self.dimensions.items() if t.percent is not None and t.percent < target]  # fmt: skip
        if self.overall.percent is not None and self.overall.percent < target:
            missed.insert(0, "overall")
        return missed


def scale_questions(round_: SurveyRound) -> list[Question]:
    return list(
        Question.objects.filter(
            section__questionnaire_version=round_.questionnaire_version_id, kind=Question.Kind.SCALE
        )
        .select_related("section", "section__dimension")
        .order_by("section__sort", "section_id", "sort", "id")
    )


def _dimension(question: Question) -> str:
    section = question.section
    return section.dimension.name if section.dimension else section.title


def score_round(
    round_: SurveyRound, *, by: str | None = None, responses: Any = None
) -> dict[str, Result]:
    """Scores of the submitted forms, overall (key "") or grouped `by` "community",
    "building" or "grade". Unreturned forms are not counted; blank items are abstentions."""
    questions = scale_questions(round_)
    submitted = (responses if responses is not None else Response.objects.all()).filter(
        round=round_, submitted_at__isnull=False
    )
    group_field = {
        None: None,
        "community": "response__community__name",
        "building": "response__invitation__room__building__code",
        "grade": "response__invitation__customer__grading__grade__name",
    }[by]
    answer_rows = Answer.objects.filter(
        response__in=submitted, question__in=[q.pk for q in questions]
    )
    values = ["question_id", "value"] + ([group_field] if group_field else [])
    counts: dict[str, dict[int, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for row in answer_rows.values(*values).annotate(n=Count("id")).order_by():
        key = str(row[group_field] or "—") if group_field else ""
        counts[key][row["question_id"]][row["value"]] = row["n"]
    if group_field:
        group_of_response = group_field.removeprefix("response__")
        returned = dict(
            submitted.values_list(group_of_response)
            .annotate(n=Count("id"))
            .values_list(group_of_response, "n")
        )
        returned = {str(k or "—"): v for k, v in returned.items()}
    else:
        returned = {"": submitted.count()}
    results: dict[str, Result] = {}
    for key in sorted(set(returned) | set(counts)):
        results[key] = _result(questions, counts.get(key, {}), returned.get(key, 0))
    return results


def _result(questions: list[Question], counts: dict[int, dict[str, int]], returned: int) -> Result:
    per_question: list[QuestionResult] = []
    dimensions: dict[str, Tally] = {}
    overall = Tally()
    for number, question in enumerate(questions, start=1):
        by_value = counts.get(question.pk, {})
        plain, weighted = Tally(), Tally()
        weight = Fraction(question.weight)
        for value in SCALE:
            n = by_value.get(value, 0)
            plain.counts[value] = n
            weighted.counts[value] = n
            plain.valid += n
            weighted.valid += n * weight
            if value in SCALE[:3]:
                plain.satisfied += n
                weighted.satisfied += n * weight
        plain.abstained = weighted.abstained = returned - int(plain.valid)
        per_question.append(QuestionResult(question, number, plain))
        dimensions.setdefault(_dimension(question), Tally()).merge(weighted)
        overall.merge(weighted)
    return Result(returned=returned, questions=per_question, dimensions=dimensions, overall=overall)


def target() -> Decimal:
    return Decimal(policy.value("surveys.target.satisfaction"))


def trend(
    round_: SurveyRound, *, limit: int = 6, responses: Any = None
) -> list[tuple[SurveyRound, Result]]:
    """This round and the earlier rounds of the same scope, oldest first (comparison)."""
    earlier = (
        SurveyRound.objects.filter(
            community=round_.community, starts_on__lte=round_.starts_on,
            status__in=[SurveyRound.Status.OPEN, SurveyRound.Status.CLOSED, SurveyRound.Status.REPORTED],
        )
        .order_by("-starts_on")[:limit]
    )  # fmt: skip
    return [(r, score_round(r, responses=responses)[""]) for r in reversed(list(earlier))]


def return_target() -> Decimal:
    return Decimal(policy.value("surveys.return.target_rate"))


def chart_data(overall: Result, groups: dict[str, Result], goal: Decimal) -> dict[str, Any]:
    """What the results page's ECharts draw: dimensions, and the groups' overall figures."""
    from django.utils.translation import gettext as _

    return {
        "target": float(goal),
        "target_label": _("目标 %(t)s%%") % {"t": goal},
        "dimensions": [
            {"name": name, "value": float(t.percent) if t.percent is not None else None}
            for name, t in overall.dimensions.items()
        ],
        "groups": [
            {
                "name": key,
                "value": float(r.overall.percent) if r.overall.percent is not None else None,
            }
            for key, r in groups.items()
        ],
    }
