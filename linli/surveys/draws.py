"""Drawing a round's sample from the database (the rules are in `sampling.py`).

The population is the occupied households of the round's communities (optionally owners only,
optionally some grades): one unit per room, answered by its primary contact (else the owner,
else any current occupant). Rotation counts how often each room was invited in earlier rounds.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from linli import policy
from linli.audit.services import record
from linli.core.errors import DomainError
from linli.customers.models import Occupancy
from linli.surveys import sampling
from linli.surveys.models import Invitation, SurveyRound

ROLE_ORDER = {Occupancy.Role.OWNER: 0, Occupancy.Role.ORGANISATION: 1, Occupancy.Role.TENANT: 2}


@dataclass(frozen=True)
class Household:
    room_id: int
    community_id: int
    customer_id: int
    has_mobile: bool
    stratum: str
    special: bool


def population(round_: SurveyRound) -> list[Household]:
    """The round's households, one per occupied room, in room order."""
    rows = Occupancy.objects.filter(
        community__in=round_.communities.all(), move_out__isnull=True
    ).values_list(
        "room_id",
        "community_id",
        "community__code",
        "room__unit__building_id",
        "customer_id",
        "role",
        "is_primary",
        "customer__mobile",
        "customer__care_flags",
    )
    if round_.owners_only:
        rows = rows.filter(role=Occupancy.Role.OWNER)
    grades: dict[int, str] = {}
    if round_.grades or round_.strata == SurveyRound.Strata.GRADE:
        from linli.grading.models import CustomerGrade

        graded = CustomerGrade.objects.filter(community__in=round_.communities.all())
        grades = dict(graded.values_list("customer_id", "grade__code"))
    best: dict[int, tuple[Any, ...]] = {}
    for row in rows.order_by("room_id"):
        room_id, *_rest = row
        rank = (not row[6], ROLE_ORDER.get(row[5], 9), row[4])
        if room_id not in best or rank < best[room_id][0]:
            best[room_id] = (rank, row)
    households = []
    for _rank, row in best.values():
        room_id, community_id, code, building_id, customer_id, _role, _p, mobile, flags = row
        grade = grades.get(customer_id, "")
        if round_.grades and grade not in round_.grades:
            continue
        stratum = {
            SurveyRound.Strata.COMMUNITY: code,
            SurveyRound.Strata.BUILDING: f"{code}/{building_id}",
            SurveyRound.Strata.GRADE: f"{code}/{grade or '-'}",
        }[SurveyRound.Strata(round_.strata)]
        special = bool(round_.special_flag) and round_.special_flag in (flags or [])
        households.append(
            Household(room_id, community_id, customer_id, bool(mobile), stratum, special)
        )
    households.sort(key=lambda h: h.room_id)
    return households


def target_size(round_: SurveyRound, count: int) -> tuple[int, dict[str, Any]]:
    """The sample size for `count` households by the round's method, and the parameters used."""
    if round_.method == SurveyRound.Method.CENSUS:
        return count, {"method": "census"}
    if round_.method == SurveyRound.Method.COVERAGE:
        rate = policy.value("surveys.sample.coverage_rate")
        return sampling.coverage_size(count, rate), {"method": "coverage", "rate": str(rate)}
    confidence = policy.value("surveys.sample.confidence")
    margin = policy.value("surveys.sample.margin")
    proportion = policy.value("surveys.sample.proportion")
    size = sampling.sample_size(count, confidence=confidence, margin=margin, proportion=proportion)
    design: dict[str, Any] = {"method": "formula", "confidence": str(confidence), "margin": str(margin),
              "proportion": str(proportion),
              "n0": str(sampling.infinite_sample_size(confidence, margin, proportion))}  # fmt: skip
    return size, design


def times_invited(room_ids: list[int], *, before: SurveyRound) -> dict[int, int]:
    counts: dict[int, int] = {}
    for chunk_start in range(0, len(room_ids), 5000):
        chunk = room_ids[chunk_start : chunk_start + 5000]
        counts.update(
            Invitation.objects.filter(room_id__in=chunk)
            .exclude(round=before)
            .values_list("room_id")
            .annotate(n=Count("id"))
            .values_list("room_id", "n")
        )
    return counts


@transaction.atomic
def draw_sample(round_: SurveyRound, *, actor: Any | None, seed: int | None = None) -> int:
    """Draw the sample of a frozen round and create its invitations; returns their number."""
    round_ = SurveyRound.objects.select_for_update().get(pk=round_.pk)
    if round_.status != SurveyRound.Status.FROZEN:
        raise DomainError(_("只有范围已锁定、尚未抽样的轮次可以抽样。"))
    households = population(round_)
    if not households:
        raise DomainError(_("调查范围内没有已入住的住户。"))
    size, design = target_size(round_, len(households))
    seed = seed if seed is not None else secrets.randbits(62)
    history = times_invited([h.room_id for h in households], before=round_)
    by_room = {h.room_id: h for h in households}
    units = [
        sampling.Unit(h.room_id, h.stratum, h.special, history.get(h.room_id, 0))
        for h in households
    ]
    result = sampling.draw(units, size, seed=seed)
    channels = list(round_.channels or [Invitation.Channel.LINK])
    online = Invitation.Channel.LINK if Invitation.Channel.LINK in channels else channels[0]
    offline = Invitation.Channel.PAPER if Invitation.Channel.PAPER in channels else online
    Invitation.objects.bulk_create(
        (
            Invitation(
                round=round_,
                community_id=by_room[u.id].community_id,
                room_id=u.id,
                customer_id=by_room[u.id].customer_id,
                stratum=str(u.stratum),
                special=u.special,
                channel=online if by_room[u.id].has_mobile else offline,
            )
            for u in sorted(result.selected, key=lambda u: u.id)
        ),
        batch_size=2000,
    )
    design.update(
        allocation={str(k): v for k, v in result.allocation.items()},
        special_drawn={str(k): v for k, v in result.special_drawn.items()},
        special_flag=round_.special_flag,
        strata=round_.strata,
    )
    SurveyRound.objects.filter(pk=round_.pk).update(
        status=SurveyRound.Status.SAMPLED,
        population=len(households),
        sample_target=size,
        design=design,
        seed=seed,
        sampled_at=timezone.now(),
    )
    record(actor, "surveys.round.sampled", round_, {"population": len(households), "sample": size, "seed": seed})  # fmt: skip
    return len(result.selected)
