"""What this part of the care chapter adds to pages assembled elsewhere: the household timeline
(greetings and event attendance), the steward's "my work" (today's greetings) and the office
board. Registered in OutreachConfig.ready()."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.care.outreach.models import GreetingTask, Invitation
from linli.core.links import fixed_url
from linli.core.timeline import Entry
from linli.core.work import BoardSection, WorkItem, as_datetime, choice_labels
from linli.customers.models import Customer, Occupancy

Status = GreetingTask.Status


def _customers(user: Any, customer: Any, room: Any) -> Any:
    if customer is not None:
        return [customer.pk]
    if room is not None:
        occupants = Occupancy.objects.filter(room=room).values("customer_id")
        return Customer.objects.visible_to(user).filter(pk__in=occupants).values("pk")
    return None


def timeline_entries(user: Any, *, customer: Any = None, room: Any = None) -> list[Entry]:
    ids = _customers(user, customer, room)
    if ids is None:
        return []
    entries = []
    greetings = (
        GreetingTask.objects.filter(customer_id__in=ids, status__in=(Status.DONE, Status.SENT))
        .select_related("customer", "done_by", "message")
        .order_by("-due_on")[:100]
    )
    for task in greetings:
        at = task.done_at or (task.message.sent_at if task.message else None)
        at = at or timezone.make_aware(dt.datetime.combine(task.due_on, dt.time(9)))
        how = _("短信") if task.method == GreetingTask.Method.MESSAGE else _("上门/电话")
        title = _("%(o)s问候（%(how)s）") % {"o": task.get_occasion_display(), "how": how}
        if room is not None:
            title = f"{task.customer.name} · {title}"
        entries.append(
            Entry(at=at, kind="greeting", kind_label=_("关怀问候"), title=title, detail=task.note,
                  actor=task.done_by.display_name if task.done_by else _("系统"),
                  link=reverse("outreach:calendar") + f"?month={task.due_on:%Y-%m}", icon="bi-gift")
        )  # fmt: skip
    invitations = (
        Invitation.objects.filter(customer_id__in=ids, attended=True)
        .select_related("event", "customer", "recorded_by")
        .order_by("-event__starts_at")[:100]
    )
    for row in invitations:
        title = _("参加%(kind)s“%(t)s”") % {
            "kind": row.event.get_kind_display(),
            "t": row.event.title,
        }
        if room is not None:
            title = f"{row.customer.name} · {title}"
        detail = _("评价 %(n)s 星") % {"n": row.rating} if row.rating else ""
        if row.feedback:
            detail = f"{detail} {row.feedback}".strip()
        entries.append(
            Entry(at=row.event.starts_at, kind="event", kind_label=_("社区活动"), title=title,
                  detail=detail, actor=row.recorded_by.display_name if row.recorded_by else "",
                  link=reverse("outreach:event", args=[row.event_id]), icon="bi-people")
        )  # fmt: skip
    return entries


def my_work(user: Any) -> list[WorkItem]:
    """Today's greetings the steward still owes in person or by phone."""
    if not getattr(user, "is_authenticated", False) or "care.visit" not in user.perms:
        return []
    rows = (
        GreetingTask.objects.visible_to(user)
        .filter(steward=user, status=Status.PENDING, due_on=timezone.localdate())
        .filter(customer__in=Customer.objects.visible_to(user))
        .values_list("pk", "occasion", "customer__name", "due_on")
    )
    link = fixed_url("outreach:today")
    occasions = choice_labels(GreetingTask, "occasion")
    return [
        WorkItem(kind="greeting", kind_label=_("关怀问候"),
                 title=_("%(o)s问候 %(name)s") % {"o": occasions.get(occasion, occasion), "name": name},
                 subtitle=_("今天上门或电话问候后在“今日问候”中登记"), link=f"{link}#greeting-{pk}",
                 due=as_datetime(due_on), icon="bi-gift")
        for pk, occasion, name, due_on in rows[:200]
    ]  # fmt: skip


def board(user: Any, community_id: int | None) -> BoardSection | None:
    if not getattr(user, "is_authenticated", False) or "care.visit" not in user.perms:
        return None
    rows = (
        GreetingTask.objects.visible_to(user)
        .in_community(community_id)
        .filter(due_on=timezone.localdate())
    )
    figures = rows.aggregate(
        total=Count("pk"), done=Count("pk", filter=Q(status__in=(Status.DONE, Status.SENT)))
    )
    total, done = figures["total"], figures["done"]
    return BoardSection(
        title=_("今日关怀问候"), count=total - done, link=fixed_url("outreach:today"),
        empty=_("今天没有到期的关怀问候。"), figure=_("%(d)s/%(t)s 已完成") % {"d": done, "t": total},
    )  # fmt: skip
