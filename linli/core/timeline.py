"""The household file's timeline, assembled from every chapter without the customer app
importing them: each app registers a provider in its AppConfig.ready()."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    kind: str  # a short code used for filtering: change, ticket, visit, survey…
    kind_label: str
    title: str
    detail: str = ""
    actor: str = ""
    link: str = ""
    icon: str = "bi-dot"


Provider = Callable[..., list[Entry]]
PROVIDERS: list[Provider] = []


def register(provider: Provider) -> Provider:
    PROVIDERS.append(provider)
    return provider


def collect(
    user: Any,
    *,
    customer: Any = None,
    room: Any = None,
    kinds: set[str] | None = None,
    limit: int = 200,
) -> list[Entry]:
    """Newest first; each provider applies the user's scope and secrecy itself."""
    entries: list[Entry] = []
    for provider in PROVIDERS:
        entries.extend(provider(user, customer=customer, room=room))
    if kinds:
        entries = [e for e in entries if e.kind in kinds]
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]
