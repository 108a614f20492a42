"""Who is responsible at each step of supervision, and when a complaint is company-level."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from linli import policy
from linli.org.models import Staff
from linli.org.roles import Role
from linli.tickets.models import Kind, Level, Severity

# POLICY Ch.6: 物管员 → 管理处客户主管 → 管理处主任 → 公司客户主管 → 人事行政经理.
ESCALATION_CHAIN = (
    Role.STEWARD,
    Role.OFFICE_CUSTOMER_SUPERVISOR,
    Role.OFFICE_MANAGER,
    Role.HQ_CUSTOMER_SUPERVISOR,
    Role.HR_ADMIN_MANAGER,
)
FIRST_COMPANY_STEP = ESCALATION_CHAIN.index(Role.HQ_CUSTOMER_SUPERVISOR)

# Providers that say a customer is a VIP/important customer beyond the file's own flag (the
# grading chapter registers one: a grade whose decisions need company approval, i.e. VIP).
# Each returns a short reason ("VIP 客户投诉") or "".
IMPORTANT_CUSTOMER_PROVIDERS: list[Callable[[Any], str]] = []


def responsible_staff(level: int, community_id: int) -> list[Staff]:
    """The people answerable at a supervision step (office roles of the ticket's community)."""
    role = ESCALATION_CHAIN[min(level, len(ESCALATION_CHAIN) - 1)]
    rows = Staff.objects.filter(role=role, is_active=True)
    if role in (Role.HQ_CUSTOMER_SUPERVISOR, Role.HR_ADMIN_MANAGER):
        return list(rows.filter(community__isnull=True))
    return list(rows.filter(community_id=community_id))


def company_level_reason(
    *, kind: str, severity: str, customer: Any, category_id: int | None, received_by_company: bool,
    opened_at: dt.datetime, community_id: int, exclude_pk: int | None = None,
) -> str:  # fmt: skip
    """Why a complaint is company-level at intake ("" when it is office-level)."""
    if kind != Kind.COMPLAINT:
        return ""
    if severity == Severity.MAJOR:
        return _("重大投诉")
    if customer is not None and getattr(customer, "is_important", False):
        return _("重要客户投诉")
    if customer is not None and getattr(customer, "pk", None):
        for provider in IMPORTANT_CUSTOMER_PROVIDERS:
            reason = provider(customer)
            if reason:
                return reason
    if received_by_company:
        return _("公司直接受理")
    if customer is not None and category_id is not None:
        from linli.tickets.models import Ticket

        window = int(policy.value("tickets.repeat.window_days", at=opened_at))
        repeats = Ticket.objects.filter(
            community_id=community_id, customer=customer, category_id=category_id, kind=Kind.COMPLAINT,
            opened_at__gte=opened_at - dt.timedelta(days=window),
        ).exclude(status="cancelled")  # fmt: skip
        if exclude_pk:
            repeats = repeats.exclude(pk=exclude_pk)
        if repeats.exists():
            return _("%(days)s 天内同一客户同类重复投诉") % {"days": window}
    return ""


def initial_level(reason: str) -> str:
    return Level.COMPANY if reason else Level.OFFICE
