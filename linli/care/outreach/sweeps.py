from __future__ import annotations

import datetime as dt

from linli.core.sweeps import sweep


@sweep("care.greetings", every=dt.timedelta(minutes=15))
def greetings() -> str:
    """The care calendar: create the day's greetings, send the message ones once office hours
    start, and count yesterday's open ones as missed. Idempotent; safe with several workers."""
    from linli.care.outreach.greetings import run_daily

    return run_daily()
