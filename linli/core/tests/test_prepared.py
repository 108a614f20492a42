"""`core.prepared`: a statement compiled once per shape answers exactly as the ORM does, falls
back to the ORM where its values are not plain parameters, and is checked in tests."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models.expressions import RawSQL

from linli.core.prepared import PreparedRows
from linli.org.models import Community

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statements are prepared on PostgreSQL only"
)


def _by_prefix(shape: Any, values: Any) -> Any:
    return (
        Community.objects.filter(pk__gte=values["min"], name__startswith=values["prefix"])
        .order_by("pk")
        .values("pk", "code")
    )


def _plain(values: Any) -> list[dict[str, Any]]:
    return list(_by_prefix(None, values))


@pytest.fixture
def communities(world):
    for code, name in [("A1", "金_桂%苑"), ("A2", "金桂园二期"), ("A3", "翠湖苑")]:
        Community.objects.create(company=world.company, code=code, name=name)


def test_values_are_bound_into_the_cached_statement(communities):
    rows = PreparedRows("test.by_prefix", Community, _by_prefix, {"min": int, "prefix": str})
    for values in [
        {"min": 0, "prefix": "金"},
        {"min": 0, "prefix": "金_"},  # LIKE's wildcards are escaped as the ORM escapes them
        {"min": 0, "prefix": "金_桂%"},
        {"min": 0, "prefix": "翠"},
        {"min": 10**9, "prefix": "金"},
    ]:
        assert rows.rows("one shape", values) == _plain(values)
    (statement,) = rows._statements.values()
    assert statement is not None  # prepared once, bound five times


def test_a_value_the_orm_rewrites_is_built_afresh(communities, caplog):
    def upper(shape: Any, values: Any) -> Any:
        return Community.objects.filter(code=values["code"].upper()).values("pk")

    rows = PreparedRows("test.upper", Community, upper, {"code": str})
    assert rows.rows("s", {"code": "a1"}) == list(Community.objects.filter(code="A1").values("pk"))
    assert list(rows._statements.values()) == [None]
    assert "not cached" in caplog.text


def test_a_value_written_into_the_sql_text_is_built_afresh(communities):
    def inline(shape: Any, values: Any) -> Any:
        tag = RawSQL(connection.ops.quote_name(values["name"]), [])
        return Community.objects.annotate(tag=tag).filter(code="A1").values("pk", "tag")

    rows = PreparedRows("test.inline", Community, inline, {"name": str})
    assert rows.rows("s", {"name": "code"}) == [
        {"pk": Community.objects.get(code="A1").pk, "tag": "A1"}
    ]
    assert list(rows._statements.values()) == [None]


def test_a_shape_that_misses_a_dependency_fails_in_tests(communities, settings):
    settings.LINLI_VERIFY_PREPARED = True
    hidden = {"order": "pk"}

    def reads_a_global(shape: Any, values: Any) -> Any:
        return (
            Community.objects.filter(pk__gte=values["min"]).order_by(hidden["order"]).values("pk")
        )

    rows = PreparedRows("test.global", Community, reads_a_global, {"min": int})
    rows.rows("s", {"min": 0})
    hidden["order"] = "-pk"  # the statement's text changed; the shape did not say so
    with pytest.raises(AssertionError, match="misses something"):
        rows.rows("s", {"min": 0})
