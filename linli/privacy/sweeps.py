from __future__ import annotations

import datetime as dt

from django.utils import timezone

from linli import policy
from linli.core.sweeps import sweep


@sweep("privacy.purge_access_log", every=dt.timedelta(days=1))
def purge_access_log() -> str:
    """The access register is kept for the policy's retention period (at least 6 months)."""
    from linli.privacy.models import AccessLog

    months = int(policy.value("privacy.access_log.retention_months"))
    cutoff = timezone.now() - dt.timedelta(days=31 * months)
    deleted, _ = AccessLog.objects.filter(at__lt=cutoff).delete()
    return f"deleted {deleted} access-register rows older than {months} months"
