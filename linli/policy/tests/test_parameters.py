from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from linli import policy
from linli.audit.models import AuditEvent
from linli.core.errors import DomainError
from linli.policy.models import ParameterVersion
from linli.policy.registry import PARAMETERS, Kind
from linli.policy.services import set_parameter


def test_defaults_are_the_policy_numbers(db):
    assert policy.value("tickets.ordinary.respond_hours") == 24
    assert policy.value("tickets.ordinary.resolve_workdays") == 3
    assert policy.value("tickets.urgent.respond_hours") == 2
    assert policy.value("customers.file.complete_within_hours") == 24
    assert policy.value("surveys.rounds.months") == [5, 11]
    assert policy.value("surveys.target.satisfaction") == Decimal("90")
    assert policy.value("security.login.max_failures") == 5
    assert policy.value("worktime.day_start") == dt.time(8, 30)


def test_every_parameter_has_label_article_and_a_valid_default():
    for key, param in PARAMETERS.items():
        assert param.label and param.article, key
        assert param.parse(param.to_json(param.default)) == param.default, key
        assert re.fullmatch(r"[a-z_]+(\.[a-z_0-9]+)+", key), key


def test_a_change_is_a_new_version_and_nothing_is_overwritten(world):
    first = set_parameter(
        "tickets.ordinary.respond_hours", "12", actor=world.hq_admin, reason="公司新规"
    )
    second = set_parameter(
        "tickets.ordinary.respond_hours", 8, actor=world.hq_admin, reason="再收紧"
    )
    assert (first.version, second.version) == (1, 2)
    assert policy.value("tickets.ordinary.respond_hours") == 8
    assert ParameterVersion.objects.get(pk=first.pk).value == 12
    event = AuditEvent.objects.filter(action="policy.parameter.changed").first()
    assert event is not None
    assert event.data["old"] == 12 and event.data["new"] == 8 and event.data["reason"] == "再收紧"


def test_the_version_in_force_depends_on_the_moment(world):
    now = timezone.now()
    set_parameter("tickets.ordinary.respond_hours", 12, actor=world.hq_admin, reason="a")
    set_parameter(
        "tickets.ordinary.respond_hours",
        6,
        actor=world.hq_admin,
        reason="b",
        effective_from=now + dt.timedelta(days=10),
    )
    assert policy.value("tickets.ordinary.respond_hours") == 12
    assert policy.value("tickets.ordinary.respond_hours", at=now + dt.timedelta(days=11)) == 6
    assert policy.value("tickets.ordinary.respond_hours", at=now - dt.timedelta(days=1)) == 24


def test_community_override_where_allowed(world):
    set_parameter(
        "worktime.day_start",
        "09:00",
        actor=world.hq_admin,
        reason="翠湖苑九点上班",
        community=world.ch,
    )
    assert policy.value("worktime.day_start", community=world.ch) == dt.time(9, 0)
    assert policy.value("worktime.day_start", community=world.jg) == dt.time(8, 30)
    assert policy.value("worktime.day_start") == dt.time(8, 30)
    set_parameter(
        "worktime.day_start", None, actor=world.hq_admin, reason="恢复公司统一", community=world.ch
    )
    assert policy.value("worktime.day_start", community=world.ch) == dt.time(8, 30)


def test_community_override_refused_where_not_allowed(world):
    with pytest.raises(DomainError, match="公司统一规定"):
        set_parameter(
            "tickets.urgent.respond_hours", 1, actor=world.hq_admin, reason="x", community=world.ch
        )
    assert not ParameterVersion.objects.exists()


@pytest.mark.parametrize(
    "key,value,message",
    [
        ("tickets.ordinary.respond_hours", "abc", "不是有效的整数"),
        ("tickets.ordinary.respond_hours", "1.5", "不是有效的整数"),
        ("tickets.ordinary.respond_hours", 0, "不能小于 1"),
        ("tickets.ordinary.respond_hours", 10000, "不能大于 168"),
        ("surveys.target.satisfaction", "101", "不能大于 100"),
        ("surveys.rounds.months", "5, 13", "不能大于 12"),
        ("worktime.day_start", "25:00", "不是有效的时刻"),
        ("privacy.default_level", "public", "不在可选范围内"),
    ],
)
def test_wrong_type_or_out_of_range_is_refused_and_nothing_changes(world, key, value, message):
    with pytest.raises(DomainError, match=message):
        set_parameter(key, value, actor=world.hq_admin, reason="测试")
    assert not ParameterVersion.objects.exists()
    assert not AuditEvent.objects.exists()


def test_reason_is_required(world):
    with pytest.raises(DomainError, match="修改原因"):
        set_parameter("tickets.ordinary.respond_hours", 12, actor=world.hq_admin, reason="  ")


def test_backdated_change_is_refused(world):
    with pytest.raises(DomainError, match="不能早于"):
        set_parameter(
            "tickets.ordinary.respond_hours",
            12,
            actor=world.hq_admin,
            reason="x",
            effective_from=timezone.now() - dt.timedelta(days=1),
        )


def test_concurrent_edit_is_detected(world):
    set_parameter(
        "tickets.ordinary.respond_hours", 12, actor=world.hq_admin, reason="a", expected_version=0
    )
    with pytest.raises(DomainError, match="已被他人修改"):
        set_parameter(
            "tickets.ordinary.respond_hours",
            10,
            actor=world.hq_admin,
            reason="b",
            expected_version=0,
        )
    assert policy.value("tickets.ordinary.respond_hours") == 12


def test_int_list_parses_chinese_commas():
    assert PARAMETERS["surveys.rounds.months"].parse("11，5") == [5, 11]
    assert PARAMETERS["surveys.rounds.months"].kind == Kind.INT_LIST


def test_hr_manager_edits_in_the_ui_with_a_reason(client, world):
    client.force_login(world.hq_admin)
    page = client.get("/policy/tickets.ordinary.respond_hours/")
    assert page.status_code == 200 and "修改原因" in page.content.decode()
    response = client.post(
        "/policy/tickets.ordinary.respond_hours/",
        {"value": "12", "reason": "总经理办公会决定", "expected_version": "0"},
    )
    assert response.status_code == 302
    assert policy.value("tickets.ordinary.respond_hours") == 12
    history = client.get("/policy/tickets.ordinary.respond_hours/").content.decode()
    assert "总经理办公会决定" in history and "v1" in history


def test_ui_shows_error_next_to_the_field_and_keeps_input(client, world):
    client.force_login(world.hq_admin)
    response = client.post(
        "/policy/tickets.ordinary.respond_hours/",
        {"value": "abc", "reason": "试试", "expected_version": "0"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "不是有效的整数" in body and "试试" in body
    assert not ParameterVersion.objects.exists()


def test_steward_cannot_edit_policy(client, world):
    client.force_login(world.steward)
    response = client.post(
        "/policy/tickets.ordinary.respond_hours/",
        {"value": "12", "reason": "x", "expected_version": "0"},
    )
    assert response.status_code == 403
    assert "修改制度参数" in response.content.decode()
    assert not ParameterVersion.objects.exists()


def test_policy_page_says_which_years_the_calendar_covers(client, world):
    from linli.core.worktime import calendar_coverage

    client.force_login(world.steward)
    body = client.get("/policy/").content.decode()
    first, last = calendar_coverage()
    assert f"{first}–{last}" in body


def test_unknown_parameter_is_404(client, world):
    client.force_login(world.hq_admin)
    assert client.get("/policy/no.such.key/").status_code == 404
