"""Statistics pages (POLICY Ch.6, Ch.10): figures with charts, lessons learned, printable forms."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli import policy
from linli.core.http import permission_required
from linli.core.masking import mask_phone
from linli.org.models import Community
from linli.org.roles import Perm
from linli.reports import exports, statistics
from linli.reports.periods import PERIOD_KINDS, Period, make_period, period_choices
from linli.tickets.models import Kind, ReturnVisit, Status, TicketEvent
from linli.tickets.selectors import access_ticket


class PeriodForm(forms.Form):
    """Which period: a week, month, quarter or year from a list, or any date range."""

    period = forms.ChoiceField(
        label=gettext_lazy("统计周期"), choices=PERIOD_KINDS, required=False,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )  # fmt: skip
    which = forms.ChoiceField(label=gettext_lazy("期间"), required=False)
    since = forms.DateField(
        label=gettext_lazy("起"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("止"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self, data: Any, *, today: dt.date, default_period: str = "month", **kwargs: Any
    ) -> None:
        kind = (data or {}).get("period") or default_period
        kind = kind if kind in dict(PERIOD_KINDS) else default_period
        if data is not None:  # the period kind always shows as chosen, even when left out
            data = data.copy()
            data["period"] = kind
        super().__init__(data, **kwargs)
        self.today = today
        self.kind = kind
        self.initial.setdefault("period", kind)
        self.fields["which"].choices = period_choices(kind, today)  # type: ignore[attr-defined]

    def clean_data(self) -> dict[str, Any]:
        """The valid fields; an invalid one (a stale period value) falls back to its default."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data

    def chosen_period(self) -> Period:
        data = self.clean_data()
        return make_period(
            self.kind, data.get("which") or "", today=self.today, since=data.get("since"),
            until=data.get("until"),
        )  # fmt: skip


class StatsForm(PeriodForm):
    group = forms.ChoiceField(label=gettext_lazy("分组"), required=False)

    def __init__(self, data: Any, *, can_compare: bool, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["group"].choices = [  # type: ignore[attr-defined]
            (code, d.label)
            for code, d in statistics.DIMENSIONS.items()
            if code != "community" or can_compare
        ]
        self.default_group = "community" if can_compare else "kind"
        self.fields["group"].initial = self.default_group

    def chosen_group(self) -> str:
        return self.clean_data().get("group") or self.default_group


def _scope_label(request: HttpRequest) -> str:
    community_id = request.current_community_id  # type: ignore[attr-defined]
    if community_id:
        return str(Community.objects.filter(pk=community_id).values_list("name", flat=True).first())
    return _("全部小区")


RATE_CHART_GROUPS = 20


def rate_chart_rows(report: statistics.TicketReport) -> tuple[list[statistics.Figures], bool]:
    """The groups the rates chart shows: all of them, or — company-wide by community, 200 bars
    no one can read — the `RATE_CHART_GROUPS` with the lowest on-time resolve rate (those
    without a rate last), lowest first. True when it is such a selection."""
    rows = report.rows
    if len(rows) <= RATE_CHART_GROUPS:
        return rows, False
    ranked = sorted(
        rows,
        key=lambda r: (r.resolve_rate is None, r.resolve_rate or 0, r.respond_rate or 0, r.label),
    )
    return ranked[:RATE_CHART_GROUPS], True


def chart_specs(report: statistics.TicketReport) -> dict[str, Any]:
    """What charts.js draws: the trend by kind, rates by group, return visits and satisfaction."""
    labels = [row.label for row in report.trend_rows]
    rate_rows, selected = rate_chart_rows(report)
    rate_series = [
        {"name": _("按时响应率"), "data": [row.respond_rate for row in rate_rows]},
        {"name": _("按时解决率"), "data": [row.resolve_rate for row in rate_rows]},
    ]
    return {
        "trend": {
            "type": "bar", "stack": True, "labels": labels,
            "series": [{"name": str(Kind(k).label), "data": v} for k, v in report.trend_kinds.items() if any(v)],
        },
        # A selection is a ranking by the resolve rate: that rate alone, names listed down the
        # side (twenty names along the bottom overlap).
        "rates": {
            "type": "bar", "percent": True, "labels": [row.label for row in rate_rows],
            "series": rate_series[1:] if selected else rate_series, "horizontal": selected,
        },
        "satisfaction": {
            "type": "line", "percent": True, "labels": labels,
            "series": [
                {"name": _("满意率"), "data": [row.satisfaction_rate for row in report.trend_rows]},
                {"name": _("回访率"), "data": [row.visit_rate for row in report.trend_rows]},
            ],
        },
    }  # fmt: skip


LIST_FILTERS = {"kind": "kind", "category": "category", "severity": "severity"}


def _table(report: statistics.TicketReport) -> list[dict[str, Any]]:
    """Rows of the figures table (and the total last); "received" links to the ticket list."""
    since = f"since={report.period.first:%Y-%m-%d}&until={report.period.last:%Y-%m-%d}"
    list_url = reverse("tickets:list")

    def row(figures: statistics.Figures, total: bool) -> dict[str, Any]:
        link = ""
        name = LIST_FILTERS.get(report.dimension.code)
        if total:
            link = f"{list_url}?{since}"
        elif name and figures.key is not None:
            link = f"{list_url}?{since}&{name}={figures.key}"
        cells = [
            {"text": statistics.format_cell(c, figures), "rate": c.rate,
             "detail": c.detail(figures) if c.detail else "", "link": link if index == 0 else ""}
            for index, c in enumerate(statistics.COLUMNS)
        ]  # fmt: skip
        return {"figures": figures, "cells": cells, "html": _cells_html(cells)}

    return [row(r, False) for r in report.rows] + [row(report.total, True)]


def _cells_html(cells: list[dict[str, Any]]) -> SafeString:
    """A row's figure cells as HTML, escaped once here: company-wide the table has 200 rows of
    nine cells, which as template tags cost more than all the page's SQL."""
    parts = []
    for cell in cells:
        value: str = escape(cell["text"])
        if cell["link"]:
            value = f'<a href="{escape(cell["link"])}">{value}</a>'
        detail = (
            f'<div class="cell-detail">{escape(cell["detail"])}</div>' if cell["detail"] else ""
        )
        parts.append(f'<td class="text-end"><span class="cell-value">{value}</span>{detail}</td>')
    return mark_safe("".join(parts))  # every value escaped above


@permission_required(Perm.REPORTS_OFFICE)
def ticket_stats(request: HttpRequest) -> HttpResponse:
    can_compare = Perm.REPORTS_COMPANY in request.perms  # type: ignore[attr-defined]
    form = StatsForm(request.GET or None, can_compare=can_compare, today=timezone.localdate())
    period, group = form.chosen_period(), form.chosen_group()
    community_id = request.current_community_id  # type: ignore[attr-defined]
    report = statistics.ticket_report(
        request.user, community_id=community_id, period=period, group=group
    )
    scope = _scope_label(request)
    if request.GET.get("format") == "xlsx":
        return exports.xlsx_response(exports.ticket_report_workbook(report, scope=scope),
                                     f"诉求统计_{period.first:%Y%m%d}-{period.last:%Y%m%d}.xlsx")  # fmt: skip
    table = _table(report)
    return render(request, "reports/stats_tickets.html", {
        "form": form, "report": report, "scope": scope, "columns": statistics.COLUMNS,
        "rows": table[:-1], "total": table[-1], "charts": chart_specs(report),
        "rate_chart_groups": RATE_CHART_GROUPS,
        "definitions": statistics.DEFINITIONS, "export_query": _with_format(request),
    })  # fmt: skip


@permission_required(Perm.REPORTS_OFFICE)
def lessons(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None, today=timezone.localdate(), default_period="quarter")
    period = form.chosen_period()
    community_id = request.current_community_id  # type: ignore[attr-defined]
    rows = statistics.repeated_causes(request.user, community_id=community_id, period=period)
    scope = _scope_label(request)
    if request.GET.get("format") == "xlsx":
        return exports.xlsx_response(exports.lessons_workbook(rows, period=period, scope=scope),
                                     f"经验教训_{period.first:%Y%m%d}-{period.last:%Y%m%d}.xlsx")  # fmt: skip
    return render(request, "reports/stats_lessons.html", {
        "form": form, "period": period, "rows": rows, "scope": scope, "export_query": _with_format(request),
    })  # fmt: skip


def _with_format(request: HttpRequest) -> str:
    query = request.GET.copy()
    query["format"] = "xlsx"
    return query.urlencode()


# --- printable forms --------------------------------------------------------------------------
HIDDEN_IN_PRINT = (TicketEvent.Kind.REMINDED, TicketEvent.Kind.ATTACHMENT)


def _print_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    ticket = access_ticket(request.user, pk)
    visits = list(
        ticket.return_visits.select_related("assigned_to", "done_by").order_by("due_at", "pk")
    )
    return {
        "ticket": ticket,
        "company": ticket.community.company,
        "phone": mask_phone(ticket.contact_phone),
        "visits": visits,
        "scale": ReturnVisit.Satisfaction.choices,
        "methods": ReturnVisit.Method.choices,
        "reopen_at_or_below": int(policy.value("tickets.return_visit.reopen_at_or_below")),
        "printed_at": timezone.now(),
    }


@permission_required(Perm.TICKETS_VIEW)
def print_complaint(request: HttpRequest, pk: int) -> HttpResponse:
    """客户投诉处理登记表 (for other kinds: 客户报修/咨询… 处理登记表), laid out as on paper."""
    context = _print_context(request, pk)
    context["signers"] = [_("受理人"), _("处理人"), _("客户主管审核"), _("管理处主任")]
    events = list(
        context["ticket"].events.select_related("actor").exclude(kind__in=HIDDEN_IN_PRINT).order_by("at", "pk")
    )  # fmt: skip
    for event in events:  # one ticket's history: a handful of rows
        event.to_label = Status(event.to_status).label if event.to_status in Status.values else ""
    context["events"] = events
    return render(request, "reports/print_complaint.html", context)


@permission_required(Perm.TICKETS_VIEW)
def print_return_visit(request: HttpRequest, pk: int) -> HttpResponse:
    """回访记录表: the visits made, or a blank one to fill in by hand when none is recorded yet."""
    context = _print_context(request, pk)
    context["signers"] = [_("回访人"), _("客户确认"), _("客户主管审核")]
    return render(request, "reports/print_return_visit.html", context)
