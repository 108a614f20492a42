from __future__ import annotations

import datetime as dt

from linli.core.sweeps import sweep


@sweep("grading.reviews", every=dt.timedelta(hours=6))
def reviews() -> str:
    """The periodic re-grading review (grading.review.interval_months): one per community."""
    from linli.grading.jobs import create_due_reviews

    return create_due_reviews()
