from __future__ import annotations

import json

import pytest

from linli.core.testing import Endpoint, case_id, permission_matrix
from linli.customers.testing import make_customer
from linli.org.roles import Perm
from linli.tickets.models import Status, Ticket
from linli.tickets.tests.test_permissions import _ticket


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_create_then_dispatch_resolve_return_visit(client, world):
    customer = make_customer(world.ch, "张三", mobile="13912345678")
    client.force_login(world.office_supervisor)
    created = post(
        client,
        "/api/v1/tickets/",
        {
            "kind": "repair",
            "channel": "phone",
            "category": "facilities",
            "description": "水管漏水",
            "customer": customer.pk,
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (
        body["community"] == "CH"
        and body["contact_phone"] == "139****5678"
        and body["status"] == "accepted"
    )
    pk = body["id"]
    assert (
        post(client, f"/api/v1/tickets/{pk}/dispatch/", {"assignee": world.steward.pk}).json()[
            "status"
        ]
        == "dispatched"
    )
    assert (
        post(client, f"/api/v1/tickets/{pk}/resolve/", {"resolution": "已换管"}).json()["status"]
        == "resolved"
    )
    result = post(
        client,
        f"/api/v1/tickets/{pk}/return-visit/",
        {"method": "phone", "satisfaction": 1, "words": "又漏了"},
    ).json()
    assert result["status"] == Status.IN_PROGRESS and result["reopened_count"] == 1
    detail = client.get(f"/api/v1/tickets/{pk}/").json()
    assert [e["kind"] for e in detail["events"]][-3:] == ["return_visit", "reopened", "escalated"]


def test_disallowed_transition_is_a_json_400(client, world):
    ticket = _ticket(world)
    client.force_login(world.office_supervisor)
    response = post(
        client, f"/api/v1/tickets/{ticket.pk}/return-visit/", {"method": "phone", "satisfaction": 5}
    )
    assert response.status_code == 400 and "detail" in response.json()


def test_dispatch_outside_the_community_is_refused(client, world):
    ticket = _ticket(world)
    client.force_login(world.office_supervisor)
    response = post(
        client, f"/api/v1/tickets/{ticket.pk}/dispatch/", {"assignee": world.outsider.pk}
    )
    assert response.status_code == 400 and "本小区以外" in response.json()["detail"]
    assert Ticket.objects.get(pk=ticket.pk).assignee != world.outsider


def test_filters_and_scope(client, world):
    _ticket(world)
    client.force_login(world.outsider)
    assert client.get("/api/v1/tickets/").json()["count"] == 0
    client.force_login(world.hq_supervisor)
    assert client.get("/api/v1/tickets/?community=CH&open=1").json()["count"] == 1
    assert client.get("/api/v1/tickets/?community=ZZ").status_code == 404


ENDPOINTS = [
    Endpoint("api-tickets", "/api/v1/tickets/", api=True, permission=Perm.TICKETS_VIEW),
    Endpoint("api-ticket", lambda w: f"/api/v1/tickets/{_ticket(w).pk}/", api=True, permission=Perm.TICKETS_VIEW, scoped=True),
    Endpoint("api-ticket-escalate", lambda w: f"/api/v1/tickets/{_ticket(w).pk}/escalate/", method="post", api=True,
             data={"reason": "矩阵"}, content_type="application/json", permission=Perm.TICKETS_ESCALATE, scoped=True),
    Endpoint("api-ticket-dispatch", lambda w: f"/api/v1/tickets/{_ticket(w).pk}/dispatch/", method="post", api=True,
             data={"note": "x", "assignee": None}, content_type="application/json", permission=Perm.TICKETS_DISPATCH, scoped=True, ok=frozenset({400})),
    Endpoint("api-ticket-resolve", lambda w: f"/api/v1/tickets/{_ticket(w).pk}/resolve/", method="post", api=True,
             data={}, content_type="application/json", permission=Perm.TICKETS_HANDLE, scoped=True, ok=frozenset({400})),
    Endpoint("api-ticket-return-visit", lambda w: f"/api/v1/tickets/{_ticket(w).pk}/return-visit/", method="post", api=True,
             data={"method": "phone", "satisfaction": 5}, content_type="application/json", permission=Perm.TICKETS_RETURN_VISIT, scoped=True, ok=frozenset({400})),
]  # fmt: skip


@pytest.mark.parametrize("case", permission_matrix(ENDPOINTS), ids=case_id)
def test_ticket_api_respects_scope_and_permissions(case, client, world):
    assert case.actual(client, world) in case.expected()
