"""Reads for the resident portal: the household, its rooms and tickets, the friendly timeline.

The household is the one read gate of the portal (DESIGN §4, "residents: their household"):
every room and ticket a resident sees comes through `household_rooms` / `household_tickets`,
and a single object through `access_room` / `access_ticket` (another household's → 404).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import operator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from linli.customers.models import Customer, Occupancy, Room
from linli.org.models import Community
from linli.portal.models import ResidentSession
from linli.tickets.models import ReturnVisit, Status, Ticket

# Occupant roles in the order a room's "customer" is picked for a resident's ticket.
ROLE_ORDER = [
    Occupancy.Role.OWNER,
    Occupancy.Role.TENANT,
    Occupancy.Role.FAMILY,
    Occupancy.Role.MERCHANT,
    Occupancy.Role.ORGANISATION,
]


@dataclass(frozen=True)
class Household:
    """What one mobile number may see: its customers and their current occupancies."""

    mobile: str
    customers: tuple[Customer, ...] = ()
    occupancies: tuple[Occupancy, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.occupancies)

    @functools.cached_property
    def rooms(self) -> list[Room]:
        seen: dict[int, Room] = {}
        for occupancy in self.occupancies:
            seen.setdefault(occupancy.room_id, occupancy.room)
        return sorted(seen.values(), key=lambda r: (r.community_id, r.code))

    @property
    def room_ids(self) -> set[int]:
        return {o.room_id for o in self.occupancies}

    @property
    def communities(self) -> list[Community]:
        seen: dict[int, Community] = {}
        for room in self.rooms:
            seen.setdefault(room.community_id, room.community)
        return list(seen.values())

    def occupancy_for(self, room: Room) -> Occupancy:
        """The resident's own link to the room (owner before tenant before family…)."""
        mine = [o for o in self.occupancies if o.room_id == room.pk]
        if not mine:
            raise Http404
        return min(
            mine, key=lambda o: (ROLE_ORDER.index(Occupancy.Role(o.role)), not o.is_primary, o.pk)
        )

    def label_for(self, room: Room) -> str:
        """How the resident appears in a ticket's history: `业主 张三`."""
        occupancy = self.occupancy_for(room)
        return f"{occupancy.get_role_display()} {occupancy.customer.name}"[:50]

    @property
    def display_name(self) -> str:
        return self.customers[0].name if self.customers else ""

    def roles_by_room(self) -> dict[int, str]:
        return {room.pk: self.occupancy_for(room).get_role_display() for room in self.rooms}


def _current(today: dt.date) -> Q:
    return Q(move_out__isnull=True) | Q(move_out__gt=today)


def household_for(mobile: str) -> Household:
    """The customers with this mobile and the rooms they currently occupy (any community)."""
    if not mobile:
        return Household(mobile="")
    customers = tuple(
        Customer.objects.filter(
            mobile_tail=mobile[-4:], mobile=mobile, anonymised_at__isnull=True
        ).order_by("pk")
    )
    if not customers:
        return Household(mobile=mobile)
    occupancies = tuple(
        Occupancy.objects.filter(customer__in=customers)
        .filter(_current(timezone.localdate()), room__community__is_active=True)
        .select_related("room", "room__community", "customer")
        .order_by("room__community_id", "room__code", "pk")
    )
    with_rooms = {o.customer_id for o in occupancies}
    return Household(
        mobile=mobile,
        customers=tuple(sorted(customers, key=lambda c: (c.pk not in with_rooms, c.pk))),
        occupancies=occupancies,
    )


def is_registered(mobile: str) -> bool:
    """Whether a login code may be sent: the number belongs to a current occupant."""
    return bool(household_for(mobile))


# --- sessions ---------------------------------------------------------------------------------
def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class Resident:
    """The signed-in resident: what a portal view or API call works with.

    It answers the questions staff gates ask (`is_company_wide`, `community_id`, `perms`) so
    that any staff queryset handed a resident by mistake returns nothing.
    """

    session: ResidentSession
    household: Household
    is_authenticated: bool = True
    is_active: bool = True
    is_company_wide: bool = False
    is_staff: bool = False
    is_superuser: bool = False
    community_id: None = None
    perms: frozenset[str] = field(default_factory=frozenset)

    @property
    def mobile(self) -> str:
        return self.household.mobile

    @property
    def pk(self) -> None:  # never mistaken for a Staff row (`_actor()` keeps only real pks)
        return None


LAST_SEEN_EVERY = dt.timedelta(minutes=5)


def resident_for_token(token: str, *, channel: str) -> Resident | None:
    """The live session for a token of the given channel, with its household; else None.

    A session whose number no longer has a current occupancy opens nothing (it is revoked).
    """
    if not token or len(token) > 200:
        return None
    now = timezone.now()
    session = ResidentSession.objects.filter(
        token_hash=token_hash(token), channel=channel, revoked_at__isnull=True, expires_at__gt=now
    ).first()
    if session is None:
        return None
    household = household_for(session.mobile)
    if not household:
        ResidentSession.objects.filter(pk=session.pk).update(revoked_at=now)
        return None
    if now - session.last_seen_at > LAST_SEEN_EVERY:
        ResidentSession.objects.filter(pk=session.pk).update(last_seen_at=now)
    return Resident(session=session, household=household)


# --- rooms and tickets ------------------------------------------------------------------------
def household_rooms(household: Household) -> list[Room]:
    return household.rooms


def access_room(household: Household, pk: int) -> Room:
    for room in household.rooms:
        if room.pk == pk:
            return room
    raise Http404


def _since(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def household_tickets(household: Household) -> QuerySet[Ticket]:
    """The tickets of the household's rooms (from the resident's move-in on, so a new tenant
    does not read the last one's complaints) and those where one of its customers is the
    customer. Every term names its community, so the per-community indexes serve it."""
    terms: list[Q] = []
    for occupancy in household.occupancies:
        term = Q(community_id=occupancy.community_id, room_id=occupancy.room_id)
        since = _since(occupancy.move_in)
        if since is not None:
            term &= Q(opened_at__gte=since)
        terms.append(term)
    terms += [Q(community_id=c.community_id, customer_id=c.pk) for c in household.customers]
    if not terms:
        return Ticket.objects.none()
    return (
        Ticket.objects.filter(functools.reduce(operator.or_, terms))
        .select_related("community", "category", "room")
        .order_by("-opened_at", "-id")
    )


def ticket_list(household: Household, *, state: str = "") -> QuerySet[Ticket]:
    rows = household_tickets(household)
    if state == "open":
        rows = rows.exclude(status__in=DONE_STATUSES)
    elif state == "rate":
        rows = rows.filter(status=Status.RESOLVED, return_visits__done_at__isnull=True).distinct()
    elif state == "done":
        rows = rows.filter(status__in=DONE_STATUSES)
    return rows


DONE_STATUSES = (Status.RETURN_VISITED, Status.CLOSED, Status.CANCELLED)


def access_ticket(household: Household, pk: int) -> Ticket:
    ticket = household_tickets(household).filter(pk=pk).first()
    if ticket is None:
        raise Http404
    return ticket


def awaiting_rating(household: Household) -> QuerySet[Ticket]:
    return ticket_list(household, state="rate")


def pending_visit(ticket: Ticket) -> ReturnVisit | None:
    """The return visit the resident can answer: the ticket is resolved and not yet visited."""
    if ticket.status != Status.RESOLVED:
        return None
    return ticket.return_visits.filter(done_at__isnull=True).order_by("due_at").first()


def current_notices(household: Household) -> list[Any]:
    """Outage and emergency notices for the household's rooms that have not ended (care chapter)."""
    from linli.care.outreach.notices import notices_for_resident

    seen: dict[int, Any] = {}
    for customer in household.customers:
        for notice in notices_for_resident(customer):
            seen.setdefault(notice.pk, notice)
    return sorted(seen.values(), key=lambda n: n.starts_at)


def open_surveys(household: Household) -> list[dict[str, Any]]:
    """Survey invitations of the household's rooms still open for an answer, with their links."""
    from linli.surveys.answering import answer_path
    from linli.surveys.models import Invitation, SurveyRound

    rows = Invitation.objects.filter(
        room_id__in=household.room_ids,
        status__in=[Invitation.Status.ISSUED, Invitation.Status.PARTIAL],
        round__status=SurveyRound.Status.OPEN,
    ).select_related("round")
    return [
        {"round": i.round, "link": answer_path(i), "partial": i.status == Invitation.Status.PARTIAL}
        for i in rows
    ]
