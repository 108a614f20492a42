"""Every visits API endpoint in the permission matrix, and the API's behaviour."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from linli.care.visits.models import PlanItem, Visit
from linli.care.visits.planning import generate_plan
from linli.core.testing import Endpoint, case_id, permission_matrix
from linli.org.roles import Perm

from .test_permissions import _customer, _visit

API = "/api/v1/care/visits"
JSON = "application/json"
VISIT, OFFICE = Perm.CARE_VISIT, Perm.REPORTS_OFFICE


def _create(world: Any) -> dict[str, Any]:
    return {"customer": _customer(world).pk, "kind": "regular", "method": "phone",
            "commitments": [{"text": "下周回复", "due_on": timezone.localdate().isoformat()}]}  # fmt: skip


ENDPOINTS = [
    Endpoint("api-visits", f"{API}/visits/", api=True, permission=VISIT),
    Endpoint("api-visit-create", f"{API}/visits/", method="post", data=_create, content_type=JSON, api=True,
             permission=VISIT, scoped=True, ok=frozenset({201})),
    Endpoint("api-visit", lambda w: f"{API}/visits/{_visit(w).pk}/", api=True, permission=VISIT, scoped=True),
    Endpoint("api-my-plan", f"{API}/plan/mine/", api=True, permission=VISIT),
    Endpoint("api-summary", f"{API}/summary/?period=year", api=True, permission=OFFICE),
]  # fmt: skip


@pytest.mark.parametrize("case", permission_matrix(ENDPOINTS), ids=case_id)
def test_visit_api_respects_scope_and_permissions(case, client, world):
    assert case.actual(client, world) in case.expected()


def test_api_records_a_visit_that_fulfils_the_plan(client, world):
    customer = _customer(world)
    generate_plan(world.ch, timezone.localdate().replace(day=1))
    client.force_login(world.steward)
    mine = client.get(f"{API}/plan/mine/").json()
    ours = [row for row in mine["results"] if row["customer"] == customer.pk]
    assert ours and ours[0]["visitor_role"] == "steward"
    response = client.post(f"{API}/visits/", json.dumps(_create(world)), content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["customer"] == customer.pk and body["commitments"][0]["text"] == "下周回复"
    assert body["plan_items"] == [ours[0]["id"]]
    assert PlanItem.objects.get(pk=ours[0]["id"]).status == "done"
    summary = (
        client.get(f"{API}/summary/").json() if "reports.office" in world.steward.perms else None
    )
    assert summary is None
    client.force_login(world.office_manager)
    summary = client.get(f"{API}/summary/").json()
    assert summary["total"]["done"] == 1 and summary["total"]["planned"] >= 1


def test_api_bad_input_is_400_naming_the_field(client, world):
    client.force_login(world.steward)
    data = _create(world) | {"satisfaction": 7}
    response = client.post(f"{API}/visits/", json.dumps(data), content_type=JSON)
    assert response.status_code == 400 and "satisfaction" in response.json()["errors"]
    future = _create(world) | {"visited_at": (timezone.now() + dt.timedelta(days=2)).isoformat()}
    response = client.post(f"{API}/visits/", json.dumps(future), content_type=JSON)
    assert response.status_code == 400 and "visited_at" in response.json()["errors"]
    assert not Visit.objects.exists()


def test_api_lists_only_visible_visits(client, world):
    from linli.customers.models import Customer, Secrecy

    visit = _visit(world)
    client.force_login(world.outsider)
    assert client.get(f"{API}/visits/").json()["count"] == 0
    client.force_login(world.steward)
    assert client.get(f"{API}/visits/").json()["count"] == 1
    Customer.objects.filter(pk=visit.customer_id).update(secrecy=Secrecy.TOP_SECRET)
    assert client.get(f"{API}/visits/").json()["count"] == 0
    assert client.get(f"{API}/visits/{visit.pk}/").status_code == 404
