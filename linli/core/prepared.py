"""Querysets compiled once per shape, bound per request (DESIGN §8; ADR 0014).

A search builds the same statement again and again with other values: the ORM spends more
time building and compiling it (~2 ms) than PostgreSQL spends running it (~0.3 ms). A
`PreparedRows` keeps, per *shape* (everything that changes the statement's text: the user's
kind of scope and clearance, which readings a search input has, the limit), the SQL that the
queryset builder — the selector, through the scoping gate — produced, and binds each
request's values into it.

How the values are found: the builder runs twice with two sets of markers (integers, strings and
datetimes that no real value equals) in place of the values. Both runs must give
the same SQL; a parameter equal to one marker in both runs takes that value, a string holding
a marker (a LIKE pattern: `startswith`, `contains`) takes the value escaped for LIKE as the
ORM escapes it, a parameter equal in both runs is a constant of the shape. Anything else —
a marker written into the SQL text, a parameter derived from a value in another way — and the
shape is not cached: the builder then runs with the real values on every call, as before.

Only on PostgreSQL (the production database the budgets are for); SQLite builds every time.
With `LINLI_VERIFY_PREPARED` (on in the tests) every cached call is checked against a fresh
build with the real values: a shape key that misses something the statement depends on fails
the test that exercises it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connections, router
from django.db.models import Model, QuerySet

log = logging.getLogger(__name__)

Builder = Callable[[Any, Mapping[str, Any]], QuerySet[Any, Any]]  # (shape, values) → queryset

_CONST, _VALUE, _LIKE = 0, 1, 2
MAX_SHAPES = 512


def _marker(kind: type, run: int, position: int) -> Any:
    """A value of `kind` that no real value equals (`run` 0 or 1, `position` per name)."""
    n = position * 2 + run
    if kind is int:
        return -7_340_000_001 - n  # never an id, a level or a count
    if kind is str:
        return f"\ue000linli{n}\ue001"  # private-use characters: never typed, never stored
    if kind is dt.datetime:
        return dt.datetime(1901, 1, 1, 0, 0, 0, n + 1, tzinfo=dt.UTC)
    raise TypeError(f"no marker for {kind!r}")


@dataclass(frozen=True)
class _Statement:
    sql: str
    slots: tuple[tuple[int, Any, str, str], ...]  # (kind, constant or value name, before, after)
    names: tuple[str, ...]
    converters: tuple[tuple[int, Any, tuple[Any, ...]], ...]


class Unpreparable(Exception):
    """The builder's statement does not take its values as plain parameters."""


class PreparedRows:
    """`builder(values).values(...)` rows with the statement compiled once per shape."""

    def __init__(
        self, name: str, model: type[Model], builder: Builder, kinds: Mapping[str, type]
    ) -> None:
        self.name = name
        self.model = model
        self.builder = builder
        self.kinds = dict(kinds)
        self._statements: dict[Hashable, _Statement | None] = {}

    def rows(self, shape: Hashable, values: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The rows of `builder(values)`; `shape` must name everything else the statement's
        text depends on (the builder may read only `values` and what `shape` names)."""
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        statement = None
        if connection.vendor == "postgresql":
            key = (alias, shape)
            if key not in self._statements:
                if len(self._statements) >= MAX_SHAPES:
                    self._statements.pop(next(iter(self._statements)))
                self._statements[key] = self._prepare(shape, alias)
            statement = self._statements[key]
        if statement is None:
            return list(self.builder(shape, values))
        params = self._bind(statement, values, alias)
        if getattr(settings, "LINLI_VERIFY_PREPARED", False):
            self._verify(statement, params, shape, values, alias)
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, params)
            fetched = cursor.fetchall()
        result = []
        for row in fetched:
            if statement.converters:
                row = list(row)
                for position, expression, found in statement.converters:
                    value = row[position]
                    for convert in found:
                        value = convert(value, expression, connection)
                    row[position] = value
            result.append(dict(zip(statement.names, row, strict=True)))
        return result

    # --- preparing ---------------------------------------------------------------------------
    def _markers(self, run: int) -> dict[str, Any]:
        return {name: _marker(kind, run, i) for i, (name, kind) in enumerate(self.kinds.items())}

    def _compile(
        self, shape: Any, values: Mapping[str, Any], alias: str
    ) -> tuple[str, list[Any], Any]:
        queryset = self.builder(shape, values)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        return sql, list(params), (queryset, compiler)

    def _prepare(self, shape: Any, alias: str) -> _Statement | None:
        try:
            return self._prepare_or_raise(shape, alias)
        except Exception as error:  # any failure with markers: build each time
            # (a marker may also be refused by the ORM, e.g. a negative slice); the fresh build
            # with the real values then raises whatever is really wrong.
            log.warning("%s: statement not cached for this shape: %r", self.name, error)
            return None

    def _prepare_or_raise(self, shape: Any, alias: str) -> _Statement:
        first, second = self._markers(0), self._markers(1)
        sql, params, (queryset, compiler) = self._compile(shape, first, alias)
        sql_again, params_again, _ = self._compile(shape, second, alias)
        if sql != sql_again or len(params) != len(params_again):
            raise Unpreparable("a value changes the statement's text")
        slots = []
        for a, b in zip(params, params_again, strict=True):
            slots.append(self._slot(a, b, first, second))
        query = queryset.query
        names = (
            tuple(query.selected)
            if getattr(query, "selected", None)
            else (*query.extra_select, *query.values_select, *query.annotation_select)
        )
        if not names:
            raise Unpreparable("only `.values()` querysets are prepared")
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        converters = tuple(
            (position, expression, tuple(found))
            for position, (found, expression) in compiler.get_converters(fields).items()
        )
        return _Statement(sql, tuple(slots), tuple(names), converters)

    def _slot(
        self, a: Any, b: Any, first: Mapping[str, Any], second: Mapping[str, Any]
    ) -> tuple[int, Any, str, str]:
        if type(a) is type(b) and a == b and not self._holds_marker(a, first):
            return (_CONST, a, "", "")
        for name in self.kinds:
            if a == first[name] and b == second[name]:
                return (_VALUE, name, "", "")
            marker = first[name]
            if isinstance(a, str) and isinstance(marker, str) and marker in a:
                before, _sep, after = a.partition(marker)
                if b == f"{before}{second[name]}{after}":
                    return (_LIKE, name, before, after)
        raise Unpreparable(f"a parameter derived from a value in an unknown way: {a!r}")

    @staticmethod
    def _holds_marker(value: Any, markers: Mapping[str, Any]) -> bool:
        return any(value == m or (isinstance(value, str) and isinstance(m, str) and m in value)
                   for m in markers.values())  # fmt: skip

    # --- binding -----------------------------------------------------------------------------
    def _bind(self, statement: _Statement, values: Mapping[str, Any], alias: str) -> list[Any]:
        like = connections[alias].ops.prep_for_like_query
        params = []
        for kind, what, before, after in statement.slots:
            if kind == _CONST:
                params.append(what)
            elif kind == _VALUE:
                params.append(values[what])
            else:
                params.append(f"{before}{like(values[what])}{after}")
        return params

    def _verify(
        self,
        statement: _Statement,
        params: list[Any],
        shape: Any,
        values: Mapping[str, Any],
        alias: str,
    ) -> None:
        sql, fresh, _ = self._compile(shape, values, alias)
        if sql != statement.sql or fresh != params:
            raise AssertionError(
                f"{self.name}: the cached statement differs from a fresh build; its shape key "
                f"misses something the statement depends on.\ncached: {statement.sql} {params}\n"
                f"fresh:  {sql} {fresh}"
            )
