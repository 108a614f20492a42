from __future__ import annotations

from linli.privacy.tests import factories as f


def test_office_manager_sees_what_waits_for_them(client, world):
    f.pending_grant(world)
    f.incident(world)
    f.subject_request(world)
    client.force_login(world.office_manager)
    page = client.get("/privacy/")
    counts = page.context["counts"]
    assert counts["grants_to_decide"] == 1
    assert counts["open_incidents"] == 1
    assert counts["open_requests"] == 1
    assert counts["exports_to_approve"] is None  # the policy names the HR/admin manager
    text = page.content.decode()
    assert "待我审批的查阅申请" in text and "机密" in text


def test_a_steward_sees_only_their_own_requests(client, world):
    f.pending_grant(world)
    client.force_login(world.steward)
    page = client.get("/privacy/")
    counts = page.context["counts"]
    assert counts["my_pending_grants"] == 1
    assert counts["grants_to_decide"] is None and counts["open_incidents"] is None
    text = page.content.decode()
    assert "泄漏事件" not in text and "档案查阅登记" not in text.split("保密规定要点")[0]


def test_the_export_approver_sees_pending_exports(client, world):
    f.pending_export(world)
    client.force_login(world.hq_admin)
    assert client.get("/privacy/").context["counts"]["exports_to_approve"] == 1
