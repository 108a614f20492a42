"""Writes of the secrecy chapter: grants, unmasking, the access register, approvals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli import policy
from linli.audit import services as audit
from linli.core.errors import DomainError
from linli.core.http import missing_permission
from linli.customers.models import Customer, Secrecy
from linli.customers.presenters import SENSITIVE_FIELDS, clear_text
from linli.customers.secrecy import clearance_of
from linli.org.roles import Perm
from linli.privacy.models import AccessGrant, AccessLog, Decision


def log_access(
    actor: Any,
    action: str,
    *,
    customer: Customer | None = None,
    community_id: int | None = None,
    field: str = "",
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AccessLog:
    return AccessLog.objects.create(
        community_id=customer.community_id if customer is not None else community_id,
        actor=actor,
        action=action,
        customer=customer,
        customer_name=customer.name if customer else "",
        secrecy=customer.secrecy if customer else None,
        field=field,
        reason=reason[:300],
        detail=detail or {},
    )


def log_open(actor: Any, customer: Customer, *, reason: str = "") -> None:
    """Opening a 机密/绝密 file is registered (档案查阅登记)."""
    if customer.secrecy >= Secrecy.CONFIDENTIAL:
        log_access(actor, AccessLog.Action.OPEN, customer=customer, reason=reason or _("查阅档案"))


@transaction.atomic
def unmask_field(customer: Customer, field: str, *, actor: Any, reason: str) -> str:
    """The clear value of one sensitive field, for a stated reason; logged and audited."""
    if Perm.CUSTOMERS_UNMASK not in actor.perms:
        raise missing_permission(Perm.CUSTOMERS_UNMASK)
    if field not in SENSITIVE_FIELDS:
        raise DomainError(_("该字段无需申请查看。"), field="field")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError(_("请说明查看原因。"), field="reason")
    log_access(actor, AccessLog.Action.UNMASK, customer=customer, field=field, reason=reason)
    audit.record(actor, "privacy.customer.unmasked", customer, {"field": field, "reason": reason})
    return clear_text(customer, field)


# --- access grants ----------------------------------------------------------------------------
def approver_permission(level: int) -> str:
    return (
        Perm.PRIVACY_APPROVE_TOP_SECRET
        if level >= Secrecy.TOP_SECRET
        else Perm.PRIVACY_APPROVE_CONFIDENTIAL
    )


@transaction.atomic
def request_grant(customer: Customer, *, actor: Any, reason: str) -> AccessGrant:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError(_("请说明查阅事由。"), field="reason")
    if customer.secrecy <= clearance_of(actor):
        raise DomainError(_("您已可查阅该档案，无需申请。"))
    if AccessGrant.objects.filter(
        customer=customer, grantee=actor, status=Decision.PENDING
    ).exists():
        raise DomainError(_("您已提交过该档案的查阅申请，请等待审批。"))
    grant = AccessGrant.objects.create(
        community_id=customer.community_id,
        customer=customer,
        grantee=actor,
        level=customer.secrecy,
        reason=reason,
    )
    audit.record(
        actor,
        "privacy.grant.requested",
        grant,
        {"customer": customer.pk, "level": customer.secrecy},
    )
    return grant


def can_decide(grant: AccessGrant, user: Any) -> bool:
    code = approver_permission(grant.level)
    if code not in user.perms or user.pk == grant.grantee_id:
        return False
    return user.is_company_wide or user.community_id == grant.community_id


@transaction.atomic
def decide_grant(grant: AccessGrant, *, actor: Any, approve: bool, note: str = "") -> AccessGrant:
    if not can_decide(grant, actor):
        if approver_permission(grant.level) not in actor.perms:
            raise missing_permission(approver_permission(grant.level))
        raise DomainError(_("不能审批自己的申请。"))
    now = timezone.now()
    if grant.level >= Secrecy.TOP_SECRET:
        valid_until = now + dt.timedelta(hours=int(policy.value("privacy.top_secret.grant_hours")))
    else:
        valid_until = now + dt.timedelta(days=int(policy.value("privacy.confidential.grant_days")))
    status = Decision.APPROVED if approve else Decision.REJECTED
    updated = AccessGrant.objects.filter(pk=grant.pk, status=Decision.PENDING).update(
        status=status,
        approver=actor,
        decided_at=now,
        decision_note=note[:300],
        valid_until=valid_until if approve else None,
        updated_at=now,
    )
    if updated != 1:
        raise DomainError(_("该申请已处理。"))
    grant.refresh_from_db()
    audit.record(
        actor,
        f"privacy.grant.{'approved' if approve else 'rejected'}",
        grant,
        {
            "grantee": grant.grantee_id,
            "customer": grant.customer_id,
            "valid_until": str(grant.valid_until or ""),
        },
    )
    return grant


@transaction.atomic
def revoke_grant(grant: AccessGrant, *, actor: Any, note: str = "") -> AccessGrant:
    if grant.status != Decision.APPROVED:
        raise DomainError(_("只能撤销已批准的授权。"))
    if not (can_decide(grant, actor) or actor.pk == grant.grantee_id):
        raise missing_permission(approver_permission(grant.level))
    AccessGrant.objects.filter(pk=grant.pk).update(
        status=Decision.REVOKED, decision_note=note[:300], updated_at=timezone.now()
    )
    grant.refresh_from_db()
    audit.record(actor, "privacy.grant.revoked", grant, {"note": note})
    return grant
