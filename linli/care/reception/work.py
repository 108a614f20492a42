"""Personalised needs in "my work"; the reception log and needs on the office board."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from linli import policy
from linli.care.reception import selectors
from linli.care.reception.models import OPEN_NEED_STATUSES, Outcome, ReceptionEntry
from linli.core.links import fixed_url, row_url
from linli.core.work import (
    BoardSection,
    WorkItem,
    as_datetime,
    choice_labels,
    register_board,
    register_my_work,
    row_count,
)

BOARD_ROWS = 5
NEED_FIELDS = ("pk", "need_type__name", "description", "room__code", "customer__name", "due_on")


def _need_item(need: dict[str, Any], link: Callable[[int], str]) -> WorkItem:
    return WorkItem(
        kind="need",
        kind_label=_("个性化需求"),
        title=f"{need['need_type__name']}：{need['description'][:40]}",
        subtitle=" · ".join(x for x in (need["room__code"] or "", need["customer__name"]) if x),
        due=as_datetime(need["due_on"]),
        link=link(need["pk"]),
        icon="bi-stars",
    )


@register_my_work
def my_needs(user: Any) -> list[WorkItem]:
    if "care.needs" not in getattr(user, "perms", frozenset()):
        return []
    link = row_url("reception:need_detail")
    return [_need_item(n, link) for n in selectors.open_needs_of(user).values(*NEED_FIELDS)]


@register_board
def reception_board(user: Any, community_id: int | None) -> BoardSection | None:
    if "care.reception_log" not in getattr(user, "perms", frozenset()):
        return None
    today = timezone.localdate()
    start, end = selectors.day_bounds(today)
    open_today = (
        selectors.entries_visible_to(user)
        .in_community(community_id)
        .filter(received_at__gte=start, received_at__lt=end, outcome=Outcome.FOLLOW_UP)
        .order_by("received_at")
    )
    rows = list(
        open_today.values_list(
            "pk", "channel", "subject", "room__code", "customer_id", "customer__name", "caller_name"
        )[:BOARD_ROWS]
    )
    figure = ""
    if community_id is not None:
        yesterday = today - dt.timedelta(days=1)
        # Both days' checks in one query; today's is shown only after the day's check time.
        checks = selectors.check_times(user, community_id, [yesterday, today])
        if yesterday in checks:
            name, at = checks[yesterday]
            figure = _("昨日已日终检查（%(name)s %(at)s）") % {
                "name": name,
                "at": f"{timezone.localtime(at):%H:%M}",
            }
        else:
            figure = _("昨日未做日终检查")
        check_time = policy.value("care.reception.daily_check_time", community=community_id)
        if timezone.localtime().time() >= check_time and today not in checks:
            figure = f"{figure} · {_('今日待日终检查')}"
    channels = choice_labels(ReceptionEntry, "channel")
    link = row_url("reception:entry_detail")
    due = as_datetime(today)  # the end-of-day check wants it closed by tonight
    return BoardSection(
        title=_("今日接待待跟进"),
        items=[
            WorkItem(
                kind="reception",
                kind_label=channels.get(channel, channel),
                title=subject,
                subtitle=" · ".join(
                    x
                    for x in (room or "", ReceptionEntry.who_of(customer_id, customer_name, caller))
                    if x
                ),
                due=due,
                link=link(pk),
                icon="bi-telephone",
            )
            for pk, channel, subject, room, customer_id, customer_name, caller in rows
        ],
        count=row_count(rows, open_today, BOARD_ROWS),
        link=fixed_url("reception:daily_check"),
        empty=_("今日接待登记均已办结。"),
        figure=figure,
    )


@register_board
def needs_board(user: Any, community_id: int | None) -> BoardSection | None:
    if "care.needs" not in getattr(user, "perms", frozenset()):
        return None
    overdue = (
        selectors.needs_visible_to(user)
        .in_community(community_id)
        .filter(status__in=OPEN_NEED_STATUSES, due_on__lt=timezone.localdate())
        .order_by("due_on", "pk")
    )
    rows = list(overdue.values(*NEED_FIELDS)[:BOARD_ROWS])
    count = row_count(rows, overdue, BOARD_ROWS)
    link = row_url("reception:need_detail")
    return BoardSection(
        title=_("个性化需求超期"),
        items=[_need_item(n, link) for n in rows],
        count=count,
        link=fixed_url("reception:needs") + "?overdue=1",
        empty=_("没有超期的个性化需求。"),
        figure=_("%(n)d 项超期") % {"n": count} if count else "",
    )
