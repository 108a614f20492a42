"""Survey items on "my work" and the office board (registered in linli.core.work)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import work
from linli.core.links import fixed_url, row_url
from linli.core.work import BoardSection, WorkItem, as_datetime, row_count
from linli.org.roles import Perm
from linli.surveys.models import CommentFollowUp, Rectification


@work.register_my_work
def comment_calls(user: Any) -> list[WorkItem]:
    """Return calls owed on residents' written comments (office staff who key surveys in)."""
    if Perm.SURVEYS_KEY_IN not in user.perms or user.is_company_wide:
        return []
    rows = (
        CommentFollowUp.objects.visible_to(user)
        .filter(done_at__isnull=True)
        .order_by("due_on")
        .values_list("round_id", "round__name", "answer__text", "answer__response__invitation__room__code", "due_on")[:50]
    )  # fmt: skip
    link = row_url("surveys:comments")
    return [
        WorkItem(
            kind="survey_comment",
            kind_label=_("意见回访"),
            title=text[:40],
            subtitle=f"{round_name} · {room}",
            due=as_datetime(due_on),
            link=link(round_id),
            icon="bi-chat-quote",
        )
        for round_id, round_name, text, room, due_on in rows
    ]


BOARD_ROWS = 5


@work.register_board
def survey_board(user: Any, community_id: int | None) -> BoardSection | None:
    if Perm.SURVEYS_VIEW not in user.perms:
        return None
    today = timezone.localdate()
    calls = (
        CommentFollowUp.objects.visible_to(user)
        .in_community(community_id)
        .filter(done_at__isnull=True)
        .aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
    )
    fixes = (
        Rectification.objects.visible_to(user)
        .in_community(community_id)
        .exclude(status=Rectification.Status.VERIFIED)
    )
    rows = list(
        fixes.order_by("due_on").values_list("dimension", "rate", "target", "round__name", "due_on")[:BOARD_ROWS]
    )  # fmt: skip
    link = fixed_url("surveys:rectifications")
    items = [
        WorkItem(kind="rectification", kind_label=_("整改"), title=_("%(d)s 满意率 %(r)s%%，目标 %(t)s%%") % {"d": dimension, "r": rate, "t": target},
                 subtitle=round_name, due=as_datetime(due_on), link=link, icon="bi-wrench-adjustable")
        for dimension, rate, target, round_name, due_on in rows
    ]  # fmt: skip
    return BoardSection(
        title=str(_("满意度调查")), items=items, link=link,
        count=row_count(rows, fixes, BOARD_ROWS),
        empty=str(_("没有待整改的满意度项目。")),
        figure=str(_("意见待回访 %(n)s 条，其中超期 %(o)s 条") % {"n": calls["open"], "o": calls["overdue"]}),
    )  # fmt: skip
