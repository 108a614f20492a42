"""API v1 of the reception log and needs: filters, create, status, errors naming the field."""

from __future__ import annotations

import json

from linli.care.reception.models import PersonalNeed, ReceptionEntry
from linli.care.reception.testing import household, open_entry, pending_need
from linli.customers.models import Secrecy
from linli.customers.testing import make_customer

API = "/api/v1/care/reception"
JSON = "application/json"


def _post(client, path, data):
    return client.post(path, json.dumps(data), content_type=JSON)


def test_entries_are_listed_with_filters_and_masked_phones(client, world):
    from linli.care.reception import services

    open_entry(world)
    services.log_contact(world.ch, actor=world.steward, channel="letter", subject="来函",
                         caller_name="王先生", caller_phone="13700001234")  # fmt: skip
    client.force_login(world.steward)
    body = client.get(f"{API}/entries/", {"channel": "letter"}).json()
    assert body["count"] == 1 and body["results"][0]["caller_phone"] == "137****1234"
    assert (
        client.get(f"{API}/entries/", {"open": "1"}).json()["results"][0]["subject"]
        == "咨询停水时间"
    )
    assert client.get(f"{API}/entries/", {"date_from": "yesterday"}).status_code == 400


def test_create_an_entry_and_an_unknown_caller_needs_a_name(client, world):
    client.force_login(world.steward)
    made = _post(
        client,
        f"{API}/entries/",
        {"channel": "phone", "subject": "问停车", "customer": household(world).pk},
    )
    assert made.status_code == 201 and made.json()["room_code"] == "3-2-501"
    bad = _post(client, f"{API}/entries/", {"channel": "phone", "subject": "问路"})
    assert bad.status_code == 400 and "caller_name" in bad.json()["errors"]
    assert ReceptionEntry.objects.count() == 1


def test_needs_create_move_on_and_list_mine(client, world):
    client.force_login(world.office_supervisor)
    made = _post(client, f"{API}/needs/", {"customer": household(world).pk, "need_type": "key_custody",
                                           "description": "出差托管钥匙", "source": "portal"})  # fmt: skip
    assert made.status_code == 201
    need = made.json()
    assert (
        need["need_type"] == "key_custody"
        and need["assignee"] == world.steward.pk
        and need["status"] == "pending"
    )
    client.force_login(world.steward)
    mine = client.get(f"{API}/needs/", {"mine": "1"}).json()
    assert [n["id"] for n in mine["results"]] == [need["id"]]
    moved = _post(
        client, f"{API}/needs/{need['id']}/status/", {"status": "done", "version": need["version"]}
    )
    assert moved.status_code == 400 and "result" in moved.json()["errors"]
    moved = _post(client, f"{API}/needs/{need['id']}/status/",
                  {"status": "done", "result": "已收好钥匙", "version": need["version"]})  # fmt: skip
    assert moved.status_code == 200 and moved.json()["status"] == "done"
    stale = _post(
        client,
        f"{API}/needs/{need['id']}/status/",
        {"status": "cancelled", "version": need["version"]},
    )
    assert stale.status_code == 400


def test_a_need_for_a_bad_type_is_a_400_naming_it(client, world):
    client.force_login(world.steward)
    bad = _post(
        client,
        f"{API}/needs/",
        {"customer": household(world).pk, "need_type": "moon", "description": "x"},
    )
    assert bad.status_code == 400 and "need_type" in bad.json()["errors"]
    assert not PersonalNeed.objects.exists()


def test_a_customer_above_clearance_or_elsewhere_is_404(client, world):
    secret = make_customer(world.ch, "王总", room="1-1-101", secrecy=Secrecy.TOP_SECRET)
    client.force_login(world.steward)
    assert _post(client, f"{API}/needs/", {"customer": secret.pk, "need_type": "parcel",
                                           "description": "x"}).status_code == 404  # fmt: skip
    client.force_login(world.outsider)
    assert _post(client, f"{API}/needs/", {"customer": household(world).pk, "need_type": "parcel",
                                           "description": "x"}).status_code == 404  # fmt: skip
    assert client.get(f"{API}/needs/{pending_need(world).pk}/").status_code == 404
    assert not client.get(f"{API}/needs/").json()["results"]


def test_need_types_are_the_configured_list(client, world):
    client.force_login(world.steward)
    codes = [t["code"] for t in client.get(f"{API}/need-types/").json()]
    assert codes[:3] == ["parcel", "housekeeping", "key_custody"] and codes[-1] == "other"
