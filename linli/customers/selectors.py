"""Reads of the customer database; every one goes through the scoping and secrecy gate."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import connection, models
from django.db.models import Avg, Count, Exists, F, Func, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from linli.core.prepared import PreparedRows
from linli.customers.models import ChangeRecord, Customer, Occupancy, ReviewTask, Room
from linli.customers.parsing import ParseError, normalise, parse_room_code


def access_customer(user: Any, pk: int, *, log: bool = True) -> Customer:
    """404 for missing, other community and above clearance alike; opening a 机密/绝密 file is logged."""
    customer = get_object_or_404(
        Customer.objects.visible_to(user).select_related("community"), pk=pk
    )
    if log:
        from linli.privacy.services import log_open

        log_open(user, customer)
    return customer


def access_room(user: Any, pk: int) -> Room:
    return get_object_or_404(
        Room.objects.visible_to(user).select_related(
            "community", "building", "unit", "area__steward"
        ),
        pk=pk,
    )


def access_occupancy(user: Any, pk: int) -> Occupancy:
    return get_object_or_404(
        Occupancy.objects.visible_to(user).select_related("room", "customer"), pk=pk
    )


# --- search -----------------------------------------------------------------------------------
@dataclass
class SearchQuery:
    """What one search box input can mean (several readings may apply at once)."""

    text: str
    room_code: str = ""
    digits: str = ""
    letters: str = ""
    chinese: str = ""
    readings: list[str] = field(default_factory=list)

    def shape(self) -> tuple[int, bool, int, bool]:
        """What of the input changes the statement's text rather than its values: a Chinese
        text of one character or more, letters, digits of 4 / 7+ / other lengths, a room."""
        chinese = 0 if not self.chinese else 1 if len(self.chinese) == 1 else 2
        digits = len(self.digits)
        digits_kind = 0 if not digits else 4 if digits == 4 else 7 if digits >= 7 else 1
        return (chinese, bool(self.letters), digits_kind, bool(self.room_code))


def interpret(raw: str) -> SearchQuery:
    text = normalise(raw)
    query = SearchQuery(text=text)
    compact = text.replace(" ", "")
    if re.fullmatch(r"\d{3,}", compact):
        query.digits = compact
        query.readings.append("digits")
    if re.fullmatch(r"[A-Za-z]+", compact):
        query.letters = compact.lower()
        query.readings.append("pinyin")
    if re.search(r"[\u4e00-\u9fff]", text):
        query.chinese = compact
        query.readings.append("name")
    if re.search(r"\d", compact) and not query.digits:
        try:
            query.room_code = parse_room_code(compact).code
            query.readings.append("room")
        except ParseError:
            if re.fullmatch(r"[0-9A-Za-z\-]+", compact):
                query.room_code = compact.upper()
                query.readings.append("room")
    return query


def bigrams(text: str) -> list[str]:
    """The distinct two-character pieces of a text, as the SQL function `linli_bigrams`."""
    return sorted({text[i : i + 2] for i in range(len(text) - 1)})


def _name_contains(text: str, pieces: list[str] | None = None) -> Q:
    """`name` contains `text` (2+ characters). On PostgreSQL the condition also names the
    bigrams of the text, which the GIN index on `linli_bigrams(name)` (migration 0003) finds;
    pg_trgm cannot help below 3 characters, a plain LIKE '%…%' reads every row."""
    condition = Q(name__contains=text)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.fields import ArrayField
        from django.contrib.postgres.fields.array import (  # type: ignore[attr-defined]
            ArrayContains,
        )

        found = Func(
            F("name"), function="linli_bigrams", output_field=ArrayField(models.TextField())
        )
        condition &= Q(ArrayContains(found, bigrams(text) if pieces is None else pieces))
    return condition


def customer_filter(
    query: SearchQuery,
    shape: tuple[int, bool, int, bool] | None = None,
    pieces: list[str] | None = None,
) -> Q | None:
    """The customer rows matching a query (name, pinyin, initials, phone tail, ID tail).

    The conditions follow the query's `shape` (by default its own), never the values' lengths:
    a prepared statement builds this with placeholder values (`core.prepared`)."""
    chinese, letters, digits, _room = shape or query.shape()
    condition = Q()
    if chinese:
        condition |= (
            Q(name__startswith=query.chinese)
            if chinese == 1
            else _name_contains(query.chinese, pieces)
        )
    if letters:
        condition |= Q(name_initials__startswith=query.letters) | Q(
            name_pinyin__startswith=query.letters
        )
    if digits == 4:
        condition |= Q(mobile_tail=query.digits) | Q(id_tail=query.digits)
    elif digits == 7:
        condition |= Q(mobile__contains=query.digits)
    elif digits:
        condition |= Q(mobile__endswith=query.digits)
    return condition if (chinese or letters or digits) else None


def _search_rows(user: Any, raw: str, community_id: int | None) -> QuerySet[Customer] | None:
    """The live files matching a search input, in search order (None: the input means nothing)."""
    return _matching(user, interpret(raw), community_id)


def _matching(
    user: Any,
    query: SearchQuery,
    community_id: int | None,
    *,
    shape: tuple[int, bool, int, bool] | None = None,
    pieces: list[str] | None = None,
    now: Any = None,
) -> QuerySet[Customer] | None:
    shape = shape or query.shape()
    rows = (
        Customer.objects.visible_to(user, now=now)
        .in_community(community_id)
        .filter(anonymised_at__isnull=True)
    )
    condition = customer_filter(query, shape, pieces)
    if shape[3]:
        condition = _or_living_in(rows, condition, user, community_id, query.room_code)
    if condition is None:
        return None
    return rows.filter(condition).order_by("name_sort", "pk")


def search_customers(
    user: Any, raw: str, *, community_id: int | None = None, limit: int = 20
) -> list[Customer]:
    rows = _search_rows(user, raw, community_id)
    if rows is None:
        return []
    current = Occupancy.objects.filter(move_out__isnull=True).select_related("room")
    return list(
        rows.select_related("community").prefetch_related(
            Prefetch("occupancies", queryset=current, to_attr="current_occupancies")
        )[:limit]
    )


SEARCH_HIT_FIELDS = ("pk", "community_id", "community__code", "name", "mobile", "secrecy")


@dataclass(frozen=True)
class _GateUser:
    """What the scoping and secrecy gate reads of a user, its ids taken from a prepared
    statement's values (placeholders while the statement is prepared)."""

    pk: int
    community_id: int | None
    is_company_wide: bool
    role: str
    is_authenticated: bool = True
    is_active: bool = True


class _SearchShape(NamedTuple):
    """Everything a search statement's text depends on besides its values (`core.prepared`)."""

    company_wide: bool
    office: bool
    role: str
    clearance: int
    in_community: bool
    query: tuple[int, bool, int, bool]
    bigrams: int
    limit: int


# A name's bigrams are one parameter each (`ARRAY[%s, %s]`): their number is part of the shape,
# and a name of more than `PREPARED_BIGRAMS` + 1 characters is built afresh each time.
PREPARED_BIGRAMS = 8
_SEARCH_VALUES = {"user_id": int, "office_id": int, "community_id": int, "now": dt.datetime,
                  "chinese": str, "letters": str, "digits": str, "room": str,
                  **{f"bigram{i}": str for i in range(PREPARED_BIGRAMS)}}  # fmt: skip


def _search_shape(user: Any, query: SearchQuery, community_id: int | None, limit: int) -> _SearchShape | None:  # fmt: skip
    from linli.customers.secrecy import clearance_of

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return _SearchShape(
        company_wide=bool(user.is_company_wide),
        office=user.community_id is not None,
        role=user.role,
        clearance=clearance_of(user),
        in_community=community_id is not None,
        query=query.shape(),
        bigrams=len(bigrams(query.chinese)) if query.shape()[0] == 2 else 0,
        limit=limit,
    )


def _search_values(user: Any, query: SearchQuery, community_id: int | None) -> dict[str, Any]:
    values = {"user_id": user.pk, "office_id": user.community_id, "community_id": community_id,
              "now": timezone.now(), "chinese": query.chinese, "letters": query.letters,
              "digits": query.digits, "room": query.room_code}  # fmt: skip
    for i, piece in enumerate(bigrams(query.chinese)):
        values[f"bigram{i}"] = piece
    return values


def _gate_user(shape: _SearchShape, values: Mapping[str, Any]) -> _GateUser:
    return _GateUser(
        pk=values["user_id"],
        community_id=values["office_id"] if shape.office else None,
        is_company_wide=shape.company_wide,
        role=shape.role,
    )


def _hit_rows(shape: _SearchShape, values: Mapping[str, Any]) -> QuerySet[Any, dict[str, Any]]:
    """The search API's customer rows (PostgreSQL: the room codes as an array subquery)."""
    from django.contrib.postgres.expressions import ArraySubquery

    query = SearchQuery(text="", chinese=values["chinese"], letters=values["letters"],
                        digits=values["digits"], room_code=values["room"])  # fmt: skip
    rows = _matching(
        _gate_user(shape, values),
        query,
        values["community_id"] if shape.in_community else None,
        shape=shape.query,
        pieces=[values[f"bigram{i}"] for i in range(shape.bigrams)],
        now=values["now"],
    )
    assert rows is not None  # a shape with no reading is never built
    current = Occupancy.objects.filter(
        community_id=OuterRef("community_id"), customer=OuterRef("pk"), move_out__isnull=True
    ).order_by("pk")
    rows = rows.annotate(room_codes=ArraySubquery(current.values("room__code")))
    return rows.values(*SEARCH_HIT_FIELDS, "room_codes")[: shape.limit]


_HITS = PreparedRows("customers.search_hits", Customer, _hit_rows, _SEARCH_VALUES)


def search_hits(
    user: Any, raw: str, *, community_id: int | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    """`search_customers` for the search API: the same rows as plain values
    (`SEARCH_HIT_FIELDS`) plus `room_codes`, the rooms each lives in now. One statement on
    PostgreSQL (the room codes are an array subquery, evaluated for the returned rows only),
    compiled once per shape (`core.prepared`), no model instances: this is the hot path of
    DESIGN §8's search budgets."""
    query = interpret(raw)
    shape = _search_shape(user, query, community_id, limit)
    if shape is None or not any(shape.query):
        return []
    if connection.vendor == "postgresql" and shape.bigrams <= PREPARED_BIGRAMS:
        return _HITS.rows(shape, _search_values(user, query, community_id))
    if connection.vendor == "postgresql":
        return list(_hit_rows(shape, _search_values(user, query, community_id)))
    rows = _matching(user, query, community_id)
    if rows is None:
        return []
    hits = list(rows.values(*SEARCH_HIT_FIELDS)[:limit])
    codes: dict[int, list[str]] = {hit["pk"]: [] for hit in hits}
    for customer_id, code in (
        Occupancy.objects.filter(customer_id__in=codes, move_out__isnull=True)
        .order_by("pk")
        .values_list("customer_id", "room__code")
    ):
        codes[customer_id].append(code)
    for hit in hits:
        hit["room_codes"] = codes[hit["pk"]]
    return hits


def _or_living_in(
    rows: QuerySet[Customer],
    condition: Q | None,
    user: Any,
    community_id: int | None,
    room_code: str,
) -> Q:
    """`condition`, or living now in a room whose code starts with `room_code`.

    The room part is an uncorrelated `pk IN (…)` over the rooms of the user's scope, which
    PostgreSQL runs as a join from the room-code prefix index (a correlated EXISTS was probed
    once per customer row, and its room lookup scanned every room). With another condition
    (`3栋2单元501` also reads as a name) the two become one IN over a UNION: OR-ing a subquery
    with an indexed condition makes PostgreSQL filter every row in scope (360 ms company-wide).
    """
    rooms = (
        Room.objects.visible_to(user)
        .in_community(community_id)
        .filter(code__startswith=room_code)
        .values("pk")
    )
    living = Occupancy.objects.filter(move_out__isnull=True, room__in=rooms).values("customer_id")
    if condition is None:
        return Q(pk__in=living)
    return Q(pk__in=rows.filter(condition).values("pk").union(living))


def _room_rows(user: Any, raw: str, community_id: int | None) -> QuerySet[Room] | None:
    query = interpret(raw)
    if not query.room_code:
        return None
    return _rooms_starting(user, community_id, query.room_code)


def _rooms_starting(user: Any, community_id: int | None, prefix: str) -> QuerySet[Room]:
    return (
        Room.objects.visible_to(user)
        .in_community(community_id)
        .filter(code__startswith=prefix)
        .order_by("code")
    )


def search_rooms(
    user: Any, raw: str, *, community_id: int | None = None, limit: int = 20
) -> list[Room]:
    rows = _room_rows(user, raw, community_id)
    return [] if rows is None else list(rows.select_related("community")[:limit])


def _room_hit_rows(shape: _SearchShape, values: Mapping[str, Any]) -> QuerySet[Any, Any]:
    community_id = values["community_id"] if shape.in_community else None
    rows = _rooms_starting(_gate_user(shape, values), community_id, values["room"])
    return rows.values("pk", "community__code", "code")[: shape.limit]


_ROOM_HITS = PreparedRows("customers.search_room_hits", Room, _room_hit_rows, _SEARCH_VALUES)


def search_room_hits(
    user: Any, raw: str, *, community_id: int | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    """`search_rooms` as plain values (`pk`, `community__code`, `code`) for the search API,
    compiled once per shape (`core.prepared`)."""
    query = interpret(raw)
    shape = _search_shape(user, query, community_id, limit)
    if shape is None or not query.room_code:
        return []
    # Only the room reading matters here: one shape whatever else the input could mean.
    shape = shape._replace(query=(0, False, 0, True))
    return _ROOM_HITS.rows(shape, _search_values(user, query, community_id))


# --- lists ------------------------------------------------------------------------------------
def customer_list(
    user: Any, *, community_id: int | None = None, filters: dict[str, Any] | None = None
) -> QuerySet[Customer]:
    filters = filters or {}
    rows = Customer.objects.visible_to(user).in_community(community_id).select_related("community")
    if filters.get("q"):
        query = interpret(filters["q"])
        condition = customer_filter(query)
        if query.room_code:
            condition = _or_living_in(rows, condition, user, community_id, query.room_code)
        rows = rows.filter(condition) if condition is not None else rows.none()
    if filters.get("area"):
        rows = rows.filter(
            Exists(
                Occupancy.objects.filter(
                    customer=OuterRef("pk"), move_out__isnull=True, room__area_id=filters["area"]
                )
            )
        )
    if filters.get("role"):
        rows = rows.filter(
            Exists(
                Occupancy.objects.filter(
                    customer=OuterRef("pk"), move_out__isnull=True, role=filters["role"]
                )
            )
        )
    if filters.get("secrecy"):
        rows = rows.filter(secrecy=filters["secrecy"])
    if filters.get("care_flag"):
        rows = (
            rows.filter(care_flags__contains=[filters["care_flag"]])
            if _json_contains_supported()
            else rows.filter(care_flags__icontains=filters["care_flag"])
        )
    if filters.get("incomplete"):
        rows = rows.filter(completeness__lt=100)
    if filters.get("overdue"):
        rows = rows.filter(completeness__lt=100, file_due_at__lt=timezone.now())
    if filters.get("important"):
        rows = rows.filter(is_important=True)
    if not filters.get("include_anonymised"):
        rows = rows.filter(anonymised_at__isnull=True)
    return rows.order_by("name_sort", "pk")


def _json_contains_supported() -> bool:
    from django.db import connection

    return connection.features.supports_json_field_contains


def room_list(
    user: Any, *, community_id: int | None = None, filters: dict[str, Any] | None = None
) -> QuerySet[Room]:
    filters = filters or {}
    rows = (
        Room.objects.visible_to(user).in_community(community_id).select_related("community", "area")
    )
    if filters.get("q"):
        query = interpret(filters["q"])
        rows = rows.filter(code__startswith=query.room_code or query.text.upper())
    for name in ("building", "area", "use", "status"):
        if filters.get(name):
            rows = rows.filter(
                **{f"{name}_id" if name in ("building", "area") else name: filters[name]}
            )
    rows = rows.annotate(
        occupant_count=Count("occupancies", filter=Q(occupancies__move_out__isnull=True))
    )
    if filters.get("empty"):
        rows = rows.filter(occupant_count=0)
    return rows.order_by("code")


def occupants(user: Any, room: Room) -> tuple[list[Occupancy], list[Occupancy], int]:
    """Current and past occupancies the user may see, and how many current ones are restricted."""
    all_rows = (
        Occupancy.objects.filter(room=room)
        .select_related("customer")
        .order_by("-move_out", "-is_primary", "move_in")
    )
    visible_ids = set(
        Customer.objects.visible_to(user)
        .filter(occupancies__room=room)
        .values_list("pk", flat=True)
    )
    current: list[Occupancy] = []
    past: list[Occupancy] = []
    restricted = 0
    for row in all_rows:
        if row.customer_id not in visible_ids:
            restricted += int(row.move_out is None)
            continue
        (current if row.move_out is None else past).append(row)
    return current, past, restricted


def restricted_occupancies(user: Any, room: Room) -> list[Occupancy]:
    """Current occupancies of the room whose files the user may not open (grant requests)."""
    visible = Customer.objects.visible_to(user).values("pk")
    return list(
        Occupancy.objects.filter(room=room, move_out__isnull=True)
        .exclude(customer__in=visible)
        .select_related("customer")
    )


def change_history(
    *, customer: Customer | None = None, room: Room | None = None, limit: int = 200
) -> list[ChangeRecord]:
    rows = ChangeRecord.objects.select_related("actor")
    rows = rows.filter(customer=customer) if customer is not None else rows.filter(room=room)
    return list(rows.order_by("-at", "-id")[:limit])


def completeness_by_area(user: Any, *, community_id: int | None = None) -> list[dict[str, Any]]:
    """Average completeness and counts of incomplete and overdue files per community and area."""
    now = timezone.now()
    rows = (
        Occupancy.objects.visible_to(user)
        .in_community(community_id)
        .filter(move_out__isnull=True)
        .values("community__code", "community__name", "room__area__name", "room__area_id")
        .annotate(
            files=Count("customer", distinct=True),
            average=Avg("customer__completeness"),
            incomplete=Count("customer", filter=Q(customer__completeness__lt=100), distinct=True),
            overdue=Count(
                "customer",
                filter=Q(customer__completeness__lt=100, customer__file_due_at__lt=now),
                distinct=True,
            ),
        )
        .order_by("community__code", "room__area__name")
    )
    return list(rows)


def review_tasks(user: Any, *, community_id: int | None = None) -> QuerySet[ReviewTask]:
    return (
        ReviewTask.objects.visible_to(user)
        .in_community(community_id)
        .select_related("area", "steward", "community")
        .order_by("-period_start", "area__code")
    )


def access_review_task(user: Any, pk: int) -> ReviewTask:
    return get_object_or_404(
        ReviewTask.objects.visible_to(user).select_related("area", "steward"), pk=pk
    )


def review_rooms(task: ReviewTask) -> list[dict[str, Any]]:
    """The rooms of a review task's area with whether (and by whom) each has been reviewed."""
    reviewed = {r.room_id: r for r in task.rooms.select_related("reviewed_by")}
    rooms = (
        Room.objects.filter(area_id=task.area_id, occupancies__move_out__isnull=True)
        .distinct()
        .order_by("code")
    )
    return [{"room": room, "reviewed": reviewed.get(room.pk)} for room in rooms]
