"""Survey items on "my work" and the office board (registered in linli.core.work)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import work
from linli.core.work import BoardSection, WorkItem, as_datetime
from linli.org.roles import Perm
from linli.surveys.models import CommentFollowUp, Rectification


@work.register_my_work
def comment_calls(user: Any) -> list[WorkItem]:
    """Return calls owed on residents' written comments (office staff who key surveys in)."""
    if Perm.SURVEYS_KEY_IN not in user.perms or user.is_company_wide:
        return []
    rows = CommentFollowUp.objects.visible_to(user).filter(done_at__isnull=True).select_related("round", "answer__response__invitation__room").order_by("due_on")[:50]  # fmt: skip
    return [
        WorkItem(
            kind="survey_comment",
            kind_label=_("意见回访"),
            title=row.answer.text[:40],
            subtitle=f"{row.round.name} · {row.answer.response.invitation.room.code}",
            due=as_datetime(row.due_on),
            link=reverse("surveys:comments", args=[row.round_id]),
            icon="bi-chat-quote",
        )
        for row in rows
    ]


@work.register_board
def survey_board(user: Any, community_id: int | None) -> BoardSection | None:
    if Perm.SURVEYS_VIEW not in user.perms:
        return None
    today = timezone.localdate()
    calls = (
        CommentFollowUp.objects.visible_to(user)
        .in_community(community_id)
        .filter(done_at__isnull=True)
    )
    fixes = (
        Rectification.objects.visible_to(user)
        .in_community(community_id)
        .exclude(status=Rectification.Status.VERIFIED)
    )
    items = [
        WorkItem(kind="rectification", kind_label=_("整改"), title=_("%(d)s 满意率 %(r)s%%，目标 %(t)s%%") % {"d": r.dimension, "r": r.rate, "t": r.target},
                 subtitle=r.round.name, due=as_datetime(r.due_on), link=reverse("surveys:rectifications"), icon="bi-wrench-adjustable")
        for r in fixes.select_related("round").order_by("due_on")[:5]
    ]  # fmt: skip
    overdue = calls.filter(due_on__lt=today).count()
    return BoardSection(
        title=str(_("满意度调查")), items=items, count=fixes.count(), link=reverse("surveys:rectifications"),
        empty=str(_("没有待整改的满意度项目。")),
        figure=str(_("意见待回访 %(n)s 条，其中超期 %(o)s 条") % {"n": calls.count(), "o": overdue}),
    )  # fmt: skip
