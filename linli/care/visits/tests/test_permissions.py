"""Every visits URL in the permission matrix (DESIGN §4), and the 404s of scope and secrecy."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from linli.care.visits.models import Commitment, Handover, HandoverTask, Visit
from linli.core.testing import Endpoint, case_id, permission_matrix
from linli.org.roles import Perm

VISIT, PLAN, OFFICE = Perm.CARE_VISIT, Perm.CARE_PLAN, Perm.REPORTS_OFFICE
MOVED = frozenset({302})


def _customer(world: Any) -> Any:
    from linli.customers.models import Customer

    from .conftest import household

    return Customer.objects.filter(community=world.ch, name="张三").first() or household(
        world, "张三", "3-2-501", grade_code="vip"
    )


def _visit(world: Any) -> Visit:
    from linli.care.visits.services import record_visit

    visit = Visit.objects.filter(community=world.ch).first()
    if visit is None:
        visit = record_visit(
            _customer(world), actor=world.steward, kind="regular", method="door", visited_at=timezone.now(),
            raised="楼道灯不亮", commitments=[("三天内修好", timezone.localdate())],
        )  # fmt: skip
    return visit


def _commitment(world: Any) -> Commitment:
    return Commitment.objects.filter(visit=_visit(world)).first()


def _handover(world: Any) -> Handover:
    """CH01 handed over to the `steward` persona from a colleague."""
    from conftest import make_staff
    from linli.care.visits.services import hand_over_area
    from linli.org.models import Area

    handover = Handover.objects.filter(community=world.ch).first()
    if handover is None:
        _customer(world)
        area = Area.objects.get(community=world.ch, code="CH01")
        Area.objects.filter(pk=area.pk).update(steward=make_staff("colleague", "steward", world.ch))
        area.refresh_from_db()
        handover = hand_over_area(area, new_steward=world.steward, actor=world.office_manager)
    return handover


def _task(world: Any) -> HandoverTask:
    return _handover(world).tasks.first()


def _new_handover(world: Any) -> dict[str, Any]:
    from conftest import make_staff
    from linli.org.models import Area, Staff

    n = Staff.objects.filter(username__startswith="fresh").count()
    fresh = make_staff(f"fresh{n}", "steward", world.ch)
    return {"area": Area.objects.get(community=world.ch, code="CH01").pk, "new_steward": fresh.pk}


def _record_post(world: Any) -> dict[str, Any]:
    return {"customer": _customer(world).pk, "kind": "regular", "method": "phone",
            "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}  # fmt: skip


def _ticket_post(world: Any) -> dict[str, Any]:
    from linli.tickets.models import Category

    return {"kind": "repair", "category": Category.objects.first().pk, "description": "楼道灯不亮"}


def _need_post(world: Any) -> dict[str, Any]:
    from linli.care.visits.forms import need_type_choices

    choices = need_type_choices()
    return {"need_type": choices[0][0] if choices else "parcel", "description": "代收快递"}


ENDPOINTS = [
    Endpoint("plans", "/care/visits/", permission=OFFICE),
    Endpoint("plans-quarter", "/care/visits/?period=quarter&group=area", permission=OFFICE),
    Endpoint("generate", "/care/visits/plans/generate/", method="post", data={"month": "2026-11"}, permission=PLAN, ok=MOVED),
    Endpoint("today", "/care/visits/today/", permission=VISIT),
    Endpoint("pick", "/care/visits/record/?q=张", permission=VISIT),
    Endpoint("record", lambda w: f"/care/visits/record/?customer={_customer(w).pk}", permission=VISIT, scoped=True),
    Endpoint("record-post", "/care/visits/record/", method="post", data=_record_post, permission=VISIT, scoped=True, ok=MOVED),
    Endpoint("visits", "/care/visits/records/", permission=VISIT),
    Endpoint("visit", lambda w: f"/care/visits/records/{_visit(w).pk}/", permission=VISIT, scoped=True),
    Endpoint("raise-ticket", lambda w: f"/care/visits/records/{_visit(w).pk}/ticket/", method="post", data=_ticket_post,
             permission=Perm.TICKETS_CREATE, scoped=True, ok=MOVED),
    Endpoint("raise-need", lambda w: f"/care/visits/records/{_visit(w).pk}/need/", method="post", data=_need_post,
             permission=VISIT, scoped=True, ok=MOVED),
    Endpoint("commitment-done", lambda w: f"/care/visits/commitments/{_commitment(w).pk}/done/", method="post",
             data={"note": "已修好"}, permission=VISIT, scoped=True, ok=MOVED),
    Endpoint("handovers", "/care/visits/handovers/", permission=PLAN),
    Endpoint("handover-new", "/care/visits/handovers/new/", method="post", data=_new_handover, permission=PLAN, ok=MOVED),
    Endpoint("handover", lambda w: f"/care/visits/handovers/{_handover(w).pk}/", permission=VISIT, scoped=True),
    Endpoint("task-contact", lambda w: f"/care/visits/handover-tasks/{_task(w).pk}/contact/", method="post",
             data={"method": "phone", "note": "已电话联系"}, permission=VISIT, scoped=True, ok=MOVED),
]  # fmt: skip


@pytest.mark.parametrize("case", permission_matrix(ENDPOINTS), ids=case_id)
def test_visit_urls_respect_scope_and_permissions(case, client, world):
    assert case.actual(client, world) in case.expected()


def test_visit_for_a_customer_above_clearance_is_404(client, world):
    from linli.customers.models import Customer, Secrecy

    visit = _visit(world)
    customer = _customer(world)
    Customer.objects.filter(pk=customer.pk).update(secrecy=Secrecy.TOP_SECRET)
    client.force_login(world.steward)
    assert client.get(f"/care/visits/records/{visit.pk}/").status_code == 404
    assert client.get(f"/care/visits/record/?customer={customer.pk}").status_code == 404
    assert client.post("/care/visits/record/", _record_post(world)).status_code == 404
    assert Visit.objects.count() == 1


def test_visit_for_a_customer_of_another_office_is_404_and_records_nothing(client, world):
    from linli.customers.testing import make_customer

    stranger = make_customer(world.jg, "钱七", room="2-1-201")
    client.force_login(world.steward)
    data = {"customer": stranger.pk, "kind": "regular", "method": "door",
            "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}  # fmt: skip
    assert client.post("/care/visits/record/", data).status_code == 404
    assert not Visit.objects.exists()
