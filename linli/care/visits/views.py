"""Pages of visits, plans and handover: access → validate → service/selector → respond."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.care.visits import forms as f
from linli.care.visits import planning, selectors, services
from linli.care.visits.models import Handover, PlanItem, Visit
from linli.core.errors import DomainError
from linli.core.http import permission_required
from linli.customers.models import Occupancy
from linli.customers.selectors import access_customer, search_customers
from linli.org.models import Area, Community, Staff
from linli.org.roles import Perm, Role


def _community(request: HttpRequest) -> int | None:
    return request.current_community_id  # type: ignore[attr-defined]


def _error(request: HttpRequest, error: DomainError, form: Any = None) -> None:
    if form is not None and error.field and error.field in form.fields:
        form.add_error(error.field, error.message)
    else:
        messages.error(request, error.message)


# --- plan vs actual -------------------------------------------------------------------------------
@permission_required(Perm.REPORTS_OFFICE)
def plans(request: HttpRequest) -> HttpResponse:
    period = selectors.parse_period(request.GET.get("period"), request.GET.get("at"))
    group = request.GET.get("group", "")
    group = group if group in selectors.GROUPS else "person"
    figures = selectors.plan_vs_actual(
        request.user, period, community_id=_community(request), group=group
    )
    items = _filtered_items(request, period)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(request, "care/visits/plans.html", {
        "period": period, "group": group, "figures": figures, "page": page,
        "chart": selectors.chart_of(figures), "trend": figures["trend"],
        "prev": period.shift(-1), "next": period.shift(1), "status": request.GET.get("status", ""),
        "today_date": timezone.localdate(),
        "runs": selectors.last_runs(request.user, _community(request), timezone.localdate().replace(day=1)),
        "generate_form": f.GenerateForm(initial={"month": timezone.localdate()}),
    })  # fmt: skip


def _filtered_items(request: HttpRequest, period: selectors.Period) -> Any:
    rows = selectors.plan_items(request.user, _community(request)).select_related(
        "customer", "room", "visitor", "area", "visit"
    )
    status = request.GET.get("status", "")
    today = timezone.localdate()
    if status == "overdue":
        rows = rows.filter(status=PlanItem.Status.PLANNED, due_on__lt=today)
    else:
        rows = rows.filter(due_on__gte=period.first, due_on__lte=period.last)
        if status in PlanItem.Status.values:
            rows = rows.filter(status=status)
    if request.GET.get("visitor", "").isdigit():
        rows = rows.filter(visitor_id=int(request.GET["visitor"]))
    return rows.order_by("due_on", "room__code", "pk")


@require_POST
@permission_required(Perm.CARE_PLAN)
def generate(request: HttpRequest) -> HttpResponse:
    """Regenerate the month's plan of the current community (or the user's own)."""
    form = f.GenerateForm(request.POST)
    community_id = request.user.community_id or _community(request)  # type: ignore[union-attr]
    if not form.is_valid() or community_id is None:
        messages.error(request, _("请选择月份和小区后再生成计划。"))
        return redirect("visits:plans")
    community = get_object_or_404(Community.objects.visible_to(request.user), pk=community_id)
    run = planning.generate_plan(community, form.cleaned_data["month"], actor=request.user)
    messages.success(request, _("%(c)s %(m)s 拜访计划已生成：共 %(n)s 项（新增 %(a)s，调整 %(u)s，移除 %(r)s）。") % {
        "c": community.name, "m": f"{run.month:%Y-%m}", "n": run.items, "a": run.created, "u": run.updated, "r": run.removed,
    })  # fmt: skip
    return redirect(reverse("visits:plans") + f"?at={run.month:%Y-%m}")


# --- the steward's phone pages --------------------------------------------------------------------
@permission_required(Perm.CARE_VISIT)
def today(request: HttpRequest) -> HttpResponse:
    return render(request, "care/visits/today.html", selectors.today_page(request.user))


@permission_required(Perm.CARE_VISIT)
def record(request: HttpRequest) -> HttpResponse:
    """Record a visit (?customer=ID, optionally &item=ID of the plan item it fulfils)."""
    raw = request.GET.get("customer") or request.POST.get("customer") or ""
    if not raw.isdigit():
        query = request.GET.get("q", "").strip()
        found = (
            search_customers(request.user, query, community_id=_community(request)) if query else []
        )
        return render(request, "care/visits/pick.html", {"q": query, "found": found})
    customer = access_customer(request.user, int(raw))
    rooms = [
        (o.room_id, o.room.code)
        for o in Occupancy.objects.filter(customer=customer, move_out__isnull=True).select_related(
            "room"
        )
    ]
    item_id = request.POST.get("item") or request.GET.get("item") or ""
    item = selectors.access_item(request.user, int(item_id)) if item_id.isdigit() else None
    form = f.VisitForm(
        request.POST or None, rooms=rooms, initial={"item": item.pk if item else None}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        room = (
            next(
                (
                    o.room
                    for o in Occupancy.objects.filter(
                        customer=customer, room_id=data["room"]
                    ).select_related("room")
                ),
                None,
            )
            if data["room"]
            else None
        )
        try:
            visit = services.record_visit(
                customer, actor=request.user, kind=data["kind"], method=data["method"], visited_at=data["visited_at"],
                room=room, people_met=data["people_met"], raised=data["raised"], satisfaction=data["satisfaction"],
                notes=data["notes"], commitments=form.commitments(), plan_item=item,
            )  # fmt: skip
        except DomainError as error:
            _error(request, error, form)
        else:
            messages.success(request, _("已记录对 %(name)s 的拜访。") % {"name": customer.name})
            return redirect("visits:visit", pk=visit.pk)
    return render(
        request, "care/visits/record.html", _card(request, customer) | {"form": form, "item": item}
    )


def _card(request: HttpRequest, customer: Any) -> dict[str, Any]:
    occupancy = (
        Occupancy.objects.filter(customer=customer, move_out__isnull=True)
        .select_related("room", "room__area")
        .order_by("-is_primary")
        .first()
    )
    return {
        "customer": customer, "occupancy": occupancy, "grade": selectors.grade_of([customer.pk]).get(customer.pk),
        "open_items": selectors.plan_items(request.user).filter(customer=customer, status=PlanItem.Status.PLANNED).select_related("visitor").order_by("due_on")[:6],
    }  # fmt: skip


# --- visit records --------------------------------------------------------------------------------
@permission_required(Perm.CARE_VISIT)
def visit_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.visits(request.user, _community(request)).select_related(
        "customer", "room", "visitor"
    )
    kind, method = request.GET.get("kind", ""), request.GET.get("method", "")
    if kind in Visit.Kind.values:
        rows = rows.filter(kind=kind)
    if method in Visit.Method.values:
        rows = rows.filter(method=method)
    if request.GET.get("mine"):
        rows = rows.filter(visitor_id=request.user.pk)
    page = Paginator(rows.order_by("-visited_at", "-pk"), 50).get_page(request.GET.get("page"))
    return render(request, "care/visits/visit_list.html", {
        "page": page, "kinds": Visit.Kind.choices, "methods": Visit.Method.choices, "kind": kind, "method": method,
        "mine": bool(request.GET.get("mine")),
    })  # fmt: skip


@permission_required(Perm.CARE_VISIT)
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.access_visit(request.user, pk)
    return render(request, "care/visits/visit_detail.html", {
        "visit": visit, "commitments": visit.commitments.select_related("assignee", "done_by").order_by("due_on"),
        "follow_ups": visit.follow_ups.order_by("created_at"), "items": visit.plan_items.all(),
        "ticket_form": f.TicketForm(initial={"description": visit.raised}),
        "need_form": f.NeedForm(initial={"description": visit.raised}), "needs": services.needs_available(),
    })  # fmt: skip


@require_POST
@permission_required(Perm.CARE_VISIT)
def commitment_done(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = selectors.access_commitment(request.user, pk)
    form = f.CommitmentDoneForm(request.POST)
    form.is_valid()
    try:
        services.complete_commitment(
            commitment, actor=request.user, note=form.cleaned_data.get("note", "")
        )
        messages.success(request, _("承诺事项已办结。"))
    except DomainError as error:
        _error(request, error)
    return redirect("visits:visit", pk=commitment.visit_id)


@require_POST
@permission_required(Perm.TICKETS_CREATE)
def raise_ticket(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.access_visit(request.user, pk)
    form = f.TicketForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写诉求类型、类别和内容。"))
        return redirect("visits:visit", pk=visit.pk)
    try:
        ticket = services.raise_ticket(visit, actor=request.user, **form.cleaned_data)
    except DomainError as error:
        _error(request, error)
        return redirect("visits:visit", pk=visit.pk)
    messages.success(request, _("已转为诉求 %(n)s。") % {"n": ticket.number})
    return redirect("tickets:detail", pk=ticket.pk)


@require_POST
@permission_required(Perm.CARE_VISIT)
def raise_need(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.access_visit(request.user, pk)
    form = f.NeedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写需求类型和内容。"))
    else:
        try:
            services.raise_need(visit, actor=request.user, **form.cleaned_data)
            messages.success(request, _("已登记为个性化需求。"))
        except DomainError as error:
            _error(request, error)
    return redirect("visits:visit", pk=visit.pk)


# --- steward handover -----------------------------------------------------------------------------
def _handover_form(request: HttpRequest, data: Any = None) -> f.HandoverForm:
    community = _community(request)
    areas = (
        Area.objects.visible_to(request.user)
        .in_community(community)
        .select_related("community", "steward")
    )
    stewards = Staff.objects.filter(
        role=Role.STEWARD, is_active=True, community__in=Community.objects.visible_to(request.user)
    )
    if community:
        stewards = stewards.filter(community_id=community)
    return f.HandoverForm(data, areas=areas, stewards=stewards.select_related("community"))


@permission_required(Perm.CARE_PLAN)
def handovers(request: HttpRequest) -> HttpResponse:
    rows = list(
        Handover.objects.visible_to(request.user)
        .in_community(_community(request))
        .select_related("area", "old_steward", "new_steward")
        .order_by("-at")[:100]
    )
    progress = selectors.handover_progress(rows)
    for row in rows:
        row.done, row.total = progress[row.pk]
    return render(
        request, "care/visits/handovers.html", {"rows": rows, "form": _handover_form(request)}
    )


@require_POST
@permission_required(Perm.CARE_PLAN)
def handover_new(request: HttpRequest) -> HttpResponse:
    form = _handover_form(request, request.POST)
    if form.is_valid():
        try:
            handover = services.hand_over_area(form.cleaned_data["area"], new_steward=form.cleaned_data["new_steward"],
                                               actor=request.user, note=form.cleaned_data["note"])  # fmt: skip
        except DomainError as error:
            _error(request, error, form)
        else:
            messages.success(
                request,
                _("片区已交接，已为新物管员生成 %(n)s 项客户走访任务。")
                % {"n": handover.tasks.count()},
            )
            return redirect("visits:handover", pk=handover.pk)
    rows = (
        Handover.objects.visible_to(request.user)
        .in_community(_community(request))
        .select_related("area")[:0]
    )
    return render(request, "care/visits/handovers.html", {"rows": rows, "form": form}, status=400)


@permission_required(Perm.CARE_VISIT)
def handover_detail(request: HttpRequest, pk: int) -> HttpResponse:
    handover = selectors.access_handover(request.user, pk)
    tasks = selectors._secret_safe(handover.tasks.all(), request.user).select_related(
        "customer", "room", "done_by", "visit"
    )
    state = request.GET.get("state", "")
    if state == "open":
        tasks = tasks.filter(done_at__isnull=True)
    elif state == "done":
        tasks = tasks.filter(done_at__isnull=False)
    done, total = selectors.handover_progress([handover])[handover.pk]
    page = Paginator(tasks.order_by("done_at", "room__code", "pk"), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "care/visits/handover_detail.html", {
        "handover": handover, "page": page, "done": done, "total": total, "state": state,
        "percent": round(100 * done / total) if total else 0, "contact_form": f.ContactForm(),
    })  # fmt: skip


@require_POST
@permission_required(Perm.CARE_VISIT)
def task_contact(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.access_task(request.user, pk)
    form = f.ContactForm(request.POST)
    if form.is_valid():
        try:
            services.log_contact(task, actor=request.user, **form.cleaned_data)
            messages.success(request, _("已登记联系 %(name)s。") % {"name": task.customer.name})
        except DomainError as error:
            _error(request, error)
    else:
        messages.error(request, _("联系方式无效。"))
    target = request.POST.get("next", "")
    return redirect(
        target
        if target.startswith("/care/visits/")
        else reverse("visits:handover", args=[task.handover_id])
    )
