"""Community events and owners' forums (POLICY Ch.5): plan, invite (important customers first)
through the outbox, record attendance and feedback, count per community and year."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import BooleanField, Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from linli import policy
from linli.audit import services as audit
from linli.care.outreach.greetings import elderly, salutation
from linli.care.outreach.models import Event, Invitation
from linli.care.outreach.plans import invited_first, living_customers
from linli.core.errors import DomainError
from linli.customers.models import Customer, Occupancy
from linli.notify.models import Message
from linli.notify.services import enqueue

Audience = Event.Audience


def _audience(audience: str, on: dt.date) -> Q:
    if audience == Audience.OWNERS:
        owners = Occupancy.objects.current().filter(role=Occupancy.Role.OWNER)
        return Q(pk__in=owners.values("customer_id"))
    if audience == Audience.PRIORITY:
        return invited_first(on)
    if audience == Audience.COMMITTEE:
        return Q(is_committee_member=True)
    if audience == Audience.ELDERLY:
        return elderly(on)
    return Q()


def invitation_order(event: Event) -> QuerySet[Customer]:
    """The event's audience, the customers whose plan says "invitations first" at the top, then
    by grade (highest first), then by name."""
    on = timezone.localtime(event.starts_at).date()
    first = invited_first(on)
    return (
        Customer.objects.filter(community_id=event.community_id)
        .filter(living_customers(on))
        .filter(_audience(event.audience, on))
        .annotate(
            first=Case(When(first, then=Value(True)), default=Value(False), output_field=BooleanField()),
            rank=Coalesce(F("grading__grade__rank"), Value(0), output_field=IntegerField()),
            grade_label=F("grading__grade__name"),
        )
        .order_by("-first", "-rank", "name_sort", "pk")
    )  # fmt: skip


@transaction.atomic
def create_event(community: Any, *, actor: Any, **fields: Any) -> Event:
    if fields.get("starts_at") is None:
        raise DomainError(_("请填写活动时间。"), field="starts_at")
    event = Event.objects.create(community=community, created_by=actor, **fields)
    audit.record(actor, "care.event.created", event, {"title": event.title})
    return event


def invitation_text(event: Event, customer: Customer) -> str:
    return _(
        "%(who)s，诚邀您参加%(c)s“%(title)s”，时间：%(when)s，地点：%(place)s。期待您的光临！——%(c)s物业服务中心"
    ) % {
        "who": salutation(customer), "c": event.community.name, "title": event.title,
        "when": timezone.localtime(event.starts_at).strftime("%m月%d日 %H:%M"), "place": event.place,
    }  # fmt: skip


@transaction.atomic
def invite(event: Event, *, actor: Any) -> int:
    """Invite the audience in order, up to the capacity, each by SMS through the outbox."""
    if event.status != Event.Status.PLANNED:
        raise DomainError(_("只有筹备中的活动可以发出邀请。"))
    claimed = Event.objects.filter(pk=event.pk, status=Event.Status.PLANNED, version=event.version)
    if (
        claimed.update(
            status=Event.Status.INVITED, invited_at=timezone.now(), version=F("version") + 1
        )
        != 1
    ):
        raise DomainError(_("这个活动刚被其他人修改过，请刷新后再试。"))  # fmt: skip
    event.refresh_from_db()
    customers = invitation_order(event)
    if event.capacity:
        customers = customers[: event.capacity]
    invitations = []
    for position, customer in enumerate(customers, start=1):
        first, grade_label = customer.first, customer.grade_label  # type: ignore[attr-defined]
        message = None
        if customer.mobile:
            message = enqueue(
                channel=Message.Channel.SMS, kind="care.event", subject=event.title,
                body=invitation_text(event, customer), address=customer.mobile,
                community_id=event.community_id, dedupe_key=f"care.event:{event.pk}:{customer.pk}",
            )  # fmt: skip
        invitations.append(
            Invitation(
                community_id=event.community_id, event=event, customer=customer, position=position,
                priority=first, grade_name=grade_label or "", message=message,
            )
        )  # fmt: skip
    Invitation.objects.bulk_create(invitations, batch_size=1000)
    audit.record(actor, "care.event.invited", event, {"invited": len(invitations)})
    return len(invitations)


@transaction.atomic
def record_attendance(event: Event, attended: Iterable[int], *, actor: Any) -> int:
    """Who came (invitation ids); everyone else invited is recorded as absent."""
    if event.status not in (Event.Status.INVITED, Event.Status.HELD):
        raise DomainError(_("请先发出邀请，活动举办后再登记签到。"))
    now = timezone.now()
    if event.starts_at > now:
        raise DomainError(_("活动尚未开始，举办后再登记签到。"))
    came = set(attended)
    rows = Invitation.objects.filter(event=event)
    rows.filter(pk__in=came).update(attended=True, recorded_by=actor, recorded_at=now)
    rows.exclude(pk__in=came).update(attended=False, recorded_by=actor, recorded_at=now)
    Event.objects.filter(pk=event.pk).update(
        status=Event.Status.HELD, held_at=event.held_at or now, version=F("version") + 1
    )
    count = rows.filter(attended=True).count()
    audit.record(actor, "care.event.attendance", event, {"attended": count})
    return count


@transaction.atomic
def record_feedback(
    invitation: Invitation, *, rating: int | None, feedback: str, actor: Any
) -> Invitation:
    if not invitation.attended:
        raise DomainError(_("只有出席的客户可以登记活动评价。"))
    if rating is not None and not 1 <= rating <= 5:
        raise DomainError(_("评价须为 1 至 5 星。"), field="rating")
    Invitation.objects.filter(pk=invitation.pk).update(
        rating=rating, feedback=feedback, recorded_by=actor, recorded_at=timezone.now()
    )
    invitation.refresh_from_db()
    audit.record(actor, "care.event.feedback", invitation.event, {"rating": rating})
    return invitation


def yearly_counts(communities: Iterable[Any], year: int) -> list[dict[str, Any]]:
    """Events held and planned per community in a year against the policy's target."""
    from django.db.models import Count

    communities = list(communities)
    rows = (
        Event.objects.filter(community__in=communities, starts_at__year=year)
        .exclude(status=Event.Status.CANCELLED)
        .values("community_id")
        .annotate(
            held=Count("pk", filter=Q(status=Event.Status.HELD)),
            forums=Count("pk", filter=Q(status=Event.Status.HELD, kind=Event.Kind.FORUM)),
            planned=Count("pk", filter=~Q(status=Event.Status.HELD)),
        )
        .order_by()
    )
    by_community = {row["community_id"]: row for row in rows}
    result = []
    for community in communities:
        row = by_community.get(community.pk, {})
        target = int(policy.value("care.events.per_year_target", community=community))
        held = row.get("held", 0)
        result.append(
            {"community": community, "held": held, "forums": row.get("forums", 0),
             "planned": row.get("planned", 0), "target": target, "met": held >= target,
             "short": max(target - held, 0)}
        )  # fmt: skip
    return result
