"""Reads of the secrecy chapter; every one goes through the scoping gate (`visible_to`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from linli import policy
from linli.customers.models import Customer, Occupancy, Room
from linli.customers.presenters import SENSITIVE_FIELDS
from linli.customers.secrecy import clearance_of, grants_of
from linli.org.models import Staff
from linli.org.roles import ROLE_PERMISSIONS, Perm
from linli.privacy.models import (
    AccessGrant,
    AccessLog,
    Decision,
    Disclosure,
    ExportRequest,
    Incident,
    IncidentAction,
    SubjectRequest,
)

MASKED_NAME_TAIL = "**"


def masked_name(customer: Customer) -> str:
    """Only the surname (or first character of an organisation's name): 王**."""
    return f"{customer.name[:1]}{MASKED_NAME_TAIL}" if customer.name else MASKED_NAME_TAIL


def visible_customer_ids(user: Any, ids: list[int]) -> set[int]:
    """Which of these customers the user may open now (clearance or an approved grant)."""
    if not ids:
        return set()
    return set(Customer.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def customer_labels(user: Any, customers: Iterable[Customer]) -> dict[int, str]:
    """Names as this user may see them: files they cannot open show only the surname."""
    customers = list(customers)
    visible = visible_customer_ids(user, [c.pk for c in customers])
    return {c.pk: c.name if c.pk in visible else masked_name(c) for c in customers}


@dataclass
class GrantRow:
    grant: AccessGrant
    label: str
    visible: bool
    rooms: str
    active: bool  # approved and not expired


def grant_rows(user: Any, grants: Iterable[AccessGrant]) -> list[GrantRow]:
    """Grants with the customer shown as the viewer may see it, and the rooms (code, role)."""
    grants = list(grants)
    visible = visible_customer_ids(user, [g.customer_id for g in grants])
    now = timezone.now()
    return [
        GrantRow(
            grant=g,
            label=g.customer.name if g.customer_id in visible else masked_name(g.customer),
            visible=g.customer_id in visible,
            rooms="、".join(
                f"{o.room.code} {o.get_role_display()}"
                for o in getattr(g.customer, "current_occupancies", [])
            ),
            active=g.status == Decision.APPROVED
            and g.valid_until is not None
            and g.valid_until > now,
        )
        for g in grants
    ]


def current_rooms_prefetch() -> Prefetch:
    current = Occupancy.objects.filter(move_out__isnull=True).select_related("room")
    return Prefetch("customer__occupancies", queryset=current, to_attr="current_occupancies")


# --- access grants ----------------------------------------------------------------------------
def grantable_occupancy(user: Any, pk: int) -> Occupancy:
    """An occupancy of a room the user can see, whatever the occupant's file level.

    The file itself may be above the user's clearance, so it is not reached through
    `Customer.objects.visible_to`; the room is the gate. Another community's room → 404.
    """
    return get_object_or_404(
        Occupancy.objects.filter(room__in=Room.objects.visible_to(user)).select_related(
            "room", "customer"
        ),
        pk=pk,
    )


def approvable_levels(user: Any) -> list[int]:
    from linli.privacy.services import approver_permission

    return [level for level in (2, 3) if approver_permission(level) in user.perms]


def my_grants(user: Any) -> QuerySet[AccessGrant]:
    return (
        AccessGrant.objects.filter(grantee=user)
        .select_related("customer", "approver")
        .prefetch_related(current_rooms_prefetch())
        .order_by("-created_at", "-pk")
    )


def grants_to_decide(user: Any) -> QuerySet[AccessGrant]:
    """Pending grants this user may decide (privacy.services.can_decide, as a queryset)."""
    return (
        AccessGrant.objects.visible_to(user)
        .filter(status=Decision.PENDING, level__in=approvable_levels(user))
        .exclude(grantee=user)
        .select_related("customer", "grantee", "community")
        .prefetch_related(current_rooms_prefetch())
        .order_by("created_at", "pk")
    )


def grants_in_force(user: Any) -> QuerySet[AccessGrant]:
    """Approved, unexpired grants this user could revoke."""
    return (
        AccessGrant.objects.visible_to(user)
        .filter(
            status=Decision.APPROVED,
            valid_until__gt=timezone.now(),
            level__in=approvable_levels(user),
        )
        .exclude(grantee=user)
        .select_related("customer", "grantee", "approver", "community")
        .prefetch_related(current_rooms_prefetch())
        .order_by("valid_until", "pk")
    )


def access_grant(user: Any, pk: int) -> AccessGrant:
    return get_object_or_404(
        AccessGrant.objects.visible_to(user).select_related("customer", "grantee"), pk=pk
    )


# --- access register --------------------------------------------------------------------------
def _label_levels(user: Any) -> tuple[int, dict[int, int]]:
    return clearance_of(user), dict(grants_of(user))


def log_rows(user: Any, filters: dict[str, Any] | None = None) -> QuerySet[AccessLog]:
    """The access register as this user may read it, newest first.

    Names of files above the reader's clearance are shown masked, and a name search never
    matches them (the register must not become a way to find out who is 绝密).
    """
    filters = filters or {}
    rows = (
        AccessLog.objects.visible_to(user)
        .select_related("actor", "community")
        .annotate(current_secrecy=F("customer__secrecy"))
    )
    if filters.get("community"):
        rows = rows.filter(community_id=filters["community"])
    if filters.get("actor"):
        text = filters["actor"]
        rows = rows.filter(Q(actor__name__contains=text) | Q(actor__username__contains=text))
    if filters.get("customer"):
        clearance, granted = _label_levels(user)
        readable = (Q(secrecy__isnull=True) | Q(secrecy__lte=clearance)) & (
            Q(customer__isnull=True) | Q(customer__secrecy__lte=clearance)
        )
        for customer_id, level in granted.items():
            readable |= Q(customer_id=customer_id, secrecy__lte=level, customer__secrecy__lte=level)
        rows = rows.filter(readable, customer_name__contains=filters["customer"])
    if filters.get("action"):
        rows = rows.filter(action=filters["action"])
    if filters.get("date_from"):
        rows = rows.filter(at__gte=_day_start(filters["date_from"]))
    if filters.get("date_to"):
        rows = rows.filter(at__lt=_day_start(filters["date_to"]) + dt.timedelta(days=1))
    return rows.order_by("-at", "-pk")


def _day_start(day: dt.date | str) -> dt.datetime:
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def field_label(code: str) -> str:
    return str(SENSITIVE_FIELDS[code][0]) if code in SENSITIVE_FIELDS else code


class LogLabeller:
    """The customer name of a register row as the reader may see it."""

    def __init__(self, user: Any) -> None:
        self.clearance, self.granted = _label_levels(user)

    def __call__(self, row: AccessLog) -> str:
        level = max(row.secrecy or 0, getattr(row, "current_secrecy", None) or 0)
        allowed = max(self.clearance, self.granted.get(row.customer_id or 0, 0))
        if level > allowed and row.customer_name:
            return f"{row.customer_name[:1]}{MASKED_NAME_TAIL}"
        return row.customer_name


# --- exports ----------------------------------------------------------------------------------
def export_approver_role() -> str:
    return str(policy.value("privacy.export.approver"))


def may_approve_exports(user: Any) -> bool:
    """The role the policy names (privacy.export.approver) approves bulk exports."""
    return bool(getattr(user, "role", "")) and user.role == export_approver_role()


def my_exports(user: Any) -> QuerySet[ExportRequest]:
    return (
        ExportRequest.objects.filter(requested_by=user)
        .select_related("approver", "community")
        .order_by("-created_at", "-pk")
    )


def exports_to_approve(user: Any) -> QuerySet[ExportRequest]:
    if not may_approve_exports(user):
        return ExportRequest.objects.none()
    return (
        ExportRequest.objects.visible_to(user)
        .filter(status=ExportRequest.Status.PENDING)
        .exclude(requested_by=user)
        .select_related("requested_by", "community")
        .order_by("created_at", "pk")
    )


def exports_decided_by(user: Any, limit: int = 20) -> list[ExportRequest]:
    return list(
        ExportRequest.objects.visible_to(user)
        .filter(approver=user)
        .select_related("requested_by", "community")
        .order_by("-decided_at", "-pk")[:limit]
    )


def access_export(user: Any, pk: int) -> ExportRequest:
    return get_object_or_404(
        ExportRequest.objects.visible_to(user).select_related("requested_by", "approver"), pk=pk
    )


# --- disclosures ------------------------------------------------------------------------------
def disclosures(user: Any, *, status: str = "") -> QuerySet[Disclosure]:
    rows = Disclosure.objects.visible_to(user).select_related(
        "customer", "community", "requested_by", "approver"
    )
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-pk")


def access_disclosure(user: Any, pk: int) -> Disclosure:
    return get_object_or_404(
        Disclosure.objects.visible_to(user).select_related(
            "customer", "community", "requested_by", "approver", "released_by"
        ),
        pk=pk,
    )


# --- incidents --------------------------------------------------------------------------------
def incidents(user: Any, *, status: str = "") -> QuerySet[Incident]:
    rows = (
        Incident.objects.visible_to(user)
        .select_related("community", "reported_by")
        .annotate(
            action_count=Count("actions"),
            actions_done=Count("actions", filter=Q(actions__done_at__isnull=False)),
        )
    )
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-discovered_at", "-pk")


def access_incident(user: Any, pk: int) -> Incident:
    return get_object_or_404(
        Incident.objects.visible_to(user).select_related("community", "reported_by"), pk=pk
    )


def incident_actions(incident: Incident) -> list[IncidentAction]:
    return list(IncidentAction.objects.filter(incident=incident).select_related("owner"))


def owns_incident_action(user: Any, incident_id: int) -> bool:
    return IncidentAction.objects.filter(incident_id=incident_id, owner=user).exists()


def access_incident_action(incident: Incident, pk: int) -> IncidentAction:
    return get_object_or_404(IncidentAction.objects.filter(incident=incident), pk=pk)


def action_owners(incident: Incident) -> QuerySet[Staff]:
    """People who may own a remedial action: the incident's office and headquarters."""
    scope = Q(community__isnull=True, role__gt="")
    if incident.community_id:
        scope |= Q(community_id=incident.community_id)
    return Staff.objects.filter(scope, is_active=True).order_by("community__code", "role", "name")


def roles_with(code: str) -> list[str]:
    return [role for role, codes in ROLE_PERMISSIONS.items() if code in codes]


def incident_recipients(community_id: int | None) -> list[Staff]:
    """Who is told of a leak at once: the office's managers and company staff handling leaks."""
    condition = Q(community__isnull=True, role__in=roles_with(Perm.PRIVACY_INCIDENTS))
    if community_id:
        condition |= Q(community_id=community_id, role="office_manager")
    return list(Staff.objects.filter(condition, is_active=True).order_by("pk"))


def approvers_of(code: str, community_id: int | None) -> list[Staff]:
    """Active staff holding an approval permission who can see the community."""
    condition = Q(community__isnull=True)
    if community_id:
        condition |= Q(community_id=community_id)
    return list(
        Staff.objects.filter(condition, is_active=True, role__in=roles_with(code)).order_by("pk")
    )


def approvers_of_role(role: str, community_id: int | None) -> list[Staff]:
    """Active staff of a role who can see the community (office roles: that office only)."""
    rows = Staff.objects.filter(role=role, is_active=True)
    condition = Q(community__isnull=True)
    if community_id:
        condition |= Q(community_id=community_id)
    return list(rows.filter(condition).order_by("pk"))


# --- data-subject requests --------------------------------------------------------------------
def subject_requests(user: Any, *, status: str = "") -> QuerySet[SubjectRequest]:
    rows = SubjectRequest.objects.visible_to(user).select_related(
        "customer", "community", "recorded_by", "handled_by"
    )
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-received_on", "-pk")


def access_subject_request(user: Any, pk: int) -> SubjectRequest:
    return get_object_or_404(
        SubjectRequest.objects.visible_to(user).select_related(
            "customer", "community", "recorded_by", "handled_by"
        ),
        pk=pk,
    )


def pickable_customer(user: Any, pk: int) -> Customer:
    """A customer picked for a disclosure or a request: visible to the user (not logged as an
    opening: only the name is shown)."""
    return get_object_or_404(
        Customer.objects.visible_to(user)
        .filter(anonymised_at__isnull=True)
        .select_related("community"),
        pk=pk,
    )


# --- home -------------------------------------------------------------------------------------
def home_counts(user: Any) -> dict[str, int | None]:
    """The numbers on the privacy home page; None where the user has no business with them."""
    perms = user.perms
    open_incidents = (
        incidents(user, status=Incident.Status.OPEN).count()
        if Perm.PRIVACY_INCIDENTS in perms
        else None
    )
    return {
        "grants_to_decide": grants_to_decide(user).count() if approvable_levels(user) else None,
        "my_pending_grants": my_grants(user).filter(status=Decision.PENDING).count(),
        "exports_to_approve": exports_to_approve(user).count()
        if may_approve_exports(user)
        else None,
        "my_running_exports": my_exports(user)
        .filter(
            status__in=[
                ExportRequest.Status.PENDING,
                ExportRequest.Status.QUEUED,
                ExportRequest.Status.RUNNING,
            ]
        )
        .count(),
        "disclosures_to_approve": disclosures(user, status=Disclosure.Status.REQUESTED).count()
        if Perm.PRIVACY_APPROVE_DISCLOSURE in perms
        else None,
        "disclosures_to_release": disclosures(user, status=Disclosure.Status.APPROVED).count()
        if Perm.PRIVACY_VIEW_ACCESS_LOG in perms
        else None,
        "open_incidents": open_incidents,
        "open_requests": subject_requests(user, status=SubjectRequest.Status.OPEN).count()
        if Perm.CUSTOMERS_UNMASK in perms
        else None,
    }
