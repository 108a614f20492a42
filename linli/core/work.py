"""A person's "my work" queue and an office's board, assembled from every chapter.

Tickets own the pages; visits, greetings, personalised needs and handover contacts add to them
without the tickets app importing those chapters: each app registers providers in its
AppConfig.ready(), as the household timeline does (linli.core.timeline).

- `register_my_work(provider)`: `provider(user) -> list[WorkItem]`, the open items the user owes.
- `register_board(provider)`: `provider(user, community_id) -> BoardSection | None`, one card
  on the office board (None when the user may not see that chapter).

Providers apply the user's scope themselves (through `visible_to`) and keep to a few queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone


@dataclass(frozen=True)
class WorkItem:
    kind: str  # ticket, return_visit, visit, greeting, need, handover…
    kind_label: str
    title: str
    link: str
    due: dt.datetime | None = None
    subtitle: str = ""
    icon: str = "bi-dot"


@dataclass
class BoardSection:
    title: str
    items: list[WorkItem] = field(default_factory=list)
    count: int = 0  # all open items, when `items` is cut to the first few
    link: str = ""  # the full list
    empty: str = ""
    figure: str = ""  # a headline figure such as "12/40 已完成"


MyWorkProvider = Callable[[Any], list[WorkItem]]
BoardProvider = Callable[[Any, int | None], BoardSection | None]
MY_WORK: list[MyWorkProvider] = []
BOARD: list[BoardProvider] = []


def register_my_work(provider: MyWorkProvider) -> MyWorkProvider:
    MY_WORK.append(provider)
    return provider


def register_board(provider: BoardProvider) -> BoardProvider:
    BOARD.append(provider)
    return provider


def as_datetime(day: dt.date | dt.datetime | None) -> dt.datetime | None:
    """A due date as the end of that local day, so dates and deadlines sort together."""
    if day is None or isinstance(day, dt.datetime):
        return day
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def row_count(shown: list[Any], rows: Any, limit: int) -> int:
    """How many rows a section has: those shown, or — when `limit` were shown — a count."""
    return rows.count() if len(shown) == limit else len(shown)


def choice_labels(model: Any, field_name: str) -> dict[Any, str]:
    """A field's stored values → their labels, in the active language (rows read as values)."""
    return {value: str(label) for value, label in model._meta.get_field(field_name).flatchoices}


def my_work_items(user: Any) -> list[WorkItem]:
    """Every registered chapter's open items for the user, by due time (undated last)."""
    items: list[WorkItem] = []
    for provider in MY_WORK:
        items.extend(provider(user))
    far = timezone.now() + dt.timedelta(days=3650)
    items.sort(key=lambda item: item.due or far)
    return items


def board_sections(user: Any, community_id: int | None) -> list[BoardSection]:
    sections = [provider(user, community_id) for provider in BOARD]
    return [s for s in sections if s is not None]
