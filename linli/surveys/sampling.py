"""Sampling for satisfaction surveys (POLICY Ch.7): sample size, stratified allocation, special
groups, rotation. Pure functions over plain values, so the rules are testable on their own and
the same code serves the preview, the draw and the tests.

Sample size: n₀ = z²·p(1−p)/e², rounded to the nearest household (the textbook 384 for 95 % ±5 %,
p = 0.5), then the finite-population correction n = ⌈n₀ / (1 + (n₀ − 1)/N)⌉ (323 for N = 2,000),
never more than N. The coverage rule instead issues to ⌈rate · N⌉ households.

Allocation: proportional to stratum size by the largest-remainder method (ties by stratum key,
so a draw is reproducible); a stratum that has households and would get none is not raised —
proportional means proportional — but the allocation is reported so the plan shows it.

Within a stratum, the special group (e.g. elderly living alone) gets at least its proportional
share rounded up (and at least one when the stratum's sample is not empty and it has any), the
rest comes from the others.

Rotation: every household carries how often it has been drawn in this population; within each
stratum and group the least-drawn come first and ties are broken by a key derived from the
round's recorded seed. So nobody is drawn a second time before everyone in their stratum has been
drawn once, and the same seed and history give the same sample.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from statistics import NormalDist


def z_value(confidence: Decimal | float) -> float:
    """The two-sided normal quantile for a confidence level given in percent (95 → 1.96)."""
    level = float(confidence) / 100
    if not 0 < level < 1:
        raise ValueError("confidence must be between 0 and 100 (percent)")
    return NormalDist().inv_cdf((1 + level) / 2)


def infinite_sample_size(
    confidence: Decimal | float, margin: Decimal | float, proportion: Decimal | float = 0.5
) -> int:
    """n₀ = z²·p(1−p)/e², to the nearest whole household (95 %, ±5 %, 0.5 → 384)."""
    e = float(margin) / 100
    p = float(proportion)
    if not 0 < e < 1 or not 0 < p < 1:
        raise ValueError("margin must be between 0 and 100 (percent), proportion between 0 and 1")
    return max(1, round(z_value(confidence) ** 2 * p * (1 - p) / e**2))


def sample_size(
    population: int,
    *,
    confidence: Decimal | float = 95,
    margin: Decimal | float = 5,
    proportion: Decimal | float = 0.5,
) -> int:
    """The sample for a population of `population` households, with the finite-population
    correction (2,000 households at 95 % ± 5 % → 323)."""
    if population < 0:
        raise ValueError("population must not be negative")
    if population == 0:
        return 0
    n0 = infinite_sample_size(confidence, margin, proportion)
    return min(population, math.ceil(n0 / (1 + (n0 - 1) / population) - 1e-9))


def coverage_size(population: int, rate: Decimal | float) -> int:
    """The coverage rule: issue to at least `rate` percent of the occupied households."""
    if not 0 < float(rate) <= 100:
        raise ValueError("coverage rate must be between 0 and 100 (percent)")
    return min(population, math.ceil(population * Decimal(str(rate)) / 100))


def allocate(sizes: Mapping[Hashable, int], total: int) -> dict[Hashable, int]:
    """Split `total` over strata in proportion to their sizes (largest remainder; ties by key)."""
    population = sum(sizes.values())
    if total < 0 or total > population:
        raise ValueError(f"cannot draw {total} from a population of {population}")
    if population == 0:
        return dict.fromkeys(sizes, 0)
    exact = {key: Decimal(total) * size / population for key, size in sizes.items()}
    shares = {key: int(value) for key, value in exact.items()}
    left = total - sum(shares.values())
    by_remainder = sorted(sizes, key=lambda key: (-(exact[key] - shares[key]), str(key)))
    for key in by_remainder[:left]:
        shares[key] += 1
    return shares


@dataclass(frozen=True)
class Unit:
    """A household that may be drawn."""

    id: int
    stratum: Hashable
    special: bool = False
    times_drawn: int = 0  # in this population, before this round


def _order_key(seed: int | str, unit_id: int) -> bytes:
    return hashlib.sha256(f"{seed}:{unit_id}".encode()).digest()


def _pick(units: Iterable[Unit], count: int, seed: int | str) -> list[Unit]:
    ordered = sorted(units, key=lambda u: (u.times_drawn, _order_key(seed, u.id)))
    return ordered[:count]


@dataclass
class Draw:
    selected: list[Unit]
    allocation: dict[Hashable, int]
    special_drawn: dict[Hashable, int]


def draw(units: Sequence[Unit], size: int, *, seed: int | str) -> Draw:
    """A stratified, rotating, reproducible sample of `size` households."""
    strata: dict[Hashable, list[Unit]] = defaultdict(list)
    for unit in units:
        strata[unit.stratum].append(unit)
    allocation = allocate({key: len(rows) for key, rows in strata.items()}, size)
    selected: list[Unit] = []
    special_drawn: dict[Hashable, int] = {}
    for key in sorted(strata, key=str):
        rows, wanted = strata[key], allocation[key]
        special = [u for u in rows if u.special]
        others = [u for u in rows if not u.special]
        special_share = math.ceil(wanted * len(special) / len(rows)) if rows else 0
        if special and wanted:
            special_share = max(1, special_share)
        special_share = min(special_share, len(special), wanted)
        taken = _pick(special, special_share, seed)
        taken += _pick(others, wanted - len(taken), seed)
        if len(taken) < wanted:  # fewer others than needed: fill from the remaining special
            chosen = {u.id for u in taken}
            taken += _pick([u for u in special if u.id not in chosen], wanted - len(taken), seed)
        special_drawn[key] = sum(1 for u in taken if u.special)
        selected += taken
    return Draw(selected=selected, allocation=allocation, special_drawn=special_drawn)
