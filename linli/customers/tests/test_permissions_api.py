"""The customer API endpoints in the permission matrix (DESIGN §4)."""

from __future__ import annotations

import pytest

from linli.core.testing import Endpoint, case_id, permission_matrix
from linli.customers.tests.test_permissions import _customer, _occupancy, _room
from linli.org.roles import Perm

ENDPOINTS = [
    Endpoint("api-search", "/api/v1/search/?q=zs", api=True, permission=Perm.CUSTOMERS_VIEW),
    Endpoint("api-customers", "/api/v1/customers/", api=True, permission=Perm.CUSTOMERS_VIEW),
    Endpoint("api-customer", lambda w: f"/api/v1/customers/{_customer(w).pk}/", api=True, permission=Perm.CUSTOMERS_VIEW, scoped=True),
    Endpoint(
        "api-customer-patch", lambda w: f"/api/v1/customers/{_customer(w).pk}/", method="patch", api=True,
        data={"notes": "矩阵"}, content_type="application/json", permission=Perm.CUSTOMERS_EDIT, scoped=True,
    ),
    Endpoint(
        "api-customer-unmask", lambda w: f"/api/v1/customers/{_customer(w).pk}/unmask/", method="post", api=True,
        data={"field": "mobile", "reason": "矩阵"}, content_type="application/json", permission=Perm.CUSTOMERS_UNMASK, scoped=True,
    ),
    Endpoint("api-rooms", "/api/v1/rooms/", api=True, permission=Perm.CUSTOMERS_VIEW),
    Endpoint("api-room", lambda w: f"/api/v1/rooms/{_room(w).pk}/", api=True, permission=Perm.CUSTOMERS_VIEW, scoped=True),
    Endpoint("api-occupancies", "/api/v1/occupancies/", api=True, permission=Perm.CUSTOMERS_VIEW),
    Endpoint("api-occupancy", lambda w: f"/api/v1/occupancies/{_occupancy(w).pk}/", api=True, permission=Perm.CUSTOMERS_VIEW, scoped=True),
]  # fmt: skip


@pytest.mark.parametrize("case", permission_matrix(ENDPOINTS), ids=case_id)
def test_customer_api_respects_scope_and_permissions(case, client, world):
    assert case.actual(client, world) in case.expected()


def test_company_search_spans_communities_and_respects_secrecy(client, world):
    from linli.customers.models import Secrecy
    from linli.customers.testing import make_customer

    make_customer(world.ch, "张三")
    make_customer(world.jg, "张四", room="1-1-101")
    make_customer(world.jg, "张五", room="1-1-102", secrecy=Secrecy.TOP_SECRET)
    client.force_login(world.hq_supervisor)
    names = {c["name"] for c in client.get("/api/v1/search/?q=zh").json()["customers"]}
    assert names == {"张三", "张四"}
    client.force_login(world.steward)
    assert {c["name"] for c in client.get("/api/v1/search/?q=zh").json()["customers"]} == {"张三"}
