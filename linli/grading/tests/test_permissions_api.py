"""Every grading API endpoint in the permission matrix, and the API's behaviour.

The matrix runs on tests/urls.py (the site plus /api/v1/grading/), so it holds before and
after linli/api/urls.py mounts the grading API; the URL-coverage test reads ENDPOINTS, which
list the API once it is mounted.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import Resolver404, resolve

from linli.core.testing import Endpoint, case_id, permission_matrix
from linli.grading.models import CustomerGrade, GradeChange, GradeRule
from linli.grading.tests.test_permissions import _customer, _item, _job, _pending, _review
from linli.org.roles import Perm

pytestmark = pytest.mark.urls("linli.grading.tests.urls")

API = "/api/v1/grading"
JSON = "application/json"
APPROVE = Perm.GRADING_APPROVE_VIP
V, EDIT, CONFIRM, PROPOSE, OFFICE = (
    Perm.CUSTOMERS_VIEW, Perm.GRADING_CONFIGURE, Perm.GRADING_CONFIRM, Perm.GRADING_PROPOSE, Perm.REPORTS_OFFICE,
)  # fmt: skip
ACCEPTED = frozenset({202})
NEW_RULE = {"name": "单位客户", "grade": "a", "priority": 45,
            "conditions": [{"input": "kind", "op": "=", "value": "organisation"}]}  # fmt: skip


def _rule(world: Any) -> GradeRule:
    return GradeRule.objects.order_by("pk").first()


def _rule_update(world: Any) -> dict[str, Any]:
    rule = _rule(world)
    return {
        "name": rule.name,
        "grade": rule.grade.code,
        "priority": rule.priority,
        "conditions": rule.conditions,
    }


def post(path: Any, data: Any, permission: str, *, scoped: bool = False, ok: frozenset[int] = frozenset({200}),
         name: str = "", method: str = "post") -> Endpoint:  # fmt: skip
    return Endpoint(name, path, method=method, data=data, permission=permission, scoped=scoped, api=True,
                    ok=ok, content_type=JSON)  # fmt: skip


API_ENDPOINTS = [
    Endpoint("api-grades", f"{API}/grades/", permission=V, api=True),
    Endpoint("api-rules", f"{API}/rules/", permission=V, api=True),
    post(f"{API}/rules/", NEW_RULE, EDIT, ok=frozenset({201}), name="api-rule-create"),
    Endpoint("api-rule", lambda w: f"{API}/rules/{_rule(w).pk}/", permission=V, api=True),
    post(lambda w: f"{API}/rules/{_rule(w).pk}/", _rule_update, EDIT, name="api-rule-update", method="put"),
    Endpoint("api-customers", f"{API}/customers/", permission=V, api=True),
    Endpoint("api-customer", lambda w: f"{API}/customers/{_customer(w).pk}/", permission=V, scoped=True, api=True),
    post(lambda w: f"{API}/customers/{_customer(w).pk}/decide/", {"grade": "a", "reason": "矩阵"}, CONFIRM,
         scoped=True, name="api-decide"),
    post(lambda w: f"{API}/customers/{_pending(w).pk}/approve/", {"approve": True}, APPROVE, scoped=True,
         name="api-approve"),
    post(lambda w: f"{API}/customers/{_customer(w).pk}/fee/", {"status": "paid"}, PROPOSE, scoped=True, name="api-fee"),
    post(lambda w: f"{API}/customers/{_customer(w).pk}/flags/", {"flags": ["peer"]}, PROPOSE, scoped=True,
         name="api-flags"),
    Endpoint("api-reviews", f"{API}/reviews/", permission=OFFICE, api=True),
    post(f"{API}/reviews/start/", {}, CONFIRM, ok=ACCEPTED, name="api-review-start"),
    Endpoint("api-review-items", lambda w: f"{API}/reviews/{_review(w).pk}/items/", permission=OFFICE, scoped=True, api=True),
    post(lambda w: f"{API}/reviews/{_review(w).pk}/confirm/", lambda w: {"items": [_item(w).pk]}, CONFIRM, scoped=True,
         name="api-review-confirm"),
    post(lambda w: f"{API}/reviews/items/{_item(w).pk}/decide/", {"action": "confirm"}, CONFIRM, scoped=True,
         name="api-item-decide"),
    post(f"{API}/regrade/", {}, APPROVE, ok=ACCEPTED, name="api-regrade"),
    Endpoint("api-job", lambda w: f"{API}/jobs/{_job(w).pk}/", permission=OFFICE, scoped=True, api=True),
]  # fmt: skip


def _api_mounted() -> bool:
    try:
        resolve(f"{API}/grades/", urlconf="linli.urls")
    except Resolver404:
        return False
    return True


# The URL-coverage test reads ENDPOINTS against the site's URLs; the API joins once
# linli/api/urls.py mounts it (the matrix below runs either way, on tests/urls.py).
ENDPOINTS = API_ENDPOINTS if _api_mounted() else []


@pytest.mark.parametrize("case", permission_matrix(API_ENDPOINTS), ids=case_id)
def test_grading_api_respects_scope_and_permissions(case, client, world):
    assert case.actual(client, world) in case.expected()


def _post(client: Any, path: str, data: Any) -> Any:
    return client.post(path, json.dumps(data), content_type=JSON)


def test_a_rule_over_a_missing_field_is_a_400_naming_it_and_nothing_changes(client, world):
    client.force_login(world.hq_admin)
    before = GradeRule.objects.count()
    response = _post(
        client,
        f"{API}/rules/",
        {**NEW_RULE, "conditions": [{"input": "salary", "op": ">=", "value": 1}]},
    )
    assert response.status_code == 400
    assert "salary" in response.json()["detail"] and "conditions" in response.json()["errors"]
    assert GradeRule.objects.count() == before


def test_decide_override_without_reason_is_a_400_and_nothing_changes(client, world):
    customer = _customer(world)
    client.force_login(world.office_supervisor)
    response = _post(client, f"{API}/customers/{customer.pk}/decide/", {"grade": "c"})
    assert response.status_code == 400 and "理由" in response.json()["detail"]
    assert not GradeChange.objects.exists()


def test_confirm_then_the_detail_shows_the_history(client, world):
    customer = _customer(world)
    client.force_login(world.office_supervisor)
    detail = client.get(f"{API}/customers/{customer.pk}/").json()
    assert detail["grade"] is None and detail["proposal"]["grade"] == "b"
    done = _post(client, f"{API}/customers/{customer.pk}/decide/", {"grade": "b"}).json()
    assert done["grade"] == "b" and done["history"][0]["new_grade"] == "b"
    assert done["history"][0]["decided_by"] == world.office_supervisor.display_name
    listed = client.get(f"{API}/customers/", {"grade": "b"}).json()
    assert [row["customer"] for row in listed["results"]] == [customer.pk]


def test_vip_through_the_api_waits_for_approval(client, world):
    customer = _pending(world)
    client.force_login(world.hq_admin)
    body = _post(client, f"{API}/customers/{customer.pk}/approve/", {"approve": True}).json()
    assert body["grade"] == "vip" and body["pending"] is None
    assert CustomerGrade.objects.get(customer=customer).grade.code == "vip"


def test_other_communities_and_files_above_clearance_are_absent(client, world):
    from linli.customers.models import Customer, Secrecy
    from linli.customers.testing import make_customer
    from linli.grading import jobs

    secret = make_customer(world.ch, "秘总", room="3-2-503")
    Customer.objects.filter(pk=secret.pk).update(secrecy=Secrecy.TOP_SECRET)
    _customer(world)
    jobs.regrade()
    client.force_login(world.office_supervisor)
    names = [
        r["name"] for r in client.get(f"{API}/reviews/{_review(world).pk}/items/").json()["results"]
    ]
    assert names == ["张三"]
    assert client.get(f"{API}/customers/{secret.pk}/").status_code == 404
    client.force_login(world.outsider)
    assert client.get(f"{API}/customers/{_customer(world).pk}/").status_code == 404


def test_the_schema_documents_the_grading_api(client, world):
    client.force_login(world.hq_admin)
    response = client.get("/api/v1/schema/", headers={"Accept": "application/json"})
    assert response.status_code == 200
