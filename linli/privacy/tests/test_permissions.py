"""Every URL of the secrecy chapter in one permission matrix (DESIGN §4).

Objects belong to community CH; the JG steward (outsider) gets 404 for them. Pages that only
the requester (or the approver the policy names) may open are checked for those personas in
the matrix and for everyone else in the explicit tests below.
"""

from __future__ import annotations

import pytest

from linli.core.testing import Endpoint, case_id, permission_matrix
from linli.customers.models import Secrecy
from linli.org.roles import Perm
from linli.privacy.models import Disclosure, SubjectRequest
from linli.privacy.tests import factories as f


def _occupancy(world, level=Secrecy.CONFIDENTIAL):
    return f.occupancy_of(f.restricted_customer(world, level)).pk


def _picked(world):
    return f.restricted_customer(world, Secrecy.SECRET, name="周八", room="6-1-601").pk


def _action_done_path(world):
    incident, action = f.incident_with_action(world)
    return f"/privacy/incidents/{incident.pk}/actions/{action.pk}/done/"


GENERAL = [
    Endpoint("privacy-home", "/privacy/"),
    # access grants
    Endpoint("grant-mine", "/privacy/grants/", permission=Perm.CUSTOMERS_VIEW),
    Endpoint(
        "grant-new-form",
        lambda w: f"/privacy/grants/new/?occupancy={_occupancy(w)}",
        permission=Perm.CUSTOMERS_VIEW,
        scoped=True,
    ),
    Endpoint(
        "grant-new-submit",
        lambda w: f"/privacy/grants/new/?occupancy={_occupancy(w, Secrecy.TOP_SECRET)}",
        method="post",
        data={"reason": "处理投诉需核对资料"},
        permission=Perm.CUSTOMERS_VIEW,
        scoped=True,
        ok=frozenset({302}),
    ),
    Endpoint(
        "grant-approvals",
        "/privacy/grants/approvals/",
        permission=Perm.PRIVACY_APPROVE_CONFIDENTIAL,
    ),
    Endpoint(
        "grant-decide",
        lambda w: f"/privacy/grants/{f.pending_grant(w).pk}/decide/",
        method="post",
        data={"decision": "approve", "note": ""},
        permission=Perm.PRIVACY_APPROVE_CONFIDENTIAL,
        scoped=True,
        ok=frozenset({302}),
    ),
    Endpoint(
        "grant-revoke",
        lambda w: f"/privacy/grants/{f.approved_grant(w).pk}/revoke/",
        method="post",
        data={"note": "工作已完成"},
        permission=Perm.PRIVACY_APPROVE_CONFIDENTIAL,
        scoped=True,
        ok=frozenset({302}),
    ),
    # access register
    Endpoint("access-log", "/privacy/log/", permission=Perm.PRIVACY_VIEW_ACCESS_LOG),
    # exports
    Endpoint("export-mine", "/privacy/exports/", permission=Perm.CUSTOMERS_VIEW),
    Endpoint(
        "export-new-customers",
        "/privacy/exports/new/?kind=customers",
        permission=Perm.CUSTOMERS_EXPORT,
    ),
    Endpoint(
        "export-new-access-log",
        "/privacy/exports/new/?kind=access_log",
        permission=Perm.PRIVACY_VIEW_ACCESS_LOG,
    ),
    Endpoint(
        "export-new-submit",
        "/privacy/exports/new/?kind=rooms",
        method="post",
        data={"reason": "年度资料核对"},
        permission=Perm.CUSTOMERS_EXPORT,
        ok=frozenset({302}),
    ),
    Endpoint(
        "export-approvals", "/privacy/exports/approvals/", permission=Perm.PRIVACY_APPROVE_EXPORT
    ),
    Endpoint(
        "export-decide",
        lambda w: f"/privacy/exports/{f.pending_export(w).pk}/decide/",
        method="post",
        data={"decision": "reject", "note": "用途不明确"},
        permission=Perm.PRIVACY_APPROVE_EXPORT,
        scoped=True,
        ok=frozenset({302}),
    ),
    # disclosures
    Endpoint("disclosure-list", "/privacy/disclosures/", permission=Perm.PRIVACY_VIEW_ACCESS_LOG),
    Endpoint(
        "disclosure-picker",
        "/privacy/disclosures/new/?q=周",
        permission=Perm.PRIVACY_VIEW_ACCESS_LOG,
    ),
    Endpoint(
        "disclosure-new-form",
        lambda w: f"/privacy/disclosures/new/?customer={_picked(w)}",
        permission=Perm.PRIVACY_VIEW_ACCESS_LOG,
        scoped=True,
    ),
    Endpoint(
        "disclosure-new-submit",
        lambda w: f"/privacy/disclosures/new/?customer={_picked(w)}",
        method="post",
        data={
            "organisation": "朝阳区人民法院",
            "letter_reference": "（2026）京0105执123号",
            "investigator_name": "陈法官",
            "investigator_id": "110105198503031234",
            "purpose": "执行案件送达",
            "requested": ["name", "room"],
        },
        permission=Perm.PRIVACY_VIEW_ACCESS_LOG,
        scoped=True,
        ok=frozenset({302}),
    ),
    Endpoint(
        "disclosure-detail",
        lambda w: f"/privacy/disclosures/{f.disclosure(w).pk}/",
        permission=Perm.PRIVACY_VIEW_ACCESS_LOG,
        scoped=True,
    ),
    Endpoint(
        "disclosure-decide",
        lambda w: f"/privacy/disclosures/{f.disclosure(w).pk}/decide/",
        method="post",
        data={"decision": "approve"},
        permission=Perm.PRIVACY_APPROVE_DISCLOSURE,
        scoped=True,
        ok=frozenset({302}),
    ),
    Endpoint(
        "disclosure-release",
        lambda w: (
            f"/privacy/disclosures/{f.disclosure(w, status=Disclosure.Status.APPROVED).pk}/release/"
        ),
        method="post",
        data={"note": "书面材料一页，经办人签收"},
        permission=Perm.PRIVACY_VIEW_ACCESS_LOG,
        scoped=True,
        ok=frozenset({302}),
    ),
    Endpoint(
        "disclosure-letter",
        lambda w: f"/privacy/disclosures/{f.disclosure_with_letter(w).pk}/letter/",
        permission=Perm.PRIVACY_VIEW_ACCESS_LOG,
        scoped=True,
    ),
    # incidents
    Endpoint("incident-list", "/privacy/incidents/", permission=Perm.PRIVACY_INCIDENTS),
    Endpoint("incident-new-form", "/privacy/incidents/new/", permission=Perm.PRIVACY_INCIDENTS),
    Endpoint(
        "incident-new-submit",
        "/privacy/incidents/new/",
        method="post",
        data={
            "title": "快递单泄露住址",
            "severity": "low",
            "description": "前台丢弃的快递单未粉碎。",
            "discovered_at": "2026-01-05T09:30",
            "affected_count": "3",
        },
        permission=Perm.PRIVACY_INCIDENTS,
        ok=frozenset({302}),
    ),
    Endpoint(
        "incident-detail",
        lambda w: f"/privacy/incidents/{f.incident(w).pk}/",
        permission=Perm.PRIVACY_INCIDENTS,
        scoped=True,
    ),
    Endpoint(
        "incident-action-add",
        lambda w: f"/privacy/incidents/{f.incident(w).pk}/actions/",
        method="post",
        data=lambda w: {
            "description": "培训前台",
            "owner": str(w.office_manager.pk),
            "due_on": "2099-01-31",
        },
        permission=Perm.PRIVACY_INCIDENTS,
        scoped=True,
        ok=frozenset({302}),
    ),
    Endpoint(
        "incident-action-done",
        _action_done_path,
        method="post",
        data={"result": "已改为电子登记"},
        permission=Perm.PRIVACY_INCIDENTS,
        scoped=True,
        ok=frozenset({302}),
    ),
    Endpoint(
        "incident-close",
        lambda w: f"/privacy/incidents/{f.incident(w).pk}/close/",
        method="post",
        data={"conclusion": "经核查未造成实际泄漏。"},
        permission=Perm.PRIVACY_INCIDENTS,
        scoped=True,
        ok=frozenset({302}),
    ),
    # data-subject requests
    Endpoint("subject-list", "/privacy/requests/", permission=Perm.CUSTOMERS_UNMASK),
    Endpoint("subject-picker", "/privacy/requests/new/", permission=Perm.CUSTOMERS_UNMASK),
    Endpoint(
        "subject-new-submit",
        lambda w: f"/privacy/requests/new/?customer={_picked(w)}",
        method="post",
        data={"kind": "access", "details": "要求复印本人登记信息", "received_on": "2026-01-05"},
        permission=Perm.CUSTOMERS_UNMASK,
        scoped=True,
        ok=frozenset({302}),
    ),
    Endpoint(
        "subject-detail",
        lambda w: f"/privacy/requests/{f.subject_request(w).pk}/",
        permission=Perm.CUSTOMERS_UNMASK,
        scoped=True,
    ),
    Endpoint(
        "subject-close",
        lambda w: f"/privacy/requests/{f.subject_request(w).pk}/close/",
        method="post",
        data={"status": "done", "outcome": "已当面提供书面副本一份"},
        permission=Perm.CUSTOMERS_UNMASK,
        scoped=True,
        ok=frozenset({302}),
    ),
    Endpoint(
        "subject-erase",
        lambda w: (
            f"/privacy/requests/{f.subject_request(w, kind=SubjectRequest.Kind.DELETE).pk}/erase/"
        ),
        method="post",
        data={"confirm_name": "孙七"},
        permission=Perm.CUSTOMERS_UNMASK,
        scoped=True,
        ok=frozenset({302}),
    ),
]

# Requester-only pages: the requester (office_supervisor of CH), the approver the policy names
# (hr_admin_manager by default), anonymous and the other community's steward.
OWN_EXPORT = [
    Endpoint(
        "export-detail",
        lambda w: f"/privacy/exports/{f.pending_export(w).pk}/",
        scoped=True,
    ),
]
REQUESTER_ONLY = [
    Endpoint(
        "export-download",
        lambda w: f"/privacy/exports/{f.done_export(w).pk}/download/",
        scoped=True,
    ),
]

ENDPOINTS = GENERAL + OWN_EXPORT + REQUESTER_ONLY


@pytest.mark.parametrize("case", permission_matrix(GENERAL), ids=case_id)
def test_privacy_urls_respect_scope_and_permissions(case, client, world):
    assert case.actual(client, world) in case.expected()


@pytest.mark.parametrize(
    "case",
    permission_matrix(OWN_EXPORT, ["anonymous", "office_supervisor", "hq_admin", "outsider"]),
    ids=case_id,
)
def test_export_page_is_for_its_requester_and_approver(case, client, world):
    assert case.actual(client, world) in case.expected()


@pytest.mark.parametrize(
    "case",
    permission_matrix(REQUESTER_ONLY, ["anonymous", "office_supervisor", "outsider"]),
    ids=case_id,
)
def test_export_download_is_for_its_requester(case, client, world):
    assert case.actual(client, world) in case.expected()


@pytest.mark.parametrize("persona", ["steward", "office_manager", "hq_supervisor"])
def test_other_staff_of_the_community_cannot_open_an_export(persona, client, world):
    export = f.pending_export(world)
    client.force_login(world.personas[persona])
    response = client.get(f"/privacy/exports/{export.pk}/")
    assert response.status_code == 403
    assert Perm.PRIVACY_APPROVE_EXPORT in response.content.decode()


@pytest.mark.parametrize("persona", ["hq_admin", "office_manager", "steward"])
def test_only_the_requester_downloads(persona, client, world):
    export = f.done_export(world)
    client.force_login(world.personas[persona])
    assert client.get(f"/privacy/exports/{export.pk}/download/").status_code in (403, 404)


def test_customer_above_clearance_cannot_be_picked(client, world):
    secret = f.restricted_customer(world, Secrecy.TOP_SECRET)
    client.force_login(world.hq_admin)
    assert client.get(f"/privacy/disclosures/new/?customer={secret.pk}").status_code == 404
    client.force_login(world.office_supervisor)
    assert client.get(f"/privacy/requests/new/?customer={secret.pk}").status_code == 404


def test_another_community_room_cannot_be_used_to_request_a_grant(client, world):
    other = f.restricted_customer(world, community=world.jg, name="吴九")
    client.force_login(world.steward)
    occupancy = f.occupancy_of(other)
    assert client.get(f"/privacy/grants/new/?occupancy={occupancy.pk}").status_code == 404
    assert client.get("/privacy/grants/new/?occupancy=abc").status_code == 404
