"""The office board and "my work": what they show, to whom, and that their queries do not grow
with their rows (the rows are read as values and prepared once in Python)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.customers.testing import make_room
from linli.tickets.models import ReturnVisit, Status, Ticket
from linli.tickets.testing import make_ticket


def _overdue(ticket: Ticket, **extra) -> Ticket:
    past = timezone.now() - dt.timedelta(days=3)
    Ticket.objects.filter(pk=ticket.pk).update(resolve_by=past, **extra)
    ticket.refresh_from_db()
    return ticket


def _owed(ticket: Ticket, assigned_to=None, days: int = 2) -> ReturnVisit:
    return ReturnVisit.objects.create(
        community_id=ticket.community_id, ticket=ticket, assigned_to=assigned_to,
        due_at=timezone.now() + dt.timedelta(days=days),
    )  # fmt: skip


def _row(page: str, number: str) -> str:
    """The board line of a ticket number: from its link to the end of its list item."""
    start = page.index(f">{number}</a>")
    return page[page.rindex("<li", 0, start) : page.index("</li>", start)]


def test_the_board_lists_overdue_tickets_with_category_handler_and_supervision(client, world):
    handled = _overdue(make_ticket(world.ch, actor=world.steward, title="电梯困人"), assignee=world.steward, escalation_level=2)  # fmt: skip
    nobody = _overdue(make_ticket(world.ch, actor=world.steward, title="楼道漏水"), assignee=None)
    foreign = _overdue(make_ticket(world.jg, actor=world.outsider, title="金桂园的事"))
    client.force_login(world.office_supervisor)
    page = client.get("/tickets/board/").content.decode()
    line = _row(page, handled.number)
    assert f'href="/tickets/{handled.pk}/"' in line and "电梯困人" in line
    assert f"{handled.category.name} · steward · 督办 2 级" in line
    assert "已超时 3 天" in line and "badge text-bg-danger" in line
    assert f"{nobody.category.name} · 未指派</div>" in _row(page, nobody.number)
    assert "翠湖苑 ·" not in line  # the community is named only to company roles
    assert foreign.number not in page and "金桂园的事" not in page


def test_company_roles_see_the_community_of_each_line(client, world):
    ticket = _overdue(make_ticket(world.jg, actor=world.outsider))
    client.force_login(world.hq_supervisor)
    assert f"金桂园 · {ticket.category.name}" in _row(
        client.get("/tickets/board/").content.decode(), ticket.number
    )


def test_the_board_lists_tickets_due_today_and_return_visits_owed(client, world):
    today = make_ticket(world.ch, actor=world.steward, title="今天要办")
    late_tonight = timezone.localtime().replace(hour=23, minute=59, second=0, microsecond=0)
    Ticket.objects.filter(pk=today.pk).update(
        resolve_by=max(late_tonight, timezone.now() + dt.timedelta(seconds=30))
    )
    visited = make_ticket(world.ch, actor=world.steward, title="修好了")
    visit = _owed(visited, assigned_to=world.steward)
    unassigned = _owed(make_ticket(world.ch, actor=world.steward, title="无人回访"))
    client.force_login(world.office_supervisor)
    page = client.get("/tickets/board/").content.decode()
    assert "今天要办" in _row(page, today.number)
    assert "到期" in _row(page, today.number)
    line = _row(page, visited.number)
    assert f'href="/tickets/return-visits/{visit.pk}/"' in line
    assert "<span>steward</span>" in line and "2 天后" in line
    assert "<span>—</span>" in _row(page, unassigned.ticket.number)


def test_the_boards_queries_do_not_grow_with_its_rows(client, world):
    def board_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/tickets/board/").status_code == 200
        return len(queries.captured_queries)

    client.force_login(world.office_supervisor)
    ticket = _overdue(make_ticket(world.ch, actor=world.steward), assignee=world.steward)
    _owed(ticket, assigned_to=world.steward)
    board_queries()  # the process reads the community directory once (org.directory)
    few = board_queries()
    for _ in range(4):
        more = _overdue(make_ticket(world.ch, actor=world.steward), assignee=world.office_supervisor)  # fmt: skip
        _owed(more, assigned_to=world.office_supervisor)
    assert board_queries() == few


def test_my_work_shows_my_tickets_with_room_and_status_and_the_visits_i_owe(client, world):
    room = make_room(world.ch, "3-2-501")
    mine = make_ticket(world.ch, actor=world.office_supervisor, title="我的诉求", room=room)
    Ticket.objects.filter(pk=mine.pk).update(assignee=world.steward, status=Status.IN_PROGRESS)
    others = make_ticket(world.ch, actor=world.office_supervisor, title="别人的诉求")
    Ticket.objects.filter(pk=others.pk).update(owner=world.office_supervisor, assignee=world.office_supervisor)  # fmt: skip
    visit = _owed(make_ticket(world.ch, actor=world.office_supervisor, title="该我回访"), world.steward)  # fmt: skip
    client.force_login(world.steward)
    page = client.get("/tickets/my/").content.decode()
    assert f'href="/tickets/{mine.pk}/" data-kind="ticket"' in page
    assert f"{mine.number} · 3-2-501 · 处理中" in page
    assert "别人的诉求" not in page
    assert f'href="/tickets/return-visits/{visit.pk}/" data-kind="return_visit"' in page
    assert f"{visit.ticket.number}</div>" in page  # a return visit without a room


def test_my_work_lists_a_ticket_once_whatever_my_roles_on_it(client, world):
    ticket = make_ticket(world.ch, actor=world.steward, title="一件事")
    Ticket.objects.filter(pk=ticket.pk).update(
        assignee=world.steward, owner=world.steward, coordinator=world.steward
    )
    client.force_login(world.steward)
    assert client.get("/tickets/my/").content.decode().count(f'href="/tickets/{ticket.pk}/"') == 1


def test_my_works_deadline_is_the_response_deadline_until_responded(world):
    from linli.tickets.selectors import my_work

    ticket = make_ticket(world.ch, actor=world.steward)
    Ticket.objects.filter(pk=ticket.pk).update(assignee=world.steward, responded_at=None)
    ticket.refresh_from_db()
    (item,) = [i for i in my_work(world.steward) if i.kind == "ticket"]
    assert item.due == ticket.respond_by
    Ticket.objects.filter(pk=ticket.pk).update(responded_at=timezone.now())
    (item,) = [i for i in my_work(world.steward) if i.kind == "ticket"]
    assert item.due == ticket.resolve_by
