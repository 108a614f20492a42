from __future__ import annotations

import datetime as dt

from django.utils import timezone

from linli.customers.models import Secrecy
from linli.customers.selectors import access_customer
from linli.customers.testing import make_customer
from linli.privacy import services
from linli.privacy.models import AccessLog
from linli.privacy.selectors import log_rows
from linli.privacy.tests import factories as f


def _world_log(world):
    """Openings and unmasks in both communities, one of a 绝密 file."""
    ch = f.restricted_customer(world, name="王五")
    jg = f.restricted_customer(world, community=world.jg, name="吴九", room="1-1-101")
    top = f.restricted_customer(world, Secrecy.TOP_SECRET, name="赵六", room="9-9-909")
    plain = make_customer(world.ch, "钱七", room="1-2-102")
    access_customer(world.office_manager, ch.pk)
    services.unmask_field(plain, "mobile", actor=world.office_supervisor, reason="回电")
    services.log_open(world.office_manager, jg)  # as if a JG user opened it
    services.log_open(f.general_manager(world), top)
    return ch, jg, top, plain


def test_office_manager_reads_the_register_of_their_community_only(client, world):
    _world_log(world)
    client.force_login(world.office_manager)
    page = client.get("/privacy/log/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "王五" in text and "钱七" in text and "吴九" not in text
    rows = [row for row, _label, _field in page.context["entries"]]
    assert rows == sorted(rows, key=lambda r: (r.at, r.pk), reverse=True)


def test_names_above_the_readers_clearance_are_masked_and_not_searchable(client, world):
    _ch, _jg, top, _plain = _world_log(world)
    client.force_login(world.hq_supervisor)  # clearance 机密
    text = client.get("/privacy/log/").content.decode()
    assert "赵**" in text and "赵六" not in text
    found = client.get("/privacy/log/", {"customer": "赵六"}).context["entries"]
    assert found == []
    assert log_rows(world.hq_supervisor, {"customer": "王五"}).count() == 1
    gm = f.general_manager(world)
    assert log_rows(gm, {"customer": "赵六"}).get().customer == top


def test_filters_by_actor_action_customer_date_and_community(client, world):
    _world_log(world)
    client.force_login(world.hq_admin)
    unmask = client.get("/privacy/log/", {"action": "unmask"}).context["entries"]
    assert [(r.action, label, field) for r, label, field in unmask] == [("unmask", "钱七", "手机")]
    by_actor = client.get("/privacy/log/", {"actor": "office_supervisor"}).context["entries"]
    assert len(by_actor) == 1
    jg_only = client.get("/privacy/log/", {"community": world.jg.pk}).context["entries"]
    assert [label for _r, label, _f in jg_only] == ["吴九"]
    AccessLog.objects.filter(customer__name="王五").update(
        at=timezone.now() - dt.timedelta(days=40)
    )
    today = timezone.localdate().isoformat()
    recent = client.get("/privacy/log/", {"date_from": today, "date_to": today})
    assert "王五" not in [label for _r, label, _f in recent.context["entries"]]


def test_a_reversed_date_range_is_a_named_error(client, world):
    client.force_login(world.hq_admin)
    page = client.get("/privacy/log/", {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert "date_to" in page.context["form"].errors


def test_export_button_carries_the_filters(client, world):
    client.force_login(world.office_manager)
    page = client.get("/privacy/log/", {"action": "export", "actor": "张"})
    assert "kind=access_log" in page.context["export_query"]
    assert "action=export" in page.context["export_query"]
    assert f"community={world.ch.pk}" in page.context["export_query"]


def test_htmx_filtering_returns_only_the_rows(client, world):
    client.force_login(world.office_manager)
    partial = client.get("/privacy/log/", {"action": "open"}, HTTP_HX_REQUEST="true")
    text = partial.content.decode()
    assert "<html" not in text and "<table" in text
