"""Token authentication reads the token, its user and the policy stamp in one statement, and
refuses exactly what DRF's TokenAuthentication refuses, with DRF's messages, plus expired tokens."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from linli import policy
from linli.api.auth import ExpiringTokenAuthentication
from linli.org.models import Staff
from linli.policy.models import ParameterVersion
from linli.policy.selectors import snapshot

TOKEN_HOURS = "security.api.token_hours"
EXPIRED = "令牌已过期，请重新获取。"


def issued(user, *, hours_ago=0):
    token = Token.objects.create(user=user)
    if hours_ago:
        Token.objects.filter(pk=token.pk).update(
            created=timezone.now() - dt.timedelta(hours=hours_ago)
        )
    return token.key


def me(client, key):
    return client.get("/api/v1/me/", headers={"Authorization": f"Token {key}"})


def drf_refusal(key):
    with pytest.raises(AuthenticationFailed) as refused:
        TokenAuthentication().authenticate_credentials(key)
    return str(refused.value.detail)


def test_token_and_user_are_what_the_orm_reads_in_one_query(world, django_assert_num_queries):
    key = issued(world.steward)
    expected = Token.objects.select_related("user").get(key=key)
    with snapshot():
        policy.value(TOKEN_HOURS)  # the process's policy copy is current
    with django_assert_num_queries(1), snapshot():
        user, token = ExpiringTokenAuthentication().authenticate_credentials(key)
    for field in Token._meta.concrete_fields:
        ours, orms = getattr(token, field.attname), getattr(expected, field.attname)
        assert (ours, type(ours)) == (orms, type(orms)), field.name
    for field in Staff._meta.concrete_fields:
        ours, orms = getattr(user, field.attname), getattr(expected.user, field.attname)
        assert (ours, type(ours)) == (orms, type(orms)), field.name
    assert token.created.tzinfo is not None
    assert token.user is user and user.auth_token is token
    assert not token._state.adding and not user._state.adding
    assert user.perms == expected.user.perms and user.is_authenticated


def test_an_unknown_token_is_refused_with_drfs_message(client, world):
    response = me(client, "0" * 40)
    assert response.status_code == 401
    assert response.json() == {"detail": drf_refusal("0" * 40)} == {"detail": "认证令牌无效。"}


def test_an_inactive_users_token_is_refused_with_drfs_message_and_kept(client, world):
    key = issued(world.steward, hours_ago=30)  # inactive is checked first, as before
    Staff.objects.filter(pk=world.steward.pk).update(is_active=False)
    response = me(client, key)
    assert response.status_code == 401
    assert response.json() == {"detail": drf_refusal(key)} == {"detail": "用户未激活或者已删除。"}
    assert Token.objects.filter(key=key).exists()


def test_an_expired_token_is_deleted_and_refused(client, world):
    key = issued(world.steward, hours_ago=25)
    response = me(client, key)
    assert response.status_code == 401
    assert response.json() == {"detail": EXPIRED}
    assert not Token.objects.filter(key=key).exists()


def test_a_token_within_its_lifetime_is_accepted(client, world):
    key = issued(world.steward, hours_ago=23)
    response = me(client, key)
    assert response.status_code == 200 and response.json()["username"] == "steward"


def test_a_lifetime_shortened_by_another_process_applies_to_the_next_request(client, world):
    key = issued(world.steward, hours_ago=2)
    assert me(client, key).status_code == 200  # this process now holds the policy
    ParameterVersion.objects.create(  # written elsewhere: nothing here is told
        key=TOKEN_HOURS,
        version=1,
        value=1,
        effective_from=timezone.now() - dt.timedelta(seconds=1),
        reason="另一个进程",
        created_by=world.hq_admin,
    )
    response = me(client, key)
    assert response.status_code == 401 and response.json() == {"detail": EXPIRED}
