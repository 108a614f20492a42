"""The resident portal's own login (ADR 0008): one-time codes and resident sessions.

Residents are not staff (ADR 0002): they have no `Staff` row and never a Django login. A
resident is a mobile number; their household is worked out afresh on every request from
the current occupancies of the customers with that number, so moving out ends access at once.
Neither the code nor the session token is stored in clear: a leaked table opens nothing.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LoginCode(models.Model):
    """One code request. A row is written for every accepted request, registered number or
    not, so the rate limits (and their messages) are the same either way; only registered
    numbers get an SMS (`sent`), and an unregistered number's row holds a code nobody knows."""

    mobile = models.CharField(_("手机号"), max_length=20)
    code_hash = models.CharField(max_length=64)  # HMAC-SHA256(SECRET_KEY, mobile:code)
    sent = models.BooleanField(_("已发送短信"), default=False)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("失效时间"))
    attempts = models.PositiveSmallIntegerField(_("输入次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("登录验证码")
        verbose_name_plural = _("登录验证码")
        indexes = [
            models.Index(fields=["mobile", "-created_at"], name="portal_code_mobile_idx"),
            models.Index(fields=["ip", "-created_at"], name="portal_code_ip_idx"),
            models.Index(fields=["created_at"], name="portal_code_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.mobile[:3]}****{self.mobile[-4:]} {self.created_at:%Y-%m-%d %H:%M}"


class RateLock(models.Model):
    """A row per rate-limited key (`mobile:…`, `ip:…`). A code request locks its keys'
    rows (SELECT … FOR UPDATE) before counting, so parallel requests cannot all slip under
    a limit; SQLite's IMMEDIATE transactions serialise them anyway."""

    key = models.CharField(max_length=80, unique=True)
    touched_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.key


class ResidentSession(models.Model):
    """A signed-in resident: a browser (cookie) or an app (`Authorization: Resident …`)."""

    class Channel(models.TextChoices):
        WEB = "web", _("网页")
        API = "api", _("接口")

    token_hash = models.CharField(max_length=64, unique=True)  # SHA-256 of a 256-bit token
    mobile = models.CharField(_("手机号"), max_length=20)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    created_at = models.DateTimeField(_("登录时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("失效时间"))
    last_seen_at = models.DateTimeField(_("最近访问"), default=timezone.now)
    revoked_at = models.DateTimeField(_("退出时间"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("业主端会话")
        verbose_name_plural = _("业主端会话")
        indexes = [
            models.Index(fields=["mobile", "-created_at"], name="portal_session_mobile_idx"),
            models.Index(fields=["expires_at"], name="portal_session_expires_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.mobile[:3]}****{self.mobile[-4:]} {self.channel}"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
