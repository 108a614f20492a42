"""The per-process copy of the version table: reused while the table's stamp is unchanged,
replaced as soon as any process (or a rollback) changes the table."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from linli import policy
from linli.policy.models import ParameterVersion
from linli.policy.selectors import adopt_stamp, snapshot, table_stamp
from linli.policy.services import set_parameter

TOKEN_HOURS = "security.api.token_hours"


def written_elsewhere(value, actor, *, version=1):
    """A version committed by another process: written straight to the table, and nothing in
    this process (snapshot, process copy) is told."""
    return ParameterVersion.objects.create(
        key=TOKEN_HOURS,
        version=version,
        value=value,
        effective_from=timezone.now() - dt.timedelta(seconds=1),
        reason="另一个进程",
        created_by=actor,
    )


def in_a_new_unit_of_work(key=TOKEN_HOURS):
    with snapshot():
        return policy.value(key)


def test_an_unchanged_table_costs_a_unit_of_work_one_stamp_query(world, django_assert_num_queries):
    written_elsewhere(48, world.hq_admin)
    assert in_a_new_unit_of_work() == 48
    with django_assert_num_queries(1), snapshot():
        assert policy.value(TOKEN_HOURS) == 48
        assert policy.value("worktime.day_start") == dt.time(8, 30)


def test_a_version_written_by_another_process_is_seen_by_the_next_unit_of_work(world):
    assert in_a_new_unit_of_work() == 24
    written_elsewhere(12, world.hq_admin)
    assert in_a_new_unit_of_work() == 12
    written_elsewhere(6, world.hq_admin, version=2)
    assert in_a_new_unit_of_work() == 6


def test_a_unit_of_work_keeps_the_policy_it_started_with(world):
    with snapshot():
        assert policy.value(TOKEN_HOURS) == 24
        written_elsewhere(12, world.hq_admin)
        assert policy.value(TOKEN_HOURS) == 24
    assert in_a_new_unit_of_work() == 12


def test_a_change_made_in_this_process_is_seen_at_once(world):
    with snapshot():
        assert policy.value(TOKEN_HOURS) == 24
        set_parameter(TOKEN_HOURS, 12, actor=world.hq_admin, reason="缩短")
        assert policy.value(TOKEN_HOURS) == 12
    assert in_a_new_unit_of_work() == 12


def test_a_rolled_back_version_is_forgotten(world):
    assert in_a_new_unit_of_work() == 24
    with transaction.atomic():
        written_elsewhere(12, world.hq_admin)
        assert in_a_new_unit_of_work() == 12  # the copy now holds the uncommitted version
        transaction.set_rollback(True)
    assert in_a_new_unit_of_work() == 24


def test_a_rolled_back_versions_id_given_out_again_is_not_mistaken_for_it(world):
    # SQLite hands the id of a rolled-back insert to the next one: same count, same largest id.
    with transaction.atomic():
        written_elsewhere(12, world.hq_admin)
        assert in_a_new_unit_of_work() == 12
        transaction.set_rollback(True)
    written_elsewhere(36, world.hq_admin)
    assert in_a_new_unit_of_work() == 36


def test_a_stamp_read_by_another_statement_spares_the_stamp_query(world, django_assert_num_queries):
    assert in_a_new_unit_of_work() == 24
    with snapshot():
        adopt_stamp(table_stamp())
        with django_assert_num_queries(0):
            assert policy.value(TOKEN_HOURS) == 24
    written_elsewhere(12, world.hq_admin)
    with snapshot():
        adopt_stamp(table_stamp())
        with django_assert_num_queries(1):  # the changed table, read once
            assert policy.value(TOKEN_HOURS) == 12
