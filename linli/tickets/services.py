"""Every write to a ticket: validate, change with compare-and-set, history row, audit, outbox."""

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
from linli.core.errors import DomainError
from linli.customers.parsing import ParseError, parse_phone
from linli.notify import services as notify
from linli.org.models import Department
from linli.org.roles import Perm, Role
from linli.tickets import deadlines, rules
from linli.tickets.models import (
    Kind,
    Level,
    Reply,
    ReturnVisit,
    Severity,
    Status,
    Ticket,
    TicketEvent,
    Validity,
)  # fmt: skip

E = TicketEvent.Kind


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _event(
    ticket: Ticket,
    kind: str,
    *,
    actor: Any = None,
    note: str = "",
    actor_label: str = "",
    **data: Any,
) -> TicketEvent:
    return TicketEvent.objects.create(
        community_id=ticket.community_id, ticket=ticket, kind=kind, actor=_actor(actor),
        actor_label=actor_label, note=note, data={k: v for k, v in data.items() if k not in ("from_status", "to_status")},
        from_status=data.get("from_status", ""), to_status=data.get("to_status", ""),
    )  # fmt: skip


def _link(ticket: Ticket) -> str:
    return reverse("tickets:detail", args=[ticket.pk])


def _tell_staff(
    people: list[Any],
    ticket: Ticket,
    subject: str,
    body: str = "",
    *,
    kind: str,
    key: str | None = None,
) -> None:
    notify.notify_staff(
        people,
        subject=subject,
        body=body or ticket.title,
        link=_link(ticket),
        kind=kind,
        dedupe_key=key,
    )


def _tell_customer(ticket: Ticket, text: str, *, kind: str, key: str | None = None) -> None:
    """An SMS to the contact number (delivered by the worker through the outbox)."""
    if ticket.contact_phone:
        notify.enqueue(
            channel="sms", kind=kind, subject=text, body=text, address=ticket.contact_phone,
            community_id=ticket.community_id, dedupe_key=key,
        )  # fmt: skip


def _transition(
    ticket: Ticket, to: str, *, actor: Any, note: str = "", kind: str = E.STATUS, **changes: Any
) -> Ticket:
    """Compare-and-set on status and version; refuses a stale or disallowed change."""
    if not ticket.can_transition_to(to):
        raise DomainError(
            _("当前状态“%(from)s”不能变为“%(to)s”。")
            % {"from": ticket.get_status_display(), "to": Status(to).label}
        )
    now = timezone.now()
    updated = Ticket.objects.filter(
        pk=ticket.pk, status=ticket.status, version=ticket.version
    ).update(status=to, version=F("version") + 1, updated_at=now, **changes)
    if updated != 1:
        raise DomainError(_("该诉求已被他人处理，请刷新后再操作。"))
    from_status = ticket.status
    ticket.refresh_from_db()
    _event(ticket, kind, actor=actor, note=note, from_status=from_status, to_status=to)
    return ticket


def _update(ticket: Ticket, **changes: Any) -> Ticket:
    """A guarded change that does not move the status (version check only)."""
    updated = Ticket.objects.filter(pk=ticket.pk, version=ticket.version).update(
        version=F("version") + 1, updated_at=timezone.now(), **changes
    )
    if updated != 1:
        raise DomainError(_("该诉求已被他人修改，请刷新后再操作。"))
    ticket.refresh_from_db()
    return ticket


# --- intake -----------------------------------------------------------------------------------
@transaction.atomic
def open_ticket(
    community: Any, *, kind: str, channel: str, category: Any, title: str, description: str, actor: Any,
    customer: Any = None, room: Any = None, contact_name: str = "", contact_phone: str = "",
    severity: str = Severity.ORDINARY, received_by_company: bool | None = None, opened_at: dt.datetime | None = None,
    actor_label: str = "",
) -> Ticket:  # fmt: skip
    """One intake for every channel. The receiver owns the ticket (首问负责制) until handed over."""
    if kind not in Kind.values:
        raise DomainError(_("诉求类型无效。"), field="kind")
    if severity not in Severity.values:
        raise DomainError(_("严重程度无效。"), field="severity")
    title, description = (title or "").strip(), (description or "").strip()
    if not description:
        raise DomainError(_("请填写诉求内容。"), field="description")
    title = title or description[:30]
    if customer is not None and customer.community_id != community.pk:
        raise DomainError(_("客户不属于该小区。"), field="customer")
    if room is not None and room.community_id != community.pk:
        raise DomainError(_("房间不属于该小区。"), field="room")
    if customer is not None:
        contact_name = contact_name or customer.name
        contact_phone = contact_phone or customer.mobile
    if contact_phone:
        try:
            contact_phone = parse_phone(contact_phone)
        except ParseError as error:
            raise DomainError(str(error), field="contact_phone") from error
    opened_at = opened_at or timezone.now()
    if received_by_company is None:
        received_by_company = bool(_actor(actor) and actor.is_company_wide)
    factor = deadlines.sla_factor_for(customer, opened_at)
    due = deadlines.compute(
        kind=kind, severity=severity, opened_at=opened_at, community_id=community.pk, factor=factor
    )
    reason = rules.company_level_reason(
        kind=kind, severity=severity, customer=customer, category_id=category.pk, received_by_company=received_by_company,
        opened_at=opened_at, community_id=community.pk,
    )  # fmt: skip
    staff_intake = _actor(actor) is not None
    owner = actor if staff_intake else _area_steward(room)
    status = Status.ACCEPTED if staff_intake else Status.NEW
    ticket = Ticket.objects.create(
        community=community, kind=kind, channel=channel, category=category, title=title[:100], description=description,
        customer=customer, room=room, contact_name=contact_name[:50], contact_phone=contact_phone, severity=severity,
        level=rules.initial_level(reason), level_reason=reason, received_by=_actor(actor),
        received_by_company=received_by_company, owner=owner, assignee=owner, status=status, opened_at=opened_at,
        dispatch_by=due.dispatch_by, respond_by=due.respond_by, resolve_by=due.resolve_by, sla_factor=factor,
        responded_at=opened_at if staff_intake else None, next_escalation_at=due.resolve_by if staff_intake else due.respond_by,
        remind_at=_remind_at(due.resolve_by if staff_intake else due.respond_by, opened_at),
        company_check_by=opened_at + dt.timedelta(days=int(policy.value("tickets.company_check.within_days", at=opened_at)))
        if received_by_company and kind == Kind.COMPLAINT else None,
    )  # fmt: skip
    Ticket.objects.filter(pk=ticket.pk).update(
        number=f"{community.code}{opened_at:%y%m%d}{ticket.pk:05d}"
    )
    ticket.refresh_from_db()
    _event(ticket, E.OPENED, actor=actor, actor_label=actor_label, to_status=status,
           channel=channel, severity=severity, level=ticket.level)  # fmt: skip
    if reason:
        _event(ticket, E.LEVEL_RAISED, note=reason)
        _tell_staff(rules.responsible_staff(rules.FIRST_COMPANY_STEP, community.pk), ticket,
                    _("公司级投诉：%(title)s") % {"title": ticket.title}, reason, kind="tickets.company_level")  # fmt: skip
    if owner is not None and owner != _actor(actor):
        _tell_staff(
            [owner],
            ticket,
            _("新诉求：%(title)s") % {"title": ticket.title},
            kind="tickets.assigned",
        )
    _tell_customer(ticket, (_("【邻里】您的%(kind)s已受理，编号 %(number)s，我们会尽快处理。") if staff_intake else _("【邻里】已收到您的%(kind)s，编号 %(number)s，我们会尽快受理。")) % {"kind": ticket.get_kind_display(), "number": ticket.number},
                   kind="tickets.received", key=f"ticket-received-{ticket.pk}")  # fmt: skip
    audit.record(
        actor,
        "tickets.ticket.opened",
        ticket,
        {"number": ticket.number, "kind": kind, "level": ticket.level},
    )
    return ticket


def _area_steward(room: Any) -> Any:
    if room is not None and room.area_id and room.area.steward_id:
        return room.area.steward
    return None


def _remind_at(deadline: dt.datetime | None, opened_at: dt.datetime) -> dt.datetime | None:
    if deadline is None:
        return None
    hours = int(policy.value("tickets.remind.before_hours", at=opened_at))
    return max(deadline - dt.timedelta(hours=hours), opened_at) if hours else None


# --- handling ---------------------------------------------------------------------------------
@transaction.atomic
def accept(ticket: Ticket, *, actor: Any) -> Ticket:
    ticket = _transition(ticket, Status.ACCEPTED, actor=actor, responded_at=timezone.now(), owner=actor,
                         next_escalation_at=ticket.resolve_by, remind_at=_remind_at(ticket.resolve_by, timezone.now()))  # fmt: skip
    audit.record(actor, "tickets.ticket.accepted", ticket)
    return ticket


def _check_assignee(ticket: Ticket, assignee: Any, category_engineering: bool) -> None:
    if assignee is None:
        return
    if not assignee.is_active or not assignee.role:
        raise DomainError(_("该人员不能接收派单。"), field="assignee")
    if assignee.community_id == ticket.community_id:
        return
    if assignee.community_id is None and (
        (category_engineering and assignee.role == Role.ENGINEERING_MANAGER)
        or Perm.TICKETS_COMPANY_LEVEL in assignee.perms
    ):
        return
    raise DomainError(_("不能派单给本小区以外的人员。"), field="assignee")


@transaction.atomic
def dispatch(
    ticket: Ticket, *, actor: Any, assignee: Any = None, department: Department | None = None,
    coordinator: Any = None, note: str = "",
) -> Ticket:  # fmt: skip
    """Send to a department and/or a person; several departments have a coordinator."""
    if assignee is None and department is None:
        raise DomainError(_("请选择处理人或责任部门。"), field="assignee")
    _check_assignee(ticket, assignee, ticket.category.engineering)
    _check_assignee(ticket, coordinator, ticket.category.engineering)
    if department is not None and department.community_id not in (None, ticket.community_id):
        raise DomainError(_("不能派单给其他小区的部门。"), field="department")
    kind = (
        E.TRANSFERRED if ticket.status in (Status.DISPATCHED, Status.IN_PROGRESS) else E.DISPATCHED
    )
    now = timezone.now()
    ticket = _transition(
        ticket, Status.DISPATCHED, actor=actor, note=note, kind=kind, assignee=assignee, department=department,
        coordinator=coordinator, dispatched_at=ticket.dispatched_at or now, responded_at=ticket.responded_at or now,
    )  # fmt: skip
    TicketEvent.objects.filter(pk=ticket.events.latest("pk").pk).update(
        data={
            "assignee": getattr(assignee, "display_name", ""),
            "department": str(department or ""),
        }
    )
    people = [p for p in (assignee, coordinator) if p is not None]
    _tell_staff(
        people,
        ticket,
        _("派单：%(title)s") % {"title": ticket.title},
        note,
        kind="tickets.assigned",
    )
    audit.record(
        actor,
        f"tickets.ticket.{kind}",
        ticket,
        {"assignee": getattr(assignee, "pk", None), "department": getattr(department, "pk", None)},
    )
    return ticket


@transaction.atomic
def start(ticket: Ticket, *, actor: Any) -> Ticket:
    ticket = _transition(
        ticket, Status.IN_PROGRESS, actor=actor, responded_at=ticket.responded_at or timezone.now()
    )
    return ticket


@transaction.atomic
def hand_over(ticket: Ticket, new_owner: Any, *, actor: Any, note: str = "") -> Ticket:
    """首问负责 moves to another person explicitly."""
    _check_assignee(ticket, new_owner, False)
    old = ticket.owner
    ticket = _update(ticket, owner=new_owner)
    _event(
        ticket,
        E.HANDED_OVER,
        actor=actor,
        note=note,
        old=getattr(old, "display_name", ""),
        new=new_owner.display_name,
    )
    _tell_staff(
        [new_owner],
        ticket,
        _("诉求移交给您：%(title)s") % {"title": ticket.title},
        note,
        kind="tickets.assigned",
    )
    return ticket


@transaction.atomic
def add_note(ticket: Ticket, body: str, *, actor: Any, to_customer: bool = False) -> TicketEvent:
    body = (body or "").strip()
    if not body:
        raise DomainError(_("请填写内容。"), field="body")
    event = _event(ticket, E.REPLY if to_customer else E.NOTE, actor=actor, note=body)
    if to_customer:
        _tell_customer(ticket, _("【邻里】您的诉求 %(number)s 有新进展：%(body)s") % {"number": ticket.number, "body": body[:60]},
                       kind="tickets.progress")  # fmt: skip
    return event


@transaction.atomic
def pause(ticket: Ticket, *, actor: Any, reason: str) -> Ticket:
    """Waiting for the customer: the clock stops; resuming moves the deadlines by the pause."""
    if not ticket.is_open or ticket.is_paused:
        raise DomainError(_("只有处理中的诉求可以暂停计时。"))
    if not (reason or "").strip():
        raise DomainError(_("请说明暂停原因。"), field="reason")
    ticket = _update(ticket, paused_at=timezone.now())
    _event(ticket, E.PAUSED, actor=actor, note=reason)
    return ticket


@transaction.atomic
def resume(ticket: Ticket, *, actor: Any) -> Ticket:
    if not ticket.is_paused:
        raise DomainError(_("该诉求没有暂停。"))
    assert ticket.paused_at is not None
    paused = timezone.now() - ticket.paused_at
    shift = lambda value: value + paused if value else value  # noqa: E731
    ticket = _update(
        ticket, paused_at=None, paused_seconds=ticket.paused_seconds + int(paused.total_seconds()),
        respond_by=shift(ticket.respond_by) if ticket.responded_at is None else ticket.respond_by,
        resolve_by=shift(ticket.resolve_by), next_escalation_at=shift(ticket.next_escalation_at),
        remind_at=shift(ticket.remind_at),
    )  # fmt: skip
    _event(ticket, E.RESUMED, actor=actor, paused_minutes=int(paused.total_seconds() // 60))
    return ticket


@transaction.atomic
def set_validity(ticket: Ticket, validity: str, *, actor: Any, reason: str = "") -> Ticket:
    """有效 (about the office's promised services) or 无效 (explained to the customer in time)."""
    if ticket.kind != Kind.COMPLAINT:
        raise DomainError(_("只有投诉需要认定有效性。"))
    if validity not in (Validity.VALID, Validity.INVALID):
        raise DomainError(_("有效性无效。"), field="validity")
    if validity == Validity.INVALID and not (reason or "").strip():
        raise DomainError(_("认定为无效投诉须说明原因。"), field="reason")
    now = timezone.now()
    explain_by = (
        now + dt.timedelta(days=int(policy.value("tickets.invalid.explain_within_days", at=now)))
        if validity == Validity.INVALID
        else None
    )
    ticket = _update(
        ticket,
        validity=validity,
        invalid_reason=reason if validity == Validity.INVALID else "",
        explain_by=explain_by,
    )
    _event(ticket, E.VALIDITY, actor=actor, note=reason, validity=validity)
    return ticket


@transaction.atomic
def mark_explained(ticket: Ticket, *, actor: Any, note: str) -> Ticket:
    if ticket.validity != Validity.INVALID:
        raise DomainError(_("只有无效投诉需要向客户解释。"))
    ticket = _update(ticket, explained_at=timezone.now())
    _event(ticket, E.EXPLAINED, actor=actor, note=note)
    return ticket


def _needs_written_reply(ticket: Ticket) -> bool:
    return (
        ticket.kind == Kind.COMPLAINT
        and ticket.severity == Severity.MAJOR
        and bool(policy.value("tickets.reply.written_for_major", at=ticket.opened_at))
    )


@transaction.atomic
def resolve(
    ticket: Ticket, *, actor: Any, resolution: str, cause: Any = None, corrective_action: str = ""
) -> Ticket:
    """Work done. A valid complaint needs its cause and corrective action (经验教训)."""
    resolution = (resolution or "").strip()
    if not resolution:
        raise DomainError(_("请填写处理结果。"), field="resolution")
    if ticket.kind == Kind.COMPLAINT and ticket.validity != Validity.INVALID:
        if ticket.validity == Validity.UNDETERMINED:
            raise DomainError(_("请先认定投诉是否有效。"), field="validity")
        if cause is None or not (corrective_action or "").strip():
            raise DomainError(_("有效投诉须填写原因类别和纠正措施。"), field="cause")
    if (
        _needs_written_reply(ticket)
        and not ticket.replies.filter(
            status__in=[Reply.Status.APPROVED, Reply.Status.SENT]
        ).exists()
    ):
        raise DomainError(_("重大投诉须先完成书面答复的审核与审批。"))
    if ticket.is_paused:
        ticket = resume(ticket, actor=actor)
    now = timezone.now()
    due = deadlines.return_visit_due(kind=ticket.kind, resolved_at=now)
    ticket = _transition(
        ticket, Status.RESOLVED, actor=actor, note=resolution, kind=E.RESOLVED, resolved_at=now, resolution=resolution,
        cause=cause, corrective_action=corrective_action.strip(), return_visit_by=due, next_escalation_at=None, remind_at=None,
    )  # fmt: skip
    if due is not None:
        visitor = _return_visitor(ticket)
        ReturnVisit.objects.create(
            community_id=ticket.community_id, ticket=ticket, assigned_to=visitor, due_at=due
        )
        if visitor is not None:
            _tell_staff(
                [visitor],
                ticket,
                _("待回访：%(title)s") % {"title": ticket.title},
                kind="tickets.return_visit",
            )
    _tell_customer(ticket, _("【邻里】您的诉求 %(number)s 已处理完毕：%(r)s") % {"number": ticket.number, "r": resolution[:60]},
                   kind="tickets.resolved", key=f"ticket-resolved-{ticket.pk}-{ticket.reopened_count}")  # fmt: skip
    audit.record(actor, "tickets.ticket.resolved", ticket, {"cause": getattr(cause, "pk", None)})
    return ticket


def _return_visitor(ticket: Ticket) -> Any:
    """Major complaints are visited by the office head; others by the owner (or the steward)."""
    if ticket.kind == Kind.COMPLAINT and ticket.severity == Severity.MAJOR:
        heads = rules.responsible_staff(
            rules.ESCALATION_CHAIN.index(Role.OFFICE_MANAGER), ticket.community_id
        )
        if heads:
            return heads[0]
    return ticket.owner or _area_steward(ticket.room)


@transaction.atomic
def record_return_visit(
    visit: ReturnVisit,
    *,
    actor: Any,
    method: str,
    satisfaction: int,
    words: str = "",
    actor_label: str = "",
) -> Ticket:
    """The customer's satisfaction; at or below the policy's level the ticket is reopened and escalated."""
    if visit.done_at is not None:
        raise DomainError(_("该回访已完成。"))
    if satisfaction not in ReturnVisit.Satisfaction.values:
        raise DomainError(_("满意度无效。"), field="satisfaction")
    if method not in ReturnVisit.Method.values:
        raise DomainError(_("回访方式无效。"), field="method")
    now = timezone.now()
    if (
        ReturnVisit.objects.filter(pk=visit.pk, done_at__isnull=True).update(
            done_at=now,
            done_by=_actor(actor),
            method=method,
            satisfaction=satisfaction,
            words=words.strip(),
            updated_at=now,
        )
        != 1
    ):
        raise DomainError(_("该回访已完成。"))
    ticket = visit.ticket
    ticket = _transition(
        ticket,
        Status.RETURN_VISITED,
        actor=actor,
        kind=E.RETURN_VISIT,
        note=words.strip(),
        satisfaction=satisfaction,
    )
    TicketEvent.objects.filter(pk=ticket.events.latest("pk").pk).update(
        actor_label=actor_label, data={"satisfaction": satisfaction, "method": method}
    )
    threshold = int(policy.value("tickets.return_visit.reopen_at_or_below", at=now))
    if satisfaction <= threshold:
        ticket = reopen(
            ticket,
            actor=actor,
            reason=_("回访不满意：%(w)s")
            % {"w": words.strip() or ReturnVisit.Satisfaction(satisfaction).label},
        )
        ticket = escalate(ticket, actor=actor, reason=_("回访不满意"))
    audit.record(actor, "tickets.ticket.return_visited", ticket, {"satisfaction": satisfaction})
    return ticket


@transaction.atomic
def reopen(ticket: Ticket, *, actor: Any, reason: str) -> Ticket:
    if not (reason or "").strip():
        raise DomainError(_("请说明重新处理的原因。"), field="reason")
    now = timezone.now()
    due = deadlines.compute(
        kind=ticket.kind,
        severity=ticket.severity,
        opened_at=now,
        community_id=ticket.community_id,
        factor=ticket.sla_factor,
    )
    ticket = _transition(
        ticket, Status.IN_PROGRESS, actor=actor, note=reason, kind=E.REOPENED, reopened_count=F("reopened_count") + 1,
        resolved_at=None, closed_at=None, resolve_by=due.resolve_by, next_escalation_at=due.resolve_by,
        remind_at=_remind_at(due.resolve_by, now),
    )  # fmt: skip
    targets = [p for p in (ticket.assignee, ticket.owner) if p is not None]
    _tell_staff(
        targets,
        ticket,
        _("诉求重新处理：%(title)s") % {"title": ticket.title},
        reason,
        kind="tickets.reopened",
    )
    return ticket


@transaction.atomic
def close(ticket: Ticket, *, actor: Any, note: str = "") -> Ticket:
    if (
        ticket.status == Status.RESOLVED
        and ticket.return_visits.filter(done_at__isnull=True).exists()
    ):
        raise DomainError(_("请先完成回访再关闭。"))
    if ticket.validity == Validity.INVALID and ticket.explained_at is None:
        raise DomainError(_("无效投诉须先向客户解释。"))
    ticket = _transition(
        ticket, Status.CLOSED, actor=actor, note=note, kind=E.CLOSED, closed_at=timezone.now()
    )
    audit.record(actor, "tickets.ticket.closed", ticket)
    return ticket


@transaction.atomic
def cancel(ticket: Ticket, *, actor: Any, reason: str) -> Ticket:
    if not (reason or "").strip():
        raise DomainError(_("请说明撤销原因。"), field="reason")
    ticket = _transition(
        ticket,
        Status.CANCELLED,
        actor=actor,
        note=reason,
        kind=E.CANCELLED,
        next_escalation_at=None,
        remind_at=None,
    )
    audit.record(actor, "tickets.ticket.cancelled", ticket, {"reason": reason})
    return ticket


@transaction.atomic
def company_check(ticket: Ticket, *, actor: Any, note: str) -> Ticket:
    """The company checks the outcome of a complaint it forwarded to the office."""
    if not ticket.received_by_company:
        raise DomainError(_("只有公司受理的投诉需要公司复核。"))
    if ticket.status not in (Status.RESOLVED, Status.RETURN_VISITED, Status.CLOSED):
        raise DomainError(_("诉求处理完成后才能复核。"))
    ticket = _update(ticket, company_checked_at=timezone.now())
    _event(ticket, E.COMPANY_CHECKED, actor=actor, note=note)
    return ticket


# --- supervision ------------------------------------------------------------------------------
@transaction.atomic
def press(ticket: Ticket, *, actor: Any, note: str = "") -> Ticket:
    """催办: a supervisor presses the people handling an open ticket."""
    if not ticket.is_open:
        raise DomainError(_("只有未办结的诉求可以催办。"))
    _event(ticket, E.PRESSED, actor=actor, note=note)
    targets = [
        p
        for p in (ticket.assignee, ticket.owner, ticket.coordinator)
        if p is not None and p != actor
    ]
    _tell_staff(
        targets,
        ticket,
        _("催办：%(title)s") % {"title": ticket.title},
        note,
        kind="tickets.pressed",
    )
    return ticket


@transaction.atomic
def escalate(
    ticket: Ticket, *, actor: Any = None, reason: str, now: dt.datetime | None = None
) -> Ticket:
    """One step up the chain; two workers never escalate the same step twice (compare-and-set)."""
    now = now or timezone.now()
    top = len(rules.ESCALATION_CHAIN) - 1
    level = ticket.escalation_level
    if level >= top and ticket.level == Level.COMPANY:
        return ticket
    new_level = min(level + 1, top)
    changes: dict[str, Any] = {
        "escalation_level": new_level, "is_overdue": ticket.is_overdue or _is_breached(ticket, now),
        "next_escalation_at": deadlines.escalation_repeat(now, ticket.community_id) if ticket.is_open else None,
        "updated_at": now, "version": F("version") + 1,
    }  # fmt: skip
    raise_to_company = ticket.level == Level.OFFICE and (
        new_level >= rules.FIRST_COMPANY_STEP or ticket.kind == Kind.COMPLAINT
    )
    if raise_to_company:
        changes.update(level=Level.COMPANY, level_reason=_("管理处级处理超时或不满意"))
    if Ticket.objects.filter(pk=ticket.pk, escalation_level=level).update(**changes) != 1:
        ticket.refresh_from_db()
        return ticket  # another worker or person got there first
    ticket.refresh_from_db()
    _event(ticket, E.ESCALATED, actor=actor, actor_label="" if actor else _("系统"), note=reason, level=new_level,
           role=str(rules.ESCALATION_CHAIN[new_level].label))  # fmt: skip
    people = rules.responsible_staff(new_level, ticket.community_id)
    if raise_to_company:
        _event(
            ticket,
            E.LEVEL_RAISED,
            actor=actor,
            actor_label="" if actor else _("系统"),
            note=ticket.level_reason,
        )
        people += rules.responsible_staff(rules.FIRST_COMPANY_STEP, ticket.community_id)
    _tell_staff(people, ticket, _("升级督办：%(title)s") % {"title": ticket.title}, reason, kind="tickets.escalated",
                key=f"ticket-escalated-{ticket.pk}-{new_level}")  # fmt: skip
    audit.record(actor, "tickets.ticket.escalated", ticket, {"level": new_level, "reason": reason})
    return ticket


def _is_breached(ticket: Ticket, now: dt.datetime) -> bool:
    if ticket.responded_at is None and ticket.respond_by and ticket.respond_by < now:
        return True
    return bool(ticket.resolve_by and ticket.resolve_by < now and ticket.resolved_at is None)


def escalate_due(now: dt.datetime | None = None, limit: int = 500) -> int:
    """The sweep: every open, unpaused ticket whose escalation time has come goes up one step."""
    now = now or timezone.now()
    due = (
        Ticket.objects.open()
        .filter(next_escalation_at__lte=now, paused_at__isnull=True)
        .order_by("next_escalation_at")[:limit]
    )
    count = 0
    for ticket in due:
        reason = _("响应超时") if ticket.responded_at is None else _("解决超时")
        before = ticket.escalation_level
        ticket = escalate(ticket, reason=reason, now=now)
        count += int(ticket.escalation_level != before)
    return count


def remind_due(now: dt.datetime | None = None, limit: int = 500) -> int:
    """Reminders before a deadline, once per deadline (the reminder time is cleared by compare-and-set)."""
    now = now or timezone.now()
    count = 0
    for ticket in Ticket.objects.open().filter(remind_at__lte=now, paused_at__isnull=True)[:limit]:
        with transaction.atomic():
            if (
                Ticket.objects.filter(pk=ticket.pk, remind_at=ticket.remind_at).update(
                    remind_at=None
                )
                != 1
            ):
                continue
            deadline = ticket.resolve_by if ticket.responded_at else ticket.respond_by
            _event(ticket, E.REMINDED, actor_label=_("系统"))
            targets = [p for p in (ticket.assignee, ticket.owner) if p is not None]
            _tell_staff(targets, ticket, _("即将到期：%(title)s") % {"title": ticket.title},
                        _("期限 %(at)s") % {"at": timezone.localtime(deadline).strftime("%m-%d %H:%M") if deadline else "—"},
                        kind="tickets.due_soon", key=f"ticket-due-{ticket.pk}-{deadline.isoformat() if deadline else ''}")  # fmt: skip
            count += 1
    return count


# --- written replies --------------------------------------------------------------------------
@transaction.atomic
def draft_reply(ticket: Ticket, body: str, *, actor: Any) -> Reply:
    if not (body or "").strip():
        raise DomainError(_("请填写答复内容。"), field="body")
    return Reply.objects.create(
        community_id=ticket.community_id, ticket=ticket, body=body.strip(), author=actor
    )


@transaction.atomic
def advance_reply(reply: Reply, *, actor: Any) -> Reply:
    """draft → reviewed (supervisor) → approved (manager) → sent; each step by another person."""
    steps: dict[str, tuple[str, str, str]] = {
        Reply.Status.DRAFT: (Reply.Status.REVIEWED, Perm.TICKETS_SUPERVISE, "reviewer"),
        Reply.Status.REVIEWED: (Reply.Status.APPROVED, Perm.TICKETS_APPROVE_REPLY, "approver"),
        Reply.Status.APPROVED: (Reply.Status.SENT, Perm.TICKETS_HANDLE, ""),
    }
    if reply.status not in steps:
        raise DomainError(_("该答复已发送。"))
    to, code, field = steps[reply.status]
    if code not in actor.perms:
        from linli.core.http import missing_permission

        raise missing_permission(code)
    if field and actor.pk == reply.author_id:
        raise DomainError(_("答复须由他人审核和审批。"))
    changes: dict[str, Any] = {"status": to, "updated_at": timezone.now()}
    if field:
        changes[field] = actor
    if to == Reply.Status.SENT:
        changes["sent_at"] = timezone.now()
    if Reply.objects.filter(pk=reply.pk, status=reply.status).update(**changes) != 1:
        raise DomainError(_("该答复已被他人处理。"))
    reply.refresh_from_db()
    if to == Reply.Status.SENT:
        add_note(reply.ticket, reply.body, actor=actor, to_customer=True)
    return reply


# --- photos -----------------------------------------------------------------------------------
IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp"}


def check_photos(files: list[Any], *, existing: int = 0) -> None:
    """Photos are checked by content, not name: JPEG/PNG/WebP only, within the policy's size and count."""
    import filetype

    max_mb = int(policy.value("tickets.upload.max_mb"))
    max_files = int(policy.value("tickets.upload.max_files"))
    if existing + len(files) > max_files:
        raise DomainError(_("每条诉求最多 %(n)s 张照片。") % {"n": max_files}, field="photos")
    for upload in files:
        if upload.size > max_mb * 1024 * 1024:
            raise DomainError(
                _("照片“%(name)s”超过 %(mb)s MB。") % {"name": upload.name, "mb": max_mb},
                field="photos",
            )
        head = upload.read(261)
        upload.seek(0)
        kind = filetype.guess(head)
        if kind is None or kind.mime not in IMAGE_TYPES:
            raise DomainError(
                _("“%(name)s”不是 JPEG、PNG 或 WebP 图片。") % {"name": upload.name}, field="photos"
            )


@transaction.atomic
def attach_photos(ticket: Ticket, files: list[Any], *, actor: Any, actor_label: str = "") -> int:
    from linli.tickets.models import Attachment

    check_photos(files, existing=ticket.attachments.count())
    import filetype

    for upload in files:
        head = upload.read(261)
        upload.seek(0)
        Attachment.objects.create(
            community_id=ticket.community_id, ticket=ticket, file=upload, content_type=filetype.guess(head).mime,
            size=upload.size, original_name=upload.name[:200], uploaded_by=_actor(actor),
        )  # fmt: skip
    if files:
        _event(ticket, E.ATTACHMENT, actor=actor, actor_label=actor_label, count=len(files))
    return len(files)
