"""Every customer-database URL in one permission matrix (DESIGN §4)."""

from __future__ import annotations

import pytest

from linli.core.testing import Endpoint, case_id, permission_matrix
from linli.customers.models import Customer, Occupancy, Room
from linli.org.roles import Perm


def _customer(world) -> Customer:
    from linli.customers.testing import make_customer

    return Customer.objects.filter(community=world.ch).first() or make_customer(
        world.ch, "张三", area=None
    )


def _room(world) -> Room:
    _customer(world)
    return Room.objects.filter(community=world.ch).first()


def _occupancy(world) -> Occupancy:
    _customer(world)
    return Occupancy.objects.filter(community=world.ch).first()


def _task(world):
    from linli.customers.models import ReviewTask
    from linli.customers.services import create_due_review_tasks

    room = _room(world)
    Room.objects.filter(pk=room.pk).update(area=world.ch.areas.first())
    create_due_review_tasks()
    return ReviewTask.objects.get(community=world.ch)


ENDPOINTS = [
    Endpoint("customer-list", "/customers/", permission=Perm.CUSTOMERS_VIEW),
    Endpoint("search", "/customers/search/?q=zs", permission=Perm.CUSTOMERS_VIEW),
    Endpoint("customer-new-form", "/customers/new/", permission=Perm.CUSTOMERS_EDIT),
    Endpoint("customer-detail", lambda w: f"/customers/{_customer(w).pk}/", permission=Perm.CUSTOMERS_VIEW, scoped=True),
    Endpoint("customer-edit-form", lambda w: f"/customers/{_customer(w).pk}/edit/", permission=Perm.CUSTOMERS_EDIT, scoped=True),
    Endpoint(
        "customer-unmask", lambda w: f"/customers/{_customer(w).pk}/unmask/", method="post",
        data={"field": "mobile", "reason": "回访"}, permission=Perm.CUSTOMERS_UNMASK, scoped=True,
    ),
    Endpoint(
        "customer-secrecy", lambda w: f"/customers/{_customer(w).pk}/secrecy/", method="post",
        data={"level": "1", "reason": "矩阵"}, permission=Perm.CUSTOMERS_SET_SECRECY, scoped=True, ok=frozenset({302}),
    ),
    Endpoint(
        "occupancy-create", lambda w: f"/customers/{_customer(w).pk}/rooms/", method="post",
        data={"room_code": "9-9-909", "role": "tenant"}, permission=Perm.CUSTOMERS_EDIT, scoped=True, ok=frozenset({302}),
    ),
    Endpoint("occupancy-edit-form", lambda w: f"/customers/occupancies/{_occupancy(w).pk}/edit/", permission=Perm.CUSTOMERS_EDIT, scoped=True),
    Endpoint(
        "occupancy-move-out", lambda w: f"/customers/occupancies/{_occupancy(w).pk}/move-out/", method="post",
        data={"on": "2025-01-01"}, permission=Perm.CUSTOMERS_EDIT, scoped=True, ok=frozenset({302}),
    ),
    Endpoint("room-list", "/customers/rooms/", permission=Perm.CUSTOMERS_VIEW),
    Endpoint("room-new-form", "/customers/rooms/new/", permission=Perm.CUSTOMERS_EDIT, ok=frozenset({200, 302})),
    Endpoint("room-detail", lambda w: f"/customers/rooms/{_room(w).pk}/", permission=Perm.CUSTOMERS_VIEW, scoped=True),
    Endpoint("room-edit-form", lambda w: f"/customers/rooms/{_room(w).pk}/edit/", permission=Perm.CUSTOMERS_EDIT, scoped=True),
    Endpoint("completeness", "/customers/completeness/", permission=Perm.CUSTOMERS_VIEW),
    Endpoint("review-list", "/customers/reviews/", permission=Perm.CUSTOMERS_VIEW),
    Endpoint("review-detail", lambda w: f"/customers/reviews/{_task(w).pk}/", permission=Perm.CUSTOMERS_VIEW, scoped=True),
    Endpoint(
        "review-mark", lambda w: f"/customers/reviews/{_task(w).pk}/rooms/{_room(w).pk}/", method="post",
        permission=Perm.CUSTOMERS_EDIT, scoped=True, ok=frozenset({302}),
    ),
]  # fmt: skip


@pytest.mark.parametrize("case", permission_matrix(ENDPOINTS), ids=case_id)
def test_customer_urls_respect_scope_and_permissions(case, client, world):
    assert case.actual(client, world) in case.expected()
