"""Channel adapters. Real providers (SMS gateways, WeChat) are configuration: a backend class
named in settings; the console and file backends serve development and tests."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

logger = logging.getLogger("linli.notify")


class DeliveryError(Exception):
    """The channel refused or could not be reached; the message will be retried."""


class Backend(Protocol):
    def send(self, message: Any) -> None: ...


class ConsoleBackend:
    def send(self, message: Any) -> None:
        logger.info(
            "[%s] to %s: %s — %s", message.channel, message.address, message.subject, message.body
        )


class FileBackend:
    """Appends each message as one JSON line to LINLI_NOTIFY_FILE (default var/outbox.jsonl)."""

    def send(self, message: Any) -> None:
        path = Path(getattr(settings, "LINLI_NOTIFY_FILE", settings.VAR_DIR / "outbox.jsonl"))
        path.parent.mkdir(parents=True, exist_ok=True)
        record = {
            "id": message.pk,
            "channel": message.channel,
            "to": message.address,
            "subject": message.subject,
            "body": message.body,
        }
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


class EmailBackend:
    def send(self, message: Any) -> None:
        try:
            send_mail(message.subject, message.body, None, [message.address], fail_silently=False)
        except Exception as error:  # SMTP errors come in many types
            raise DeliveryError(str(error)) from error


def backend_for(channel: str) -> Backend:
    configured = getattr(settings, "LINLI_CHANNEL_BACKENDS", {})
    default = (
        "linli.notify.backends.EmailBackend"
        if channel == "email"
        else "linli.notify.backends.ConsoleBackend"
    )
    return import_string(configured.get(channel, default))()
