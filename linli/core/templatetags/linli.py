"""Template helpers: Bootstrap classes on form widgets, so forms stay plain Django forms; the
deadline badge and the side navigation."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.utils.safestring import SafeString

from linli.core import nav
from linli.core.deadline import deadline_html

register = template.Library()


@register.filter
def bs(field: forms.BoundField, size: str = "") -> SafeString:
    """Render a form field's widget with the Bootstrap class for its kind (and `is-invalid`)."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
        css = "form-check-input"
    elif isinstance(widget, forms.Select | forms.SelectMultiple):
        css = "form-select" + (f" form-select-{size}" if size else "")
    else:
        css = "form-control" + (f" form-control-{size}" if size else "")
    if field.errors:
        css += " is-invalid"
    existing = widget.attrs.get("class", "")
    return field.as_widget(attrs={"class": f"{existing} {css}".strip()})


@register.simple_tag
def deadline(when: Any, done: Any = None) -> SafeString:
    """A deadline as relative time with a colour (linli.core.deadline)."""
    return deadline_html(when, done)


@register.simple_tag(takes_context=True)
def sidenav(context: template.Context) -> SafeString:
    """The staff side navigation, cached per language, permissions and path (linli.core.nav)."""
    request = context.get("request")
    return nav.sidenav(context.get("perms_codes"), request.path if request is not None else "")
