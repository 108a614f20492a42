"""The search API's statements are compiled once per shape (ADR 0014) and answer as the ORM
does, for every reading of the input, every kind of user, and grants that come and go."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from linli.customers import selectors
from linli.customers.models import Secrecy
from linli.customers.testing import make_customer, valid_id
from linli.privacy.services import decide_grant, request_grant

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statements are prepared on PostgreSQL only"
)

INPUTS = ["张", "张伟", "张伟明", "zw", "zhangw", "5678", "1381234", "13812345678", "45678",
          "3-1-101", "3-1", "451"]  # fmt: skip


@pytest.fixture
def residents(world):
    for i, name in enumerate(["张伟", "张伟明", "王芳", "李秀英"]):
        make_customer(world.ch, name, room=f"3-1-{101 + i}", mobile=f"138123{i}5678",
                      id_number=valid_id(seq=f"45{i}"))  # fmt: skip
        make_customer(world.jg, name, room=f"3-1-{101 + i}", mobile=f"139000{i}5678")
    make_customer(world.ch, "张秘", secrecy=Secrecy.TOP_SECRET, room="3-1-201")


@pytest.mark.parametrize("persona", ["steward", "office_manager", "hq_supervisor", "hq_admin"])
def test_prepared_hits_are_the_orms_for_every_input(world, residents, persona, settings):
    settings.LINLI_VERIFY_PREPARED = True  # each cached call is also compared with a fresh build
    user = getattr(world, persona)
    for community_id in (None, world.ch.pk):
        for raw in INPUTS:
            hits = selectors.search_hits(user, raw, community_id=community_id)
            expected = selectors.search_customers(user, raw, community_id=community_id)
            assert [h["pk"] for h in hits] == [c.pk for c in expected], raw
            rooms = selectors.search_room_hits(user, raw, community_id=community_id)
            expected_rooms = selectors.search_rooms(user, raw, community_id=community_id)
            assert [r["pk"] for r in rooms] == [r.pk for r in expected_rooms], raw
    prepared = [s for s in selectors._HITS._statements.values() if s is not None]
    assert prepared, "no search shape was prepared"


def test_a_grant_counts_until_it_expires(world, residents, settings):
    settings.LINLI_VERIFY_PREPARED = True
    steward = world.steward
    secret = make_customer(world.ch, "张机要", secrecy=Secrecy.CONFIDENTIAL, room="3-1-301")

    def found() -> bool:
        return secret.pk in [h["pk"] for h in selectors.search_hits(steward, "张机要")]

    assert not found()
    grant = request_grant(secret, actor=steward, reason="上门维修需联系")
    decide_grant(grant, actor=world.office_manager, approve=True)
    assert found()
    grant.valid_until = timezone.now() - dt.timedelta(seconds=1)
    grant.save(update_fields=["valid_until"])
    assert not found()  # the same shape, now bound to a later "now"


def test_a_changed_clearance_changes_the_statement(world, residents, settings):
    """The clearance is a policy parameter: the shape holds its value, not only the role."""
    from linli.policy.selectors import snapshot
    from linli.policy.services import set_parameter

    settings.LINLI_VERIFY_PREPARED = True
    steward = world.steward
    secret = make_customer(world.ch, "张机要", secrecy=Secrecy.CONFIDENTIAL, room="3-1-301")

    def found() -> bool:
        with snapshot():
            return secret.pk in [h["pk"] for h in selectors.search_hits(steward, "张机要")]

    assert not found()
    set_parameter(f"privacy.clearance.{steward.role}", "confidential", actor=world.hq_admin,
                  reason="测试：管理员可查阅机密档案")  # fmt: skip
    assert found()
