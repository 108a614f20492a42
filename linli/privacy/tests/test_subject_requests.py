from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from linli.audit.models import AuditEvent
from linli.core.errors import DomainError
from linli.customers.models import ChangeRecord, Customer, Occupancy
from linli.customers.services import ANONYMISED_NAME
from linli.customers.testing import make_customer
from linli.privacy import services
from linli.privacy.models import AccessLog, SubjectRequest
from linli.privacy.tests import factories as f


def test_pick_the_customer_then_record_the_request(client, world):
    customer = make_customer(world.ch, "孙七", room="5-1-502")
    make_customer(world.jg, "孙九", room="1-1-101")
    client.force_login(world.office_supervisor)
    found = client.get("/privacy/requests/new/", {"q": "孙"}).context["found"]
    assert [c.name for c in found] == ["孙七"]
    response = client.post(
        f"/privacy/requests/new/?customer={customer.pk}",
        {"kind": "correct", "details": "手机号码已更换", "received_on": timezone.localdate()},
    )
    request = SubjectRequest.objects.get()
    assert response.url == f"/privacy/requests/{request.pk}/"
    assert (request.customer, request.kind, request.community_id, request.recorded_by) == (
        customer,
        "correct",
        world.ch.pk,
        world.office_supervisor,
    )
    page = client.get(f"/privacy/requests/{request.pk}/").content.decode()
    assert f"/customers/{customer.pk}/edit/" in page


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"received_on": "2099-01-01"}, "received_on"),
        ({"details": ""}, "details"),
        ({"kind": "sell"}, "kind"),
    ],
)
def test_bad_input_is_a_named_error_and_nothing_is_written(client, world, change, field):
    customer = make_customer(world.ch, "孙七", room="5-1-502")
    client.force_login(world.office_supervisor)
    data = {"kind": "access", "details": "查阅本人信息", "received_on": "2026-01-05", **change}
    response = client.post(f"/privacy/requests/new/?customer={customer.pk}", data)
    assert field in response.context["form"].errors
    assert not SubjectRequest.objects.exists()


def test_deletion_anonymises_the_customer_and_keeps_statistics_and_audit(client, world):
    request = f.subject_request(world, kind=SubjectRequest.Kind.DELETE)
    customer = request.customer
    services.unmask_field(customer, "mobile", actor=world.office_supervisor, reason="核实身份")
    client.force_login(world.office_supervisor)
    wrong = client.post(f"/privacy/requests/{request.pk}/erase/", {"confirm_name": "孙八"})
    assert "confirm_name" in wrong.context["erase_form"].errors
    customer.refresh_from_db()
    assert customer.name == "孙七" and customer.anonymised_at is None

    client.post(f"/privacy/requests/{request.pk}/erase/", {"confirm_name": "孙七"})
    customer.refresh_from_db()
    request.refresh_from_db()
    assert customer.name == ANONYMISED_NAME and customer.mobile == "" and customer.anonymised_at
    assert request.status == SubjectRequest.Status.DONE and request.handled_by
    assert Occupancy.objects.filter(customer=customer, room__code="5-1-502").exists()
    assert Customer.objects.filter(community=world.ch).count() == 1  # still counted
    assert AccessLog.objects.filter(customer=customer, action="unmask").exists()
    assert AuditEvent.objects.filter(action="customers.customer.anonymised").exists()
    assert ChangeRecord.objects.filter(customer=customer, action="anonymised").exists()
    page = client.get(f"/privacy/requests/{request.pk}/").content.decode()
    assert "孙七" not in page


def test_a_deletion_is_not_done_without_anonymising(world):
    request = f.subject_request(world, kind=SubjectRequest.Kind.DELETE)
    with pytest.raises(DomainError) as error:
        services.close_subject_request(
            request, actor=world.office_supervisor, status="done", outcome="已删除"
        )
    assert error.value.field == "status"
    refused = services.close_subject_request(
        request, actor=world.office_supervisor, status="refused", outcome="依法须保留的资料"
    )
    assert refused.status == SubjectRequest.Status.REFUSED
    with pytest.raises(DomainError):
        services.erase_for_subject_request(
            request, actor=world.office_supervisor, confirm_name="孙七"
        )


def test_an_access_request_is_closed_once_with_what_was_provided(client, world):
    request = f.subject_request(world)
    client.force_login(world.office_manager)
    missing = client.post(
        f"/privacy/requests/{request.pk}/close/", {"status": "done", "outcome": ""}
    )
    assert "outcome" in missing.context["close_form"].errors
    client.post(
        f"/privacy/requests/{request.pk}/close/",
        {"status": "done", "outcome": "当面提供书面副本一份"},
    )
    request.refresh_from_db()
    assert (
        request.status == SubjectRequest.Status.DONE and request.handled_by == world.office_manager
    )
    again = client.post(
        f"/privacy/requests/{request.pk}/close/", {"status": "refused", "outcome": "重复"}
    )
    assert "该请求已办结" in again.content.decode()
    request.refresh_from_db()
    assert request.status == SubjectRequest.Status.DONE


def test_only_erase_for_deletion_requests(world):
    request = f.subject_request(world, kind=SubjectRequest.Kind.CORRECT)
    with pytest.raises(DomainError):
        services.erase_for_subject_request(
            request, actor=world.office_supervisor, confirm_name="孙七"
        )


def test_the_list_shows_open_requests_first(client, world):
    open_one = f.subject_request(world)
    SubjectRequest.objects.filter(pk=open_one.pk).update(
        received_on=timezone.localdate() - dt.timedelta(days=3)
    )
    client.force_login(world.office_supervisor)
    rows = client.get("/privacy/requests/").context["rows"]
    assert [r.pk for r, _label in rows] == [open_one.pk]
    assert client.get("/privacy/requests/?status=done").context["rows"] == []


def test_a_double_submitted_request_is_recorded_once(client, world):
    customer = make_customer(world.ch, "孙七", room="5-1-502")
    client.force_login(world.office_supervisor)
    data = {"kind": "access", "details": "查阅本人信息", "received_on": "2026-01-05"}
    client.post(f"/privacy/requests/new/?customer={customer.pk}", data)
    second = client.post(f"/privacy/requests/new/?customer={customer.pk}", data)
    assert "kind" in second.context["form"].errors
    assert SubjectRequest.objects.count() == 1
