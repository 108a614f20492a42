"""Versioned policy parameters: `policy.value("tickets.ordinary.respond_hours", at=..., community=...)`."""

from __future__ import annotations

import datetime as dt
from typing import Any


def value(key: str, at: dt.datetime | None = None, community: Any = None) -> Any:
    """The value of a policy parameter in force at `at` (now) for `community` (company-wide)."""
    from linli.policy.selectors import parameter_value

    return parameter_value(key, at=at, community=community)
