"""Writing to the outbox and delivering from it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from linli.notify.backends import DeliveryError, backend_for
from linli.notify.models import Message

MAX_ATTEMPTS = 8
# Kinds whose text is a one-time secret: blanked in the outbox as soon as it is delivered.
ONE_TIME_SECRETS = frozenset({"portal.login_code", "surveys.invitation"})


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def enqueue(
    *,
    channel: str,
    kind: str,
    subject: str,
    body: str = "",
    recipient: Any = None,
    address: str = "",
    link: str = "",
    community_id: int | None = None,
    dedupe_key: str | None = None,
) -> Message | None:
    """Add a message to the outbox in the caller's transaction; a repeated dedupe key is a no-op."""
    fields: dict[str, Any] = {
        "channel": channel,
        "kind": kind,
        "subject": subject[:200],
        "body": body,
        "recipient": recipient,
        "address": address,
        "link": link,
        "community_id": community_id,
        "dedupe_key": dedupe_key,
        "next_attempt_at": timezone.now(),
    }
    if channel == Message.Channel.IN_APP:
        fields.update(status=Message.Status.SENT, sent_at=timezone.now())
    if dedupe_key is None:
        return Message.objects.create(**fields)
    try:
        with transaction.atomic():
            return Message.objects.create(**fields)
    except IntegrityError:
        return None


def notify_staff(
    recipients: Iterable[Any],
    *,
    subject: str,
    body: str,
    link: str = "",
    kind: str,
    dedupe_key: str | None = None,
) -> int:
    """In-app messages (and e-mail where the person has an address) to staff; returns the count."""
    count = 0
    for person in {r.pk: r for r in recipients if r is not None and r.is_active}.values():
        key = f"{dedupe_key}:{person.pk}" if dedupe_key else None
        made = enqueue(
            channel=Message.Channel.IN_APP,
            kind=kind,
            subject=subject,
            body=body,
            recipient=person,
            link=link,
            community_id=person.community_id,
            dedupe_key=key,
        )
        if made is not None:
            count += 1
            if person.email:
                enqueue(
                    channel=Message.Channel.EMAIL,
                    kind=kind,
                    subject=subject,
                    body=body,
                    recipient=person,
                    address=person.email,
                    link=link,
                    community_id=person.community_id,
                    dedupe_key=f"{key}:email" if key else None,
                )
    return count


def claim_due(limit: int = 100, now: dt.datetime | None = None) -> list[Message]:
    """Move due pending messages to SENDING with compare-and-set; only the winner gets each row."""
    now = now or timezone.now()
    candidates = list(
        Message.objects.filter(status=Message.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    claimed = []
    for pk in candidates:
        if (
            Message.objects.filter(pk=pk, status=Message.Status.PENDING).update(
                status=Message.Status.SENDING, next_attempt_at=now
            )
            == 1
        ):
            claimed.append(pk)
    return list(Message.objects.filter(pk__in=claimed))


def deliver(message: Message) -> bool:
    """Send one claimed message; on failure schedule a retry (or give up after MAX_ATTEMPTS)."""
    attempts = message.attempts + 1
    try:
        backend_for(message.channel).send(message)
    except DeliveryError as error:
        status = Message.Status.FAILED if attempts >= MAX_ATTEMPTS else Message.Status.PENDING
        Message.objects.filter(pk=message.pk).update(
            status=status,
            attempts=attempts,
            last_error=str(error)[:2000],
            next_attempt_at=timezone.now() + _backoff(attempts),
        )
        return False
    done: dict[str, Any] = {
        "status": Message.Status.SENT,
        "attempts": attempts,
        "sent_at": timezone.now(),
        "last_error": "",
    }
    if (
        message.kind in ONE_TIME_SECRETS
    ):  # a login code has no business staying readable in the outbox
        done.update(subject="（已发送）", body="")
    Message.objects.filter(pk=message.pk).update(**done)
    return True


def release_stuck(older_than: dt.timedelta = dt.timedelta(minutes=10)) -> int:
    """A worker killed mid-delivery leaves rows in SENDING; give them back after a while.

    A message the channel accepted just before the kill may be sent twice; providers'
    idempotency keys (the message id) absorb that where they support it.
    """
    cutoff = timezone.now() - older_than
    return Message.objects.filter(status=Message.Status.SENDING, next_attempt_at__lt=cutoff).update(
        status=Message.Status.PENDING
    )


def deliver_due() -> tuple[int, int]:
    sent = failed = 0
    for message in claim_due():
        if deliver(message):
            sent += 1
        else:
            failed += 1
    return sent, failed


def mark_read(recipient: Any, pks: Iterable[int] | None = None) -> int:
    rows = Message.objects.filter(
        recipient=recipient, channel=Message.Channel.IN_APP, read_at__isnull=True
    )
    if pks is not None:
        rows = rows.filter(pk__in=list(pks))
    return rows.update(read_at=timezone.now())


def unread_count(recipient: Any) -> int:
    return Message.objects.filter(
        recipient=recipient, channel=Message.Channel.IN_APP, read_at__isnull=True
    ).count()
