"""Test helpers shared by every app: the permission matrix.

Each app lists its URLs and API endpoints once as `Endpoint`s; `permission_matrix` turns
them into one case per (endpoint, persona) with the status the rules of DESIGN §4 demand:

    anonymous                         → login redirect (UI) or 401 (API)
    permission missing                → 403
    object of another community       → 404
    both (another community's object
    and no permission)                → 403 or 404: neither tells whether the object exists
    otherwise                         → the endpoint's success status
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.test import Client

# Persona name → (role, "home" community code or None for company roles).
PERSONAS: dict[str, tuple[str | None, str | None]] = {
    "anonymous": (None, None),
    "hq_admin": ("hr_admin_manager", None),
    "hq_supervisor": ("hq_customer_supervisor", None),
    "office_manager": ("office_manager", "CH"),
    "office_supervisor": ("office_customer_supervisor", "CH"),
    "steward": ("steward", "CH"),
    "outsider": ("steward", "JG"),
}


@dataclass(frozen=True)
class Endpoint:
    """One URL of an app. `path` may be a function of the test world (objects of community CH)."""

    name: str
    path: str | Callable[[Any], str]
    method: str = "get"
    data: dict[str, Any] | Callable[[Any], dict[str, Any]] | None = None
    permission: str | None = None  # the permission code the endpoint requires, if any
    scoped: bool = False  # the URL names an object of community CH
    api: bool = False
    ok: frozenset[int] = field(default_factory=lambda: frozenset({200}))
    public: bool = False  # no login needed (health check, login page, token endpoint)
    content_type: str | None = None

    def resolve_path(self, world: Any) -> str:
        return self.path(world) if callable(self.path) else self.path

    def resolve_data(self, world: Any) -> dict[str, Any] | None:
        return self.data(world) if callable(self.data) else self.data


@dataclass(frozen=True)
class Case:
    endpoint: Endpoint
    persona: str

    @property
    def id(self) -> str:
        return f"{self.endpoint.name}-{self.persona}"

    def expected(self) -> frozenset[int]:
        from linli.org.roles import permissions_for

        role, home = PERSONAS[self.persona]
        ep = self.endpoint
        if ep.public:
            return ep.ok
        if role is None:
            return frozenset({401}) if ep.api else frozenset({302})
        outside = ep.scoped and home not in (None, "CH")
        if ep.permission and ep.permission not in permissions_for(role):
            return frozenset({403, 404}) if outside else frozenset({403})
        if outside:
            return frozenset({404})
        return ep.ok

    def actual(self, client: Client, world: Any) -> int:
        user = world.personas.get(self.persona)
        if user is not None:
            client.force_login(user)
        ep = self.endpoint
        path = ep.resolve_path(world)
        data = ep.resolve_data(world)
        call = getattr(client, ep.method)
        if ep.method in {"get", "delete"}:
            response = call(path, data or {})
        elif ep.content_type == "application/json":
            import json

            response = call(path, json.dumps(data or {}), content_type="application/json")
        else:
            response = call(path, data or {})
        return response.status_code


def permission_matrix(
    endpoints: Iterable[Endpoint], personas: Iterable[str] | None = None
) -> list[Case]:
    names = list(personas or PERSONAS)
    return [Case(endpoint, persona) for endpoint in endpoints for persona in names]


def case_id(case: Case) -> str:
    return case.id
