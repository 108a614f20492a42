"""Sample size, allocation, special groups and rotation (POLICY Ch.7)."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linli.surveys.sampling import (
    Unit,
    allocate,
    coverage_size,
    draw,
    infinite_sample_size,
    sample_size,
)


def test_the_policy_examples():
    assert infinite_sample_size(95, 5) == 384
    assert sample_size(2000) == 323
    assert sample_size(100) == 80
    assert sample_size(10) == 10
    assert sample_size(0) == 0
    assert coverage_size(2000, 90) == 1800
    assert coverage_size(7, 90) == 7  # 6.3 → 7: "at least 90 %"


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError):
        sample_size(-1)
    with pytest.raises(ValueError):
        sample_size(100, margin=0)
    with pytest.raises(ValueError):
        sample_size(100, confidence=100)
    with pytest.raises(ValueError, match="cannot draw 11 from a population of 10"):
        allocate({"a": 10}, 11)


@given(st.integers(min_value=1, max_value=10**6))
def test_the_sample_never_exceeds_the_population_and_grows_with_it(population):
    n = sample_size(population)
    assert 1 <= n <= population
    assert n <= sample_size(population + 1) <= 384


@given(
    st.dictionaries(st.text(min_size=1, max_size=3), st.integers(0, 5000), min_size=1, max_size=12),
    st.data(),
)
def test_allocation_is_proportional_and_adds_up(sizes, data):
    population = sum(sizes.values())
    total = data.draw(st.integers(0, population))
    shares = allocate(sizes, total)
    assert sum(shares.values()) == total
    for key, size in sizes.items():
        exact = total * size / population if population else 0
        assert exact - 1 < shares[key] < exact + 1
        assert 0 <= shares[key] <= size


def households(communities: dict[str, int], *, special_every: int = 0) -> list[Unit]:
    units, next_id = [], 1
    for code, count in communities.items():
        for i in range(count):
            units.append(
                Unit(
                    id=next_id, stratum=code, special=bool(special_every) and i % special_every == 0
                )
            )
            next_id += 1
    return units


def test_2000_households_give_323_stratified_by_community():
    units = households({"CH": 1200, "JG": 500, "XY": 300})
    result = draw(units, sample_size(len(units)), seed=20260501)
    assert len(result.selected) == 323
    assert len({u.id for u in result.selected}) == 323
    per_community = Counter(u.stratum for u in result.selected)
    assert per_community == result.allocation == {"CH": 194, "JG": 81, "XY": 48}


def test_the_same_seed_draws_the_same_households_and_another_seed_others():
    units = households({"CH": 1200, "JG": 800})
    first = [u.id for u in draw(units, 323, seed=1).selected]
    assert first == [u.id for u in draw(units, 323, seed=1).selected]
    assert set(first) != {u.id for u in draw(units, 323, seed=2).selected}


def test_rotation_draws_nobody_twice_before_everyone_once():
    units = households({"CH": 1200, "JG": 500, "XY": 300})
    drawn: Counter[int] = Counter()
    rounds = []
    for round_no in range(7):  # 7 × 323 = 2,261 > 2,000: the seventh round starts a new cycle
        current = [Unit(u.id, u.stratum, u.special, drawn[u.id]) for u in units]
        chosen = {u.id for u in draw(current, 323, seed=f"round-{round_no}").selected}
        rounds.append(chosen)
        drawn.update(chosen)
    assert not rounds[0] & rounds[1]
    seen = set().union(*rounds[:6])
    assert len(seen) == sum(len(r) for r in rounds[:6])  # six rounds, all different households
    assert max(drawn.values()) - min(drawn.values()) <= 1


def test_special_groups_get_at_least_their_share():
    units = households({"CH": 1000}, special_every=50)  # 20 elderly living alone
    result = draw(units, 100, seed=7)
    assert result.special_drawn["CH"] >= 2  # 100 × 20/1000
    tiny = households({"CH": 1000}, special_every=1000)  # one
    assert draw(tiny, 10, seed=7).special_drawn["CH"] == 1


@settings(max_examples=60)
@given(
    st.dictionaries(st.sampled_from("ABCDEFG"), st.integers(1, 300), min_size=1),
    st.integers(0, 10),
    st.integers(),
    st.data(),
)
def test_any_draw_is_a_proportional_set_of_distinct_households(sizes, special_every, seed, data):
    units = households(sizes, special_every=special_every)
    size = data.draw(st.integers(0, len(units)))
    result = draw(units, size, seed=seed)
    ids = [u.id for u in result.selected]
    assert len(ids) == len(set(ids)) == size
    assert Counter(u.stratum for u in result.selected) == {
        k: v for k, v in result.allocation.items() if v
    }
