from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.utils import timezone

from linli.policy.models import ParameterVersion
from linli.policy.registry import CHAPTERS, PARAMETERS, Parameter, get


def _community_id(community: Any) -> int | None:
    if community is None:
        return None
    return community if isinstance(community, int) else community.pk


# A snapshot of the whole (small) version table for one unit of work — a request, a sweep, a
# batch job — so repeated reads cost nothing and the unit sees one consistent policy.
_SNAPSHOT: ContextVar[dict[str, Any] | None] = ContextVar("linli_policy_snapshot", default=None)

Rows = dict[str, list[ParameterVersion]]


@dataclass(frozen=True)
class _StampedRows:
    stamp: tuple[Any, ...]
    rows: Rows


# The version table as this process last read it, with the table's stamp at that moment. A unit
# of work reuses it when the stamp is unchanged, so most units read one aggregate row instead of
# the table. Never mutated: a changed table replaces it, and a unit keeps the rows it started with.
_PROCESS_ROWS: _StampedRows | None = None


@contextmanager
def snapshot() -> Iterator[None]:
    token = _SNAPSHOT.set({})
    try:
        yield
    finally:
        _SNAPSHOT.reset(token)


def invalidate_snapshot() -> None:
    global _PROCESS_ROWS
    _PROCESS_ROWS = None
    current = _SNAPSHOT.get()
    if current is not None:
        current.clear()


@functools.cache
def stamp_subqueries(alias: str) -> str:
    """The table's stamp as three scalar subqueries, for `table_stamp` or another statement.

    Versions are only ever added (`set_parameter`; the admin is read-only; every foreign key
    is PROTECT), so the row count and the largest id change with every commit. PostgreSQL never
    hands an id out twice; SQLite gives a rolled-back insert's id to the next insert, which the
    newest `created_at` tells apart."""
    meta = ParameterVersion._meta
    quote = connections[alias].ops.quote_name
    table = quote(meta.db_table)
    created_at = quote(meta.get_field("created_at").column)
    return (
        f"(SELECT COUNT(*) FROM {table}), (SELECT MAX({quote(meta.pk.column)}) FROM {table}), "
        f"(SELECT MAX({created_at}) FROM {table})"
    )


def table_stamp() -> tuple[Any, ...]:
    """What changes whenever any process commits a parameter version."""
    alias = router.db_for_read(ParameterVersion)
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SELECT {stamp_subqueries(alias)}")
        return tuple(cursor.fetchone())


def adopt_stamp(stamp: Sequence[Any]) -> None:
    """Take the stamp from a statement this unit of work runs anyway (`stamp_subqueries` in the
    API token lookup), so that its first parameter read needs no query of its own."""
    current = _SNAPSHOT.get()
    if current is not None and "rows" not in current:
        current["stamp"] = tuple(stamp)


def _load_rows() -> Rows:
    grouped: Rows = {}
    for row in ParameterVersion.objects.order_by("effective_from", "version"):
        grouped.setdefault(row.key, []).append(row)
    return grouped


def _current_rows(stamp: tuple[Any, ...] | None) -> Rows:
    """The whole table: this process's copy if the table has not changed since, else read."""
    global _PROCESS_ROWS
    if stamp is None:
        stamp = table_stamp()
    cached = _PROCESS_ROWS
    if cached is not None and cached.stamp == stamp:
        return cached.rows
    # Read after the stamp: a version committed in between makes the copy newer than its stamp,
    # which costs one more read later and is never stale.
    rows = _load_rows()
    _PROCESS_ROWS = _StampedRows(stamp, rows)
    return rows


def _snapshot_rows(key: str) -> list[ParameterVersion] | None:
    current = _SNAPSHOT.get()
    if current is None:
        return None
    if "rows" not in current:
        current["rows"] = _current_rows(current.pop("stamp", None))
    return current["rows"].get(key, [])


def _in_force(key: str, at: dt.datetime, community_id: int | None) -> ParameterVersion | None:
    cached = _snapshot_rows(key)
    if cached is not None:
        matching = [r for r in cached if r.community_id == community_id and r.effective_from <= at]
        return max(matching, key=lambda r: (r.effective_from, r.version), default=None)
    rows = ParameterVersion.objects.filter(key=key, effective_from__lte=at)
    if community_id is None:
        rows = rows.filter(community__isnull=True)
    else:
        rows = rows.filter(community_id=community_id)
    return rows.order_by("-effective_from", "-version").first()


def parameter_value(key: str, *, at: dt.datetime | None = None, community: Any = None) -> Any:
    """The version in force at `at`: the community's override where allowed, else the company's."""
    param = get(key)
    at = at or timezone.now()
    community_id = _community_id(community)
    if community_id is not None and param.community_override:
        row = _in_force(key, at, community_id)
        if row is not None and row.value is not None:
            return param.parse(row.value)
    row = _in_force(key, at, None)
    if row is not None and row.value is not None:
        return param.parse(row.value)
    return param.default


@dataclass
class ParameterState:
    param: Parameter
    current: Any
    current_version: int  # 0 = the built-in default
    effective_from: dt.datetime | None
    scheduled: list[ParameterVersion]
    overrides: int

    @property
    def is_default(self) -> bool:
        return self.current_version == 0

    @property
    def display(self) -> str:
        return self.param.display(self.current)


def parameter_states(now: dt.datetime | None = None) -> list[ParameterState]:
    """Every parameter with its company-wide value in force, pending versions and override count."""
    now = now or timezone.now()
    by_key: dict[str, list[ParameterVersion]] = {}
    override_counts: dict[str, set[int]] = {}
    for row in ParameterVersion.objects.order_by("key", "effective_from", "version"):
        if row.community_id is None:
            by_key.setdefault(row.key, []).append(row)
        else:
            override_counts.setdefault(row.key, set()).add(row.community_id)
    states = []
    for key, param in PARAMETERS.items():
        rows = by_key.get(key, [])
        past = [r for r in rows if r.effective_from <= now]
        in_force = past[-1] if past else None
        states.append(
            ParameterState(
                param=param,
                current=param.parse(in_force.value)
                if in_force and in_force.value is not None
                else param.default,
                current_version=in_force.version if in_force else 0,
                effective_from=in_force.effective_from if in_force else None,
                scheduled=[r for r in rows if r.effective_from > now],
                overrides=len(override_counts.get(key, ())),
            )
        )
    return states


def grouped_states(now: dt.datetime | None = None) -> list[tuple[str, Any, list[ParameterState]]]:
    states = parameter_states(now)
    return [
        (chapter, label, [s for s in states if s.param.chapter == chapter])
        for chapter, label in CHAPTERS.items()
        if any(s.param.chapter == chapter for s in states)
    ]


def history(key: str) -> list[ParameterVersion]:
    get(key)
    return list(
        ParameterVersion.objects.filter(key=key)
        .select_related("community", "created_by")
        .order_by("-created_at", "-id")
    )


def latest_version(key: str, community_id: int | None) -> int:
    rows = ParameterVersion.objects.filter(key=key)
    rows = (
        rows.filter(community__isnull=True)
        if community_id is None
        else rows.filter(community_id=community_id)
    )
    return rows.order_by("-version").values_list("version", flat=True).first() or 0


def office_hours(
    *, at: dt.datetime | None = None, community: Any = None
) -> tuple[dt.time, dt.time]:
    return (
        parameter_value("worktime.day_start", at=at, community=community),
        parameter_value("worktime.day_end", at=at, community=community),
    )
