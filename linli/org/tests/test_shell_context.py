"""The shell's context (linli.org.context_processors): the current community, the unread count
and the switcher, read lazily; a company role's current community taken from the switcher's
list."""

from __future__ import annotations

from django.db import connection
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.notify.models import Message


def _message(recipient, *, read: bool = False) -> Message:
    return Message.objects.create(
        channel=Message.Channel.IN_APP, recipient=recipient, kind="test", subject="通知",
        read_at=timezone.now() if read else None,
    )  # fmt: skip


def _shell_queries(client, path: str = "/tickets/my/") -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        page = client.get(path).content.decode()
    return page, [
        q["sql"]
        for q in queries.captured_queries
        if "notify_message" in q["sql"] or 'FROM "org_community"' in q["sql"]
    ]


def test_office_user_sees_the_community_and_the_unread_count(client, world):
    _message(world.steward)
    _message(world.steward)
    _message(world.steward, read=True)
    _message(world.outsider)
    client.force_login(world.steward)
    _page, queries = _shell_queries(client)
    assert len(queries) == 2  # the directory, read once after the fixture's communities
    page, queries = _shell_queries(client)
    assert len(queries) == 1 and "notify_message" in queries[0]  # the community: no query
    assert '<span class="badge text-bg-light">翠湖苑</span>' in page
    assert 'translate-middle badge rounded-pill text-bg-danger">2</span>' in page


def test_the_unread_count_is_read_again_on_every_page(client, world):
    message = _message(world.steward)
    client.force_login(world.steward)
    assert 'text-bg-danger">1</span>' in client.get("/tickets/my/").content.decode()
    Message.objects.filter(pk=message.pk).update(read_at=timezone.now())
    page = client.get("/tickets/my/").content.decode()
    assert "rounded-pill text-bg-danger" not in page


def test_the_community_name_is_read_again_on_every_page(client, world):
    client.force_login(world.steward)
    client.get("/tickets/my/")
    world.ch.name = "翠湖苑二期"
    world.ch.save()
    assert '<span class="badge text-bg-light">翠湖苑二期</span>' in client.get("/tickets/my/").content.decode()  # fmt: skip


def test_company_role_picks_the_current_community_from_the_switcher_list(client, world):
    _message(world.hq_supervisor)
    client.force_login(world.hq_supervisor)
    client.post("/org/switch-community/", {"community": "JG", "next": "/"})
    _shell_queries(client)  # the directory, read once after the fixture's communities
    page, queries = _shell_queries(client)
    assert len(queries) == 1 and "notify_message" in queries[0]  # the switcher: no query
    assert '<option value="JG" selected>金桂园</option>' in page
    assert '<option value="CH">翠湖苑</option>' in page
    assert 'text-bg-danger">1</span>' in page
    client.post("/org/switch-community/", {"community": "", "next": "/"})
    page = client.get("/tickets/my/").content.decode()
    assert " selected>" not in page.split('id="community-switcher"')[1].split("</select>")[0].replace('<option value="">', "")  # fmt: skip


def test_the_switcher_escapes_community_names(client, world):
    world.jg.name = "<b>金桂园</b>"
    world.jg.save()
    client.force_login(world.hq_supervisor)
    page = client.get("/tickets/my/").content.decode()
    assert '<option value="JG">&lt;b&gt;金桂园&lt;/b&gt;</option>' in page


def test_a_response_that_does_not_show_the_shell_reads_none_of_it(world):
    request = RequestFactory().get("/")
    request.user = world.steward
    request.perms = world.steward.perms  # type: ignore[attr-defined]
    request.current_community_id = world.ch.pk  # type: ignore[attr-defined]
    with CaptureQueriesContext(connection) as queries:
        html = Template("<p>{{ perms_codes|length }}</p>").render(RequestContext(request))
    assert html == f"<p>{len(world.steward.perms)}</p>"
    assert queries.captured_queries == []
    shell = Template("{{ current_community.name }} {{ unread_messages }}")
    shell.render(RequestContext(request))  # reads the directory once
    with CaptureQueriesContext(connection) as queries:
        html = shell.render(RequestContext(request))
    assert html == "翠湖苑 0"
    assert len(queries.captured_queries) == 1  # the unread count
