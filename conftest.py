"""Personas and the test world shared by every app's tests (DESIGN §7)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from linli.core.testing import PERSONAS


@dataclass
class World:
    company: Any
    ch: Any
    jg: Any
    personas: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["personas"][name]
        except KeyError:
            raise AttributeError(name) from None


def make_staff(username: str, role: str, community: Any = None, **extra: Any) -> Any:
    from linli.org.models import Staff

    staff = Staff(
        username=username, name=extra.pop("name", username), role=role, community=community, **extra
    )
    staff.set_password("Test-pass-2026")
    staff.save()
    return staff


@pytest.fixture
def world(db: Any) -> World:
    from linli.org.models import Area, Community, Company

    company = Company.objects.create(name="测试物业有限公司")
    ch = Community.objects.create(company=company, code="CH", name="翠湖苑", households=320)
    jg = Community.objects.create(company=company, code="JG", name="金桂园", households=300)
    communities = {"CH": ch, "JG": jg}
    result = World(company=company, ch=ch, jg=jg)
    for persona, (role, home) in PERSONAS.items():
        if role is None:
            result.personas[persona] = None
            continue
        result.personas[persona] = make_staff(
            persona, role, communities.get(home) if home else None
        )
    Area.objects.create(community=ch, code="CH01", name="东区", steward=result.personas["steward"])
    Area.objects.create(community=jg, code="JG01", name="一期", steward=result.personas["outsider"])
    return result


@pytest.fixture
def hq_admin(world: World) -> Any:
    return world.personas["hq_admin"]


@pytest.fixture
def hq_supervisor(world: World) -> Any:
    return world.personas["hq_supervisor"]


@pytest.fixture
def office_manager(world: World) -> Any:
    return world.personas["office_manager"]


@pytest.fixture
def office_supervisor(world: World) -> Any:
    return world.personas["office_supervisor"]


@pytest.fixture
def steward(world: World) -> Any:
    return world.personas["steward"]


@pytest.fixture
def outsider(world: World) -> Any:
    return world.personas["outsider"]
