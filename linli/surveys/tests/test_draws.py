"""Drawing a round's sample from the database: the issue's 2,000-household case and rotation."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from linli.core.errors import DomainError
from linli.org.models import Community
from linli.surveys import draws, services
from linli.surveys.models import Invitation, QuestionnaireVersion, SurveyRound
from linli.surveys.testing import bulk_households, make_round


@pytest.fixture
def xy(world):
    return Community.objects.create(company=world.company, code="XY", name="祥云居", households=300)


def test_2000_households_give_323_stratified_and_the_next_round_draws_others(world, researcher, xy):
    bulk_households(world.ch, 1200)
    bulk_households(world.jg, 500)
    bulk_households(xy, 300)
    first = make_round([world.ch, world.jg, xy], actor=researcher, approver=world.hq_admin)
    assert draws.draw_sample(first, actor=researcher, seed=11) == 323
    first.refresh_from_db()
    assert (first.population, first.sample_target, first.status) == (
        2000,
        323,
        SurveyRound.Status.SAMPLED,
    )
    assert first.design["n0"] == "384"
    per_community = Counter(first.invitations.values_list("community__code", flat=True))
    assert per_community == {"CH": 194, "JG": 81, "XY": 48}

    drawn_before = set(first.invitations.values_list("room_id", flat=True))
    for n in range(2, 7):  # rounds 2–6: 5 × 323 = 1,615 more, still ≤ 2,000
        later = make_round([world.ch, world.jg, xy], actor=researcher, approver=world.hq_admin,
                           name=f"第 {n} 轮", starts_on=first.starts_on + dt.timedelta(days=n))  # fmt: skip
        draws.draw_sample(later, actor=researcher, seed=n)
        rooms = set(later.invitations.values_list("room_id", flat=True))
        assert not rooms & drawn_before, f"round {n} drew a household again before all were drawn"
        drawn_before |= rooms
    assert len(drawn_before) == 6 * 323


def test_the_seed_is_recorded_and_reproduces_the_sample(world, researcher):
    bulk_households(world.ch, 400)
    a = make_round([world.ch], actor=researcher, approver=world.hq_admin)
    draws.draw_sample(a, actor=researcher)
    a.refresh_from_db()
    rooms = set(a.invitations.values_list("room_id", flat=True))
    b = make_round([world.ch], actor=researcher, approver=world.hq_admin, name="重抽")
    Invitation.objects.filter(round=a).delete()  # the same history as when `a` was drawn
    draws.draw_sample(b, actor=researcher, seed=a.seed)
    assert set(b.invitations.values_list("room_id", flat=True)) == rooms


def test_coverage_rule_and_channels(world, researcher):
    bulk_households(world.ch, 100)
    bulk_households(world.jg, 10, mobile=False)
    round_ = make_round([world.ch, world.jg], actor=researcher, approver=world.hq_admin,
                        method=SurveyRound.Method.COVERAGE)  # fmt: skip
    assert draws.draw_sample(round_, actor=researcher) == 99  # ⌈0.9 × 110⌉
    channels = Counter(round_.invitations.values_list("community__code", "channel"))
    assert channels[("JG", "paper")] == 9 and channels[("CH", "link")] == 90


def test_special_group_is_represented(world, researcher):
    bulk_households(world.ch, 1000, special_every=100)  # ten elderly living alone
    round_ = make_round(
        [world.ch], actor=researcher, approver=world.hq_admin, special_flag="elderly_alone"
    )
    draws.draw_sample(round_, actor=researcher, seed=3)
    assert round_.invitations.filter(special=True).count() >= 3  # 278 × 10/1000, rounded up


def test_a_round_cannot_be_drawn_before_its_scope_is_frozen_or_twice(world, researcher):
    bulk_households(world.ch, 50)
    round_ = make_round([world.ch], actor=researcher, approver=world.hq_admin, freeze=False)
    with pytest.raises(DomainError, match="范围已锁定"):
        draws.draw_sample(round_, actor=researcher)
    services.freeze_round(round_, actor=researcher)
    draws.draw_sample(round_, actor=researcher)
    with pytest.raises(DomainError):
        draws.draw_sample(round_, actor=researcher)
    assert round_.invitations.count() == 45  # 384 / (1 + 383/50) = 44.3 → 45


def test_freezing_locks_the_questionnaire_version(world, researcher):
    round_ = make_round([world.ch], actor=researcher, approver=world.hq_admin)
    version = QuestionnaireVersion.objects.get(pk=round_.questionnaire_version_id)
    assert version.locked_at is not None and not version.is_editable
