from __future__ import annotations

import datetime as dt

from linli.core.sweeps import sweep


@sweep("care.visits.plans", every=dt.timedelta(hours=1))
def generate_plans() -> str:
    """Each community's visit plan for the month, generated once at the start of the month."""
    from linli.care.visits.planning import generate_due_plans

    return f"generated {generate_due_plans()} community plans"
