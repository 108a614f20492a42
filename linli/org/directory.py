"""The communities as this process last read them: code, id and name without a query per request.

Every page shows the current community's name (a company role's switcher lists them all) and
every `?community=CODE` parameter is turned into an id; the communities are few and rarely
change, so each process keeps the whole table, read again when a community is saved or deleted
in this process, when a code or id is unknown, and at the latest after `REFRESH_SECONDS` (a
community added or renamed by another process). Scope is never cached: callers apply
`CommunityQuerySet.sees`, the Python form of the gate's rule, to every entry they hand out.
"""

from __future__ import annotations

import time
from typing import Any, NamedTuple

from django.db.models.signals import post_delete, post_save
from django.http import Http404

from linli.org.models import Community, CommunityQuerySet

REFRESH_SECONDS = 300.0


class CommunityEntry(NamedTuple):
    pk: int
    code: str
    name: str


class _Directory:
    def __init__(self) -> None:
        self.entries: list[CommunityEntry] = []  # by code
        self.by_code: dict[str, CommunityEntry] = {}
        self.by_pk: dict[int, CommunityEntry] = {}
        self.read_at = float("-inf")

    def fresh(self) -> bool:
        return time.monotonic() - self.read_at <= REFRESH_SECONDS

    def read(self) -> None:
        rows = Community.objects.order_by("code").values_list("pk", "code", "name")
        entries = [CommunityEntry(*row) for row in rows]
        self.entries = entries
        self.by_code = {e.code: e for e in entries}
        self.by_pk = {e.pk: e for e in entries}
        self.read_at = time.monotonic()

    def forget(self, **_kwargs: Any) -> None:
        self.read_at = float("-inf")

    def find(self, key: Any, index: str) -> CommunityEntry | None:
        if self.fresh():
            found = getattr(self, index).get(key)
            if found is not None:
                return found
        self.read()
        return getattr(self, index).get(key)


_DIRECTORY = _Directory()
post_save.connect(_DIRECTORY.forget, sender=Community, dispatch_uid="org-community-directory")
post_delete.connect(_DIRECTORY.forget, sender=Community, dispatch_uid="org-community-directory")


def all_communities() -> list[CommunityEntry]:
    """Every community, by code (no scope check: filter with `CommunityQuerySet.sees`)."""
    if not _DIRECTORY.fresh():
        _DIRECTORY.read()
    return _DIRECTORY.entries


def community_entry(pk: int) -> CommunityEntry | None:
    """The community's code and name (no scope check: the caller holds an id it may use)."""
    return _DIRECTORY.find(pk, "by_pk")


def community_id_for(user: Any, code: str) -> int:
    """`?community=CODE` as an id; 404 for a missing community and for one outside the user's
    scope alike."""
    entry = _DIRECTORY.find(code.strip().upper(), "by_code")
    if entry is None or not CommunityQuerySet.sees(user, entry.pk):
        raise Http404
    return entry.pk
