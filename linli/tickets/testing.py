"""Factories for tests that need tickets."""

from __future__ import annotations

from typing import Any

from linli.tickets import services
from linli.tickets.models import Category, Channel, Kind, Severity, Ticket


def category(code: str = "facilities") -> Category:
    return Category.objects.get(code=code)


def make_ticket(
    community: Any,
    *,
    actor: Any,
    kind: str = Kind.COMPLAINT,
    severity: str = Severity.ORDINARY,
    **extra: Any,
) -> Ticket:
    values: dict[str, Any] = {
        "kind": kind, "channel": Channel.PHONE, "category": category(extra.pop("category_code", "facilities")),
        "title": "楼道灯不亮", "description": "3 号楼 2 单元 5 楼楼道灯坏了一周", "severity": severity,
    }  # fmt: skip
    values.update(extra)
    return services.open_ticket(community, actor=actor, **values)
