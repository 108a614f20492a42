from __future__ import annotations

import re
from pathlib import Path

from linli.org.roles import (
    ALL_PERMISSIONS,
    COMPANY_ROLES,
    FLEXIBLE_ROLES,
    OFFICE_ROLES,
    ROLE_PERMISSIONS,
    Perm,
    Role,
)

DOC = Path(__file__).resolve().parents[3] / "docs" / "permissions.md"


def test_every_role_has_a_permission_set_and_a_level():
    assert set(ROLE_PERMISSIONS) == set(Role.values)
    assert set(Role.values) == COMPANY_ROLES | OFFICE_ROLES | FLEXIBLE_ROLES
    for role, codes in ROLE_PERMISSIONS.items():
        assert codes <= ALL_PERMISSIONS, role


def test_policy_table_duties_are_permissions():
    """POLICY Ch.2: who owns parameters, who approves what, who does what."""
    assert {r for r, c in ROLE_PERMISSIONS.items() if Perm.POLICY_EDIT in c} == {
        Role.HR_ADMIN_MANAGER
    }
    assert {r for r, c in ROLE_PERMISSIONS.items() if Perm.PRIVACY_APPROVE_TOP_SECRET in c} == {
        Role.GENERAL_MANAGER,
        Role.GM_ASSISTANT,
    }
    assert {r for r, c in ROLE_PERMISSIONS.items() if Perm.PRIVACY_APPROVE_CONFIDENTIAL in c} == {
        Role.OFFICE_MANAGER
    }
    assert Perm.CUSTOMERS_SET_SECRECY in ROLE_PERMISSIONS[Role.OFFICE_CUSTOMER_SUPERVISOR]
    assert Perm.TICKETS_ENGINEERING in ROLE_PERMISSIONS[Role.ENGINEERING_MANAGER]
    assert Perm.SURVEYS_REPORT in ROLE_PERMISSIONS[Role.SURVEY_RESEARCHER]
    assert Perm.TICKETS_COMPANY_LEVEL in ROLE_PERMISSIONS[Role.HQ_CUSTOMER_SUPERVISOR]
    assert Perm.POLICY_EDIT not in ROLE_PERMISSIONS[Role.STEWARD]


def test_permissions_doc_matches_code():
    """docs/permissions.md lists, per role, exactly the codes ROLE_PERMISSIONS grants."""
    text = DOC.read_text(encoding="utf-8")
    documented: dict[str, set[str]] = {}
    for line in text.splitlines():
        match = re.match(r"^\| `([a-z_]+)` \|[^|]*\|[^|]*\| (.*) \|$", line)
        if match:
            documented[match.group(1)] = set(re.findall(r"`([a-z_]+\.[a-z_]+)`", match.group(2)))
    assert documented == {role: set(codes) for role, codes in ROLE_PERMISSIONS.items()}
