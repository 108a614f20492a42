from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core import timeline
from linli.core.errors import DomainError
from linli.core.http import permission_required
from linli.customers import presenters, selectors, services
from linli.customers.forms import (
    CustomerFilterForm,
    CustomerForm,
    MoveOutForm,
    NewCustomerForm,
    NewRoomForm,
    OccupancyEditForm,
    OccupancyForm,
    RoomFilterForm,
    RoomForm,
    SecrecyForm,
    UnmaskForm,
)  # fmt: skip
from linli.customers.models import Customer, Room
from linli.customers.parsing import parse_room_code
from linli.customers.presenters import SENSITIVE_FIELDS, is_masked_for, shown
from linli.customers.secrecy import clearance_of
from linli.org.roles import Perm


def _form_error(form: Any, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _community(request: HttpRequest) -> int | None:
    return request.current_community_id  # type: ignore[attr-defined]


# --- search and lists ---------------------------------------------------------------------------
@permission_required(Perm.CUSTOMERS_VIEW)
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    customers = (
        selectors.search_customers(request.user, query, community_id=_community(request))
        if query
        else []
    )
    rooms = (
        selectors.search_rooms(request.user, query, community_id=_community(request))
        if query
        else []
    )
    # pick=ticket: the intake form's caller search; results lead back to a new ticket.
    context = {
        "q": query,
        "customers": customers,
        "rooms": rooms,
        "pick": request.GET.get("pick") == "ticket",
    }
    template = "customers/_search_results.html" if request.htmx else "customers/search.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@permission_required(Perm.CUSTOMERS_VIEW)
def customer_list(request: HttpRequest) -> HttpResponse:
    form = CustomerFilterForm(
        request.GET or None, user=request.user, community_id=_community(request)
    )
    filters = form.filters()
    rows = selectors.customer_list(request.user, community_id=_community(request), filters=filters)
    company_wide = bool(request.user.is_company_wide)  # type: ignore[union-attr]
    fields = list(presenters.LIST_ROW_FIELDS) + (["community__name"] if company_wide else [])
    page = Paginator(rows.values(*fields), 50).get_page(request.GET.get("page"))
    export_query = urlencode(
        {"kind": "customers", **{k: v for k, v in request.GET.items() if k != "page"}}
    )
    context = {
        "form": form,
        "filters": presenters.filter_controls(form),
        "page": page,
        "rows": presenters.list_rows(page.object_list, request.user, company_wide=company_wide),
        "company_wide": company_wide,
        "count": page.paginator.count,
        "export_query": export_query,
    }
    return render(request, "customers/customer_list.html", context)


@permission_required(Perm.CUSTOMERS_VIEW)
def room_list(request: HttpRequest) -> HttpResponse:
    form = RoomFilterForm(request.GET or None, user=request.user, community_id=_community(request))
    rows = selectors.room_list(
        request.user, community_id=_community(request), filters=form.filters()
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    export_query = urlencode(
        {"kind": "rooms", **{k: v for k, v in request.GET.items() if k != "page"}}
    )
    context = {
        "form": form,
        "page": page,
        "count": page.paginator.count,
        "export_query": export_query,
    }
    return render(request, "customers/room_list.html", context)


# --- the customer file --------------------------------------------------------------------------
def _customer_context(request: HttpRequest, customer: Customer, **extra: Any) -> dict[str, Any]:
    revealed = extra.pop("revealed", {})
    fields = [
        {"name": f, "label": label, "value": revealed.get(f, shown(customer, f, request.user)),
         "masked": is_masked_for(f, customer, request.user) and f not in revealed, "present": bool(getattr(customer, f))}
        for f, (label, _mask) in SENSITIVE_FIELDS.items()
    ]  # fmt: skip
    kinds = set(request.GET.getlist("kind")) or None
    return {
        "customer": customer,
        "sensitive": fields,
        "occupancies": customer.occupancies.select_related("room", "room__area").order_by(
            "move_out", "-is_primary"
        ),
        "entries": timeline.collect(request.user, customer=customer, kinds=kinds),
        "secrecy_form": SecrecyForm(
            initial={"level": customer.secrecy, "until": customer.secrecy_until}
        ),
        "occupancy_form": OccupancyForm(),
        "max_level": clearance_of(request.user),
        **extra,
    }


@permission_required(Perm.CUSTOMERS_VIEW)
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.access_customer(request.user, pk)
    return render(request, "customers/customer_detail.html", _customer_context(request, customer))


@require_POST
@permission_required(Perm.CUSTOMERS_UNMASK)
def customer_unmask(request: HttpRequest, pk: int) -> HttpResponse:
    from linli.privacy.services import unmask_field

    customer = selectors.access_customer(request.user, pk, log=False)
    form = UnmaskForm(request.POST)
    value, error = "", ""
    if form.is_valid():
        try:
            value = unmask_field(
                customer,
                form.cleaned_data["field"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            error = exc.message
    else:
        error = _("请说明查看原因。")
    if request.htmx:  # type: ignore[attr-defined]
        field = form.data.get("field", "")
        return render(
            request,
            "customers/_unmasked.html",
            {"customer": customer, "field": field, "value": value, "error": error},
        )
    if error:
        messages.error(request, error)
        return redirect("customers:customer_detail", pk=customer.pk)
    context = _customer_context(request, customer, revealed={form.cleaned_data["field"]: value})
    return render(request, "customers/customer_detail.html", context)


@permission_required(Perm.CUSTOMERS_EDIT)
def customer_create(request: HttpRequest) -> HttpResponse:
    form = NewCustomerForm(
        request.POST or None, user=request.user, initial={"room_code": request.GET.get("room", "")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.create_customer_with_room(
                form.cleaned_data["community"], form.values(), room_code=form.cleaned_data["room_code"],
                role=form.cleaned_data["role"], move_in=form.cleaned_data["move_in"], actor=request.user,
            )  # fmt: skip
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("已建立客户档案。"))
            return redirect("customers:customer_detail", pk=customer.pk)
    return render(request, "customers/customer_form.html", {"form": form, "creating": True})


@permission_required(Perm.CUSTOMERS_EDIT)
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.access_customer(request.user, pk)
    form = CustomerForm(request.POST or None, instance=Customer.objects.get(pk=customer.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_customer(
                customer,
                form.values(),
                actor=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("customers:customer_detail", pk=customer.pk)
    return render(
        request,
        "customers/customer_form.html",
        {"form": form, "customer": customer, "creating": False},
    )


@require_POST
@permission_required(Perm.CUSTOMERS_SET_SECRECY)
def customer_secrecy(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.access_customer(request.user, pk, log=False)
    form = SecrecyForm(request.POST)
    if form.is_valid():
        try:
            services.set_secrecy(customer, form.cleaned_data["level"], actor=request.user,
                                 reason=form.cleaned_data["reason"], until=form.cleaned_data["until"])  # fmt: skip
            messages.success(request, _("密级已更新。"))
        except DomainError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("customers:customer_detail", pk=customer.pk)


@require_POST
@permission_required(Perm.CUSTOMERS_EDIT)
def occupancy_create(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.access_customer(request.user, pk, log=False)
    form = OccupancyForm(request.POST)
    if form.is_valid():
        room = (
            Room.objects.visible_to(request.user)
            .filter(community_id=customer.community_id, code=form.cleaned_data["room_code"])
            .first()
        )
        try:
            if room is None:
                raise DomainError(
                    _("房号 %(code)s 不存在，请先在房屋档案中登记。")
                    % {"code": form.cleaned_data["room_code"]}
                )
            services.add_occupancy(room, customer, role=form.cleaned_data["role"], move_in=form.cleaned_data["move_in"],
                                   is_primary=form.cleaned_data["is_primary"], notes=form.cleaned_data["notes"], actor=request.user)  # fmt: skip
            messages.success(request, _("已添加房间。"))
        except DomainError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("customers:customer_detail", pk=customer.pk)


@permission_required(Perm.CUSTOMERS_EDIT)
def occupancy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    occupancy = selectors.access_occupancy(request.user, pk)
    form = OccupancyEditForm(
        request.POST or None, instance=type(occupancy).objects.get(pk=occupancy.pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_occupancy(occupancy, form.cleaned_data, actor=request.user)
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("customers:room_detail", pk=occupancy.room_id)
    return render(request, "customers/occupancy_form.html", {"form": form, "occupancy": occupancy})


@require_POST
@permission_required(Perm.CUSTOMERS_EDIT)
def occupancy_move_out(request: HttpRequest, pk: int) -> HttpResponse:
    occupancy = selectors.access_occupancy(request.user, pk)
    form = MoveOutForm(request.POST)
    if form.is_valid():
        try:
            services.move_out(
                occupancy,
                on=form.cleaned_data["on"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
            messages.success(request, _("已办理迁出，历史记录保留。"))
        except DomainError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _("请填写迁出日期。"))
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect("customers:room_detail", pk=occupancy.room_id)


# --- rooms (一户一档) --------------------------------------------------------------------------
@permission_required(Perm.CUSTOMERS_VIEW)
def room_detail(request: HttpRequest, pk: int) -> HttpResponse:
    room = selectors.access_room(request.user, pk)
    current, past, restricted = selectors.occupants(request.user, room)
    kinds = set(request.GET.getlist("kind")) or None
    context = {
        "room": room, "current": current, "past": past,
        "restricted": selectors.restricted_occupancies(request.user, room) if restricted else [],
        "entries": timeline.collect(request.user, room=room, kinds=kinds),
        "move_out_form": MoveOutForm(),
    }  # fmt: skip
    return render(request, "customers/room_detail.html", context)


@permission_required(Perm.CUSTOMERS_EDIT)
def room_create(request: HttpRequest) -> HttpResponse:
    community_id = _community(request) or getattr(request.user, "community_id", None)
    if community_id is None:
        messages.info(request, _("请先在页面顶部选择小区。"))
        return redirect("customers:room_list")
    form = NewRoomForm(request.POST or None, community_id=community_id)
    if request.method == "POST" and form.is_valid():
        from linli.org.models import Community

        try:
            room = services.create_room(
                Community.objects.get(pk=community_id),
                parse_room_code(form.cleaned_data["code"]),
                form.values(),
                actor=request.user,
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("已登记房间 %(code)s。") % {"code": room.code})
            return redirect("customers:room_detail", pk=room.pk)
    return render(request, "customers/room_form.html", {"form": form, "creating": True})


@permission_required(Perm.CUSTOMERS_EDIT)
def room_edit(request: HttpRequest, pk: int) -> HttpResponse:
    room = selectors.access_room(request.user, pk)
    form = RoomForm(
        request.POST or None, instance=Room.objects.get(pk=room.pk), community_id=room.community_id
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_room(
                room,
                form.values(),
                actor=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("customers:room_detail", pk=room.pk)
    return render(
        request, "customers/room_form.html", {"form": form, "room": room, "creating": False}
    )


# --- completeness and reviews -------------------------------------------------------------------
@permission_required(Perm.CUSTOMERS_VIEW)
def completeness(request: HttpRequest) -> HttpResponse:
    rows = selectors.completeness_by_area(request.user, community_id=_community(request))
    return render(request, "customers/completeness.html", {"rows": rows})


@permission_required(Perm.CUSTOMERS_VIEW)
def review_list(request: HttpRequest) -> HttpResponse:
    tasks = selectors.review_tasks(request.user, community_id=_community(request))
    return render(request, "customers/review_list.html", {"tasks": tasks})


@permission_required(Perm.CUSTOMERS_VIEW)
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.access_review_task(request.user, pk)
    rooms = selectors.review_rooms(task)
    return render(request, "customers/review_detail.html", {"task": task, "rooms": rooms})


@require_POST
@permission_required(Perm.CUSTOMERS_EDIT)
def review_mark(request: HttpRequest, pk: int, room_pk: int) -> HttpResponse:
    task = selectors.access_review_task(request.user, pk)
    room = selectors.access_room(request.user, room_pk)
    try:
        services.mark_room_reviewed(
            task, room, actor=request.user, note=request.POST.get("note", "")[:200]
        )
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("customers:review_detail", pk=task.pk)
