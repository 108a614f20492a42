"""Every reception URL and API endpoint in the permission matrix (DESIGN §4)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import get_resolver

from linli.care.reception.testing import household, open_entry, pending_need
from linli.core.testing import Endpoint, case_id, permission_matrix
from linli.org.roles import Perm

LOG, NEEDS, CHECK, OFFICE, TICKETS = (
    Perm.CARE_RECEPTION_LOG, Perm.CARE_NEEDS, Perm.CARE_DAILY_CHECK, Perm.REPORTS_OFFICE, Perm.TICKETS_CREATE,
)  # fmt: skip
MOVED = frozenset({302})
CREATED = frozenset({201})
JSON = "application/json"
API = "/api/v1/care/reception"


def _entry_post(world: Any) -> dict[str, Any]:
    return {"channel": "phone", "received_at": "2026-01-05T09:30", "customer": household(world).pk,
            "topic": "enquiry", "subject": "咨询物业费", "outcome": "answered"}  # fmt: skip


def _ticket_post(world: Any) -> dict[str, Any]:
    from linli.tickets.models import Category

    return {"kind": "enquiry", "category": Category.objects.first().pk, "severity": "ordinary",
            "description": "咨询停水时间"}  # fmt: skip


def _need_post(world: Any) -> dict[str, Any]:
    return {"customer": household(world).pk, "need_type": "parcel", "description": "代收快递"}


def _entry(world: Any) -> int:
    return open_entry(world).pk


def _need(world: Any) -> int:
    return pending_need(world).pk


def _post(name: str, path: Any, data: Any, permission: str, *, scoped: bool = True,
          ok: frozenset[int] = MOVED) -> Endpoint:  # fmt: skip
    return Endpoint(
        name, path, method="post", data=data, permission=permission, scoped=scoped, ok=ok
    )


def _api(name: str, path: Any, permission: str, *, data: Any = None, scoped: bool = False,
         ok: frozenset[int] = frozenset({200})) -> Endpoint:  # fmt: skip
    method = "post" if data is not None else "get"
    return Endpoint(name, path, method=method, data=data, permission=permission, scoped=scoped,
                    api=True, ok=ok, content_type=JSON if data is not None else None)  # fmt: skip


UI_ENDPOINTS = [
    Endpoint("desk", "/care/reception/", permission=LOG),
    _post("desk-post", "/care/reception/", _entry_post, LOG),
    Endpoint("search", "/care/reception/search/?q=张三", permission=LOG),
    Endpoint("caller-card", lambda w: f"/care/reception/callers/{household(w).pk}/", permission=LOG, scoped=True),
    Endpoint("entries", "/care/reception/log/", permission=LOG),
    Endpoint("entries-export", "/care/reception/log/export/", permission=LOG),
    Endpoint("entry", lambda w: f"/care/reception/log/{_entry(w)}/", permission=LOG, scoped=True),
    _post("entry-close", lambda w: f"/care/reception/log/{_entry(w)}/close/", {"reply": "已回电"}, LOG),
    Endpoint("entry-ticket", lambda w: f"/care/reception/log/{_entry(w)}/ticket/", permission=TICKETS, scoped=True),
    _post("entry-ticket-post", lambda w: f"/care/reception/log/{_entry(w)}/ticket/", _ticket_post, TICKETS),
    Endpoint("entry-need", lambda w: f"/care/reception/log/{_entry(w)}/need/", permission=NEEDS, scoped=True),
    _post("entry-need-post", lambda w: f"/care/reception/log/{_entry(w)}/need/",
          {"need_type": "parcel", "description": "代收快递"}, NEEDS),
    Endpoint("check", "/care/reception/check/", permission=LOG),
    _post("check-confirm", "/care/reception/check/confirm/", lambda w: {"day": "2026-01-05"}, CHECK, scoped=False),
    Endpoint("needs", "/care/reception/needs/", permission=NEEDS),
    Endpoint("my-needs", "/care/reception/needs/mine/", permission=NEEDS),
    Endpoint("need-new", "/care/reception/needs/new/", permission=NEEDS),
    _post("need-new-post", "/care/reception/needs/new/", _need_post, NEEDS),
    Endpoint("need", lambda w: f"/care/reception/needs/{_need(w)}/", permission=NEEDS, scoped=True),
    _post("need-status", lambda w: f"/care/reception/needs/{_need(w)}/status/",
          {"status": "in_progress", "version": 1}, NEEDS),
    _post("need-assign", lambda w: f"/care/reception/needs/{_need(w)}/assign/",
          lambda w: {"assignee": w.office_supervisor.pk, "version": 1}, NEEDS),
    _post("need-feedback", lambda w: f"/care/reception/needs/{_need(w)}/feedback/",
          {"feedback": "满意", "version": 1}, NEEDS),
    Endpoint("need-report", "/care/reception/needs/report/", permission=OFFICE),
    Endpoint("need-report-export", "/care/reception/needs/report/export/", permission=OFFICE),
]  # fmt: skip

API_ENDPOINTS = [
    _api("api-entries", f"{API}/entries/", LOG),
    _api("api-entry-create", f"{API}/entries/", LOG, data=_entry_post, scoped=True, ok=CREATED),
    _api("api-entry", lambda w: f"{API}/entries/{_entry(w)}/", LOG, scoped=True),
    _api("api-needs", f"{API}/needs/", NEEDS),
    _api("api-need-create", f"{API}/needs/", NEEDS, data=_need_post, scoped=True, ok=CREATED),
    _api("api-need", lambda w: f"{API}/needs/{_need(w)}/", NEEDS, scoped=True),
    _api("api-need-status", lambda w: f"{API}/needs/{_need(w)}/status/", NEEDS,
         data={"status": "in_progress"}, scoped=True),
    _api("api-need-types", f"{API}/need-types/", NEEDS),
]  # fmt: skip

ENDPOINTS = UI_ENDPOINTS + API_ENDPOINTS


@pytest.mark.parametrize("case", permission_matrix(ENDPOINTS), ids=case_id)
def test_reception_urls_respect_scope_and_permissions(case, client, world):
    assert case.actual(client, world) in case.expected()


def test_every_reception_route_is_in_the_matrix(world):
    """linli/core/tests/test_url_coverage.py looks one level deep (linli/<app>/tests); this
    app sits at linli/care/reception, so it checks its own routes here."""
    from django.urls import resolve

    def walk(patterns: Any, prefix: str = "") -> Any:
        for p in patterns:
            route = prefix + str(p.pattern)
            if hasattr(p, "url_patterns"):
                yield from walk(p.url_patterns, route)
            else:
                yield route

    mine = {r for r in walk(get_resolver().url_patterns)
            if r.startswith(("care/reception/", "api/v1/care/reception/"))}  # fmt: skip
    covered = {resolve(e.resolve_path(world).split("?")[0]).route for e in ENDPOINTS}
    assert mine and mine - covered == set()


def test_above_clearance_the_entry_and_need_are_404(client, world):
    from linli.customers.models import Customer, Secrecy

    entry, need = open_entry(world), pending_need(world)
    Customer.objects.filter(pk=household(world).pk).update(secrecy=Secrecy.TOP_SECRET)
    client.force_login(world.steward)
    assert client.get(f"/care/reception/log/{entry.pk}/").status_code == 404
    assert client.get(f"/care/reception/needs/{need.pk}/").status_code == 404
    assert client.get(f"{API}/needs/{need.pk}/").status_code == 404
    assert client.post("/care/reception/", _entry_post(world)).status_code == 404
