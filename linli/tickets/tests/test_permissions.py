"""Every tickets URL in the permission matrix (DESIGN §4)."""

from __future__ import annotations

import pytest

from linli.core.testing import Endpoint, case_id, permission_matrix
from linli.org.roles import Perm
from linli.tickets.models import Ticket


def _ticket(world) -> Ticket:
    from linli.tickets.testing import make_ticket

    return Ticket.objects.filter(community=world.ch).first() or make_ticket(
        world.ch, actor=world.office_supervisor
    )


def _resolved(world) -> Ticket:
    from linli.tickets import services

    ticket = _ticket(world)
    if ticket.status != "resolved":
        ticket = services.set_validity(ticket, "valid", actor=world.office_supervisor)
        from linli.tickets.models import Cause

        ticket = services.resolve(
            ticket,
            actor=world.office_supervisor,
            resolution="已处理",
            cause=Cause.objects.first(),
            corrective_action="整改",
        )
    return ticket


def _visit(world):
    return _resolved(world).return_visits.get()


def _reply(world):
    from linli.tickets import services

    ticket = _ticket(world)
    return ticket.replies.first() or services.draft_reply(
        ticket, "答复", actor=world.office_manager
    )


def _photo(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from linli.tickets import services
    from linli.tickets.tests.test_views import PNG

    ticket = _ticket(world)
    services.attach_photos(
        ticket, [SimpleUploadedFile("a.png", PNG)], actor=world.office_supervisor
    )
    return ticket.attachments.first()


def act(name: str, permission: str, data: dict | None = None) -> Endpoint:
    return Endpoint(
        f"action-{name}",
        lambda w: f"/tickets/{_ticket(w).pk}/do/{name}/",
        method="post",
        data=data or {},
        permission=permission,
        scoped=True,
        ok=frozenset({302}),
    )


ENDPOINTS = [
    Endpoint("list", "/tickets/", permission=Perm.TICKETS_VIEW),
    Endpoint("create-form", "/tickets/new/", permission=Perm.TICKETS_CREATE),
    Endpoint("my-work", "/tickets/my/", permission=Perm.TICKETS_VIEW),
    Endpoint("board", "/tickets/board/", permission=Perm.TICKETS_VIEW),
    Endpoint("company-board", "/tickets/company/", permission=Perm.TICKETS_COMPANY_LEVEL),
    Endpoint("detail", lambda w: f"/tickets/{_ticket(w).pk}/", permission=Perm.TICKETS_VIEW, scoped=True),
    act("note", Perm.TICKETS_HANDLE, {"body": "已联系"}),
    act("press", Perm.TICKETS_SUPERVISE),
    act("escalate", Perm.TICKETS_ESCALATE, {"reason": "矩阵"}),
    act("dispatch", Perm.TICKETS_DISPATCH, {"note": "x"}),
    Endpoint("reply-advance", lambda w: f"/tickets/{_ticket(w).pk}/replies/{_reply(w).pk}/advance/", method="post",
             permission=Perm.TICKETS_SUPERVISE, scoped=True, ok=frozenset({302})),  # a draft's next step is review
    Endpoint("return-visit-form", lambda w: f"/tickets/return-visits/{_visit(w).pk}/", permission=Perm.TICKETS_RETURN_VISIT, scoped=True),
    Endpoint("attachment", lambda w: f"/tickets/attachments/{_photo(w).pk}/", permission=Perm.TICKETS_VIEW, scoped=True),
]  # fmt: skip


@pytest.mark.parametrize("case", permission_matrix(ENDPOINTS), ids=case_id)
def test_ticket_urls_respect_scope_and_permissions(case, client, world):
    assert case.actual(client, world) in case.expected()


def test_unknown_action_is_404(client, world):
    client.force_login(world.office_manager)
    assert client.post(f"/tickets/{_ticket(world).pk}/do/explode/").status_code == 404
