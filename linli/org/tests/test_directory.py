"""The per-process community directory: ids and names without a query, scope per call."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from linli.org.directory import all_communities, community_entry, community_id_for


def test_codes_become_ids_within_the_users_scope(world):
    assert community_id_for(world.hq_supervisor, " jg ") == world.jg.pk
    assert community_id_for(world.steward, "CH") == world.ch.pk
    for user, code in ((world.steward, "JG"), (world.steward, "XX"), (world.anonymous, "CH")):
        with pytest.raises(Http404):
            community_id_for(user, code)


def test_a_saved_community_is_read_again_and_reads_are_otherwise_free(world):
    assert community_entry(world.ch.pk).name == "翠湖苑"
    with CaptureQueriesContext(connection) as queries:
        assert [c.code for c in all_communities()] == ["CH", "JG"]
        community_id_for(world.hq_supervisor, "CH")
    assert queries.captured_queries == []
    world.ch.name = "翠湖苑二期"
    world.ch.save()
    assert community_entry(world.ch.pk).name == "翠湖苑二期"
