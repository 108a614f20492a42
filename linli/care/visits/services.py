"""Every write of visits and handover: validate, change, audit, side effects on commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli import policy
from linli.audit import services as audit
from linli.care.visits.models import (
    Commitment,
    FollowUp,
    Handover,
    HandoverTask,
    PlanItem,
    Visit,
    VisitorRole,
)
from linli.care.visits.planning import ROLE_VISITOR
from linli.care.visits.schedule import add_months
from linli.core.errors import DomainError
from linli.customers.models import Customer, Occupancy, Room
from linli.org.models import Area
from linli.org.roles import Role

MAX_COMMITMENTS = 5


def current_room(customer: Customer) -> Room | None:
    occupancy = (
        Occupancy.objects.filter(customer=customer, move_out__isnull=True)
        .select_related("room")
        .order_by("-is_primary", "pk")
        .first()
    )
    return occupancy.room if occupancy else None


def matching_item(customer: Customer, actor: Any, day: dt.date) -> PlanItem | None:
    """The open plan item a visit by `actor` on `day` fulfils: one of the actor's (or of the
    actor's visiting role) whose window holds the day, the earliest due first; failing that,
    an overdue one (a late visit still counts, but never instead of the current period's)."""
    role = ROLE_VISITOR.get(actor.role or "")
    mine = Q(visitor_id=actor.pk)
    if role:
        mine |= Q(visitor_role=role)
    rows = PlanItem.objects.filter(customer=customer, status=PlanItem.Status.PLANNED).filter(
        mine, window_start__lte=day
    )
    current = rows.filter(due_on__gte=day).order_by("due_on", "pk").first()
    return current or rows.order_by("due_on", "pk").first()


@transaction.atomic
def record_visit(
    customer: Customer, *, actor: Any, kind: str, method: str, visited_at: dt.datetime,
    room: Room | None = None, people_met: str = "", raised: str = "", satisfaction: int | None = None,
    notes: str = "", commitments: Iterable[tuple[str, dt.date]] = (), plan_item: PlanItem | None = None,
) -> Visit:  # fmt: skip
    """Record a visit; it fulfils the matching plan item and any open handover contact."""
    if kind not in Visit.Kind.values:
        raise DomainError(_("拜访类型无效。"), field="kind")
    if method not in Visit.Method.values:
        raise DomainError(_("拜访方式无效。"), field="method")
    if visited_at > timezone.now() + dt.timedelta(minutes=10):
        raise DomainError(_("拜访时间不能晚于现在。"), field="visited_at")
    if satisfaction is not None and not 1 <= satisfaction <= 5:
        raise DomainError(_("满意度应为 1 到 5 分。"), field="satisfaction")
    if room is not None and room.community_id != customer.community_id:
        raise DomainError(_("房间不属于该客户的小区。"), field="room")
    day = timezone.localtime(visited_at).date()
    promised = [(text.strip(), due) for text, due in commitments if (text or "").strip()]
    if len(promised) > MAX_COMMITMENTS:
        raise DomainError(
            _("一次拜访最多登记 %(n)s 项承诺。") % {"n": MAX_COMMITMENTS}, field="commitments"
        )
    for _text, due in promised:
        if due is None or due < day:
            raise DomainError(_("承诺期限不能早于拜访日期。"), field="commitments")
    if plan_item is not None and (
        plan_item.customer_id != customer.pk or plan_item.status != PlanItem.Status.PLANNED
    ):
        raise DomainError(_("所选计划拜访不属于该客户或已完成。"), field="plan_item")
    role = ROLE_VISITOR.get(actor.role or "", "")
    visit = Visit.objects.create(
        community_id=customer.community_id, customer=customer, room=room or current_room(customer),
        visitor=actor, visitor_role=role, kind=kind, method=method, visited_at=visited_at,
        people_met=people_met.strip()[:200], raised=raised.strip(), satisfaction=satisfaction,
        notes=notes.strip(),
    )  # fmt: skip
    Commitment.objects.bulk_create(
        Commitment(community_id=visit.community_id, visit=visit, text=text[:200], due_on=due, assignee=actor)
        for text, due in promised
    )  # fmt: skip
    item = plan_item or matching_item(customer, actor, day)
    fulfilled = 0
    if item is not None:
        fulfilled = PlanItem.objects.filter(pk=item.pk, status=PlanItem.Status.PLANNED).update(
            status=PlanItem.Status.DONE, visit=visit, done_on=day
        )
    contacted = HandoverTask.objects.filter(
        customer=customer, done_at__isnull=True, handover__at__lte=visited_at
    ).update(done_at=visited_at, done_by=actor, visit=visit, method=method)
    audit.record(
        actor, "care.visits.visit.recorded", visit,
        {"customer": customer.pk, "kind": kind, "method": method, "plan_item": item.pk if fulfilled and item else None,
         "commitments": len(promised), "handover_contacts": contacted},
    )  # fmt: skip
    return visit


@transaction.atomic
def complete_commitment(commitment: Commitment, *, actor: Any, note: str = "") -> Commitment:
    updated = Commitment.objects.filter(pk=commitment.pk, done_at__isnull=True).update(
        done_at=timezone.now(), done_by=actor, done_note=note.strip()[:200]
    )
    if updated != 1:
        raise DomainError(_("该承诺已经办结。"))
    commitment.refresh_from_db()
    audit.record(actor, "care.visits.commitment.done", commitment, {"visit": commitment.visit_id})
    return commitment


def _follow_up(visit: Visit, kind: str, ref_id: int, label: str, actor: Any) -> FollowUp:
    return FollowUp.objects.create(
        community_id=visit.community_id, visit=visit, kind=kind, ref_id=ref_id, label=label[:120],
        created_by=actor,
    )  # fmt: skip


@transaction.atomic
def raise_ticket(visit: Visit, *, actor: Any, kind: str, category: Any, description: str) -> Any:
    """What the customer raised becomes a ticket in one step (channel 走访)."""
    from linli.tickets.models import Channel
    from linli.tickets.services import open_ticket

    description = (description or visit.raised or "").strip()
    if not description:
        raise DomainError(_("请填写转为诉求的内容。"), field="description")
    if category is None:
        raise DomainError(_("请选择诉求类别。"), field="category")
    ticket = open_ticket(
        visit.community, kind=kind, channel=Channel.VISIT, category=category, title="",
        description=description, actor=actor, customer=visit.customer, room=visit.room,
    )  # fmt: skip
    _follow_up(visit, FollowUp.Kind.TICKET, ticket.pk, f"{ticket.number} {ticket.title}", actor)
    audit.record(actor, "care.visits.visit.ticket_raised", visit, {"ticket": ticket.pk})
    return ticket


def needs_available() -> bool:
    """Whether the reception chapter offers personalised needs yet."""
    try:
        from linli.care.reception import services as reception
    except ImportError:
        return False
    return callable(getattr(reception, "record_need", None))


@transaction.atomic
def raise_need(visit: Visit, *, actor: Any, need_type: str, description: str) -> Any:
    """What the customer raised becomes a personalised need (reception chapter)."""
    if not needs_available():
        raise DomainError(_("个性化需求功能尚未启用。"))
    from linli.care.reception.services import record_need

    description = (description or visit.raised or "").strip()
    if not description:
        raise DomainError(_("请填写个性化需求的内容。"), field="description")
    need = record_need(
        actor=actor, customer=visit.customer, description=description, need_type=need_type,
        source="visit", source_ref=str(visit.pk), room=visit.room,
    )  # fmt: skip
    _follow_up(visit, FollowUp.Kind.NEED, need.pk, description[:60], actor)
    audit.record(actor, "care.visits.visit.need_raised", visit, {"need": need.pk})
    return need


# --- steward handover -----------------------------------------------------------------------------
def area_customers(area: Area) -> list[tuple[int, int]]:
    """(customer id, room id) of every current occupant of the area, each customer once."""
    seen: dict[int, int] = {}
    for customer_id, room_id in (
        Occupancy.objects.filter(
            community_id=area.community_id, room__area=area, move_out__isnull=True,
            customer__anonymised_at__isnull=True,
        )
        .order_by("room__code", "-is_primary", "pk")
        .values_list("customer_id", "room_id")
    ):  # fmt: skip
        seen.setdefault(customer_id, room_id)
    return list(seen.items())


@transaction.atomic
def hand_over_area(area: Area, *, new_steward: Any, actor: Any, note: str = "") -> Handover:
    """Give the area to a new steward: its open plan items and handover contacts move to
    them, and they owe every customer of the area a contact within the policy's months."""
    if new_steward is None or new_steward.role != Role.STEWARD or not new_steward.is_active:
        raise DomainError(_("请选择一位在岗的物管员。"), field="new_steward")
    if new_steward.community_id != area.community_id:
        raise DomainError(_("新物管员必须属于该片区所在的管理处。"), field="new_steward")
    old_id = area.steward_id
    if old_id == new_steward.pk:
        raise DomainError(_("新物管员与现任物管员相同。"), field="new_steward")
    if Area.objects.filter(pk=area.pk, steward_id=old_id).update(steward=new_steward) != 1:
        raise DomainError(_("该片区的物管员刚被他人修改，请刷新后重试。"))
    now = timezone.now()
    months = int(
        policy.value("care.handover.contact_within_months", at=now, community=area.community_id)
    )
    due = add_months(timezone.localdate(), months)
    moved = PlanItem.objects.filter(
        community_id=area.community_id, area=area, visitor_role=VisitorRole.STEWARD,
        status=PlanItem.Status.PLANNED,
    ).update(visitor=new_steward)  # fmt: skip
    HandoverTask.objects.filter(
        community_id=area.community_id, handover__area=area, done_at__isnull=True
    ).update(assignee=new_steward)
    handover = Handover.objects.create(
        community_id=area.community_id, area=area, old_steward_id=old_id, new_steward=new_steward,
        at=now, due_on=due, note=note.strip()[:300], created_by=actor, items_moved=moved,
    )  # fmt: skip
    HandoverTask.objects.bulk_create(
        [
            HandoverTask(community_id=area.community_id, handover=handover, customer_id=customer_id,
                         room_id=room_id, assignee=new_steward, due_on=due)
            for customer_id, room_id in area_customers(area)
        ],
        batch_size=1000,
    )  # fmt: skip
    audit.record(
        actor, "care.visits.area.handed_over", handover,
        {"area": area.pk, "old_steward": old_id, "new_steward": new_steward.pk,
         "items_moved": moved, "due_on": due.isoformat()},
    )  # fmt: skip
    link = reverse("visits:handover", args=[handover.pk])
    subject = _("您已接管片区 %(area)s，请于 %(due)s 前联系片区全部客户") % {
        "area": area.name,
        "due": due,
    }
    transaction.on_commit(lambda: _notify(new_steward, subject, link, handover.pk))
    return handover


def _notify(person: Any, subject: str, link: str, handover_id: int) -> None:
    from linli.notify.services import notify_staff

    notify_staff(
        [person], subject=subject, body=subject, link=link, kind="care.handover",
        dedupe_key=f"care.handover:{handover_id}",
    )  # fmt: skip


@transaction.atomic
def log_contact(task: HandoverTask, *, actor: Any, method: str, note: str = "") -> HandoverTask:
    """The new steward contacted the customer (without a full visit record)."""
    if method not in Visit.Method.values:
        raise DomainError(_("联系方式无效。"), field="method")
    updated = HandoverTask.objects.filter(pk=task.pk, done_at__isnull=True).update(
        done_at=timezone.now(), done_by=actor, method=method, note=note.strip()[:200]
    )
    if updated != 1:
        raise DomainError(_("该客户已联系过。"))
    task.refresh_from_db()
    audit.record(actor, "care.visits.handover.contacted", task, {"customer": task.customer_id})
    return task
