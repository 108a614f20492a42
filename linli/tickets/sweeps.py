from __future__ import annotations

import datetime as dt

from linli.core.sweeps import sweep


@sweep("tickets.supervise", every=dt.timedelta(minutes=1))
def supervise() -> str:
    """Reminders before deadlines and escalation on breach (督办)."""
    from linli.tickets.services import escalate_due, remind_due

    reminded = remind_due()
    escalated = escalate_due()
    return f"reminded {reminded}, escalated {escalated}"


@sweep("tickets.month_figures", every=dt.timedelta(days=1))
def month_figures() -> str:
    """Recompute the monthly figures the triggers keep and repair any drift (logged)."""
    from linli.tickets import rollup

    drift = rollup.check()
    return f"{len(drift)} rows repaired" if drift else "no drift"
