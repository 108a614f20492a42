"""Every statistics and print URL in the permission matrix (DESIGN §4)."""

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


ENDPOINTS = [
    Endpoint("ticket-stats", "/reports/tickets/", permission=Perm.REPORTS_OFFICE),
    Endpoint("ticket-stats-excel", "/reports/tickets/?format=xlsx", permission=Perm.REPORTS_OFFICE),
    Endpoint("ticket-stats-compare", "/reports/tickets/?period=quarter&group=community", permission=Perm.REPORTS_OFFICE),
    Endpoint("lessons", "/reports/lessons/", permission=Perm.REPORTS_OFFICE),
    Endpoint("lessons-excel", "/reports/lessons/?format=xlsx", permission=Perm.REPORTS_OFFICE),
    Endpoint("print-complaint", lambda w: f"/reports/print/tickets/{_ticket(w).pk}/complaint/",
             permission=Perm.TICKETS_VIEW, scoped=True),
    Endpoint("print-return-visit", lambda w: f"/reports/print/tickets/{_ticket(w).pk}/return-visit/",
             permission=Perm.TICKETS_VIEW, scoped=True),
]  # fmt: skip


@pytest.mark.parametrize("case", permission_matrix(ENDPOINTS), ids=case_id)
def test_statistics_urls_respect_scope_and_permissions(case, client, world):
    assert case.actual(client, world) in case.expected()
