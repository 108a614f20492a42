"""Every URL and endpoint of the foundation in one permission matrix (DESIGN §4)."""

from __future__ import annotations

import pytest

from linli.core.testing import Endpoint, case_id, permission_matrix
from linli.org.roles import Perm

ENDPOINTS = [
    Endpoint("home", "/"),
    Endpoint(
        "login-page", "/accounts/login/", public=True, ok=frozenset({200, 302})
    ),  # signed in → home
    Endpoint("healthz", "/healthz", public=True),
    Endpoint("password-change", "/accounts/password/"),
    Endpoint("staff-list", "/org/staff/", permission=Perm.ORG_VIEW_STAFF),
    Endpoint("staff-create-form", "/org/staff/new/", permission=Perm.ORG_MANAGE_STAFF),
    Endpoint(
        "staff-edit-form",
        lambda w: f"/org/staff/{w.steward.pk}/",
        permission=Perm.ORG_MANAGE_STAFF,
        scoped=True,
    ),
    Endpoint("community-list", "/org/communities/"),
    Endpoint("community-detail", "/org/communities/CH/", scoped=True),
    Endpoint(
        "switch-community",
        "/org/switch-community/",
        method="post",
        data={"community": ""},
        ok=frozenset({302}),
    ),
    Endpoint("policy-index", "/policy/", permission=Perm.POLICY_VIEW),
    Endpoint(
        "policy-detail", "/policy/tickets.ordinary.respond_hours/", permission=Perm.POLICY_VIEW
    ),
    Endpoint(
        "policy-change",
        "/policy/tickets.ordinary.respond_hours/",
        method="post",
        data={"value": "20", "reason": "矩阵测试", "expected_version": "0"},
        permission=Perm.POLICY_EDIT,
        ok=frozenset({302}),
    ),
    Endpoint("api-me", "/api/v1/me/", api=True),
    Endpoint("api-communities", "/api/v1/communities/", api=True),
    Endpoint("api-community-detail", "/api/v1/communities/CH/", api=True, scoped=True),
    Endpoint("api-parameters", "/api/v1/policy/parameters/", api=True, permission=Perm.POLICY_VIEW),
    Endpoint(
        "api-parameters-of-community",
        "/api/v1/policy/parameters/?community=CH",
        api=True,
        scoped=True,
        permission=Perm.POLICY_VIEW,
    ),
    Endpoint("api-schema", "/api/v1/schema/", api=True),
    Endpoint("api-docs", "/api/v1/docs/", api=True),
    Endpoint(
        "api-token",
        "/api/v1/auth/token/",
        method="post",
        data={"username": "nobody", "password": "wrong"},
        content_type="application/json",
        public=True,
        ok=frozenset({400}),
    ),
]


@pytest.mark.parametrize("case", permission_matrix(ENDPOINTS), ids=case_id)
def test_foundation_urls_respect_scope_and_permissions(case, client, world):
    assert case.actual(client, world) in case.expected()
