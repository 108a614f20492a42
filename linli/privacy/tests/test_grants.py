from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from linli.core.errors import DomainError
from linli.customers.models import Customer, Secrecy
from linli.privacy import services
from linli.privacy.models import AccessGrant, Decision
from linli.privacy.tests import factories as f


def visible(user, customer) -> bool:
    return Customer.objects.visible_to(user).filter(pk=customer.pk).exists()


def test_request_page_shows_only_the_role_and_a_masked_surname(client, world):
    customer = f.restricted_customer(world)
    client.force_login(world.steward)
    page = client.get(f"/privacy/grants/new/?occupancy={f.occupancy_of(customer).pk}")
    text = page.content.decode()
    assert page.status_code == 200
    assert "王**" in text and "业主" in text and "8-1-801" in text
    assert "王五" not in text and "1111" not in text and "4518" not in text
    assert "机密" not in text  # the level is not revealed either


def test_steward_requests_through_the_room_and_the_office_manager_approves(client, world, notified):
    customer = f.restricted_customer(world)
    assert not visible(world.steward, customer)
    client.force_login(world.steward)
    response = client.post(
        f"/privacy/grants/new/?occupancy={f.occupancy_of(customer).pk}",
        {"reason": "上门维修需联系业主"},
    )
    assert response.status_code == 302 and response.url == "/privacy/grants/"
    grant = AccessGrant.objects.get()
    assert (grant.grantee, grant.status, grant.level) == (
        world.steward,
        Decision.PENDING,
        Secrecy.CONFIDENTIAL,
    )
    assert world.office_manager in notified[-1]["recipients"]
    assert world.steward not in notified[-1]["recipients"]
    mine = client.get("/privacy/grants/").content.decode()
    assert "王**" in mine and "王五" not in mine

    client.force_login(world.office_manager)
    approvals = client.get("/privacy/grants/approvals/").content.decode()
    assert "王五" in approvals and "上门维修需联系业主" in approvals
    response = client.post(
        f"/privacy/grants/{grant.pk}/decide/", {"decision": "approve", "note": "同意"}
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.status == Decision.APPROVED and grant.approver == world.office_manager
    assert grant.valid_until is not None
    assert grant.valid_until - timezone.now() > dt.timedelta(days=6, hours=23)
    assert visible(world.steward, customer)

    client.force_login(world.steward)
    mine = client.get("/privacy/grants/").content.decode()
    assert "王五" in mine and "剩" in mine


def test_missing_reason_is_a_field_error_and_nothing_is_written(client, world):
    customer = f.restricted_customer(world)
    client.force_login(world.steward)
    response = client.post(
        f"/privacy/grants/new/?occupancy={f.occupancy_of(customer).pk}", {"reason": " "}
    )
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert not AccessGrant.objects.exists()


def test_double_submission_leaves_one_request(client, world):
    customer = f.restricted_customer(world)
    client.force_login(world.steward)
    url = f"/privacy/grants/new/?occupancy={f.occupancy_of(customer).pk}"
    client.post(url, {"reason": "上门维修"})
    second = client.post(url, {"reason": "上门维修"})
    assert second.status_code == 200
    assert "已提交过" in second.content.decode()
    assert AccessGrant.objects.count() == 1


def test_a_grant_is_decided_once(client, world):
    grant = f.pending_grant(world)
    client.force_login(world.office_manager)
    url = f"/privacy/grants/{grant.pk}/decide/"
    client.post(url, {"decision": "approve"})
    second = client.post(url, {"decision": "reject", "note": "不同意"}, follow=True)
    assert "该申请已处理" in second.content.decode()
    grant.refresh_from_db()
    assert grant.status == Decision.APPROVED


def test_top_secret_grants_need_the_general_manager(client, world):
    grant = f.pending_grant(world, Secrecy.TOP_SECRET)
    client.force_login(world.office_manager)
    assert grant not in [
        row.grant for row in client.get("/privacy/grants/approvals/").context["pending"]
    ]
    refused = client.post(f"/privacy/grants/{grant.pk}/decide/", {"decision": "approve"})
    assert refused.status_code == 403
    assert "privacy.approve_top_secret" in refused.content.decode()
    gm = f.general_manager(world)
    client.force_login(gm)
    client.post(f"/privacy/grants/{grant.pk}/decide/", {"decision": "approve"})
    grant.refresh_from_db()
    assert grant.status == Decision.APPROVED and grant.approver == gm
    assert grant.valid_until is not None
    assert dt.timedelta(hours=23) < grant.valid_until - timezone.now() <= dt.timedelta(hours=24)


def test_the_approval_list_holds_only_grants_the_user_may_decide(world):
    from linli.privacy.selectors import grants_to_decide

    mine = f.pending_grant(world)
    top = f.pending_grant(world, Secrecy.TOP_SECRET)
    other = f.restricted_customer(world, community=world.jg, name="吴九", room="1-1-101")
    elsewhere = services.request_grant(other, actor=world.outsider, reason="核对资料")
    own = services.request_grant(
        f.restricted_customer(world, Secrecy.TOP_SECRET, name="郑十", room="9-1-901"),
        actor=world.office_manager,
        reason="核对资料",
    )
    listed = set(grants_to_decide(world.office_manager))
    assert mine in listed
    assert not listed & {top, elsewhere, own}
    for grant in (top, elsewhere, own):
        assert not services.can_decide(grant, world.office_manager)


def test_revoking_a_grant_hides_the_file_again(client, world):
    grant = f.approved_grant(world)
    assert visible(world.steward, grant.customer)
    client.force_login(world.office_manager)
    page = client.get("/privacy/grants/approvals/")
    assert grant in [row.grant for row in page.context["in_force"]]
    client.post(f"/privacy/grants/{grant.pk}/revoke/", {"note": "维修已完成"})
    grant.refresh_from_db()
    assert grant.status == Decision.REVOKED
    assert not visible(world.steward, grant.customer)
    again = client.post(f"/privacy/grants/{grant.pk}/revoke/", {"note": "重复"}, follow=True)
    assert "只能撤销已批准的授权" in again.content.decode()


def test_revoke_without_a_reason_changes_nothing(client, world):
    grant = f.approved_grant(world)
    client.force_login(world.office_manager)
    client.post(f"/privacy/grants/{grant.pk}/revoke/", {"note": ""})
    grant.refresh_from_db()
    assert grant.status == Decision.APPROVED


def test_no_request_for_a_file_already_open_to_the_user(client, world):
    customer = f.restricted_customer(world)
    client.force_login(world.office_supervisor)  # clearance 机密
    page = client.get(f"/privacy/grants/new/?occupancy={f.occupancy_of(customer).pk}")
    assert page.context["already_visible"] and "无需申请" in page.content.decode()
    with pytest.raises(DomainError):
        services.request_grant(customer, actor=world.office_supervisor, reason="核对")
    grant = f.approved_grant(world)
    with pytest.raises(DomainError):  # an approved grant covers it already
        services.request_grant(grant.customer, actor=world.steward, reason="再次申请")


def test_someone_without_the_permission_cannot_decide(world):
    grant = f.pending_grant(world)
    with pytest.raises(PermissionDenied):
        services.decide_grant(grant, actor=world.office_supervisor, approve=True)
    grant.refresh_from_db()
    assert grant.status == Decision.PENDING


def test_rejecting_needs_a_reason(client, world):
    grant = f.pending_grant(world)
    client.force_login(world.office_manager)
    page = client.post(f"/privacy/grants/{grant.pk}/decide/", {"decision": "reject"}, follow=True)
    assert "驳回时请写明理由" in page.content.decode()
    grant.refresh_from_db()
    assert grant.status == Decision.PENDING
    client.post(f"/privacy/grants/{grant.pk}/decide/", {"decision": "reject", "note": "无必要"})
    grant.refresh_from_db()
    assert grant.status == Decision.REJECTED and grant.valid_until is None
