from __future__ import annotations

import datetime as dt
import importlib.util

import pytest
from django.utils import timezone

from linli.core.errors import DomainError
from linli.org.models import Staff
from linli.privacy import services
from linli.privacy.models import Incident, IncidentAction
from linli.privacy.tests import factories as f

FORM = {
    "title": "业主名单被拍照外传",
    "severity": "high",
    "description": "保安亭登记本被人拍照后发到业主群。",
    "discovered_at": "2026-01-05T09:30",
    "occurred_at": "2026-01-04T20:00",
    "affected_count": "12",
}


def test_recording_a_leak_tells_the_responsible_people_at_once(client, world, notified):
    gm = f.general_manager(world)
    jg_manager = Staff.objects.create(username="jg_mgr", role="office_manager", community=world.jg)
    client.force_login(world.hq_supervisor)
    response = client.post("/privacy/incidents/new/", {**FORM, "community": world.ch.pk})
    incident = Incident.objects.get()
    assert response.url == f"/privacy/incidents/{incident.pk}/"
    assert (incident.community, incident.reported_by, incident.affected_count) == (
        world.ch,
        world.hq_supervisor,
        12,
    )
    (call,) = notified
    recipients = set(call["recipients"])
    assert {world.office_manager, world.hq_admin, gm} <= recipients
    assert not recipients & {world.hq_supervisor, world.steward, world.outsider, jg_manager}
    assert call["link"] == f"/privacy/incidents/{incident.pk}/"
    assert "严重" in call["subject"] and call["kind"] == "privacy.incident.recorded"


def test_an_office_manager_records_for_their_own_community(client, world, notified):
    client.force_login(world.office_manager)
    client.post("/privacy/incidents/new/", {**FORM, "community": world.jg.pk})
    incident = Incident.objects.get()
    assert incident.community == world.ch  # office staff: always their own office
    assert world.office_manager not in notified[0]["recipients"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"discovered_at": "2099-01-01T00:00"}, "discovered_at"),
        ({"occurred_at": "2026-01-06T00:00"}, "occurred_at"),
        ({"title": ""}, "title"),
        ({"affected_count": "-1"}, "affected_count"),
    ],
)
def test_bad_input_is_a_named_error_and_nothing_is_written(client, world, change, field):
    client.force_login(world.office_manager)
    response = client.post("/privacy/incidents/new/", {**FORM, **change})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Incident.objects.exists()


def test_actions_are_tracked_and_the_incident_closes_when_they_are_done(client, world, notified):
    incident = f.incident(world)
    client.force_login(world.office_manager)
    url = f"/privacy/incidents/{incident.pk}"
    client.post(
        f"{url}/actions/",
        {"description": "收回登记本", "owner": world.steward.pk, "due_on": "2099-01-31"},
    )
    action = IncidentAction.objects.get()
    assert action.owner == world.steward and action.community_id == world.ch.pk
    assert notified[-1]["recipients"] == [world.steward]

    refused = client.post(f"{url}/close/", {"conclusion": "已处理"})
    assert "还有 1 项整改措施未完成" in refused.content.decode()
    client.post(f"{url}/actions/{action.pk}/done/", {"result": "已改为电子登记"})
    action.refresh_from_db()
    assert action.done_at and action.result == "已改为电子登记"
    again = client.post(f"{url}/actions/{action.pk}/done/", {"result": "重复"}, follow=True)
    assert "该整改措施已完成" in again.content.decode()

    client.post(f"{url}/close/", {"conclusion": "登记本已收回，全员培训。"})
    incident.refresh_from_db()
    assert incident.status == Incident.Status.CLOSED and incident.closed_at
    with pytest.raises(DomainError):
        services.close_incident(incident, actor=world.office_manager, conclusion="重复结案")


def test_an_action_owner_comes_from_the_office_or_headquarters(client, world):
    incident = f.incident(world)
    client.force_login(world.office_manager)
    response = client.post(
        f"/privacy/incidents/{incident.pk}/actions/",
        {"description": "培训", "owner": world.outsider.pk, "due_on": "2099-01-31"},
    )
    assert "owner" in response.context["action_form"].errors
    assert not IncidentAction.objects.exists()
    with pytest.raises(DomainError) as error:
        services.add_incident_action(
            incident,
            actor=world.office_manager,
            description="培训",
            owner=world.hq_admin,
            due_on=timezone.localdate() - dt.timedelta(days=1),
        )
    assert error.value.field == "due_on"


def test_an_action_of_another_incident_is_not_found(client, world):
    _first, action = f.incident_with_action(world)
    second = f.incident(world, title="快递单泄露住址")
    client.force_login(world.office_manager)
    response = client.post(
        f"/privacy/incidents/{second.pk}/actions/{action.pk}/done/", {"result": "完成"}
    )
    assert response.status_code == 404


def test_the_list_shows_open_incidents_with_action_progress(client, world):
    f.incident_with_action(world)
    client.force_login(world.hq_admin)
    page = client.get("/privacy/incidents/")
    (incident,) = page.context["page"]
    assert (incident.action_count, incident.actions_done) == (1, 0)
    assert list(client.get("/privacy/incidents/?status=closed").context["page"]) == []


def test_without_the_notify_app_nothing_is_sent_and_nothing_breaks(world, monkeypatch):
    def missing(name):
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)

    monkeypatch.setattr(importlib, "import_module", missing)
    assert services.notify_staff([world.office_manager], subject="x", body="", kind="t") == 0
    incident = f.incident(world)
    assert incident.pk


@pytest.mark.skipif(
    importlib.util.find_spec("linli.notify") is None, reason="linli.notify not installed"
)
def test_recipients_get_an_in_app_message(world):
    from linli.notify.models import Message

    incident = f.incident(world)
    to = set(
        Message.objects.filter(kind="privacy.incident.recorded").values_list("recipient", flat=True)
    )
    assert world.hq_admin.pk in to and world.hq_supervisor.pk in to
    assert incident.reported_by.pk not in to


def test_a_double_submitted_incident_is_recorded_once(client, world):
    client.force_login(world.office_manager)
    client.post("/privacy/incidents/new/", FORM)
    second = client.post("/privacy/incidents/new/", FORM)
    assert "title" in second.context["form"].errors
    assert Incident.objects.count() == 1


def test_an_action_owner_reports_progress_without_handling_leaks(client, world):
    incident = f.incident(world)
    action = services.add_incident_action(
        incident,
        actor=world.office_manager,
        description="逐户电话致歉",
        owner=world.steward,
        due_on=timezone.localdate(),
    )
    client.force_login(world.steward)
    page = client.get(f"/privacy/incidents/{incident.pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and "标记完成" in text and "添加整改措施" not in text
    client.post(f"/privacy/incidents/{incident.pk}/actions/{action.pk}/done/", {"result": "已致歉"})
    action.refresh_from_db()
    assert action.done_at is not None
    assert (
        client.post(f"/privacy/incidents/{incident.pk}/close/", {"conclusion": "x"}).status_code
        == 403
    )
    other = f.incident(world, title="另一事件")
    assert client.get(f"/privacy/incidents/{other.pk}/").status_code == 403
