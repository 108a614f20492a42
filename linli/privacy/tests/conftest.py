from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Uploaded letters and generated exports go to a temporary folder, which holds the files
    the factories' objects point to."""
    from linli.privacy.tests import factories

    settings.MEDIA_ROOT = tmp_path / "media"
    for name, content in (
        (factories.EXPORT_FILE, b"PK\x03\x04 test workbook"),
        (factories.LETTER_FILE, factories.PDF),
    ):
        path = settings.MEDIA_ROOT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


@pytest.fixture
def notified(monkeypatch: Any) -> list[dict[str, Any]]:
    """Record what the chapter asks linli.notify to send, instead of sending it."""
    calls: list[dict[str, Any]] = []

    def notify_staff(recipients: Any, *, subject: str, body: str, link: str = "", kind: str) -> int:
        people = [person for person in recipients if person is not None]
        calls.append(
            {"recipients": people, "subject": subject, "body": body, "link": link, "kind": kind}
        )
        return len(people)

    monkeypatch.setattr("linli.privacy.services.notify_staff", notify_staff)
    return calls
