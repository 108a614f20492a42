"""Login codes and resident sessions: hashing, the same answer for every number, rate limits,
expiry, counted attempts, and the wall between staff and residents."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from linli.core.errors import DomainError
from linli.notify.models import Message
from linli.policy.services import set_parameter
from linli.portal import services
from linli.portal.models import LoginCode, ResidentSession
from linli.portal.selectors import token_hash
from linli.portal.testing import make_resident, sign_in

MOBILE = "13812345678"
STRANGER = "13700001111"


def sms_code(mobile: str = MOBILE) -> str:
    body = (
        Message.objects.filter(channel="sms", address=mobile, kind="portal.login_code")
        .latest("pk")
        .body
    )
    return re.search(r"\d{6}", body).group(0)


def ago(seconds: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=seconds)


@pytest.fixture
def resident(world):
    return make_resident(world.ch, "张三", mobile=MOBILE)


# --- requesting a code ------------------------------------------------------------------------
def test_a_registered_number_gets_an_sms_and_only_a_hash_is_stored(resident):
    message = services.request_code("138 1234 5678", ip="10.0.0.1")
    code = sms_code()
    row = LoginCode.objects.get()
    assert row.mobile == MOBILE and row.sent and row.ip == "10.0.0.1"
    assert code not in row.code_hash and row.code_hash == services.hash_code(MOBILE, code)
    assert row.code_hash != services.hash_code(MOBILE, f"{(int(code) + 1) % 10**6:06d}")
    assert "138****5678" in message and "5 分钟" in message
    assert Message.objects.get().address == MOBILE


def test_an_unregistered_number_gets_the_same_answer_and_no_sms(resident):
    registered = services.request_code(MOBILE).replace("138****5678", "")
    stranger = services.request_code(STRANGER).replace("137****1111", "")
    assert registered == stranger
    assert Message.objects.filter(address=STRANGER).count() == 0
    assert LoginCode.objects.get(mobile=STRANGER).sent is False  # limited like any other number


def test_a_moved_out_occupant_gets_no_sms(world, resident):
    from linli.customers.models import Occupancy

    Occupancy.objects.update(move_out=timezone.localdate() - dt.timedelta(days=1))
    services.request_code(MOBILE)
    assert not Message.objects.exists()


def test_a_malformed_number_is_refused_in_chinese(world):
    with pytest.raises(DomainError, match="电话号码"):
        services.request_code("138abcd5678")
    with pytest.raises(DomainError, match="手机号码"):
        services.request_code("010-62881234")
    assert not LoginCode.objects.exists()


def test_a_second_request_within_the_interval_is_refused_and_writes_nothing(resident):
    services.request_code(MOBILE)
    LoginCode.objects.update(created_at=ago(15))
    with pytest.raises(services.RateLimited, match=r"请 4[5-6] 秒后再获取验证码") as refused:
        services.request_code(MOBILE)
    assert 44 <= refused.value.retry_after <= 46
    assert LoginCode.objects.count() == 1 and Message.objects.count() == 1


def test_the_interval_is_the_same_for_an_unregistered_number(world):
    services.request_code(STRANGER)
    with pytest.raises(services.RateLimited, match="秒后再获取验证码"):
        services.request_code(STRANGER)


def test_hourly_limit_per_number_comes_from_the_policy(world, resident):
    set_parameter("portal.code.max_per_hour", "3", actor=world.hq_admin, reason="测试")
    for minutes in (50, 30, 10):
        LoginCode.objects.create(mobile=MOBILE, code_hash="x", sent=True, created_at=ago(minutes * 60),
                                 expires_at=ago(0))  # fmt: skip
    with pytest.raises(services.RateLimited, match="请 10 分钟后再试") as refused:
        services.request_code(MOBILE)
    assert 9 * 60 < refused.value.retry_after <= 10 * 60 + 1
    LoginCode.objects.filter(created_at__lt=ago(40 * 60)).update(created_at=ago(3601))
    services.request_code(MOBILE)  # the oldest left the window


def test_a_flood_from_one_address_is_stopped(world):
    from linli import policy

    for n in range(int(policy.value("portal.code.max_per_ip_hour"))):
        LoginCode.objects.create(mobile=f"1390000{n:04d}", code_hash="x", created_at=ago(120),
                                 expires_at=ago(0), ip="10.9.9.9")  # fmt: skip
    with pytest.raises(services.RateLimited, match="当前网络获取验证码过于频繁"):
        services.request_code("13600000000", ip="10.9.9.9")
    services.request_code("13600000000", ip="10.9.9.10")  # another address is not affected


def test_the_interval_policy_changes_the_message(world, resident):
    set_parameter("portal.code.min_interval_seconds", "120", actor=world.hq_admin, reason="测试")
    services.request_code(MOBILE)
    with pytest.raises(services.RateLimited, match=r"请 1[12]\d 秒后"):
        services.request_code(MOBILE)


# --- logging in -------------------------------------------------------------------------------
def test_the_right_code_opens_a_session_with_a_hashed_token(resident):
    services.request_code(MOBILE)
    result = services.log_in(MOBILE, sms_code(), channel="web", ip="10.0.0.1", user_agent="WeChat")
    session = ResidentSession.objects.get()
    assert session.token_hash == token_hash(result.token) and result.token not in session.token_hash
    assert session.mobile == MOBILE and session.is_live
    days = (session.expires_at - session.created_at).days
    assert days == 30
    assert LoginCode.objects.get().used_at is not None


def test_a_used_code_cannot_be_used_again(resident):
    services.request_code(MOBILE)
    code = sms_code()
    services.log_in(MOBILE, code, channel="web")
    with pytest.raises(DomainError, match="请先获取验证码"):
        services.log_in(MOBILE, code, channel="web")


def test_an_expired_code_is_refused(resident):
    services.request_code(MOBILE)
    LoginCode.objects.update(expires_at=ago(1))
    with pytest.raises(DomainError, match="已过期"):
        services.log_in(MOBILE, sms_code(), channel="web")


def test_wrong_attempts_are_counted_and_the_code_dies_at_the_limit(resident):
    services.request_code(MOBILE)
    code = sms_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for left in (4, 3, 2, 1):
        with pytest.raises(DomainError, match=f"还可以再试 {left} 次"):
            services.log_in(MOBILE, wrong, channel="web")
    with pytest.raises(DomainError, match="输错次数过多"):
        services.log_in(MOBILE, wrong, channel="web")
    assert LoginCode.objects.get().attempts == 5  # kept although each try raised
    with pytest.raises(DomainError, match="输错次数过多"):
        services.log_in(MOBILE, code, channel="web")  # even the right code: dead
    assert not ResidentSession.objects.exists()


def test_only_the_newest_code_counts(resident):
    services.request_code(MOBILE)
    first = sms_code()
    LoginCode.objects.update(created_at=ago(61))
    services.request_code(MOBILE)
    second = sms_code()
    if first != second:
        with pytest.raises(DomainError, match="验证码不正确"):
            services.log_in(MOBILE, first, channel="web")
    services.log_in(MOBILE, second, channel="web")


def test_an_unregistered_number_never_logs_in(world):
    services.request_code(STRANGER)
    with pytest.raises(DomainError, match="验证码不正确"):
        services.log_in(STRANGER, "123456", channel="web")


def test_a_code_must_be_six_digits(resident):
    with pytest.raises(DomainError, match="6 位数字"):
        services.log_in(MOBILE, "12a4", channel="web")


def test_old_codes_and_dead_sessions_are_purged(resident):
    services.request_code(MOBILE)
    LoginCode.objects.update(created_at=ago(2 * 86400))
    ResidentSession.objects.create(
        token_hash="a" * 64, mobile=MOBILE, channel="web", expires_at=ago(40 * 86400)
    )
    assert services.purge() == {"codes": 1, "sessions": 1, "locks": 0}
    from linli.core.sweeps import SWEEPS

    assert "portal.purge" in SWEEPS  # run hourly by the worker


# --- the web login ----------------------------------------------------------------------------
def test_login_page_is_chinese_and_mobile_friendly(client, world):
    page = client.get("/portal/login/").content.decode()
    assert "邻里业主服务" in page and "获取验证码" in page and 'inputmode="tel"' in page
    assert "width=device-width" in page and "portal.css" in page and "sidenav" not in page


def test_code_request_then_login_then_home(client, resident):
    response = client.post("/portal/login/code/", {"mobile": MOBILE})
    assert response.status_code == 200 and "验证码短信" in response.content.decode()
    response = client.post(
        "/portal/login/", {"mobile": MOBILE, "code": sms_code(), "next": "/portal/tickets/"}
    )
    assert response.status_code == 302 and response["Location"] == "/portal/tickets/"
    cookie = response.cookies["linli_portal"]
    assert cookie["httponly"] and cookie["path"] == "/portal/" and cookie["samesite"] == "Lax"
    page = client.get("/portal/").content.decode()
    assert "张三" in page and "3-2-501" in page


def test_a_flood_of_code_requests_gets_a_clear_429(client, resident):
    assert client.post("/portal/login/code/", {"mobile": MOBILE}).status_code == 200
    response = client.post("/portal/login/code/", {"mobile": MOBILE})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "秒后再获取验证码" in response.content.decode()
    assert LoginCode.objects.count() == 1 and Message.objects.count() == 1


def test_a_wrong_code_keeps_the_number_and_says_so(client, resident):
    client.post("/portal/login/code/", {"mobile": MOBILE})
    response = client.post(
        "/portal/login/",
        {"mobile": MOBILE, "code": "000000" if sms_code() != "000000" else "111111"},
    )
    page = response.content.decode()
    assert response.status_code == 400 and "验证码不正确" in page and MOBILE in page
    assert "linli_portal" not in response.cookies


def test_a_bad_number_is_shown_next_to_the_field(client, world):
    response = client.post("/portal/login/code/", {"mobile": "12345"})
    assert response.status_code == 400 and "电话号码无效" in response.content.decode()


def test_next_outside_the_portal_is_ignored(client, resident):
    client.post("/portal/login/code/", {"mobile": MOBILE})
    response = client.post(
        "/portal/login/", {"mobile": MOBILE, "code": sms_code(), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/portal/"


def test_logout_revokes_the_session(client, resident):
    token = sign_in(client, MOBILE)
    response = client.post("/portal/logout/")
    assert response.status_code == 302 and response.cookies["linli_portal"].value == ""
    assert ResidentSession.objects.get(token_hash=token_hash(token)).revoked_at is not None
    client.cookies["linli_portal"] = token
    assert client.get("/portal/").status_code == 302


def test_an_expired_session_goes_back_to_login(client, resident):
    sign_in(client, MOBILE)
    ResidentSession.objects.update(expires_at=ago(1))
    response = client.get("/portal/tickets/")
    assert (
        response.status_code == 302
        and response["Location"] == "/portal/login/?next=%2Fportal%2Ftickets%2F"
    )


def test_moving_out_ends_portal_access_at_once(client, resident):
    from linli.customers.models import Occupancy

    sign_in(client, MOBILE)
    assert client.get("/portal/").status_code == 200
    Occupancy.objects.update(move_out=timezone.localdate())
    assert client.get("/portal/").status_code == 302
    assert ResidentSession.objects.get().revoked_at is not None


def test_a_staff_login_is_not_a_resident(client, world, resident):
    client.force_login(world.steward)
    response = client.get("/portal/")
    assert response.status_code == 302 and response["Location"].startswith("/portal/login/")
    assert "获取验证码" in client.get("/portal/login/").content.decode()


def test_logging_into_the_portal_leaves_the_staff_session_alone(client, world, resident):
    client.force_login(world.steward)
    client.post("/portal/login/code/", {"mobile": MOBILE})
    client.post("/portal/login/", {"mobile": MOBILE, "code": sms_code()})
    assert client.get("/portal/").status_code == 200
    assert client.get("/tickets/my/").status_code == 200  # still the steward on staff pages
    client.post("/portal/logout/")
    assert client.get("/tickets/my/").status_code == 200
