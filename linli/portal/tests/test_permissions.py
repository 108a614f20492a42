"""Every portal URL and portal API endpoint in a permission matrix of its own.

Portal URLs are not staff URLs, so the personas differ from the staff matrix (DESIGN §4 as it
applies to residents):

    anonymous                          → the portal's login page (pages) or 401 (API)
    a staff login (session or token)   → the same as anonymous: staff are no residents
    another household (a neighbour)    → 404 for an object of the resident's household
    the resident                       → the endpoint's success status
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve

from linli.core.testing import Endpoint
from linli.customers.models import Customer
from linli.portal.testing import api_headers, make_resident, sign_in
from linli.tickets.models import Cause, Ticket
from linli.tickets.tests.test_views import PNG

RESIDENT = "13812345678"
NEIGHBOUR = "13912345678"


def _households(world: Any) -> Customer:
    """The resident (3-2-501) and a neighbour (3-2-502) in community CH."""
    resident = Customer.objects.filter(mobile=RESIDENT).first()
    if resident is None:
        from linli.org.models import Area

        area = Area.objects.filter(community=world.ch).first()
        resident = make_resident(world.ch, "张三", mobile=RESIDENT, room="3-2-501", area=area)
        make_resident(world.ch, "李四", mobile=NEIGHBOUR, room="3-2-502", area=area)
    return resident


def _room(world: Any) -> int:
    return _households(world).occupancies.get().room_id


def _ticket(world: Any) -> Ticket:
    """A resolved complaint of the resident's room, with a photo and a pending return visit."""
    from linli.portal import selectors, services
    from linli.tickets import services as tickets
    from linli.tickets.testing import category

    _households(world)
    ticket = Ticket.objects.filter(customer__mobile=RESIDENT).first()
    if ticket is not None:
        return ticket
    household = selectors.household_for(RESIDENT)
    ticket = services.submit_ticket(
        household, room=household.rooms[0], kind="complaint", category=category(),
        description="楼道灯不亮", photos=[SimpleUploadedFile("a.png", PNG, "image/png")],
    )  # fmt: skip
    ticket = tickets.set_validity(ticket, "valid", actor=world.office_supervisor)
    return tickets.resolve(
        ticket, actor=world.office_supervisor, resolution="已更换灯泡", cause=Cause.objects.first(),
        corrective_action="每周巡查楼道灯",
    )  # fmt: skip


def _photo(world: Any) -> str:
    ticket = _ticket(world)
    return f"{ticket.pk}/photos/{ticket.attachments.get().pk}/"


def _new_ticket(world: Any) -> dict[str, Any]:
    from linli.tickets.testing import category

    return {
        "room": _room(world),
        "kind": "repair",
        "category": category().pk,
        "description": "水龙头漏水",
    }


def _new_ticket_api(world: Any) -> dict[str, Any]:
    return {**_new_ticket(world), "category": "facilities"}


WEB_ENDPOINTS = [
    Endpoint("login", "/portal/login/", public=True, ok=frozenset({200, 302})),  # signed in → home
    Endpoint("login-post", "/portal/login/", method="post", data={"mobile": RESIDENT, "code": "000000"}, public=True, ok=frozenset({400})),
    Endpoint("request-code", "/portal/login/code/", method="post", data={"mobile": "13700000000"}, public=True),
    Endpoint("logout", "/portal/logout/", method="post", public=True, ok=frozenset({302})),
    Endpoint("home", "/portal/"),
    Endpoint("room", lambda w: f"/portal/rooms/{_room(w)}/", scoped=True),
    Endpoint("tickets", "/portal/tickets/"),
    Endpoint("ticket-new", "/portal/tickets/new/"),
    Endpoint("ticket-new-post", "/portal/tickets/new/", method="post", data=_new_ticket, scoped=True, ok=frozenset({302})),
    Endpoint("ticket", lambda w: f"/portal/tickets/{_ticket(w).pk}/", scoped=True),
    Endpoint("rate", lambda w: f"/portal/tickets/{_ticket(w).pk}/rate/", method="post", data={"satisfaction": 5}, scoped=True, ok=frozenset({302})),
    Endpoint("photo", lambda w: f"/portal/tickets/{_photo(w)}", scoped=True),
    Endpoint("commitments", "/portal/commitments/"),
]  # fmt: skip

JSON = "application/json"
API = "/api/v1/portal"
API_ENDPOINTS = [
    Endpoint("api-code", f"{API}/auth/code/", method="post", data={"mobile": "13700000000"}, content_type=JSON, api=True, public=True),
    Endpoint("api-login", f"{API}/auth/login/", method="post", data={"mobile": RESIDENT, "code": "000000"}, content_type=JSON, api=True, public=True, ok=frozenset({400})),
    Endpoint("api-logout", f"{API}/auth/logout/", method="post", api=True, ok=frozenset({204})),
    Endpoint("api-rooms", f"{API}/rooms/", api=True),
    Endpoint("api-categories", f"{API}/categories/", api=True),
    Endpoint("api-tickets", f"{API}/tickets/", api=True),
    Endpoint("api-tickets-post", f"{API}/tickets/", method="post", data=_new_ticket_api, api=True, scoped=True, ok=frozenset({201})),
    Endpoint("api-ticket", lambda w: f"{API}/tickets/{_ticket(w).pk}/", api=True, scoped=True),
    Endpoint("api-return-visit", lambda w: f"{API}/tickets/{_ticket(w).pk}/return-visit/", method="post", data={"satisfaction": 5}, content_type=JSON, api=True, scoped=True),
    Endpoint("api-photo", lambda w: f"{API}/tickets/{_photo(w)}", api=True, scoped=True),
    Endpoint("api-commitments", f"{API}/commitments/", api=True),
]  # fmt: skip


def _api_mounted() -> bool:
    try:
        resolve(f"{API}/rooms/")
    except Resolver404:
        return False
    return True


# The URL-coverage test reads ENDPOINTS against the site's URLs; the API joins once
# linli/api/urls.py mounts it (the API matrix below runs either way, on tests/urls.py).
ENDPOINTS = WEB_ENDPOINTS + (API_ENDPOINTS if _api_mounted() else [])

WEB_PERSONAS = ["anonymous", "resident", "neighbour", "steward", "hq_admin"]
API_PERSONAS = [*WEB_PERSONAS, "staff_token"]
STAFF = {"steward", "hq_admin", "staff_token"}


@dataclass(frozen=True)
class PortalCase:
    endpoint: Endpoint
    persona: str

    @property
    def id(self) -> str:
        return f"{self.endpoint.name}-{self.persona}"

    def expected(self) -> frozenset[int]:
        ep = self.endpoint
        if ep.public:
            return ep.ok
        if self.persona == "anonymous" or self.persona in STAFF:
            return frozenset({401}) if ep.api else frozenset({302})
        if self.persona == "neighbour" and ep.scoped:
            return frozenset({404})
        return ep.ok

    def actual(self, client: Any, world: Any) -> Any:
        ep = self.endpoint
        path = ep.resolve_path(world)  # builds the households and objects first
        data = ep.resolve_data(world) or {}
        _households(world)
        headers: dict[str, str] = {}
        if self.persona in ("steward", "hq_admin"):
            client.force_login(world.personas[self.persona])
        elif self.persona == "staff_token":
            from rest_framework.authtoken.models import Token

            headers["Authorization"] = f"Token {Token.objects.create(user=world.steward).key}"
        elif self.persona in ("resident", "neighbour"):
            mobile = RESIDENT if self.persona == "resident" else NEIGHBOUR
            if ep.api:
                headers.update(api_headers(mobile))
            else:
                sign_in(client, mobile)
        call = getattr(client, ep.method)
        if ep.method == "get":
            return call(path, data, headers=headers)
        if ep.content_type == JSON:
            return call(path, json.dumps(data), content_type=JSON, headers=headers)
        if ep.method == "post" and ep.name.endswith("tickets-post"):
            data = {**data, "photos": [SimpleUploadedFile("b.png", PNG, "image/png")]}
        return call(path, data, headers=headers)


def matrix(endpoints: list[Endpoint], personas: list[str]) -> list[PortalCase]:
    return [PortalCase(e, p) for e in endpoints for p in personas]


@pytest.mark.parametrize("case", matrix(WEB_ENDPOINTS, WEB_PERSONAS), ids=lambda c: c.id)
def test_portal_pages_are_for_the_household_only(case, client, world):
    response = case.actual(client, world)
    assert response.status_code in case.expected()
    if case.persona not in ("resident", "neighbour") and not case.endpoint.public:
        assert response["Location"].startswith("/portal/login/?next=")


@pytest.mark.urls("linli.portal.tests.urls")
@pytest.mark.parametrize("case", matrix(API_ENDPOINTS, API_PERSONAS), ids=lambda c: c.id)
def test_portal_api_is_for_the_household_only(case, client, world):
    response = case.actual(client, world)
    assert response.status_code in case.expected(), getattr(response, "content", b"")[:300]
    if response.status_code == 401:
        assert response["WWW-Authenticate"].startswith("Resident")


@pytest.mark.urls("linli.portal.tests.urls")
@pytest.mark.parametrize(
    "path", ["/api/v1/me/", "/api/v1/customers/", "/api/v1/rooms/", "/api/v1/communities/"]
)
def test_a_resident_token_opens_no_staff_endpoint(client, world, path):
    _households(world)
    assert client.get(path, headers=api_headers(RESIDENT)).status_code == 401


@pytest.mark.parametrize("path", ["/", "/tickets/", "/customers/", "/tickets/my/"])
def test_a_resident_cookie_opens_no_staff_page(client, world, path):
    _households(world)
    sign_in(client, RESIDENT)
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_api_token_is_no_portal_cookie(client, world):
    from linli.portal.models import ResidentSession
    from linli.portal.testing import make_session

    _households(world)
    client.cookies["linli_portal"] = make_session(RESIDENT, channel=ResidentSession.Channel.API)
    assert client.get("/portal/").status_code == 302


@pytest.mark.urls("linli.portal.tests.urls")
def test_a_portal_cookie_is_no_api_token(client, world):
    from linli.portal.models import ResidentSession
    from linli.portal.testing import make_session

    _households(world)
    web = make_session(RESIDENT, channel=ResidentSession.Channel.WEB)
    response = client.get(f"{API}/rooms/", headers={"Authorization": f"Resident {web}"})
    assert response.status_code == 401
