"""Personalised needs in "my work"; the reception log and needs on the office board."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli import policy
from linli.care.reception import selectors
from linli.care.reception.models import OPEN_NEED_STATUSES, Outcome
from linli.core.work import BoardSection, WorkItem, as_datetime, register_board, register_my_work

BOARD_ROWS = 5


def _need_item(need: Any) -> WorkItem:
    return WorkItem(
        kind="need",
        kind_label=_("个性化需求"),
        title=f"{need.need_type.name}：{need.description[:40]}",
        subtitle=" · ".join(
            x for x in (need.room.code if need.room else "", need.customer.name) if x
        ),
        due=as_datetime(need.due_on),
        link=reverse("reception:need_detail", args=[need.pk]),
        icon="bi-stars",
    )


@register_my_work
def my_needs(user: Any) -> list[WorkItem]:
    if "care.needs" not in getattr(user, "perms", frozenset()):
        return []
    return [_need_item(n) for n in selectors.my_needs(user)]


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
        .select_related("customer", "room")
        .order_by("received_at")
    )
    rows = list(open_today[:BOARD_ROWS])
    figure = ""
    if community_id is not None:
        yesterday = today - dt.timedelta(days=1)
        check = selectors.check_of(user, community_id, yesterday)
        figure = (
            _("昨日已日终检查（%(name)s %(at)s）")
            % {
                "name": check.checked_by.display_name,
                "at": f"{timezone.localtime(check.checked_at):%H:%M}",
            }
            if check
            else _("昨日未做日终检查")
        )
        # After the day's check time the board also says whether today has been checked yet.
        check_time = policy.value("care.reception.daily_check_time", community=community_id)
        if timezone.localtime().time() >= check_time and not selectors.check_of(
            user, community_id, today
        ):
            figure = f"{figure} · {_('今日待日终检查')}"
    return BoardSection(
        title=_("今日接待待跟进"),
        items=[
            WorkItem(
                kind="reception",
                kind_label=e.get_channel_display(),
                title=e.subject,
                subtitle=" · ".join(x for x in (e.room.code if e.room else "", e.who) if x),
                due=as_datetime(today),  # the end-of-day check wants it closed by tonight
                link=reverse("reception:entry_detail", args=[e.pk]),
                icon="bi-telephone",
            )
            for e in rows
        ],
        count=open_today.count() if len(rows) == BOARD_ROWS else len(rows),
        link=reverse("reception:daily_check"),
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
        .select_related("customer", "room", "need_type")
        .order_by("due_on", "pk")
    )
    rows = list(overdue[:BOARD_ROWS])
    count = overdue.count() if len(rows) == BOARD_ROWS else len(rows)
    return BoardSection(
        title=_("个性化需求超期"),
        items=[_need_item(n) for n in rows],
        count=count,
        link=reverse("reception:needs") + "?overdue=1",
        empty=_("没有超期的个性化需求。"),
        figure=_("%(n)d 项超期") % {"n": count} if count else "",
    )
