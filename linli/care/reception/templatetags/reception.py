from __future__ import annotations

import datetime as dt

from django import template

from linli.core.work import as_datetime

register = template.Library()


@register.filter
def end_of_day(day: dt.date | None) -> dt.datetime | None:
    """A due date as the end of that day, for the `deadline` tag."""
    return as_datetime(day)
