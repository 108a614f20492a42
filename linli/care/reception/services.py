"""Writes of the reception log, the end-of-day check and personalised needs.

Every function validates (DomainError naming the field), changes, writes its history row and
audit event in one transaction, and puts messages in the outbox of that same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli import policy
from linli.audit import services as audit
from linli.care.reception.models import (
    Channel,
    DailyCheck,
    NeedEvent,
    NeedSource,
    NeedStatus,
    NeedType,
    Outcome,
    PersonalNeed,
    ReceptionEntry,
    Topic,
)
from linli.core import worktime
from linli.core.errors import DomainError

SUBJECT_MAX = 200
CALLER_NAME_MAX = 50


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _visible_customer(actor: Any, customer: Any) -> Any:
    """The customer as the actor may see it: another community or a file above the actor's
    clearance is refused exactly like a customer that does not exist."""
    from linli.customers.models import Customer

    if customer is None:
        return None
    found = (
        Customer.objects.visible_to(actor)
        .filter(pk=getattr(customer, "pk", customer), anonymised_at__isnull=True)
        .first()
    )
    if found is None:
        raise DomainError(_("客户不存在或您无权查看该客户。"), field="customer")
    return found


def _visible_room(actor: Any, room: Any, community_id: int) -> Any:
    from linli.customers.models import Room

    if room is None:
        return None
    found = Room.objects.visible_to(actor).filter(pk=getattr(room, "pk", room)).first()
    if found is None:
        raise DomainError(_("房间不存在或您无权查看该房间。"), field="room")
    if found.community_id != community_id:
        raise DomainError(_("房间不属于该客户所在小区。"), field="room")
    return found


def home_room(customer: Any) -> Any:
    """The customer's current room, the primary contact's first."""
    from linli.customers.models import Occupancy

    occupancy = (
        Occupancy.objects.filter(customer=customer, move_out__isnull=True)
        .select_related("room")
        .order_by("-is_primary", "pk")
        .first()
    )
    return occupancy.room if occupancy else None


def _area_steward(room: Any) -> Any:
    if room is not None and room.area_id and room.area.steward_id and room.area.steward.is_active:
        return room.area.steward
    return None


def _check_assignee(assignee: Any, community_id: int) -> Any:
    from linli.org.models import Staff

    if assignee is None:
        return None
    person = Staff.objects.filter(pk=getattr(assignee, "pk", assignee), is_active=True).first()
    if person is None or not person.role:
        raise DomainError(_("负责人不存在或已停用。"), field="assignee")
    if person.community_id is not None and person.community_id != community_id:
        raise DomainError(_("负责人必须是该小区管理处或公司的员工。"), field="assignee")
    return person


def need_type_by_code(code: str) -> NeedType:
    need_type = NeedType.objects.filter(code=(code or "").strip(), is_active=True).first()
    if need_type is None:
        raise DomainError(_("需求类型“%(code)s”无效。") % {"code": code}, field="need_type")
    return need_type


def default_due_on(community: Any, start: dt.date | None = None) -> dt.date:
    days = int(policy.value("care.needs.due_workdays", community=community))
    start = start or timezone.localdate()
    return worktime.add_workdays(start, days) if days else start


def _need_event(
    need: PersonalNeed, *, actor: Any, from_status: str, to_status: str, note: str = ""
) -> NeedEvent:
    return NeedEvent.objects.create(
        community_id=need.community_id,
        need=need,
        from_status=from_status,
        to_status=to_status,
        actor=_actor(actor),
        note=note,
        at=timezone.now(),
    )


def _tell_assignee(need: PersonalNeed, actor: Any) -> None:
    from linli.notify.services import notify_staff

    if need.assignee_id is None or need.assignee_id == getattr(actor, "pk", None):
        return
    notify_staff(
        [need.assignee],
        subject=_("新的个性化需求：%(type)s") % {"type": need.need_type.name},
        body=need.description[:200],
        link=reverse("reception:need_detail", args=[need.pk]),
        kind="care.need.assigned",
        dedupe_key=f"care.need.assigned:{need.pk}:{need.version}",
    )


# --- personalised needs -----------------------------------------------------------------------


@transaction.atomic
def record_need(
    *,
    actor: Any,
    customer: Any,
    description: str,
    need_type: str,
    source: str = "visit",
    source_ref: str = "",
    room: Any = None,
    assignee: Any = None,
    due_on: dt.date | None = None,
) -> PersonalNeed:
    """Record a personalised need from any contact (reception, visit, ticket, portal).

    `need_type` is a NeedType code. The customer must be one the actor can see (community and
    clearance); the room defaults to the customer's current room and the assignee to that
    room's steward, the due date to `care.needs.due_workdays` working days from today.
    """
    if source not in NeedSource.values:
        raise DomainError(_("需求来源无效。"), field="source")
    description = (description or "").strip()
    if not description:
        raise DomainError(_("请填写需求内容。"), field="description")
    kind = need_type_by_code(need_type)
    if customer is None:
        raise DomainError(_("请选择客户。"), field="customer")
    customer = _visible_customer(actor, customer)
    community_id = customer.community_id
    room = _visible_room(actor, room, community_id) if room is not None else home_room(customer)
    assignee = _check_assignee(assignee, community_id)
    if assignee is None:
        assignee = _area_steward(room)
    if assignee is None and _actor(actor) is not None and actor.community_id == community_id:
        assignee = actor
    today = timezone.localdate()
    if due_on is not None and due_on < today:
        raise DomainError(_("办理期限不能早于今天。"), field="due_on")
    need = PersonalNeed.objects.create(
        community_id=community_id,
        customer=customer,
        room=room,
        need_type=kind,
        description=description,
        source=source,
        source_ref=(source_ref or "")[:50],
        assignee=assignee,
        due_on=due_on or default_due_on(customer.community, today),
        created_by=_actor(actor),
    )
    _need_event(need, actor=actor, from_status="", to_status=need.status, note=_("登记"))
    audit.record(
        actor,
        "care.need.recorded",
        need,
        {"type": kind.code, "source": source, "assignee": getattr(assignee, "pk", None)},
    )
    _tell_assignee(need, actor)
    return need


def _check_version(need: PersonalNeed, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != need.version:
        raise DomainError(_("该需求已被他人修改，请刷新后重试。"), field="version")


def _save_need(need: PersonalNeed, fields: list[str]) -> PersonalNeed:
    """Compare-and-set on `version`: a concurrent change loses with a clear message."""
    values = {f: getattr(need, f) for f in fields}
    updated = PersonalNeed.objects.filter(pk=need.pk, version=need.version).update(
        **values, version=F("version") + 1, updated_at=timezone.now()
    )
    if updated != 1:
        raise DomainError(_("该需求已被他人修改，请刷新后重试。"), field="version")
    need.refresh_from_db()
    return need


@transaction.atomic
def set_need_status(
    need: PersonalNeed,
    *,
    actor: Any,
    status: str,
    result: str = "",
    note: str = "",
    expected_version: int | None = None,
) -> PersonalNeed:
    _check_version(need, expected_version)
    if status not in NeedStatus.values:
        raise DomainError(_("状态无效。"), field="status")
    if not need.can_transition_to(status):
        raise DomainError(
            _("“%(from)s”的需求不能改为“%(to)s”。")
            % {"from": need.get_status_display(), "to": NeedStatus(status).label},
            field="status",
        )
    result = (result or "").strip()
    note = (note or "").strip()
    if status == NeedStatus.DONE and not result:
        raise DomainError(_("完成需求请填写办理结果。"), field="result")
    if status == NeedStatus.CANCELLED and not (note or result):
        raise DomainError(_("取消需求请说明原因。"), field="note")
    old = need.status
    need.status = status
    fields = ["status"]
    if result:
        need.result = result
        fields.append("result")
    if status == NeedStatus.DONE:
        need.completed_at = timezone.now()
        fields.append("completed_at")
    _save_need(need, fields)
    _need_event(need, actor=actor, from_status=old, to_status=status, note=note or result)
    audit.record(actor, "care.need.status", need, {"from": old, "to": status})
    return need


@transaction.atomic
def assign_need(
    need: PersonalNeed,
    *,
    actor: Any,
    assignee: Any,
    due_on: dt.date | None = None,
    expected_version: int | None = None,
) -> PersonalNeed:
    _check_version(need, expected_version)
    if not need.is_open:
        raise DomainError(_("已办结的需求不能再指派。"), field="assignee")
    person = _check_assignee(assignee, need.community_id)
    if person is None:
        raise DomainError(_("请选择负责人。"), field="assignee")
    if due_on is not None and due_on < timezone.localdate():
        raise DomainError(_("办理期限不能早于今天。"), field="due_on")
    need.assignee = person
    fields = ["assignee"]
    if due_on is not None:
        need.due_on = due_on
        fields.append("due_on")
    _save_need(need, fields)
    _need_event(
        need,
        actor=actor,
        from_status=need.status,
        to_status=need.status,
        note=_("指派给 %(name)s") % {"name": person.display_name},
    )
    audit.record(actor, "care.need.assigned", need, {"assignee": person.pk})
    _tell_assignee(need, actor)
    return need


@transaction.atomic
def record_need_feedback(
    need: PersonalNeed, *, actor: Any, feedback: str, expected_version: int | None = None
) -> PersonalNeed:
    _check_version(need, expected_version)
    feedback = (feedback or "").strip()
    if not feedback:
        raise DomainError(_("请填写客户反馈。"), field="feedback")
    if need.status != NeedStatus.DONE:
        raise DomainError(_("需求完成后才能登记客户反馈。"), field="feedback")
    need.feedback = feedback
    _save_need(need, ["feedback"])
    _need_event(
        need, actor=actor, from_status=need.status, to_status=need.status, note=_("客户反馈")
    )
    audit.record(actor, "care.need.feedback", need)
    return need


# --- reception log ----------------------------------------------------------------------------


def _clean_phone(raw: str) -> str:
    from linli.customers.parsing import ParseError, parse_phone

    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        return parse_phone(raw)
    except ParseError as error:
        raise DomainError(str(error), field="caller_phone") from error


@transaction.atomic
def log_contact(
    community: Any,
    *,
    actor: Any,
    channel: str,
    subject: str,
    topic: str = Topic.ENQUIRY,
    outcome: str = Outcome.ANSWERED,
    received_at: dt.datetime | None = None,
    customer: Any = None,
    room: Any = None,
    caller_name: str = "",
    caller_phone: str = "",
    reply: str = "",
    rings: int | None = None,
) -> ReceptionEntry:
    """One line of the reception log. Either a known customer or the caller's name."""
    if channel not in Channel.values:
        raise DomainError(_("接待渠道无效。"), field="channel")
    if topic not in Topic.values:
        raise DomainError(_("类别无效。"), field="topic")
    # Ticket and need outcomes are set by converting the entry, never typed in.
    if outcome not in (Outcome.ANSWERED, Outcome.FOLLOW_UP, Outcome.REFERRED):
        raise DomainError(_("处理结果无效。"), field="outcome")
    subject = (subject or "").strip()
    if not subject:
        raise DomainError(_("请填写事由。"), field="subject")
    if len(subject) > SUBJECT_MAX:
        raise DomainError(_("事由最多 %(n)d 个字。") % {"n": SUBJECT_MAX}, field="subject")
    caller_name = (caller_name or "").strip()[:CALLER_NAME_MAX]
    if customer is not None:
        customer = _visible_customer(actor, customer)
        if customer.community_id != community.pk:
            raise DomainError(_("客户不属于该小区。"), field="customer")
        room = room if room is not None else home_room(customer)
    elif not caller_name:
        raise DomainError(_("请选择客户，或填写来访人/来电人姓名。"), field="caller_name")
    room = _visible_room(actor, room, community.pk) if room is not None else None
    now = timezone.now()
    received_at = received_at or now
    if received_at > now + dt.timedelta(minutes=5):
        raise DomainError(_("接待时间不能晚于现在。"), field="received_at")
    if rings is not None and (rings < 0 or rings > 99):
        raise DomainError(_("响铃次数无效。"), field="rings")
    entry = ReceptionEntry.objects.create(
        community=community,
        channel=channel,
        received_at=received_at,
        customer=customer,
        room=room,
        caller_name=caller_name or (customer.name if customer else ""),
        caller_phone=_clean_phone(caller_phone),
        topic=topic,
        subject=subject,
        outcome=outcome,
        reply=(reply or "").strip(),
        rings=rings if channel == Channel.PHONE else None,
        handled_by=actor,
    )
    audit.record(actor, "care.reception.logged", entry, {"channel": channel, "outcome": outcome})
    return entry


def _save_entry(entry: ReceptionEntry, fields: list[str]) -> ReceptionEntry:
    values = {f: getattr(entry, f) for f in fields}
    updated = ReceptionEntry.objects.filter(pk=entry.pk, version=entry.version).update(
        **values, version=F("version") + 1, updated_at=timezone.now()
    )
    if updated != 1:
        raise DomainError(_("该登记已被他人修改，请刷新后重试。"), field="version")
    entry.refresh_from_db()
    return entry


def _convertible(entry: ReceptionEntry) -> None:
    if entry.ticket_id or entry.need_id:
        raise DomainError(_("该登记已转为诉求或需求。"), field="outcome")


@transaction.atomic
def close_entry(entry: ReceptionEntry, *, actor: Any, reply: str) -> ReceptionEntry:
    """A 待跟进 entry is answered after all: who followed up, when, and what was said."""
    if not entry.is_open:
        raise DomainError(_("只有待跟进的登记需要办结。"), field="outcome")
    reply = (reply or "").strip()
    if not reply:
        raise DomainError(_("请填写跟进情况。"), field="reply")
    entry.outcome = Outcome.ANSWERED
    entry.reply = f"{entry.reply}\n{reply}".strip() if entry.reply else reply
    entry.closed_at = timezone.now()
    entry.closed_by = actor
    _save_entry(entry, ["outcome", "reply", "closed_at", "closed_by"])
    audit.record(actor, "care.reception.closed", entry)
    return entry


TOPIC_TO_TICKET_KIND = {
    Topic.REPAIR: "repair",
    Topic.COMPLAINT: "complaint",
    Topic.SUGGESTION: "suggestion",
    Topic.PRAISE: "praise",
}
CHANNEL_TO_TICKET_CHANNEL = {
    Channel.PHONE: "phone",
    Channel.VISIT: "front_desk",
    Channel.LETTER: "letter",
    Channel.WECHAT: "wechat",
    Channel.EMAIL: "letter",
    Channel.OTHER: "front_desk",
}


def ticket_kind_for(entry: ReceptionEntry) -> str:
    return TOPIC_TO_TICKET_KIND.get(Topic(entry.topic), "enquiry")


@transaction.atomic
def convert_to_ticket(
    entry: ReceptionEntry,
    *,
    actor: Any,
    kind: str,
    category: Any,
    description: str = "",
    severity: str = "ordinary",
) -> Any:
    """转为诉求: open a ticket prefilled from the entry; the entry then points at it."""
    from linli.tickets.services import open_ticket

    _convertible(entry)
    if category is None:
        raise DomainError(_("请选择诉求类别。"), field="category")
    ticket = open_ticket(
        entry.community,
        kind=kind,
        channel=CHANNEL_TO_TICKET_CHANNEL[Channel(entry.channel)],
        category=category,
        title=entry.subject[:30],
        description=(description or "").strip() or entry.subject,
        actor=actor,
        customer=entry.customer,
        room=entry.room,
        contact_name="" if entry.customer_id else entry.caller_name,
        contact_phone="" if entry.customer_id else entry.caller_phone,
        severity=severity,
        opened_at=entry.received_at,
    )
    entry.ticket = ticket
    entry.outcome = Outcome.TICKET
    _save_entry(entry, ["ticket", "outcome"])
    audit.record(actor, "care.reception.to_ticket", entry, {"ticket": ticket.pk})
    return ticket


@transaction.atomic
def convert_to_need(
    entry: ReceptionEntry,
    *,
    actor: Any,
    need_type: str,
    description: str = "",
    assignee: Any = None,
    due_on: dt.date | None = None,
) -> PersonalNeed:
    """登记个性化需求 from a reception entry of a known customer."""
    _convertible(entry)
    if entry.customer_id is None:
        raise DomainError(_("个性化需求须关联客户，请先选择客户。"), field="customer")
    need = record_need(
        actor=actor,
        customer=entry.customer,
        description=(description or "").strip() or entry.subject,
        need_type=need_type,
        source=NeedSource.RECEPTION,
        source_ref=str(entry.pk),
        room=entry.room,
        assignee=assignee,
        due_on=due_on,
    )
    entry.need = need
    entry.outcome = Outcome.NEED
    _save_entry(entry, ["need", "outcome"])
    audit.record(actor, "care.reception.to_need", entry, {"need": need.pk})
    return need


# --- end-of-day check -------------------------------------------------------------------------


@transaction.atomic
def check_day(community: Any, day: dt.date, *, actor: Any, note: str = "") -> DailyCheck:
    """The supervisor ticks the day as checked; the counts are kept as they stood then."""
    from linli.care.reception import selectors

    if day > timezone.localdate():
        raise DomainError(_("不能检查未来的日期。"), field="day")
    if DailyCheck.objects.filter(community=community, day=day).exists():
        raise DomainError(_("该日已完成日终检查。"), field="day")
    summary = selectors.day_summary(actor, community.pk, day)
    check = DailyCheck.objects.create(
        community=community,
        day=day,
        checked_by=actor,
        checked_at=timezone.now(),
        open_entries=len(summary.open_entries),
        visits_owed=len(summary.return_visits),
        needs_due=len(summary.needs_due),
        note=(note or "").strip(),
    )
    audit.record(actor, "care.reception.day_checked", check, {"day": day.isoformat()})
    return check
