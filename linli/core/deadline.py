"""A deadline as relative time with a colour: overdue red, today amber, later plain.

Rendered in Python rather than through an inclusion template: boards and work lists show one per
row, and a template per row cost more than the rest of the row. `{% deadline %}` (linli tags)
and the pages that prepare their rows in Python both use `deadline_html`, so they agree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from linli.core.work import as_datetime


def deadline_parts(
    when: Any, done: Any = None, *, now: dt.datetime | None = None
) -> dict[str, str]:
    """Text, CSS class and (for a real deadline) the exact local time as a tooltip.
    A date (without time) is due at the end of that day."""
    when = as_datetime(when)
    if when is None:
        return {"text": "—", "css": "text-secondary"}
    local = timezone.localtime(when)
    title = local.strftime("%Y-%m-%d %H:%M")
    if done:
        return {"text": _("已完成"), "css": "text-success", "title": title}
    now = now or timezone.now()
    if when < now:
        late = now - when
        if late < dt.timedelta(hours=1):
            text = _("已超时 %(n)s 分钟") % {"n": max(int(late.total_seconds() // 60), 1)}
        elif late < dt.timedelta(days=2):
            text = _("已超时 %(n)s 小时") % {"n": int(late.total_seconds() // 3600)}
        else:
            text = _("已超时 %(n)s 天") % {"n": late.days}
        return {"text": text, "css": "badge text-bg-danger", "title": title}
    today = timezone.localdate(now)
    if local.date() == today:
        return {
            "text": _("今天 %(t)s 到期") % {"t": local.strftime("%H:%M")},
            "css": "badge text-bg-warning",
            "title": title,
        }
    if local.date() == today + dt.timedelta(days=1):
        return {"text": _("明天 %(t)s") % {"t": local.strftime("%H:%M")}, "css": "text-body", "title": title}  # fmt: skip
    return {
        "text": _("%(n)s 天后") % {"n": (local.date() - today).days},
        "css": "text-body",
        "title": title,
    }


def deadline_html(when: Any, done: Any = None, *, now: dt.datetime | None = None) -> SafeString:
    """The badge as HTML (the trailing newline is the one the former template had)."""
    parts = deadline_parts(when, done, now=now)
    if parts.get("title"):
        return format_html(
            '<span class="{}" title="{}">{}</span>\n', parts["css"], parts["title"], parts["text"]
        )
    return format_html('<span class="{}">{}</span>\n', parts["css"], parts["text"])
