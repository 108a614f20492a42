"""Scoring with abstentions, computed by hand (POLICY Ch.7)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from linli.surveys.scoring import ScaleQuestion, Tally, as_percent, score

Q = [
    ScaleQuestion(1, "客户服务"),
    ScaleQuestion(2, "客户服务"),
    ScaleQuestion(3, "保洁", weight=Fraction(2)),
]
# Four forms came back (two did not: they are simply absent). None = a blank item.
RETURNED = [
    {1: "very_satisfied", 2: "neutral", 3: "satisfied"},
    {1: "satisfied", 2: None, 3: "dissatisfied"},
    {1: "dissatisfied", 2: "fairly_satisfied"},
    {1: "fairly_satisfied", 2: "satisfied", 3: "satisfied"},
]


def test_the_hand_computed_example():
    per_question, per_dimension, overall = score(Q, RETURNED)
    # Q1: 3 of 4 valid; Q2: 2 of 3 (one blank); Q3: 2 of 3 (one blank).
    assert (per_question[1].satisfied, per_question[1].valid) == (3, 4)
    assert (per_question[2].satisfied, per_question[2].valid, per_question[2].abstained) == (
        2,
        3,
        1,
    )
    assert [per_question[q].percent for q in (1, 2, 3)] == [
        Decimal("75.0"),
        Decimal("66.7"),
        Decimal("66.7"),
    ]
    # 客户服务 pools Q1 and Q2: 5 of 7; 保洁 counts Q3 twice: 4 of 6.
    assert per_dimension["客户服务"].rate == Fraction(5, 7)
    assert per_dimension["客户服务"].percent == Decimal("71.4")
    assert per_dimension["保洁"].percent == Decimal("66.7")
    # Overall: (3 + 2 + 2·2) / (4 + 3 + 2·3) = 9/13.
    assert overall.rate == Fraction(9, 13)
    assert overall.percent == Decimal("69.2")


def test_no_valid_answer_is_no_figure_not_zero():
    per_question, _, overall = score([ScaleQuestion(1, "绿化")], [{1: None}, {}])
    assert per_question[1].rate is None and per_question[1].abstained == 2
    assert overall.percent is None


def test_a_value_off_the_scale_is_refused():
    with pytest.raises(ValueError, match="not on the satisfaction scale"):
        Tally().add("great")


def test_half_up_rounding():
    assert as_percent(Fraction(1, 8), places=1) == Decimal("12.5")
    assert as_percent(Fraction(2, 3)) == Decimal("66.7")
    assert as_percent(Fraction(1, 1600)) == Decimal("0.1")  # 0.0625 → 0.1
