"""The rule vocabulary, validation and evaluation (pure, plus the stored default scheme)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linli.core.errors import DomainError
from linli.grading.models import Grade, GradeRule
from linli.grading.rules import (
    INPUTS,
    Facts,
    clean_conditions,
    compile_rule,
    describe_rule,
    explain,
    facts_from_json,
    load_ruleset,
)

pytestmark = pytest.mark.django_db


def test_a_condition_over_an_unknown_input_is_refused_naming_it():
    with pytest.raises(DomainError) as error:
        clean_conditions([{"input": "net_worth", "op": ">=", "value": 1}])
    assert "net_worth" in error.value.message and "total_area" in error.value.message


@pytest.mark.parametrize(
    "condition, words",
    [
        ({"input": "rooms", "op": "has", "value": 1}, "比较方式"),
        ({"input": "rooms", "op": ">=", "value": "许多"}, "不是数字"),
        ({"input": "rooms", "op": ">=", "value": -1}, "不小于 0"),
        ({"input": "committee", "op": "=", "value": "也许"}, "是”或“否"),
        ({"input": "fee_status", "op": "=", "value": "owing"}, "owing"),
        ({"input": "fee_status", "op": "=", "value": "paid,prepaid"}, "属于"),
        ({"input": "flags", "op": "has", "value": "vip_friend"}, "vip_friend"),
        ({"input": "rooms", "op": ">=", "value": ""}, "请填写"),
        ({"input": "rooms", "op": ">=", "value": 1, "extra": 1}, "extra"),
    ],
)
def test_bad_conditions_are_refused_with_a_clear_message(condition, words):
    with pytest.raises(DomainError) as error:
        clean_conditions([condition])
    assert words in error.value.message


def test_a_rule_needs_at_least_one_condition():
    with pytest.raises(DomainError, match="至少需要一个条件"):
        clean_conditions([])
    with pytest.raises(DomainError):
        clean_conditions("rooms >= 2")


def test_values_are_normalised_and_chinese_labels_accepted():
    clean = clean_conditions(
        [
            {"input": "total_area", "op": ">=", "value": "180.50"},
            {"input": "committee", "op": "=", "value": "是"},
            {"input": "fee_status", "op": "in", "value": "按时缴费，预缴"},
            {"input": "flags", "op": "has", "value": "高投诉/敏感"},
        ]
    )
    assert clean == [
        {"input": "total_area", "op": ">=", "value": 180.5},
        {"input": "committee", "op": "=", "value": True},
        {"input": "fee_status", "op": "in", "value": ["paid", "prepaid"]},
        {"input": "flags", "op": "has", "value": ["sensitive"]},
    ]


def _rule(grade_id, *conditions, pk=1):
    return compile_rule(pk, "r", grade_id, clean_conditions(list(conditions)))


def test_conditions_evaluate_on_facts():
    big = _rule(
        1,
        {"input": "total_area", "op": ">=", "value": 180},
        {"input": "fee_status", "op": "!=", "value": "arrears"},
    )
    assert big.matches(Facts(total_area=Decimal(180), fee_status="paid"))
    assert not big.matches(Facts(total_area=Decimal("179.99"), fee_status="paid"))
    assert not big.matches(Facts(total_area=Decimal(300), fee_status="arrears"))
    flagged = _rule(1, {"input": "flags", "op": "lacks", "value": ["sensitive"]})
    assert flagged.matches(Facts(flags=frozenset({"peer"})))
    assert not flagged.matches(Facts(flags=frozenset({"sensitive"})))
    checks = explain(big, Facts(total_area=Decimal(200), fee_status="arrears"))
    assert [c["ok"] for c in checks] == [True, False] and "200" in checks[0]["actual"]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60)
@given(
    area=st.decimals(min_value=0, max_value=2000, places=2),
    limit=st.integers(min_value=0, max_value=2000),
)
def test_number_comparisons_agree_with_python(area, limit):
    rule = _rule(1, {"input": "total_area", "op": ">=", "value": limit})
    assert rule.matches(Facts(total_area=area)) == (area >= limit)


def test_the_default_scheme_is_vip_a_b_c_with_valid_rules():
    assert list(Grade.objects.order_by("-rank").values_list("code", flat=True)) == [
        "vip",
        "a",
        "b",
        "c",
    ]
    assert Grade.objects.get(is_default=True).code == "b"
    assert Grade.objects.get(code="vip").needs_approval
    for rule in GradeRule.objects.all():
        assert clean_conditions(rule.conditions)
    assert len(load_ruleset().rules) == GradeRule.objects.count()


@pytest.mark.parametrize(
    "facts, expected",
    [
        ({"important": True, "fee_status": "arrears", "arrears_months": 12}, "vip"),
        ({"total_area": 320, "years": 3, "fee_status": "paid"}, "vip"),
        ({"total_area": 320, "years": 2, "fee_status": "paid"}, "a"),
        ({"fee_status": "arrears", "arrears_months": 6, "committee": True}, "c"),
        ({"fee_status": "arrears", "arrears_months": 5, "committee": True}, "a"),
        ({"rooms": 2, "fee_status": "unknown"}, "a"),
        ({"rooms": 2, "fee_status": "arrears", "arrears_months": 1}, "b"),
        ({"years": 8, "fee_status": "prepaid", "complaints_12m": 2}, "a"),
        ({"years": 8, "fee_status": "prepaid", "complaints_12m": 3}, "b"),
        ({"years": 8, "fee_status": "unknown"}, "b"),
        ({}, "b"),
    ],
)
def test_the_default_rules_propose_the_expected_grade(facts, expected):
    ruleset = load_ruleset()
    grade_id, _rule = ruleset.propose(facts_from_json(facts))
    assert Grade.objects.get(pk=grade_id).code == expected


def test_rules_are_described_in_chinese():
    text = describe_rule(
        [
            {"input": "total_area", "op": ">=", "value": 180},
            {"input": "fee_status", "op": "in", "value": ["paid", "prepaid"]},
        ]
    )
    assert text == "名下建筑面积合计 ≥ 180 ㎡且缴费状况 属于 按时缴费、预缴"
    assert set(INPUTS) >= {
        "rooms",
        "total_area",
        "years",
        "fee_status",
        "complaints_12m",
        "committee",
        "important",
        "flags",
    }
