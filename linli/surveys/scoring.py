"""Scoring exactly as POLICY Ch.7 says.

satisfaction % = (很满意 + 满意 + 较满意) / valid answers. An unreturned form and a blank item
are abstentions: they are not valid answers and are left out of the denominator.

A dimension's and the overall figure pool the answers of their scale questions, each answer
counted with its question's weight: Σ wᵩ·satisfiedᵩ / Σ wᵩ·validᵩ. With equal weights that is
simply all satisfied answers over all valid answers; a question nobody answered adds nothing
to either side. Figures are exact fractions until they are shown (one decimal, half up).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

# The 5-level scale, best first; the first three count as satisfied.
SCALE = ("very_satisfied", "satisfied", "fairly_satisfied", "neutral", "dissatisfied")
SATISFIED = frozenset(SCALE[:3])


@dataclass
class Tally:
    satisfied: Fraction = Fraction(0)
    valid: Fraction = Fraction(0)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SCALE, 0))
    abstained: int = 0

    def add(self, value: str | None, weight: Fraction | int = 1) -> None:
        if not value:
            self.abstained += 1
            return
        if value not in self.counts:
            raise ValueError(f"{value!r} is not on the satisfaction scale")
        self.counts[value] += 1
        self.valid += weight
        if value in SATISFIED:
            self.satisfied += weight

    def merge(self, other: Tally) -> None:
        self.satisfied += other.satisfied
        self.valid += other.valid
        self.abstained += other.abstained
        for key, n in other.counts.items():
            self.counts[key] += n

    @property
    def rate(self) -> Fraction | None:
        """Satisfied share of the valid answers (None when there is none)."""
        return self.satisfied / self.valid if self.valid else None

    @property
    def percent(self) -> Decimal | None:
        return as_percent(self.rate)


def as_percent(rate: Fraction | None, places: int = 1) -> Decimal | None:
    if rate is None:
        return None
    exact = Decimal(rate.numerator) * 100 / Decimal(rate.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ScaleQuestion:
    id: int
    dimension: str
    weight: Fraction = Fraction(1)


def score(
    questions: Iterable[ScaleQuestion],
    responses: Iterable[Mapping[int, str | None]],
) -> tuple[dict[int, Tally], dict[str, Tally], Tally]:
    """Per question, per dimension and overall tallies of the returned responses.

    `responses` holds one mapping per returned form: question id → scale value, or None / a
    missing key for a blank item. Forms not returned are simply not passed in."""
    questions = list(questions)
    per_question = {q.id: Tally() for q in questions}
    weighted = {q.id: Tally() for q in questions}
    for response in responses:
        for q in questions:
            value = response.get(q.id)
            per_question[q.id].add(value)
            weighted[q.id].add(value, q.weight)
    per_dimension: dict[str, Tally] = {}
    overall = Tally()
    for q in questions:
        per_dimension.setdefault(q.dimension, Tally()).merge(weighted[q.id])
        overall.merge(weighted[q.id])
    return per_question, per_dimension, overall
