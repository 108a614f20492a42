"""How a ticket and the service commitments are shown to a resident (web pages and API alike).

Only what a resident should see: friendly statuses, a progress bar, a history without staff
names or internal notes, and the commitments as sentences built from the policy in force.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli import policy
from linli.org.models import Community
from linli.tickets.models import ReturnVisit, Status, Ticket, TicketEvent

# --- what the resident sees of a ticket -------------------------------------------------------
RESIDENT_STATUS = {
    Status.NEW: gettext_lazy("待受理"),
    Status.ACCEPTED: gettext_lazy("已受理"),
    Status.DISPATCHED: gettext_lazy("处理中"),
    Status.IN_PROGRESS: gettext_lazy("处理中"),
    Status.RESOLVED: gettext_lazy("已解决"),
    Status.RETURN_VISITED: gettext_lazy("已评价"),
    Status.CLOSED: gettext_lazy("已完成"),
    Status.CANCELLED: gettext_lazy("已撤销"),
}

# The progress bar: 已提交 → 已受理 → 处理中 → 已解决 → 已评价.
STEPS = ["submitted", "accepted", "in_progress", "resolved", "rated"]
STEP_OF_STATUS = {
    Status.NEW: 0,
    Status.ACCEPTED: 1,
    Status.DISPATCHED: 2,
    Status.IN_PROGRESS: 2,
    Status.RESOLVED: 3,
    Status.RETURN_VISITED: 4,
    Status.CLOSED: 4,
}


def resident_status(ticket: Ticket) -> str:
    label = str(RESIDENT_STATUS.get(Status(ticket.status), ticket.get_status_display()))
    if ticket.reopened_count and ticket.is_open:
        return _("重新处理中")
    return label


RATING_ICONS = {
    5: "bi-emoji-heart-eyes",
    4: "bi-emoji-laughing",
    3: "bi-emoji-smile",
    2: "bi-emoji-neutral",
    1: "bi-emoji-frown",
}


def shows_resolution(ticket: Ticket) -> bool:
    """The outcome is told once the ticket is resolved (not after it was reopened)."""
    return bool(ticket.resolution) and ticket.status in (
        Status.RESOLVED,
        Status.RETURN_VISITED,
        Status.CLOSED,
    )


def status_tone(ticket: Ticket) -> str:
    """A Bootstrap colour for the status badge."""
    if ticket.status == Status.CANCELLED:
        return "secondary"
    if ticket.status == Status.RESOLVED:
        return "success"
    if ticket.status in (Status.RETURN_VISITED, Status.CLOSED):
        return "dark"
    if ticket.status == Status.NEW:
        return "warning"
    return "primary"


def progress(ticket: Ticket) -> list[dict[str, Any]]:
    if ticket.status == Status.CANCELLED:
        return []
    labels = [_("已提交"), _("已受理"), _("处理中"), _("已解决"), _("已评价")]
    current = STEP_OF_STATUS.get(Status(ticket.status), 0)
    return [
        {"key": key, "label": label, "done": index <= current, "current": index == current}
        for index, (key, label) in enumerate(zip(STEPS, labels, strict=True))
    ]


@dataclass(frozen=True)
class Step:
    at: dt.datetime
    title: str
    text: str = ""
    icon: str = "bi-circle"
    by_resident: bool = False


# The event kinds a resident sees, and how they are told. Internal notes, presses,
# escalations, validity, pauses and reminders are the office's business and never shown.
E = TicketEvent.Kind
VISIBLE_KINDS = (
    E.OPENED,
    E.STATUS,
    E.DISPATCHED,
    E.TRANSFERRED,
    E.REPLY,
    E.RESOLVED,
    E.RETURN_VISIT,
    E.REOPENED,
    E.CLOSED,
    E.CANCELLED,
)  # photos are shown with the request itself, not as steps


def _step(event: TicketEvent) -> Step | None:
    kind = event.kind
    from_resident = (
        event.actor_id is None and bool(event.actor_label) and event.actor_label != _("系统")
    )
    if kind == E.OPENED:
        if event.to_status == Status.NEW:
            return Step(
                event.at, _("已提交"), _("物业服务中心将尽快受理。"), "bi-send", from_resident
            )
        return Step(event.at, _("已受理"), "", "bi-inbox")
    if kind == E.STATUS:
        titles = {
            Status.ACCEPTED: (_("已受理"), "bi-inbox"),
            Status.IN_PROGRESS: (_("开始处理"), "bi-tools"),
        }
        if event.to_status in titles:
            title, icon = titles[Status(event.to_status)]
            return Step(event.at, title, "", icon)
        return None
    if kind in (E.DISPATCHED, E.TRANSFERRED):
        return Step(event.at, _("已派单"), _("已安排工作人员处理。"), "bi-person-gear")
    if kind == E.REPLY:
        return Step(event.at, _("物业回复"), event.note, "bi-chat-dots")
    if kind == E.RESOLVED:
        return Step(event.at, _("已解决"), event.note, "bi-check-circle")
    if kind == E.RETURN_VISIT:
        score = (event.data or {}).get("satisfaction")
        label = (
            ReturnVisit.Satisfaction(score).label
            if score in ReturnVisit.Satisfaction.values
            else ""
        )
        text = f"{label}" + (f"：{event.note}" if event.note else "")
        return Step(event.at, _("服务评价"), text, "bi-star", from_resident)
    if kind == E.REOPENED:
        return Step(
            event.at, _("重新处理"), _("我们将重新安排处理，并由上级跟进督办。"), "bi-arrow-repeat"
        )
    if kind == E.CLOSED:
        return Step(event.at, _("已完成"), "", "bi-flag")
    if kind == E.CANCELLED:
        return Step(event.at, _("已撤销"), "", "bi-x-circle")
    return None


def timeline(ticket: Ticket) -> list[Step]:
    """The ticket's history as the resident should see it, oldest first, without staff names."""
    events = ticket.events.filter(kind__in=VISIBLE_KINDS).order_by("at", "id")
    steps = [step for step in (_step(e) for e in events) if step is not None]
    # Consecutive identical steps (a transfer after a dispatch: "已派单" twice) are shown once.
    result: list[Step] = []
    for step in steps:
        if result and (result[-1].title, result[-1].text) == (step.title, step.text):
            continue
        result.append(step)
    return result


# --- service commitments ----------------------------------------------------------------------
@dataclass(frozen=True)
class Commitment:
    icon: str
    title: str
    text: str


def _num(key: str, community: Community) -> str:
    from linli.policy.registry import get

    return get(key).display(policy.value(key, community=community))


def commitments(community: Community) -> list[Commitment]:
    """The service commitments (POLICY Ch.8 and the Ch.6 time limits) as sentences, every
    number read from the policy in force for the community."""

    def v(key: str) -> str:
        return _num(key, community)

    resolve_days = int(policy.value("tickets.ordinary.resolve_workdays", community=community))
    ordinary_resolve = (
        _("当日解决") if resolve_days == 0 else _("%(n)s 个工作日内解决") % {"n": resolve_days}
    )
    hotline = _("服务热线每天 %(h)s 小时有人接听") % {"h": v("commitments.hotline.hours_per_day")}
    if community.phone:
        hotline += _("：%(phone)s") % {"phone": community.phone}
    return [
        Commitment("bi-telephone", _("服务热线"), hotline + _("。")),
        Commitment(
            "bi-tools",
            _("报事报修"),
            _("一般维修 %(o)s 分钟内到场，紧急维修 %(e)s 分钟内到场；火警 %(f)s 分钟内到场。")
            % {
                "o": v("commitments.repair.ordinary_arrival_minutes"),
                "e": v("commitments.repair.emergency_arrival_minutes"),
                "f": v("commitments.fire.arrival_minutes"),
            },
        ),
        Commitment(
            "bi-chat-square-text",
            _("投诉处理"),
            _(
                "一般投诉 %(r)s 小时内响应、%(s)s；紧急投诉 %(ur)s 小时内响应、%(us)s 小时内解决；重大投诉 %(m)s 天内解决并书面答复。"
            )
            % {
                "r": v("tickets.ordinary.respond_hours"),
                "s": ordinary_resolve,
                "ur": v("tickets.urgent.respond_hours"),
                "us": v("tickets.urgent.resolve_hours"),
                "m": v("tickets.major.resolve_days"),
            },
        ),
        Commitment(
            "bi-telephone-outbound",
            _("办结回访"),
            _("投诉办结后 %(c)s 天内、维修完成后 %(r)s 天内回访，回访率 %(rate)s%%。")
            % {
                "c": v("tickets.return_visit.complaint_days"),
                "r": v("tickets.return_visit.repair_days"),
                "rate": v("commitments.return_visit.rate"),
            },
        ),
        Commitment(
            "bi-emoji-smile",
            _("服务满意度"),
            _("业主满意度不低于 %(s)s%%；评价为%(low)s的诉求将重新处理，并由上级督办。")
            % {"s": v("commitments.satisfaction.rate"), "low": reopening_labels(community)},
        ),
    ]


def reopening_labels(community: Community | None = None) -> str:
    """“一般”或“不满意”: the ratings at or below the policy's reopen level."""
    threshold = int(policy.value("tickets.return_visit.reopen_at_or_below", community=community))
    labels = [f"“{c.label}”" for c in ReturnVisit.Satisfaction if c.value <= threshold]
    return _("或").join(labels)
