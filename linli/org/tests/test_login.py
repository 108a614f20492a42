from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from linli.policy.services import set_parameter

PASSWORD = "Test-pass-2026"


def login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_login_and_logout(client, world):
    response = login(client, "steward", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "翠湖苑" in home.content.decode()
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_wrong_password_shows_chinese_error_and_keeps_username(client, world):
    response = login(client, "steward", "wrong")
    assert response.status_code == 200
    body = response.content.decode()
    assert "用户名或密码不正确" in body
    assert 'value="steward"' in body


def test_five_failures_lock_the_account_for_fifteen_minutes(client, world):
    for _ in range(5):
        login(client, "steward", "wrong")
    locked = login(client, "steward", PASSWORD)
    assert locked.status_code == 429
    assert "15 分钟" in locked.content.decode()
    # Another account is not affected: the lock is per account (ADR 0003).
    assert login(client, "office_manager", PASSWORD).status_code == 302


def test_lockout_expires_after_the_policy_time(client, world):
    from axes.models import AccessAttempt

    for _ in range(5):
        login(client, "steward", "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert login(client, "steward", PASSWORD).status_code == 302


def test_lockout_threshold_is_a_policy_parameter(client, world):
    set_parameter("security.login.max_failures", 3, actor=world.hq_admin, reason="测试")
    for _ in range(3):
        login(client, "steward", "wrong")
    assert login(client, "steward", PASSWORD).status_code == 429


def test_successful_login_resets_the_failure_count(client, world):
    for _ in range(4):
        login(client, "steward", "wrong")
    assert login(client, "steward", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        login(client, "steward", "wrong")
    assert login(client, "steward", PASSWORD).status_code == 302


def test_password_change(client, world):
    client.force_login(world.steward)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Xin-mima-8899",
            "new_password2": "Xin-mima-8899",
        },
    )
    assert response.status_code == 302
    world.steward.refresh_from_db()
    assert world.steward.check_password("Xin-mima-8899")


def test_password_change_rejects_weak_password_in_chinese(client, world):
    client.force_login(world.steward)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"},
    )
    assert response.status_code == 200
    assert "密码" in response.content.decode()
    world.steward.refresh_from_db()
    assert world.steward.check_password(PASSWORD)


def test_admin_is_for_superusers_only(client, world):
    client.force_login(world.hq_admin)
    assert client.get("/admin/").status_code == 302
    world.hq_admin.is_superuser = True
    world.hq_admin.is_staff = True
    world.hq_admin.save()
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("language,text", [("zh-hans", "员工名录"), ("en", "Staff directory")])
def test_ui_language_is_switchable(client, world, language, text):
    client.force_login(world.steward)
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    assert text in client.get("/org/staff/").content.decode()
