from __future__ import annotations

import datetime as dt

from linli.core.sweeps import sweep


@sweep("customers.declassify", every=dt.timedelta(hours=6))
def declassify() -> str:
    from linli.customers.services import declassify_expired

    return f"declassified {declassify_expired()} files"


@sweep("customers.review_tasks", every=dt.timedelta(hours=12))
def review_tasks() -> str:
    from linli.customers.services import create_due_review_tasks

    return f"created {create_due_review_tasks()} review tasks"
