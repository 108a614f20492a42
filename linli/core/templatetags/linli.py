"""Template helpers: Bootstrap classes on form widgets, so forms stay plain Django forms."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.utils.safestring import SafeString

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


@register.inclusion_tag("_deadline.html")
def deadline(when: Any, done: Any = None) -> dict[str, Any]:
    """A deadline as relative time with a colour: overdue red, today amber, later plain.
    A date (without time) is due at the end of that day."""
    import datetime as dt

    from django.utils import timezone
    from django.utils.translation import gettext as _

    from linli.core.work import as_datetime

    when = as_datetime(when)
    if when is None:
        return {"text": "—", "css": "text-secondary"}
    if done:
        return {
            "text": _("已完成"),
            "css": "text-success",
            "title": timezone.localtime(when).strftime("%Y-%m-%d %H:%M"),
        }
    now = timezone.now()
    local = timezone.localtime(when)
    title = local.strftime("%Y-%m-%d %H:%M")
    if when < now:
        late = now - when
        if late < dt.timedelta(hours=1):
            text = _("已超时 %(n)s 分钟") % {"n": max(int(late.total_seconds() // 60), 1)}
        elif late < dt.timedelta(days=2):
            text = _("已超时 %(n)s 小时") % {"n": int(late.total_seconds() // 3600)}
        else:
            text = _("已超时 %(n)s 天") % {"n": late.days}
        return {"text": text, "css": "badge text-bg-danger", "title": title}
    today = timezone.localdate()
    if local.date() == today:
        return {
            "text": _("今天 %(t)s 到期") % {"t": local.strftime("%H:%M")},
            "css": "badge text-bg-warning",
            "title": title,
        }
    if local.date() == today + dt.timedelta(days=1):
        return {
            "text": _("明天 %(t)s") % {"t": local.strftime("%H:%M")},
            "css": "text-body",
            "title": title,
        }
    return {
        "text": _("%(n)s 天后") % {"n": (local.date() - today).days},
        "css": "text-body",
        "title": title,
    }
