"""Every URL of Linli appears in some app's permission matrix (DESIGN §4)."""

from __future__ import annotations

import importlib
import pkgutil

from django.urls import get_resolver, resolve

import linli

# Django's own: logout (POST only), language switch, admin (superusers only, tested in org).
FRAMEWORK = ("accounts/logout/", "i18n/", "admin/")


def all_routes() -> set[str]:
    def walk(patterns, prefix=""):
        for p in patterns:
            route = prefix + str(p.pattern).lstrip("^")
            if hasattr(p, "url_patterns"):
                if not route.startswith(FRAMEWORK):
                    yield from walk(p.url_patterns, route)
            else:
                yield route

    return {r for r in walk(get_resolver().url_patterns) if not r.startswith(FRAMEWORK)}


def matrix_endpoints():
    """ENDPOINTS of every `tests/test_permissions*.py` module of every app, nested apps
    (linli/care/<app>/) included."""
    for package in pkgutil.walk_packages(linli.__path__, "linli."):
        if not package.ispkg or not package.name.endswith(".tests"):
            continue
        tests = importlib.import_module(package.name)
        for module in pkgutil.iter_modules(tests.__path__):
            if module.name.startswith("test_permissions"):
                yield from getattr(
                    importlib.import_module(f"{tests.__name__}.{module.name}"), "ENDPOINTS", []
                )


def test_every_url_is_in_a_permission_matrix(world):
    covered = set()
    for endpoint in matrix_endpoints():
        path = endpoint.resolve_path(world).split("?")[0]
        covered.add(resolve(path).route)
    assert all_routes() - covered == set()
