from __future__ import annotations

import pytest
from django.http import Http404

from linli.org.models import Area, Community, Department, Staff
from linli.org.selectors import access_community, staff_directory


def test_steward_sees_only_own_community(world):
    assert list(Community.objects.visible_to(world.steward)) == [world.ch]
    assert set(
        Area.objects.visible_to(world.steward).values_list("community__code", flat=True)
    ) == {"CH"}


def test_steward_of_ch_gets_404_for_jg(world):
    with pytest.raises(Http404):
        access_community(world.steward, "JG")
    assert access_community(world.steward, "ch") == world.ch


def test_hq_supervisor_sees_all_communities(world):
    Community.objects.create(company=world.company, code="BJ", name="滨江花园")
    codes = set(Community.objects.visible_to(world.hq_supervisor).values_list("code", flat=True))
    assert codes == {"CH", "JG", "BJ"}


def test_anonymous_and_inactive_users_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not Community.objects.visible_to(AnonymousUser()).exists()
    world.steward.is_active = False
    assert not Community.objects.visible_to(world.steward).exists()
    assert world.steward.perms == frozenset()


def test_staff_directory_of_office_shows_own_office_and_headquarters(world):
    names = set(staff_directory(world.steward).values_list("username", flat=True))
    assert "outsider" not in names
    assert {"steward", "office_manager", "hq_supervisor"} <= names


def test_office_departments_are_scoped(world):
    hq = Department.objects.create(company=world.company, name="工程部")
    ch = Department.objects.create(company=world.company, community=world.ch, name="客户服务中心")
    jg = Department.objects.create(company=world.company, community=world.jg, name="客户服务中心")
    visible = set(Department.objects.visible_to(world.steward))
    assert visible == {hq, ch} and jg not in visible


def test_office_role_without_community_is_refused_by_the_database(world):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Staff.objects.create(username="x", role="steward", community=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Staff.objects.create(username="y", role="general_manager", community=world.ch)


def test_community_switcher_narrows_company_view(client, world):
    client.force_login(world.hq_supervisor)
    client.post("/org/switch-community/", {"community": "JG", "next": "/"})
    page = client.get("/")
    assert page.context["current_community"] == world.jg
    assert [c.code for c in page.context["communities"]] == ["JG"]
    client.post("/org/switch-community/", {"community": "", "next": "/"})
    assert {c.code for c in client.get("/").context["communities"]} == {"CH", "JG"}


def test_office_user_cannot_switch_to_another_community(client, world):
    client.force_login(world.steward)
    client.post("/org/switch-community/", {"community": "JG", "next": "/"})
    assert [c.code for c in client.get("/").context["communities"]] == ["CH"]


def test_switcher_refuses_unknown_community_with_404(client, world):
    client.force_login(world.hq_supervisor)
    assert client.post("/org/switch-community/", {"community": "ZZ"}).status_code == 404


def test_switcher_ignores_offsite_redirects(client, world):
    client.force_login(world.hq_supervisor)
    response = client.post(
        "/org/switch-community/", {"community": "", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
