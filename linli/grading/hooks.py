"""Hooks other chapters fill in (registered from their AppConfig.ready()).

`VISITED_PROVIDERS`: the care chapter (visits) registers a callable
`(customers: QuerySet[Customer], since: date) -> QuerySet` returning the ids (`values("pk")`
or `values("customer_id")`) of those customers visited on or after `since`. The structure
analysis shows visit coverage per grade once a provider exists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

VisitedProvider = Callable[[Any, dt.date], Any]
VISITED_PROVIDERS: list[VisitedProvider] = []
