"""Links to rows, reversed once per view name and process instead of once per row.

`row_url("tickets:detail")(pk)` equals `reverse("tickets:detail", args=[pk])` for an integer
pk: the URL is reversed once with a placeholder number and the row's number is put in its place.
A board or work list builds dozens of such links per request, and each `reverse` walks the
resolver. The cache is keyed by the URL prefix and urlconf in force and emptied when the URL
settings change (tests).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse

# Digits only, so that the placeholder survives any path converter that accepts an integer.
_PLACEHOLDER = "987654321"


def row_url(viewname: str) -> Callable[[int], str]:
    """A function of a row's integer pk giving the URL of `viewname` for that row."""
    head, tail = _parts(viewname, get_script_prefix(), get_urlconf())
    return lambda pk: f"{head}{int(pk)}{tail}"


def fixed_url(viewname: str) -> str:
    """`reverse(viewname)` for a URL without arguments, kept like `row_url`."""
    return _fixed(viewname, get_script_prefix(), get_urlconf())


@lru_cache(maxsize=256)
def _parts(viewname: str, script_prefix: str, urlconf: Any) -> tuple[str, str]:
    url = reverse(viewname, args=[int(_PLACEHOLDER)], urlconf=urlconf)
    head, found, tail = url.rpartition(_PLACEHOLDER)
    if not found:
        raise ValueError(f"{viewname} does not put its argument in the path")
    return head, tail


@lru_cache(maxsize=256)
def _fixed(viewname: str, script_prefix: str, urlconf: Any) -> str:
    return reverse(viewname, urlconf=urlconf)


def clear_cache() -> None:
    _parts.cache_clear()
    _fixed.cache_clear()


@receiver(setting_changed)
def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in {"ROOT_URLCONF", "FORCE_SCRIPT_NAME"}:
        clear_cache()
