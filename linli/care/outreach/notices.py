"""Emergency and outage notices (POLICY Ch.5): one step from the form to every current occupant's
phone through the outbox, delivery figures read from the outbox, and the residents' view."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from linli import policy
from linli.audit import services as audit
from linli.care.outreach.models import Notice, NoticeDelivery
from linli.core.errors import DomainError
from linli.customers.models import Building, Customer, Occupancy, Unit
from linli.notify.models import Message
from linli.notify.services import enqueue

MessageStatus = Message.Status


def affected_occupancies(community_id: int, buildings: Iterable[Building], units: Iterable[Unit]) -> QuerySet[Occupancy]:  # fmt: skip
    """Current occupancies of the rooms in the chosen buildings or units."""
    in_rooms = Q(room__building__in=list(buildings)) | Q(room__unit__in=list(units))
    return (
        Occupancy.objects.current()
        .filter(in_rooms, community_id=community_id)
        .filter(customer__anonymised_at__isnull=True)
    )


@transaction.atomic
def publish_notice(
    community: Any,
    *,
    kind: str,
    title: str,
    body: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    buildings: Iterable[Building],
    units: Iterable[Unit],
    actor: Any,
) -> Notice:
    """Save the notice and queue one SMS per current occupant at once (the outbox rows are
    written in this transaction; the worker delivers them)."""
    buildings, units = list(buildings), list(units)
    if not buildings and not units:
        raise DomainError(_("请至少选择一个楼栋或单元。"), field="buildings")
    if any(b.community_id != community.pk for b in buildings) or any(
        u.community_id != community.pk for u in units
    ):
        raise DomainError(_("所选楼栋或单元不属于本小区。"), field="buildings")
    if ends_at < starts_at:
        raise DomainError(_("结束时间不能早于开始时间。"), field="ends_at")
    now = timezone.now()
    minutes = int(policy.value("care.notice.deliver_within_minutes", community=community))
    notice = Notice.objects.create(
        community=community, kind=kind, title=title, body=body, starts_at=starts_at,
        ends_at=ends_at, published_at=now, deliver_by=now + dt.timedelta(minutes=minutes),
        published_by=actor,
    )  # fmt: skip
    notice.buildings.set(buildings)
    notice.units.set(units)
    text = sms_text(notice)
    seen: set[int] = set()
    rooms: set[int] = set()
    deliveries = []
    rows = affected_occupancies(community.pk, buildings, units).order_by("room__code", "pk")
    for customer_id, room_id, mobile in rows.values_list(
        "customer_id", "room_id", "customer__mobile"
    ):
        rooms.add(room_id)
        if customer_id in seen:  # one message per person, however many rooms they hold
            continue
        seen.add(customer_id)
        message = None
        if mobile:
            message = enqueue(
                channel=Message.Channel.SMS, kind="care.notice", subject=title, body=text,
                address=mobile, community_id=community.pk,
                dedupe_key=f"care.notice:{notice.pk}:{customer_id}",
            )  # fmt: skip
        deliveries.append(
            NoticeDelivery(
                community_id=community.pk, notice=notice, customer_id=customer_id,
                room_id=room_id, message=message,
            )
        )  # fmt: skip
    NoticeDelivery.objects.bulk_create(deliveries, batch_size=1000)
    unreachable = sum(1 for d in deliveries if d.message is None)
    Notice.objects.filter(pk=notice.pk).update(
        recipients=len(deliveries), unreachable=unreachable, rooms=len(rooms)
    )
    notice.recipients, notice.unreachable, notice.rooms = len(deliveries), unreachable, len(rooms)
    audit.record(actor, "care.notice.published", notice, {"recipients": len(deliveries)})
    return notice


def sms_text(notice: Notice) -> str:
    start, end = timezone.localtime(notice.starts_at), timezone.localtime(notice.ends_at)
    period = f"{start:%m-%d %H:%M}—{end:%m-%d %H:%M}"
    return _("【%(c)s物业】%(title)s（%(period)s）：%(body)s") % {
        "c": notice.community.name, "title": notice.title, "period": period, "body": notice.body,
    }  # fmt: skip


@dataclass
class Delivery:
    """Delivery figures of one notice, from the outbox's statuses."""

    recipients: int
    unreachable: int
    by_channel: list[dict[str, Any]] = field(default_factory=list)
    queued: int = 0
    sent: int = 0
    failed: int = 0
    last_sent_at: dt.datetime | None = None
    deliver_by: dt.datetime | None = None

    @property
    def total(self) -> int:
        return self.queued + self.sent + self.failed

    @property
    def finished(self) -> bool:
        return self.queued == 0

    @property
    def percent_sent(self) -> int:
        return round(100 * self.sent / self.total) if self.total else 100

    @property
    def percent_failed(self) -> int:
        return round(100 * self.failed / self.total) if self.total else 0

    @property
    def met(self) -> bool | None:
        """True: every message out by the deadline; False: late or failed; None: still open."""
        if self.deliver_by is None:
            return None
        if self.failed:
            return False
        if not self.finished:
            return False if timezone.now() > self.deliver_by else None
        return self.last_sent_at is None or self.last_sent_at <= self.deliver_by


def delivery(notice: Notice) -> Delivery:
    messages = Message.objects.filter(
        pk__in=NoticeDelivery.objects.filter(notice=notice, message__isnull=False).values(
            "message_id"
        )
    )
    figures = Delivery(
        recipients=notice.recipients, unreachable=notice.unreachable, deliver_by=notice.deliver_by
    )
    channels: dict[str, dict[str, Any]] = {}
    for row in messages.values("channel", "status").annotate(n=Count("pk")).order_by():
        entry = channels.setdefault(
            row["channel"],
            {"channel": row["channel"], "label": Message.Channel(row["channel"]).label,
             "queued": 0, "sent": 0, "failed": 0},
        )  # fmt: skip
        bucket = {MessageStatus.SENT: "sent", MessageStatus.FAILED: "failed"}.get(
            row["status"], "queued"
        )
        entry[bucket] += row["n"]
        setattr(figures, bucket, getattr(figures, bucket) + row["n"])
    figures.by_channel = list(channels.values())
    figures.last_sent_at = messages.filter(status=MessageStatus.SENT).aggregate(m=Max("sent_at"))[
        "m"
    ]
    return figures


def notices_for_resident(customer: Customer, *, at: dt.datetime | None = None) -> QuerySet[Notice]:
    """The notices of the rooms the customer lives in that have not ended yet (an outage
    announced for tomorrow is current today), soonest first — for the resident portal."""
    at = at or timezone.now()
    rooms = Occupancy.objects.current().filter(customer=customer)
    return (
        Notice.objects.filter(community_id=customer.community_id, published_at__lte=at, ends_at__gte=at)
        .filter(Q(buildings__in=rooms.values("room__building_id")) | Q(units__in=rooms.values("room__unit_id")))
        .distinct()
        .order_by("starts_at")
    )  # fmt: skip
