from __future__ import annotations

import datetime as dt

from django.test import override_settings
from django.utils import timezone

from linli.notify import services
from linli.notify.backends import DeliveryError
from linli.notify.models import Message

SENT: list[str] = []


class RecordingBackend:
    def send(self, message):
        SENT.append(message.subject)


class DownBackend:
    def send(self, message):
        raise DeliveryError("gateway unreachable")


def sms(subject="停水通知", key=None):
    return services.enqueue(
        channel="sms", kind="test", subject=subject, address="13812345678", dedupe_key=key
    )


@override_settings(
    LINLI_CHANNEL_BACKENDS={"sms": "linli.notify.tests.test_outbox.RecordingBackend"}
)
def test_pending_messages_are_delivered_once(db):
    SENT.clear()
    sms()
    assert services.deliver_due() == (1, 0)
    assert services.deliver_due() == (0, 0)
    assert SENT == ["停水通知"]
    assert Message.objects.get().status == Message.Status.SENT


@override_settings(LINLI_CHANNEL_BACKENDS={"sms": "linli.notify.tests.test_outbox.DownBackend"})
def test_a_down_channel_loses_nothing_and_retries_later(db):
    message = sms()
    assert services.deliver_due() == (0, 1)
    message.refresh_from_db()
    assert message.status == Message.Status.PENDING and message.attempts == 1
    assert message.next_attempt_at > timezone.now()
    assert "unreachable" in message.last_error


def test_gives_up_after_max_attempts(db):
    message = sms()
    Message.objects.filter(pk=message.pk).update(attempts=services.MAX_ATTEMPTS - 1)
    with override_settings(
        LINLI_CHANNEL_BACKENDS={"sms": "linli.notify.tests.test_outbox.DownBackend"}
    ):
        services.deliver_due()
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED


def test_a_claimed_message_is_not_claimed_again(db):
    sms()
    first = services.claim_due()
    assert len(first) == 1 and services.claim_due() == []


def test_a_worker_killed_mid_delivery_releases_the_message(db):
    message = sms()
    services.claim_due()
    Message.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(minutes=11)
    )
    assert services.release_stuck() == 1
    assert Message.objects.get(pk=message.pk).status == Message.Status.PENDING


def test_dedupe_key_makes_enqueue_idempotent(db):
    assert sms(key="notice-1") is not None
    assert sms(key="notice-1") is None
    assert Message.objects.count() == 1


def test_notify_staff_writes_inbox_and_email(world):
    world.steward.email = "steward@example.com"
    world.steward.save()
    count = services.notify_staff(
        [world.steward, world.office_manager],
        subject="信息泄漏事件",
        body="请立即处理",
        kind="privacy.incident",
    )
    assert count == 2
    assert services.unread_count(world.steward) == 1
    assert Message.objects.filter(channel="email", address="steward@example.com").exists()


def test_inbox_shows_only_own_messages_and_marks_read(client, world):
    services.notify_staff([world.steward], subject="给物管员", body="", kind="t")
    services.notify_staff([world.outsider], subject="给别人", body="", kind="t")
    client.force_login(world.steward)
    body = client.get("/notify/").content.decode()
    assert "给物管员" in body and "给别人" not in body
    other = Message.objects.get(subject="给别人")
    assert client.get(f"/notify/{other.pk}/").status_code == 404
    mine = Message.objects.get(subject="给物管员")
    assert client.get(f"/notify/{mine.pk}/").status_code == 302
    assert services.unread_count(world.steward) == 0


@override_settings(
    LINLI_CHANNEL_BACKENDS={"sms": "linli.notify.tests.test_outbox.RecordingBackend"}
)
def test_a_login_code_is_blanked_in_the_outbox_once_sent(db):
    message = services.enqueue(
        channel="sms",
        kind="portal.login_code",
        subject="验证码",
        body="验证码 123456",
        address="13812345678",
    )
    services.deliver_due()
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and "123456" not in message.body + message.subject
