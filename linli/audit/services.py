"""Audit events are written by the service that made the change, in the same transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from linli.audit.models import AuditEvent


def record(
    actor: Any,
    action: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    *,
    community_id: int | None = None,
) -> AuditEvent:
    if community_id is None and target is not None:
        community_id = getattr(target, "community_id", None)
        if community_id is None and target._meta.label == "org.Community":
            community_id = target.pk
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        community_id=community_id,
        data=data or {},
    )
