from __future__ import annotations

import datetime as dt

from linli.core.sweeps import sweep


@sweep("portal.purge", every=dt.timedelta(hours=1))
def purge() -> str:
    """Old login codes (and the addresses they came from), dead sessions, idle locks."""
    from linli.portal.services import purge as run

    counts = run()
    return ", ".join(f"{name} {n}" for name, n in counts.items())
