"""Test helpers: many households at once, and a round ready to draw."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from linli.customers.models import Building, Customer, Occupancy, Room, Unit
from linli.surveys import services
from linli.surveys.models import QuestionnaireVersion, SurveyRound


def bulk_households(
    community: Any, count: int, *, buildings: int = 4, mobile: bool = True, special_every: int = 0
) -> list[Room]:
    """`count` occupied rooms with one owner each, inserted in bulk (no history rows)."""
    blocks = [
        Building.objects.get_or_create(community=community, code=f"S{b + 1}")[0]
        for b in range(buildings)
    ]
    units = [
        Unit.objects.get_or_create(community=community, building=b, code="1")[0] for b in blocks
    ]
    start = Room.objects.filter(community=community).count()  # several calls add more rooms
    rooms = Room.objects.bulk_create(
        Room(
            community=community,
            building=blocks[i % buildings],
            unit=units[i % buildings],
            number=str(1000 + start + i),
            code=f"S{i % buildings + 1}-1-{1000 + start + i}",
        )
        for i in range(count)
    )
    people = Customer.objects.bulk_create(
        Customer(
            community=community,
            name=f"住户{i}",
            mobile=f"139{i:08d}" if mobile else "",
            care_flags=["elderly_alone"] if special_every and i % special_every == 0 else [],
        )
        for i in range(count)
    )
    Occupancy.objects.bulk_create(
        Occupancy(
            community=community,
            room=room,
            customer=person,
            role=Occupancy.Role.OWNER,
            is_primary=True,
            move_in=dt.date(2020, 1, 1),
        )
        for room, person in zip(rooms, people, strict=True)
    )
    return rooms


def standard_version() -> QuestionnaireVersion:
    return QuestionnaireVersion.objects.get(questionnaire__is_template=True, number=1)


def make_round(
    communities: list[Any], *, actor: Any, approver: Any, name: str = "2026 年 5 月满意度调查",
    starts_on: dt.date | None = None, method: str = SurveyRound.Method.FORMULA,
    freeze: bool = True, office: bool = False, **values: Any,
) -> SurveyRound:  # fmt: skip
    starts_on = starts_on or timezone.localdate() + dt.timedelta(days=10)
    plan = services.create_plan(actor=actor, year=starts_on.year, title=f"{starts_on.year} 年度客户调查方案", purpose="了解业主满意度",
        community=communities[0] if office else None)  # fmt: skip
    fields = {"name": name, "questionnaire_version": standard_version(), "method": method,
              "strata": SurveyRound.Strata.COMMUNITY, "channels": ["link", "paper"],
              "starts_on": starts_on, "ends_on": starts_on + dt.timedelta(days=20), **values}  # fmt: skip
    round_ = services.save_round(
        None, plan=plan, actor=actor, values=fields, communities=communities
    )
    services.submit_plan(plan, actor=actor)
    services.decide_plan(plan, actor=approver, approve=True)
    if freeze:
        services.freeze_round(round_, actor=actor)
    round_.refresh_from_db()
    return round_


def open_census_round(world: Any, researcher: Any, *, households: int = 10) -> SurveyRound:
    """A census round of CH with `households` households, drawn and opened."""
    from linli.surveys import answering, draws

    bulk_households(world.ch, households)
    round_ = make_round(
        [world.ch], actor=researcher, approver=world.hq_admin, method=SurveyRound.Method.CENSUS
    )
    draws.draw_sample(round_, actor=researcher)
    answering.open_round(round_, actor=researcher)
    round_.refresh_from_db()
    return round_
