from __future__ import annotations

import datetime as dt

from linli.core.sweeps import sweep


@sweep("notify.deliver", every=dt.timedelta(seconds=20))
def deliver() -> str:
    from linli.notify.services import deliver_due, release_stuck

    released = release_stuck()
    sent, failed = deliver_due()
    return f"sent {sent}, failed {failed}, released {released}"
