"""Writes of the resident portal: login codes, sessions, and a resident's tickets.

Login (ADR 0008): a code request is answered the same way whether or not the number is
registered; only a current occupant's number gets an SMS. Limits per number and per address
come from the policy (`portal.code.*`); a refused request writes nothing. Codes and session
tokens are stored as hashes only.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from linli import policy
from linli.audit import services as audit
from linli.core.errors import DomainError
from linli.core.masking import mask_phone
from linli.customers.models import Room
from linli.customers.parsing import ParseError, parse_phone
from linli.notify import services as notify
from linli.portal import selectors
from linli.portal.models import LoginCode, RateLock, ResidentSession
from linli.portal.selectors import Household
from linli.tickets import services as tickets
from linli.tickets.models import Category, Channel, Kind, Ticket

CODE_DIGITS = 6
RESIDENT_KINDS = [Kind.REPAIR, Kind.COMPLAINT, Kind.SUGGESTION, Kind.ENQUIRY, Kind.PRAISE]
DUPLICATE_WINDOW = dt.timedelta(minutes=10)


class RateLimited(DomainError):
    """Too many code requests; `retry_after` seconds until the next one can succeed."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(int(retry_after), 1)


class DuplicateSubmission(DomainError):
    def __init__(self, message: str, *, ticket: Ticket) -> None:
        super().__init__(message)
        self.ticket = ticket


def normalise_mobile(raw: Any) -> str:
    try:
        mobile = parse_phone(raw, mobile=True)
    except ParseError as error:
        raise DomainError(str(error), field="mobile") from error
    if len(mobile) != 11:
        raise DomainError(_("请填写 11 位手机号码。"), field="mobile")
    return mobile


def hash_code(mobile: str, code: str) -> str:
    """HMAC with the server's secret: a six-digit code's plain hash could be reversed by
    trying all million codes; without the secret key a copy of the table is useless."""
    return salted_hmac("linli.portal.code", f"{mobile}:{code}", algorithm="sha256").hexdigest()


def _lock(*keys: str) -> None:
    """Serialise code requests for the same number or address (see RateLock)."""
    now = timezone.now()
    for key in sorted(keys):
        RateLock.objects.get_or_create(key=key[:80])
        # An UPDATE holds the row's lock until the transaction ends.
        RateLock.objects.filter(key=key[:80]).update(touched_at=now)


def _minutes(seconds: float) -> int:
    return max(int(-(-seconds // 60)), 1)


def _check_limits(mobile: str, ip: str | None, now: dt.datetime) -> None:
    interval = int(policy.value("portal.code.min_interval_seconds", at=now))
    per_hour = int(policy.value("portal.code.max_per_hour", at=now))
    hour_ago = now - dt.timedelta(hours=1)
    mine = LoginCode.objects.filter(mobile=mobile, created_at__gt=hour_ago).order_by("-created_at")
    last = mine.first()
    if last is not None and (now - last.created_at).total_seconds() < interval:
        wait = interval - int((now - last.created_at).total_seconds())
        raise RateLimited(_("请 %(n)s 秒后再获取验证码。") % {"n": wait}, retry_after=wait)
    times = list(mine.values_list("created_at", flat=True)[:per_hour])
    if len(times) >= per_hour:
        wait = int((times[-1] + dt.timedelta(hours=1) - now).total_seconds()) + 1
        raise RateLimited(
            _("该手机号获取验证码过于频繁，请 %(n)s 分钟后再试。") % {"n": _minutes(wait)},
            retry_after=wait,
        )
    if ip:
        # One address may be shared by many households (a family's Wi-Fi, a carrier's NAT,
        # the office's kiosk): its own, larger limit is a policy parameter (ADR 0008).
        limit = int(policy.value("portal.code.max_per_ip_hour"))
        times = list(
            LoginCode.objects.filter(ip=ip, created_at__gt=hour_ago)
            .order_by("-created_at")
            .values_list("created_at", flat=True)[:limit]
        )
        if len(times) >= limit:
            wait = int((times[-1] + dt.timedelta(hours=1) - now).total_seconds()) + 1
            raise RateLimited(
                _("当前网络获取验证码过于频繁，请 %(n)s 分钟后再试。") % {"n": _minutes(wait)},
                retry_after=wait,
            )


@transaction.atomic
def request_code(raw_mobile: Any, *, ip: str | None = None) -> str:
    """Send a login code if the number belongs to a current occupant; the same answer either way.

    Returns the message to show. Raises DomainError for a malformed number and RateLimited
    (nothing written) when a limit is reached.
    """
    mobile = normalise_mobile(raw_mobile)
    now = timezone.now()
    _lock(f"mobile:{mobile}", *([f"ip:{ip}"] if ip else []))
    _check_limits(mobile, ip, now)
    ttl = int(policy.value("portal.code.ttl_minutes", at=now))
    household = selectors.household_for(mobile)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    row = LoginCode.objects.create(
        mobile=mobile, code_hash=hash_code(mobile, code), sent=bool(household), created_at=now,
        expires_at=now + dt.timedelta(minutes=ttl), ip=ip or None,
    )  # fmt: skip
    if household:
        text = _("【邻里】您的业主服务登录验证码是 %(code)s，%(n)s 分钟内有效。请勿告诉他人。") % {
            "code": code,
            "n": ttl,
        }
        notify.enqueue(
            channel="sms", kind="portal.login_code", subject=_("业主服务登录验证码"), body=text,
            address=mobile, community_id=household.rooms[0].community_id, dedupe_key=f"portal-code-{row.pk}",
        )  # fmt: skip
    return code_sent_message(mobile, ttl)


def code_sent_message(mobile: str, ttl: int) -> str:
    return _("如果 %(mobile)s 已在物业服务中心登记，您将收到一条验证码短信，%(n)s 分钟内有效。") % {
        "mobile": mask_phone(mobile),
        "n": ttl,
    }


def _verify(mobile: str, code: str, now: dt.datetime) -> None:
    """Check the number's newest code. Each try is counted before the comparison (and kept
    when the try fails), so parallel guesses cannot exceed the limit."""
    row = LoginCode.objects.filter(mobile=mobile).order_by("-created_at", "-pk").first()
    if row is None or row.used_at is not None:
        raise DomainError(_("请先获取验证码。"), field="code")
    if row.expires_at <= now:
        raise DomainError(_("验证码已过期，请重新获取。"), field="code")
    limit = int(policy.value("portal.code.max_attempts", at=now))
    dead = _("验证码输错次数过多，已失效，请重新获取。")
    if row.attempts >= limit:
        raise DomainError(dead, field="code")
    counted = LoginCode.objects.filter(
        pk=row.pk, attempts=row.attempts, used_at__isnull=True
    ).update(attempts=F("attempts") + 1)
    if counted != 1:
        raise DomainError(_("验证码已失效，请重新获取。"), field="code")
    if not (row.sent and constant_time_compare(row.code_hash, hash_code(mobile, code))):
        left = limit - row.attempts - 1
        if left <= 0:
            raise DomainError(dead, field="code")
        raise DomainError(_("验证码不正确，还可以再试 %(n)s 次。") % {"n": left}, field="code")
    if LoginCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now) != 1:
        raise DomainError(_("验证码已使用，请重新获取。"), field="code")


@dataclass(frozen=True)
class LoginResult:
    token: str
    session: ResidentSession


def log_in(
    raw_mobile: Any, code: str, *, channel: str, ip: str | None = None, user_agent: str = ""
) -> LoginResult:
    """Exchange a valid code for a resident session (a browser's cookie or an app's token).

    Deliberately not one transaction: a wrong code's counted try must survive the error.
    """
    mobile = normalise_mobile(raw_mobile)
    code = (code or "").strip()
    if not (len(code) == CODE_DIGITS and code.isdigit()):
        raise DomainError(_("请输入 %(n)s 位数字验证码。") % {"n": CODE_DIGITS}, field="code")
    now = timezone.now()
    _verify(mobile, code, now)
    household = selectors.household_for(mobile)
    if not household:
        raise DomainError(_("该手机号目前没有关联的房屋，请联系管理处。"), field="mobile")
    token = secrets.token_urlsafe(32)
    days = int(policy.value("portal.session.days", at=now))
    with transaction.atomic():
        session = ResidentSession.objects.create(
            token_hash=selectors.token_hash(token), mobile=mobile, channel=channel, created_at=now,
            expires_at=now + dt.timedelta(days=days), last_seen_at=now, ip=ip or None, user_agent=user_agent[:200],
        )  # fmt: skip
        audit.record(
            None,
            "portal.session.created",
            None,
            {"mobile": mask_phone(mobile), "channel": channel},
            community_id=household.rooms[0].community_id,
        )
    return LoginResult(token=token, session=session)


def log_out(session: ResidentSession) -> None:
    ResidentSession.objects.filter(pk=session.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


# --- tickets ----------------------------------------------------------------------------------
@transaction.atomic
def submit_ticket(
    household: Household, *, room: Room, kind: str, category: Category, description: str,
    photos: list[Any] | None = None,
) -> Ticket:  # fmt: skip
    """A resident's request for one of their rooms, with photos: all written or nothing."""
    if room.pk not in household.room_ids:
        raise DomainError(_("请选择您的房屋。"), field="room")
    if kind not in RESIDENT_KINDS:
        raise DomainError(_("诉求类型无效。"), field="kind")
    if not category.is_active:
        raise DomainError(_("请选择类别。"), field="category")
    photos = list(photos or [])
    tickets.check_photos(photos)
    occupancy = household.occupancy_for(room)
    description = (description or "").strip()
    earlier = (
        Ticket.objects.filter(
            community_id=room.community_id, room=room, customer=occupancy.customer,
            channel=Channel.PORTAL, description=description, opened_at__gte=timezone.now() - DUPLICATE_WINDOW,
        ).order_by("-opened_at").first()
    )  # fmt: skip
    if earlier is not None:
        raise DuplicateSubmission(
            _("您刚刚已提交过相同的内容（编号 %(n)s），请勿重复提交。") % {"n": earlier.number},
            ticket=earlier,
        )
    label = household.label_for(room)
    ticket = tickets.open_ticket(
        room.community, kind=kind, channel=Channel.PORTAL, category=category, title="", description=description,
        actor=None, actor_label=label, customer=occupancy.customer, room=room, contact_phone=household.mobile,
    )  # fmt: skip
    tickets.attach_photos(ticket, photos, actor=None, actor_label=label)
    return ticket


def answer_return_visit(
    household: Household, ticket: Ticket, *, satisfaction: int, words: str = ""
) -> Ticket:
    """The resident rates the handling of their resolved ticket; a low rating reopens it."""
    visit = selectors.pending_visit(ticket)
    if visit is None:
        raise DomainError(_("这条诉求目前不需要评价。"))
    room = ticket.room if ticket.room_id in household.room_ids else None
    label = (
        household.label_for(room)
        if room is not None
        else _("业主 %(name)s") % {"name": household.display_name}
    )
    return tickets.record_return_visit(
        visit, actor=None, actor_label=label[:50], method="portal", satisfaction=satisfaction,
        words=(words or "").strip(),
    )  # fmt: skip


# --- housekeeping -----------------------------------------------------------------------------
CODE_RETENTION = dt.timedelta(days=1)
SESSION_RETENTION = dt.timedelta(days=30)


def purge(now: dt.datetime | None = None) -> dict[str, int]:
    """Old codes (with their addresses), long-dead sessions and idle locks are deleted."""
    now = now or timezone.now()
    codes = LoginCode.objects.filter(created_at__lt=now - CODE_RETENTION).delete()[0]
    sessions = ResidentSession.objects.filter(expires_at__lt=now - SESSION_RETENTION).delete()[0]
    revoked = ResidentSession.objects.filter(revoked_at__lt=now - SESSION_RETENTION).delete()[0]
    locks = RateLock.objects.filter(touched_at__lt=now - CODE_RETENTION).delete()[0]
    return {"codes": codes, "sessions": sessions + revoked, "locks": locks}
