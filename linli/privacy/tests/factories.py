"""Objects of the secrecy chapter for tests, built through the services (community CH)."""

from __future__ import annotations

import itertools
from typing import Any

from django.utils import timezone

from linli.customers.models import Customer, Occupancy, Secrecy
from linli.customers.testing import make_customer, valid_id
from linli.org.models import Staff
from linli.privacy import services
from linli.privacy.models import AccessGrant, Disclosure, ExportRequest, Incident, SubjectRequest

# Factories may run several times in one test world (the URL coverage test resolves every
# path at once): each call makes a distinct request, so double-submission guards do not apply.
_serial = itertools.count(1)

# Files the objects below point to; the tests' media fixture writes them (conftest.py), so
# resolving these factories elsewhere (the URL coverage test) writes nothing to disk.
EXPORT_FILE = "exports/tests/matrix.xlsx"
LETTER_FILE = "disclosures/tests/letter.pdf"

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def general_manager(world: Any) -> Staff:
    staff, _created = Staff.objects.get_or_create(
        username="gm", defaults={"role": "general_manager", "name": "总经理"}
    )
    return staff


def restricted_customer(
    world: Any,
    level: int = Secrecy.CONFIDENTIAL,
    *,
    name: str = "王五",
    room: str = "8-1-801",
    community: Any = None,
) -> Customer:
    return make_customer(
        community or world.ch,
        name,
        room=room,
        secrecy=level,
        mobile="13900001111",
        id_number=valid_id(),
    )


def occupancy_of(customer: Customer) -> Occupancy:
    occupancy = customer.occupancies.select_related("room").first()
    assert occupancy is not None
    return occupancy


def pending_grant(world: Any, level: int = Secrecy.CONFIDENTIAL) -> AccessGrant:
    customer = restricted_customer(world, level)
    return services.request_grant(customer, actor=world.steward, reason="上门维修需联系业主")


def approved_grant(world: Any) -> AccessGrant:
    return services.decide_grant(pending_grant(world), actor=world.office_manager, approve=True)


def pending_export(world: Any, *, kind: str = "customers", unmasked: bool = False) -> ExportRequest:
    return services.request_export(
        kind,
        actor=world.office_supervisor,
        reason="年度资料核对",
        filters={"test_serial": next(_serial)},  # ignored by the selectors
        filters_label="小区：翠湖苑",
        community_id=world.ch.pk,
        unmasked=unmasked,
        row_count=1,
    )


def done_export(world: Any) -> ExportRequest:
    """A generated export (the file written directly: the generator has its own tests)."""
    export = pending_export(world)
    ExportRequest.objects.filter(pk=export.pk).update(
        status=ExportRequest.Status.DONE,
        approver=world.hq_admin,
        decided_at=timezone.now(),
        finished_at=timezone.now(),
        file=EXPORT_FILE,
        row_count=1,
        progress=100,
    )
    export.refresh_from_db()
    return export


def disclosure(world: Any, *, status: str = Disclosure.Status.REQUESTED) -> Disclosure:
    customer = make_customer(world.ch, "赵四", room="2-1-201", mobile="13700002222")
    record = services.register_disclosure(
        customer,
        actor=world.office_manager,
        organisation="海淀分局翠湖派出所",
        letter_reference=f"海公（刑）调字〔2026〕{next(_serial)}号",
        investigator_name="刘警官",
        investigator_id="110108198001011234",
        purpose="刑事案件调查",
        fields_requested="姓名、房号、手机",
    )
    if status in (Disclosure.Status.APPROVED, Disclosure.Status.RELEASED):
        services.decide_disclosure(record, actor=general_manager(world), approve=True)
    if status == Disclosure.Status.RELEASED:
        services.release_disclosure(record, actor=world.office_manager, note="书面材料一页")
    record.refresh_from_db()
    return record


def disclosure_with_letter(world: Any) -> Disclosure:
    record = disclosure(world)
    Disclosure.objects.filter(pk=record.pk).update(letter=LETTER_FILE)
    record.refresh_from_db()
    return record


def incident(world: Any, title: str = "") -> Incident:
    return services.record_incident(
        actor=world.office_manager,
        title=title or f"业主名单被拍照外传（{next(_serial)}）",
        description="保安亭登记本被人拍照后发到业主群。",
        severity=Incident.Severity.HIGH,
        discovered_at=timezone.now(),
        affected_count=12,
    )


def incident_with_action(world: Any) -> tuple[Incident, Any]:
    record = incident(world)
    action = services.add_incident_action(
        record,
        actor=world.office_manager,
        description="收回登记本，改用电子登记",
        owner=world.office_manager,
        due_on=timezone.localdate(),
    )
    return record, action


def subject_request(world: Any, *, kind: str = SubjectRequest.Kind.ACCESS) -> SubjectRequest:
    customer = make_customer(world.ch, "孙七", room="5-1-502", mobile="13600003333")
    return services.record_subject_request(
        customer,
        actor=world.office_supervisor,
        kind=kind,
        details="要求查阅本人登记的全部信息",
        received_on=timezone.localdate(),
    )
