from __future__ import annotations

from linli.audit.models import AuditEvent
from linli.org.models import Staff

FORM = {
    "username": "ch_new",
    "name": "新员工",
    "role": "steward",
    "phone": "13800001111",
    "is_active": "on",
    "password": "Chushi-mima-1",
}


def test_office_manager_creates_a_steward_in_own_office(client, world):
    client.force_login(world.office_manager)
    response = client.post("/org/staff/new/", {**FORM, "community": world.ch.pk})
    assert response.status_code == 302
    created = Staff.objects.get(username="ch_new")
    assert created.community == world.ch and created.check_password("Chushi-mima-1")
    assert AuditEvent.objects.filter(action="org.staff.created", target_id=str(created.pk)).exists()


def test_office_manager_cannot_create_in_another_office(client, world):
    client.force_login(world.office_manager)
    response = client.post("/org/staff/new/", {**FORM, "community": world.jg.pk})
    assert response.status_code == 200
    assert not Staff.objects.filter(username="ch_new").exists()


def test_office_role_needs_a_community_and_errors_name_the_field(client, world):
    client.force_login(world.hq_admin)
    response = client.post("/org/staff/new/", {**FORM, "community": ""})
    assert response.status_code == 200
    assert "管理处岗位必须选择所属管理处" in response.content.decode()
    assert not Staff.objects.filter(username="ch_new").exists()


def test_edit_records_old_and_new_values(client, world):
    client.force_login(world.hq_admin)
    data = {**FORM, "username": "steward", "name": "改名", "community": world.ch.pk, "password": ""}
    assert client.post(f"/org/staff/{world.steward.pk}/", data).status_code == 302
    event = AuditEvent.objects.get(action="org.staff.changed")
    assert event.data["changes"]["name"] == ["steward", "改名"]


def test_staff_search_by_phone_tail(client, world):
    world.steward.phone = "13912345678"
    world.steward.save()
    client.force_login(world.office_manager)
    page = client.get("/org/staff/", {"q": "5678"})
    assert [s.username for s in page.context["page"]] == ["steward"]


def test_audit_events_are_append_only(world):
    import pytest

    event = AuditEvent.objects.create(action="x.y.z")
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(action="changed")
