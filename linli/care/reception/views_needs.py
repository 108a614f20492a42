"""Personalised needs (个性化需求): list, my needs, record, handle, report."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.care.reception import exports, selectors, services
from linli.care.reception import forms as f
from linli.care.reception.models import NEED_TRANSITIONS, NeedStatus
from linli.core.errors import DomainError
from linli.core.http import permission_required
from linli.customers.models import Customer
from linli.org.roles import Perm

NEEDS = Perm.CARE_NEEDS


def _community(request: HttpRequest) -> int | None:
    return request.current_community_id  # type: ignore[attr-defined]


def _show_error(form: Any, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@permission_required(NEEDS)
def need_list(request: HttpRequest) -> HttpResponse:
    form = f.NeedFilterForm(
        request.GET or None, user=request.user, community_id=_community(request)
    )
    rows = selectors.need_list(request.user, form.filters(), community_id=_community(request))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "care/reception/need_list.html", {
        "form": form, "page": page, "count": page.paginator.count, "mine": False,
    })  # fmt: skip


@permission_required(NEEDS)
def my_needs(request: HttpRequest) -> HttpResponse:
    rows = selectors.my_needs(request.user)
    return render(request, "care/reception/need_list.html", {
        "page": rows, "count": len(rows), "mine": True,
    })  # fmt: skip


@permission_required(NEEDS)
def need_create(request: HttpRequest) -> HttpResponse:
    customer = _customer(request)
    form = f.NeedForm(
        request.POST or None, initial={"customer": getattr(customer, "pk", None)},
        user=request.user, community_id=customer.community_id if customer else _community(request),
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            need = services.record_need(
                actor=request.user, customer=customer, description=data["description"],
                need_type=data["need_type"].code, source="other", assignee=data["assignee"],
                due_on=data["due_on"],
            )  # fmt: skip
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("已登记个性化需求。"))
            return redirect("reception:need_detail", pk=need.pk)
    return render(request, "care/reception/need_form.html", {"form": form, "customer": customer})


def _customer(request: HttpRequest) -> Customer | None:
    raw = request.POST.get("customer") or request.GET.get("customer") or ""
    if not raw.isdigit():
        return None
    return get_object_or_404(Customer.objects.visible_to(request.user), pk=raw)


@permission_required(NEEDS)
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    need = selectors.access_need(request.user, pk)
    version = {"version": need.version}
    allowed = NEED_TRANSITIONS[NeedStatus(need.status)]
    status_form = f.NeedStatusForm(initial=version)
    status_form.fields["status"].choices = [c for c in NeedStatus.choices if c[0] in allowed]  # type: ignore[attr-defined]
    return render(request, "care/reception/need_detail.html", {
        "need": need, "history": selectors.need_history(need), "status_form": status_form,
        "assign_form": f.NeedAssignForm(initial={**version, "assignee": need.assignee_id, "due_on": need.due_on},
                                        user=request.user, community_id=need.community_id),
        "feedback_form": f.NeedFeedbackForm(initial={**version, "feedback": need.feedback}),
    })  # fmt: skip


def _apply(
    request: HttpRequest, pk: int, form_class: Any, action: Any, **form_kwargs: Any
) -> HttpResponse:
    """Validate a small form on the need's page, call the service, come back with the outcome."""
    need = selectors.access_need(request.user, pk)
    form = form_class(request.POST, **form_kwargs)
    if not form.is_valid():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, errors)
    else:
        data = dict(form.cleaned_data)
        try:
            action(need, actor=request.user, expected_version=data.pop("version"), **data)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已保存。"))
    return redirect("reception:need_detail", pk=need.pk)


@require_POST
@permission_required(NEEDS)
def need_status(request: HttpRequest, pk: int) -> HttpResponse:
    return _apply(request, pk, f.NeedStatusForm, services.set_need_status)


@require_POST
@permission_required(NEEDS)
def need_assign(request: HttpRequest, pk: int) -> HttpResponse:
    community_id = selectors.access_need(request.user, pk).community_id
    return _apply(
        request,
        pk,
        f.NeedAssignForm,
        services.assign_need,
        user=request.user,
        community_id=community_id,
    )


@require_POST
@permission_required(NEEDS)
def need_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    return _apply(request, pk, f.NeedFeedbackForm, services.record_need_feedback)


@permission_required(Perm.REPORTS_OFFICE)
def need_report(request: HttpRequest) -> HttpResponse:
    form = f.NeedReportForm(request.GET or None)
    year, group = form.values()
    rows = selectors.needs_report(
        request.user, community_id=_community(request), year=year, group=group
    )
    labels = [r["label"] for r in rows]
    counts_spec = {"type": "bar", "labels": labels, "series": [
        {"name": _("登记"), "data": [r["total"] for r in rows]},
        {"name": _("已完成"), "data": [r["done"] for r in rows]},
    ]}  # fmt: skip
    rate_spec = {"type": "line" if group == "month" else "bar", "labels": labels, "percent": True,
                 "series": [{"name": _("按时完成率"), "data": [r["on_time_rate"] for r in rows]}]}  # fmt: skip
    totals = {k: sum(r[k] for r in rows) for k in ("total", "open", "done", "on_time", "cancelled")}
    totals["on_time_rate"] = (
        round(100 * totals["on_time"] / totals["done"], 1) if totals["done"] else None
    )
    return render(request, "care/reception/need_report.html", {
        "form": form, "rows": rows, "counts_spec": counts_spec, "rate_spec": rate_spec, "year": year, "group": group, "totals": totals,
        "query": request.GET.urlencode(),
    })  # fmt: skip


@permission_required(Perm.REPORTS_OFFICE)
def need_report_export(request: HttpRequest) -> HttpResponse:
    form = f.NeedReportForm(request.GET or None)
    year, group = form.values()
    rows = selectors.needs_report(
        request.user, community_id=_community(request), year=year, group=group
    )
    label = str(dict(f.GROUPS)[group])
    book = exports.needs_report_workbook(rows, year=year, group_label=label.removeprefix("按"))
    return exports.xlsx_response(book, f"个性化需求统计-{year}.xlsx")
