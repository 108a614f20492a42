"""The staff side navigation (`_nav.html`), rendered once per process for each
(language, URL prefix, permission codes, path) and kept.

The navigation depends on nothing else: its links are fixed URL names, its labels translations,
which links show a test on the permission codes and which is active a test on the path. It is
rendered with exactly those two values (`perms_codes`, `path`), so a later edit that reads any
other variable shows up as an empty value in tests instead of one user's data cached for
another. Rendering it costs ~40 `{% url %}` and `{% translate %}` and ~60 `{% if %}` per page;
a hit costs a dictionary lookup.

The cache is bounded (detail pages have a path each) and emptied when the settings it depends on
change (tests) or a template file changes under the development server's autoreloader.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils.autoreload import file_changed
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

NAV_TEMPLATE = "_nav.html"
CACHE_SIZE = 512
_SETTINGS = {"ROOT_URLCONF", "TEMPLATES", "LANGUAGES", "LANGUAGE_CODE", "FORCE_SCRIPT_NAME", "INSTALLED_APPS"}  # fmt: skip


def sidenav(perms_codes: Any, path: str) -> SafeString:
    return _render(get_language(), get_script_prefix(), frozenset(perms_codes or ()), path)


@lru_cache(maxsize=CACHE_SIZE)
def _render(language: str | None, script_prefix: str, perms: frozenset[str], path: str) -> SafeString:  # fmt: skip
    # language and script_prefix are part of the key only: they are already active here.
    return mark_safe(get_template(NAV_TEMPLATE).render({"perms_codes": perms, "path": path}))


def clear_cache() -> None:
    _render.cache_clear()


@receiver(setting_changed)
def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in _SETTINGS:
        clear_cache()


@receiver(file_changed)
def _on_file_changed(*, file_path: Any, **kwargs: Any) -> None:
    # Django's own template reloader resets its loaders on the same signal; answer None so the
    # autoreloader still decides for itself whether to restart.
    if str(file_path).endswith(".html"):
        clear_cache()
