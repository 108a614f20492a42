from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from linli.core.errors import DomainError
from linli.customers.testing import make_customer
from linli.privacy import services
from linli.privacy.models import AccessLog, Disclosure
from linli.privacy.tests import factories as f

FORM = {
    "organisation": "海淀分局翠湖派出所",
    "letter_reference": "海公（刑）调字〔2026〕18号",
    "investigator_name": "刘警官",
    "investigator_id": "110108198001011234",
    "purpose": "刑事案件调查",
    "requested": ["name", "room", "mobile"],
}


def test_register_with_a_scanned_letter_and_tell_the_general_manager(client, world, notified):
    gm = f.general_manager(world)
    customer = make_customer(world.ch, "赵四", room="2-1-201")
    client.force_login(world.office_manager)
    letter = SimpleUploadedFile("公函.pdf", f.PDF, content_type="application/pdf")
    response = client.post(
        f"/privacy/disclosures/new/?customer={customer.pk}", {**FORM, "letter": letter}
    )
    disclosure = Disclosure.objects.get()
    assert response.url == f"/privacy/disclosures/{disclosure.pk}/"
    assert disclosure.status == Disclosure.Status.REQUESTED
    assert disclosure.fields_requested == "姓名、房号、手机"
    assert disclosure.letter.name.endswith(".pdf") and "公函" not in disclosure.letter.name
    assert gm in notified[-1]["recipients"]
    letter_response = client.get(f"/privacy/disclosures/{disclosure.pk}/letter/")
    assert b"".join(letter_response.streaming_content) == f.PDF


@pytest.mark.parametrize(
    ("name", "content"),
    [("公函.pdf", b"<html><script>alert(1)</script>"), ("scan.png", b"MZ\x90\x00exe")],
)
def test_a_letter_is_checked_by_its_content_not_its_name(client, world, name, content):
    customer = make_customer(world.ch, "赵四", room="2-1-201")
    client.force_login(world.office_manager)
    response = client.post(
        f"/privacy/disclosures/new/?customer={customer.pk}",
        {**FORM, "letter": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 200
    assert "letter" in response.context["form"].errors
    assert not Disclosure.objects.exists()


def test_jpeg_and_png_scans_are_accepted(world):
    for content, extension in ((f.PNG, "png"), (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "jpg")):
        assert services.letter_kind(SimpleUploadedFile("x.bin", content)) == extension


def test_missing_details_are_named_field_errors(client, world):
    customer = make_customer(world.ch, "赵四", room="2-1-201")
    client.force_login(world.office_manager)
    response = client.post(
        f"/privacy/disclosures/new/?customer={customer.pk}",
        {**FORM, "organisation": "", "requested": []},
    )
    errors = response.context["form"].errors
    assert "organisation" in errors and "requested" in errors
    assert not Disclosure.objects.exists()


def test_general_manager_approves_then_the_release_is_registered(client, world):
    disclosure = f.disclosure(world)
    client.force_login(world.office_manager)
    early = client.post(
        f"/privacy/disclosures/{disclosure.pk}/release/", {"note": "提前提供"}, follow=True
    )
    assert "只有已批准的申请可以登记提供" in early.content.decode()
    refused = client.post(f"/privacy/disclosures/{disclosure.pk}/decide/", {"decision": "approve"})
    assert refused.status_code == 403 and "privacy.approve_disclosure" in refused.content.decode()

    client.force_login(f.general_manager(world))
    client.post(f"/privacy/disclosures/{disclosure.pk}/decide/", {"decision": "approve"})
    disclosure.refresh_from_db()
    assert disclosure.status == Disclosure.Status.APPROVED

    client.force_login(world.office_manager)
    client.post(f"/privacy/disclosures/{disclosure.pk}/release/", {"note": "书面材料一页"})
    disclosure.refresh_from_db()
    assert disclosure.status == Disclosure.Status.RELEASED
    assert disclosure.released_by == world.office_manager
    log = AccessLog.objects.get(action=AccessLog.Action.DISCLOSE)
    assert log.customer == disclosure.customer and log.actor == world.office_manager
    assert "海淀分局翠湖派出所" in log.reason and disclosure.letter_reference in log.reason
    with pytest.raises(DomainError):  # released once
        services.release_disclosure(disclosure, actor=world.office_manager, note="再次提供")
    assert AccessLog.objects.filter(action=AccessLog.Action.DISCLOSE).count() == 1


def test_a_disclosure_is_decided_once_and_not_by_its_registrar(world):
    gm = f.general_manager(world)
    disclosure = f.disclosure(world)
    services.decide_disclosure(disclosure, actor=gm, approve=False, note="公函不全")
    with pytest.raises(DomainError):
        services.decide_disclosure(disclosure, actor=gm, approve=True)
    own = services.register_disclosure(
        make_customer(world.ch, "钱八", room="2-2-202"),
        actor=gm,
        organisation="法院",
        letter_reference="（2026）1号",
        investigator_name="陈",
        investigator_id="110105198503031234",
        purpose="送达",
        fields_requested="姓名",
    )
    with pytest.raises(DomainError):
        services.decide_disclosure(own, actor=gm, approve=True)
    with pytest.raises(PermissionDenied):
        services.decide_disclosure(own, actor=world.hq_admin, approve=True)


def test_rejecting_needs_a_reason(world):
    disclosure = f.disclosure(world)
    with pytest.raises(DomainError) as error:
        services.decide_disclosure(disclosure, actor=f.general_manager(world), approve=False)
    assert error.value.field == "note"


def test_the_list_is_scoped_and_filtered_by_status(client, world):
    f.disclosure(world)
    client.force_login(world.office_manager)
    assert len(client.get("/privacy/disclosures/").context["rows"]) == 1
    assert client.get("/privacy/disclosures/?status=released").context["rows"] == []
    client.force_login(world.hq_supervisor)
    assert "海淀分局翠湖派出所" in client.get("/privacy/disclosures/").content.decode()


def test_picker_finds_only_customers_the_user_may_open(client, world):
    make_customer(world.ch, "周八", room="6-1-601")
    make_customer(world.jg, "周九", room="1-1-101")
    client.force_login(world.office_manager)
    found = client.get("/privacy/disclosures/new/", {"q": "周"}).context["found"]
    assert [c.name for c in found] == ["周八"]


def test_a_double_submitted_letter_is_registered_once(client, world):
    customer = make_customer(world.ch, "赵四", room="2-1-201")
    client.force_login(world.office_manager)
    url = f"/privacy/disclosures/new/?customer={customer.pk}"
    client.post(url, FORM)
    second = client.post(url, FORM)
    assert "letter_reference" in second.context["form"].errors
    assert Disclosure.objects.count() == 1
