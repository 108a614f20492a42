"""Pages of grading work: a customer's grade, the review lists, approvals, jobs, analysis."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.audit import services as audit
from linli.core.errors import DomainError
from linli.core.http import permission_required
from linli.customers.models import Customer
from linli.grading import analysis, jobs, selectors, services
from linli.grading.forms import (
    ApproveForm,
    DecideForm,
    FeeForm,
    FlagsForm,
    ItemDecisionForm,
    ReviewFilterForm,
)
from linli.grading.models import CustomerFlag, GradeReviewItem
from linli.org.models import Community
from linli.org.roles import Perm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _community(request: HttpRequest) -> int | None:
    return request.current_community_id  # type: ignore[attr-defined]


def _next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _form_error(form: Any, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


# --- a customer's grade ---------------------------------------------------------------------------
def _customer_page(request: HttpRequest, customer: Customer, **forms: Any) -> HttpResponse:
    panel = selectors.grade_panel(customer, request.user)
    row, fee = panel["row"], panel["fee"]
    manual = list(
        CustomerFlag.objects.filter(customer=customer).values_list("flag__code", flat=True)
    )
    context = {
        "customer": customer,
        **panel,
        "decide_form": forms.get("decide_form")
        or DecideForm(initial={"grade": panel["proposal"].grade_id, "version": row.version if row else None}),
        "fee_form": forms.get("fee_form")
        or FeeForm(initial={"status": fee.status if fee else "unknown", "arrears_months": fee.arrears_months if fee else 0,
                            "note": fee.note if fee else "", "version": fee.version if fee else None}),
        "flags_form": forms.get("flags_form") or FlagsForm(initial={"flags": manual}),
        "approve_form": forms.get("approve_form") or ApproveForm(),
        "rooms": customer.occupancies.filter(move_out__isnull=True).select_related("room"),
    }  # fmt: skip
    return render(request, "grading/customer.html", context)


@permission_required(Perm.CUSTOMERS_VIEW)
def customer_grade(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.access_customer(request.user, pk)
    return _customer_page(request, customer)


@require_POST
@permission_required(Perm.GRADING_CONFIRM)
def customer_decide(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.access_customer(request.user, pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            row = services.decide_grade(
                customer, grade=form.cleaned_data["grade"], actor=request.user,
                reason=form.cleaned_data["reason"], expected_version=form.cleaned_data["version"],
            )  # fmt: skip
        except DomainError as error:
            _form_error(form, error)
        else:
            if row.pending_grade_id:
                messages.info(request, _("已提交，等待公司审批后生效。"))
            else:
                messages.success(request, _("客户等级已更新。"))
            return redirect("grading:customer", pk=customer.pk)
    return _customer_page(request, customer, decide_form=form)


@require_POST
@permission_required(Perm.GRADING_APPROVE_VIP)
def customer_approve(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.access_customer(request.user, pk)
    form = ApproveForm(request.POST)
    back = _next(request, reverse("grading:customer", args=[customer.pk]))
    if form.is_valid():
        try:
            services.approve_grade(
                customer, actor=request.user, approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )  # fmt: skip
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("已批准。") if form.cleaned_data["decision"] == "approve" else _("已退回。"),
            )
    else:
        messages.error(request, _("请选择批准或不批准。"))
    return redirect(back)


@require_POST
@permission_required(Perm.GRADING_PROPOSE)
def customer_fee(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.access_customer(request.user, pk)
    form = FeeForm(request.POST)
    if form.is_valid():
        try:
            services.set_fee_standing(
                customer, status=form.cleaned_data["status"], arrears_months=form.cleaned_data["arrears_months"] or 0,
                note=form.cleaned_data["note"], actor=request.user, expected_version=form.cleaned_data["version"],
            )  # fmt: skip
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("缴费状况已更新；规则建议已按新情况重新计算。"))
            return redirect("grading:customer", pk=customer.pk)
    return _customer_page(request, customer, fee_form=form)


@require_POST
@permission_required(Perm.GRADING_PROPOSE)
def customer_flags(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.access_customer(request.user, pk)
    form = FlagsForm(request.POST)
    if form.is_valid():
        try:
            services.set_flags(
                customer,
                form.cleaned_data["flags"],
                actor=request.user,
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("客户标记已更新。"))
            return redirect("grading:customer", pk=customer.pk)
    return _customer_page(request, customer, flags_form=form)


# --- reviews ------------------------------------------------------------------------------------
@permission_required(Perm.REPORTS_OFFICE)
def review_list(request: HttpRequest) -> HttpResponse:
    reviews = selectors.review_list(request.user, _community(request))
    page = Paginator(reviews, 30).get_page(request.GET.get("page"))
    page.object_list = selectors.with_counts(request.user, page.object_list)
    context = {
        "page": page,
        "period": jobs.current_period(),
        "interval": jobs.review_interval(),
        "job": selectors.active_job(request.user, _community(request)),
        "jobs": selectors.recent_jobs(request.user, _community(request)),
        "can_start": "grading.confirm" in request.perms and _start_community(request) is not None,  # type: ignore[attr-defined]
    }
    return render(request, "grading/review_list.html", context)


def _start_community(request: HttpRequest) -> Community | None:
    user: Any = request.user
    if not user.is_company_wide:
        return user.community
    current = _community(request)
    return Community.objects.filter(pk=current).first() if current else None


@require_POST
@permission_required(Perm.GRADING_CONFIRM)
def review_start(request: HttpRequest) -> HttpResponse:
    community = _start_community(request)
    if community is None:
        messages.error(request, _("请先在页面顶部选择小区。"))
        return redirect("grading:reviews")
    try:
        job = jobs.start_regrade(community, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("grading:reviews")
    return redirect("grading:job", pk=job.pk)


@require_POST
@permission_required(Perm.GRADING_APPROVE_VIP)
def regrade_all(request: HttpRequest) -> HttpResponse:
    current = _community(request)
    community = Community.objects.filter(pk=current).first() if current else None
    try:
        job = jobs.start_regrade(community, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("grading:scheme")
    return redirect("grading:job", pk=job.pk)


@permission_required(Perm.REPORTS_OFFICE)
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.access_review(request.user, pk)
    form = ReviewFilterForm(request.GET or None, initial={"decision": "pending"})
    filters = form.filters()
    rows = selectors.review_items(request.user, review, filters)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in request.GET.items() if k != "page"})
    context = {
        "review": review,
        "form": form,
        "page": page,
        "count": page.paginator.count,
        "summary": selectors.review_summary(request.user, review),
        "grades": selectors.active_grades(),
        "query": query,
        "here": request.get_full_path(),
        "pending_view": filters.get("decision") == GradeReviewItem.Decision.PENDING,
    }
    return render(request, "grading/review_detail.html", context)


@require_POST
@permission_required(Perm.GRADING_CONFIRM)
def review_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.access_review(request.user, pk)
    back = _next(request, reverse("grading:review", args=[review.pk]))
    if request.POST.get("scope") == "filtered":
        form = ReviewFilterForm(request.POST)
        filters = {**form.filters(), "decision": GradeReviewItem.Decision.PENDING}
        ids = list(
            selectors.review_items(request.user, review, filters).values_list("pk", flat=True)
        )
    else:
        wanted = [int(v) for v in request.POST.getlist("items") if v.isdigit()]
        visible = selectors.review_items(request.user, review, {"decision": ""})
        ids = list(visible.filter(pk__in=wanted).values_list("pk", flat=True))
    if not ids:
        messages.warning(request, _("请先勾选要确认的客户。"))
        return redirect(back)
    try:
        counts = services.confirm_items(review, ids, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(back)
    text = _("已确认 %(n)s 位客户的等级。") % {"n": counts["confirmed"]}
    if counts["awaiting"]:
        text += " " + _("%(n)s 位需公司审批，已提交。") % {"n": counts["awaiting"]}
    if counts["stale"]:
        text += " " + _("%(n)s 位客户的等级在复评期间已被调整，建议已失效。") % {
            "n": counts["stale"]
        }
    messages.success(request, text)
    return redirect(back)


@require_POST
@permission_required(Perm.GRADING_CONFIRM)
def item_decide(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.access_item(request.user, pk)
    back = _next(request, reverse("grading:review", args=[item.review_id]))
    form = ItemDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择处理方式。"))
        return redirect(back)
    try:
        item = services.decide_item(
            item, action=form.cleaned_data["action"], actor=request.user,
            grade=form.cleaned_data["grade"], reason=form.cleaned_data["reason"],
        )  # fmt: skip
    except DomainError as error:
        messages.error(request, f"{item.customer.name}：{error.message}")
        return redirect(back)
    labels = dict(GradeReviewItem.Decision.choices)
    messages.success(request, f"{item.customer.name}：{labels[item.decision]}")
    return redirect(back)


@permission_required(Perm.GRADING_APPROVE_VIP)
def approvals(request: HttpRequest) -> HttpResponse:
    rows = selectors.pending_approvals(request.user, _community(request))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "grading/approvals.html", {"page": page, "count": page.paginator.count})


@permission_required(Perm.REPORTS_OFFICE)
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.access_job(request.user, pk)
    template = "grading/_job.html" if request.htmx else "grading/job.html"  # type: ignore[attr-defined]
    reviews = (
        selectors.with_counts(request.user, selectors.review_list(request.user, job.community_id)
                              .filter(period_start=jobs.current_period(job.at))[:50])
        if job.status == job.Status.DONE
        else []
    )  # fmt: skip
    return render(request, template, {"job": job, "reviews": reviews})


# --- analysis -----------------------------------------------------------------------------------
def _months(request: HttpRequest) -> int:
    value = request.GET.get("months", "12")
    return int(value) if value in ("6", "12", "24") else 12


@permission_required(Perm.REPORTS_OFFICE)
def structure(request: HttpRequest) -> HttpResponse:
    data = analysis.structure(request.user, _community(request), months=_months(request))
    return render(
        request,
        "grading/analysis.html",
        {"data": data, "charts": analysis.chart_data(data), "months": _months(request)},
    )


@permission_required(Perm.REPORTS_OFFICE)
def structure_export(request: HttpRequest) -> HttpResponse:
    community_id = _community(request)
    community = Community.objects.filter(pk=community_id).first() if community_id else None
    scope = community.name if community else _("全部小区")
    data = analysis.structure(request.user, community_id, months=_months(request))
    content = analysis.workbook(data, scope=scope, actor=request.user)
    audit.record(
        request.user, "grading.analysis.exported", None, {"scope": scope}, community_id=community_id
    )
    response = HttpResponse(content, content_type=XLSX)
    filename = _("客户结构分析-%(scope)s.xlsx") % {"scope": scope}
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    return response
