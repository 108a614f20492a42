"""Housekeeping sweeps of the organisation app (registered with the worker)."""

from __future__ import annotations

import datetime as dt

from django.contrib.sessions.models import Session
from django.utils import timezone
from rest_framework.authtoken.models import Token

from linli import policy
from linli.core.sweeps import sweep


@sweep("org.purge_expired_api_tokens", every=dt.timedelta(hours=1))
def purge_expired_api_tokens() -> str:
    hours = int(policy.value("security.api.token_hours"))
    deleted, _ = Token.objects.filter(
        created__lt=timezone.now() - dt.timedelta(hours=hours)
    ).delete()
    return f"deleted {deleted} expired API tokens"


@sweep("org.purge_expired_sessions", every=dt.timedelta(hours=6))
def purge_expired_sessions() -> str:
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return f"deleted {deleted} expired sessions"


@sweep("org.purge_old_login_records", every=dt.timedelta(days=1))
def purge_old_login_records() -> str:
    """Login attempts and access logs are kept for the policy's retention period, then purged."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    months = int(policy.value("security.access_log.retention_months"))
    cutoff = timezone.now() - dt.timedelta(days=31 * months)
    removed = AccessLog.objects.filter(attempt_time__lt=cutoff).delete()[0]
    removed += AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()[0]
    cooloff = dt.timedelta(minutes=int(policy.value("security.login.lockout_minutes")))
    removed += AccessAttempt.objects.filter(attempt_time__lt=timezone.now() - cooloff).delete()[0]
    return f"deleted {removed} old login records"
