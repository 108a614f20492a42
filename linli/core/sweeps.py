"""Periodic sweeps: idempotent services run by `linli worker` on a schedule.

Apps register their sweeps in their AppConfig.ready(); the worker's scheduler claims a due
sweep with a compare-and-set update, so any number of workers can run side by side.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sweep:
    name: str
    interval: dt.timedelta
    func: Callable[[], str]


SWEEPS: dict[str, Sweep] = {}


def sweep(name: str, *, every: dt.timedelta) -> Callable[[Callable[[], str]], Callable[[], str]]:
    """Register a function as a periodic sweep; it returns a one-line summary."""

    def register(func: Callable[[], str]) -> Callable[[], str]:
        SWEEPS[name] = Sweep(name=name, interval=every, func=func)
        return func

    return register


def ensure_schedule(now: dt.datetime | None = None) -> None:
    from linli.core.models import SweepRun

    now = now or timezone.now()
    known = set(SweepRun.objects.values_list("name", flat=True))
    for name in SWEEPS:
        if name not in known:
            try:
                with transaction.atomic():
                    SweepRun.objects.create(name=name, next_run_at=now)
            except IntegrityError:  # another worker created it first
                pass


def claim(name: str, now: dt.datetime) -> bool:
    """Claim the sweep's current slot; True for exactly one worker."""
    from linli.core.models import SweepRun

    current = SweepRun.objects.filter(name=name).values_list("next_run_at", flat=True).first()
    if current is None or current > now:
        return False
    return (
        SweepRun.objects.filter(name=name, next_run_at=current).update(
            next_run_at=now + SWEEPS[name].interval, last_started_at=now
        )
        == 1
    )


def run_due_sweeps(now: dt.datetime | None = None) -> list[str]:
    """Run every sweep that is due and that this worker wins; return their names."""
    from linli.core.models import SweepRun

    now = now or timezone.now()
    ensure_schedule(now)
    ran = []
    for name, item in SWEEPS.items():
        if not claim(name, now):
            continue
        result, error = "", ""
        try:
            from linli.policy.selectors import snapshot

            with snapshot():
                result = item.func() or ""
        except Exception:  # a failing sweep must not stop the others; it is recorded
            error = traceback.format_exc()
            logger.exception("sweep %s failed", name)
        SweepRun.objects.filter(name=name).update(
            last_finished_at=timezone.now(), last_result=result[:2000], last_error=error[-4000:]
        )
        ran.append(name)
    return ran
