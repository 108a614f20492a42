"""The page shell's shared pieces: the deadline badge, row links reversed once, the cached side
navigation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.signals import setting_changed
from django.template import Context, Template
from django.template.loader import get_template
from django.test import override_settings
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix
from django.utils import timezone, translation
from django.utils.autoreload import file_changed

from linli.core import links, nav
from linli.core.deadline import deadline_html

NOW = timezone.make_aware(dt.datetime(2026, 11, 27, 10, 0))


# --- the deadline badge -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("when", "done", "expected"),
    [
        (None, None, '<span class="text-secondary">—</span>\n'),
        (NOW - dt.timedelta(minutes=20), None, '<span class="badge text-bg-danger" title="2026-11-27 09:40">已超时 20 分钟</span>\n'),
        (NOW - dt.timedelta(seconds=10), None, '<span class="badge text-bg-danger" title="2026-11-27 09:59">已超时 1 分钟</span>\n'),
        (NOW - dt.timedelta(hours=5), None, '<span class="badge text-bg-danger" title="2026-11-27 05:00">已超时 5 小时</span>\n'),
        (NOW - dt.timedelta(days=3), None, '<span class="badge text-bg-danger" title="2026-11-24 10:00">已超时 3 天</span>\n'),
        (NOW + dt.timedelta(hours=2), None, '<span class="badge text-bg-warning" title="2026-11-27 12:00">今天 12:00 到期</span>\n'),
        (NOW + dt.timedelta(days=1), None, '<span class="text-body" title="2026-11-28 10:00">明天 10:00</span>\n'),
        (NOW + dt.timedelta(days=5), None, '<span class="text-body" title="2026-12-02 10:00">5 天后</span>\n'),
        (dt.date(2026, 11, 27), None, '<span class="badge text-bg-warning" title="2026-11-27 23:59">今天 23:59 到期</span>\n'),
        (NOW - dt.timedelta(days=3), NOW, '<span class="text-success" title="2026-11-24 10:00">已完成</span>\n'),
    ],
)  # fmt: skip
def test_deadline_badge(when, done, expected):
    assert deadline_html(when, done, now=NOW) == expected


def test_deadline_tag_renders_the_same_badge_at_the_current_time():
    when = timezone.now() - dt.timedelta(days=3)
    page = Template("{% load linli %}<p>{% deadline when %}</p>").render(Context({"when": when}))
    assert page == f"<p>{deadline_html(when)}</p>"
    assert "已超时 3 天" in page


# --- row links --------------------------------------------------------------------------------
@pytest.mark.parametrize("viewname", ["tickets:detail", "tickets:return_visit", "visits:visit"])
@pytest.mark.parametrize("pk", [1, 7, 987654321, 2**40])
def test_row_url_equals_reverse(viewname, pk):
    assert links.row_url(viewname)(pk) == reverse(viewname, args=[pk])


def test_fixed_url_equals_reverse():
    assert links.fixed_url("visits:plans") == reverse("visits:plans")


def test_row_url_follows_the_script_prefix():
    plain = links.row_url("tickets:detail")(5)
    set_script_prefix("/crm/")
    try:
        assert links.row_url("tickets:detail")(5) == "/crm" + plain == reverse("tickets:detail", args=[5])  # fmt: skip
        assert links.fixed_url("visits:plans") == reverse("visits:plans")
    finally:
        clear_script_prefix()
    assert links.row_url("tickets:detail")(5) == plain


def test_row_url_refuses_a_view_without_its_argument_in_the_path():
    with pytest.raises(NoReverseMatch):
        links.row_url("visits:plans")


def test_changing_the_urlconf_empties_the_link_cache():
    links.row_url("tickets:detail")
    assert links._parts.cache_info().currsize > 0
    setting_changed.send(sender=None, setting="ROOT_URLCONF", value="x", enter=True)
    assert links._parts.cache_info().currsize == 0


# --- side navigation --------------------------------------------------------------------------
STEWARD_PERMS = frozenset({"customers.view", "tickets.view", "care.visit"})


def _uncached(perms, path):
    return get_template("_nav.html").render({"perms_codes": perms, "path": path})


def test_sidenav_is_the_template_rendered_with_permissions_and_path():
    nav.clear_cache()
    for perms, path in [(STEWARD_PERMS, "/tickets/my/"), (frozenset(), "/"), (STEWARD_PERMS, "/customers/12/")]:  # fmt: skip
        assert nav.sidenav(perms, path) == _uncached(perms, path)
        assert nav.sidenav(perms, path) == _uncached(perms, path)  # the kept copy
    assert nav._render.cache_info().hits >= 3


def test_sidenav_marks_the_current_page_and_shows_only_permitted_links():
    nav.clear_cache()
    mine = nav.sidenav(STEWARD_PERMS, "/tickets/my/")
    board = nav.sidenav(STEWARD_PERMS, "/tickets/board/")
    assert 'nav-link active" href="/tickets/my/"' in mine
    assert 'nav-link active" href="/tickets/board/"' in board
    assert 'nav-link active" href="/tickets/my/"' not in board
    assert "/care/visits/today/" in mine  # care.visit
    assert "/grading/analysis/" not in mine  # reports.office is not held
    assert "/grading/analysis/" in nav.sidenav(STEWARD_PERMS | {"reports.office"}, "/tickets/my/")
    assert "/tickets/my/" not in nav.sidenav(frozenset(), "/")


def test_sidenav_is_kept_per_language():
    nav.clear_cache()
    chinese = nav.sidenav(STEWARD_PERMS, "/")
    with translation.override("en"):
        english = nav.sidenav(STEWARD_PERMS, "/")
        assert english == _uncached(STEWARD_PERMS, "/")
    assert chinese == nav.sidenav(STEWARD_PERMS, "/")
    assert nav._render.cache_info().currsize == 2


def test_sidenav_follows_the_script_prefix():
    nav.clear_cache()
    plain = nav.sidenav(STEWARD_PERMS, "/")
    set_script_prefix("/crm/")
    try:
        prefixed = nav.sidenav(STEWARD_PERMS, "/")
    finally:
        clear_script_prefix()
    assert 'href="/crm/tickets/my/"' in prefixed
    assert 'href="/crm/tickets/my/"' not in plain


def test_a_changed_template_or_setting_empties_the_navigation_cache():
    nav.sidenav(STEWARD_PERMS, "/")
    file_changed.send(sender=None, file_path=Path("templates/_nav.html"))
    assert nav._render.cache_info().currsize == 0
    nav.sidenav(STEWARD_PERMS, "/")
    file_changed.send(sender=None, file_path=Path("linli/core/nav.py"))  # not a template: kept
    assert nav._render.cache_info().currsize == 1
    with override_settings(LANGUAGE_CODE="en"):
        assert nav._render.cache_info().currsize == 0


def test_the_navigation_sees_nothing_but_permissions_and_path(client, world):
    """A user's data on the page is not in the kept navigation: two stewards of different
    communities get byte-identical navigation."""
    client.force_login(world.steward)
    first = client.get("/tickets/my/").content.decode()
    client.force_login(world.outsider)  # the steward of JG
    second = client.get("/tickets/my/").content.decode()
    start, end = '<nav class="nav flex-column', "</nav>"
    assert (
        first[first.index(start) : first.index(end, first.index(start))]
        == (second[second.index(start) : second.index(end, second.index(start))])
    )
    assert 'nav-link active" href="/tickets/my/"' in first
