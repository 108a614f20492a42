"""The front desk's screen, the reception log and the end-of-day check."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli import policy
from linli.care.reception import exports, selectors, services
from linli.care.reception import forms as f
from linli.core.errors import DomainError
from linli.core.http import permission_required
from linli.core.masking import mask_phone
from linli.customers.models import Customer, Room
from linli.org.models import Community
from linli.org.roles import Perm

LOG = Perm.CARE_RECEPTION_LOG


def _community(request: HttpRequest) -> int | None:
    return request.current_community_id  # type: ignore[attr-defined]


def _show_error(form: Any, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _desk_community(request: HttpRequest, customer: Customer | None) -> Community:
    user: Any = request.user
    if customer is not None:
        return customer.community
    if not user.is_company_wide:
        return user.community
    chosen = _community(request)
    if chosen is not None:
        return Community.objects.get(pk=chosen)
    raise DomainError(_("来电人不在客户库中时，请先在页面顶部选择小区。"), field="caller_name")


def _save_entry(request: HttpRequest, data: dict[str, Any]) -> Any:
    user: Any = request.user
    customer = (
        get_object_or_404(Customer.objects.visible_to(user), pk=data["customer"])
        if data.get("customer")
        else None
    )
    room = (
        get_object_or_404(Room.objects.visible_to(user), pk=data["room"])
        if data.get("room")
        else None
    )
    return services.log_contact(
        _desk_community(request, customer), actor=user, channel=data["channel"],
        subject=data["subject"], topic=data["topic"], outcome=data["outcome"],
        received_at=data["received_at"], customer=customer, room=room,
        caller_name=data["caller_name"], caller_phone=data["caller_phone"],
        reply=data["reply"], rings=data["rings"],
    )  # fmt: skip


@permission_required(LOG)
def desk(request: HttpRequest) -> HttpResponse:
    """The front desk's main screen: find the caller, log the contact, today's log below."""
    form = f.EntryForm(request.POST or None, initial=_caller_from_link(request))
    if request.method == "POST" and form.is_valid():
        try:
            entry = _save_entry(request, form.cleaned_data)
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("已登记：%(s)s") % {"s": entry.subject})
            then = request.POST.get("then")
            if then in {"ticket", "need"}:
                return redirect(f"reception:entry_to_{then}", pk=entry.pk)
            return redirect("reception:desk")
    return render(request, "care/reception/desk.html", {
        "form": form, "today": selectors.todays_entries(request.user, _community(request)),
        "rings": policy.value("care.reception.answer_within_rings"),
        "selected": _selected(request, form),
    })  # fmt: skip


def _caller_from_link(request: HttpRequest) -> dict[str, Any]:
    """`?customer=<id>` (from the household file) opens the desk with that caller chosen."""
    raw = request.GET.get("customer", "")
    customer = (
        Customer.objects.visible_to(request.user).filter(pk=raw).first() if raw.isdigit() else None
    )
    if customer is None:
        return {}
    room = services.home_room(customer)
    return {"customer": customer.pk, "room": room.pk if room else None}


def _selected(request: HttpRequest, form: f.EntryForm) -> Customer | None:
    """Keep the chosen customer on a form shown again with errors."""
    raw = form.data.get("customer") if form.is_bound else request.GET.get("customer")
    if not raw or not str(raw).isdigit():
        return None
    return Customer.objects.visible_to(request.user).filter(pk=raw).first()


@permission_required(LOG)
def caller_search(request: HttpRequest) -> HttpResponse:
    """Live results of the one search box (htmx fragment): customers and their rooms, masked."""
    from linli.customers.presenters import shown
    from linli.customers.selectors import search_customers

    query = request.GET.get("q", "").strip()
    found = search_customers(request.user, query, community_id=_community(request), limit=8)
    # One line per (customer, current room): the desk picks the household, not just the person.
    rows = [
        {"customer": c, "mobile": shown(c, "mobile", request.user), "room": room}
        for c in found
        for room in ([o.room for o in getattr(c, "current_occupancies", [])] or [None])
    ] if query else []  # fmt: skip
    return render(request, "care/reception/_search_results.html", {"rows": rows, "q": query})


@permission_required(LOG)
def caller_card(request: HttpRequest, pk: int) -> HttpResponse:
    """The household card of the chosen caller: rooms, open tickets and needs, last contacts."""
    from linli.customers.presenters import shown
    from linli.customers.selectors import access_customer

    customer = access_customer(request.user, pk)
    return render(request, "care/reception/_caller_card.html", {
        "customer": customer, "mobile": shown(customer, "mobile", request.user),
        "rooms": [o.room for o in customer.occupancies.filter(move_out__isnull=True).select_related("room")],
        **selectors.caller_context(request.user, customer),
    })  # fmt: skip


@permission_required(LOG)
def entry_list(request: HttpRequest) -> HttpResponse:
    form = f.EntryFilterForm(
        request.GET or None, user=request.user, community_id=_community(request)
    )
    rows = selectors.entry_list(request.user, form.filters(), community_id=_community(request))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "care/reception/entry_list.html", {
        "form": form, "page": page, "count": page.paginator.count, "query": query.urlencode(),
    })  # fmt: skip


@permission_required(LOG)
def entry_export(request: HttpRequest) -> HttpResponse:
    form = f.EntryFilterForm(
        request.GET or None, user=request.user, community_id=_community(request)
    )
    rows = selectors.entry_list(request.user, form.filters(), community_id=_community(request))
    book = exports.entries_workbook(rows[: exports.MAX_ROWS], user=request.user)
    return exports.xlsx_response(book, f"接待登记-{timezone.localdate():%Y%m%d}.xlsx")


@permission_required(LOG)
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.access_entry(request.user, pk)
    return render(request, "care/reception/entry_detail.html", {
        "entry": entry, "close_form": f.CloseEntryForm(),
        "phone": mask_phone(entry.caller_phone) if entry.caller_phone else "",
    })  # fmt: skip


@require_POST
@permission_required(LOG)
def entry_close(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.access_entry(request.user, pk)
    form = f.CloseEntryForm(request.POST)
    if form.is_valid():
        try:
            services.close_entry(entry, actor=request.user, reply=form.cleaned_data["reply"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已办结。"))
    else:
        messages.error(request, _("请填写跟进情况。"))
    return redirect("reception:entry_detail", pk=entry.pk)


@permission_required(Perm.TICKETS_CREATE)
def entry_to_ticket(request: HttpRequest, pk: int) -> HttpResponse:
    """转为诉求: the intake form prefilled from the entry; one click opens the ticket."""
    entry = selectors.access_entry(request.user, pk)
    initial = {"kind": services.ticket_kind_for(entry), "description": entry.subject,
               "severity": "ordinary"}  # fmt: skip
    form = f.TicketFromEntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.convert_to_ticket(entry, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("已转为诉求 %(n)s。") % {"n": ticket.number})
            return redirect("tickets:detail", pk=ticket.pk)
    return render(request, "care/reception/entry_convert.html", {
        "entry": entry, "form": form, "title": _("转为诉求"),
    })  # fmt: skip


@permission_required(Perm.CARE_NEEDS)
def entry_to_need(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.access_entry(request.user, pk)
    form = f.NeedForm(
        request.POST or None, initial={"description": entry.subject},
        user=request.user, community_id=entry.community_id,
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            need = services.convert_to_need(
                entry, actor=request.user, need_type=data["need_type"].code,
                description=data["description"], assignee=data["assignee"], due_on=data["due_on"],
            )  # fmt: skip
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("已登记个性化需求。"))
            return redirect("reception:need_detail", pk=need.pk)
    return render(request, "care/reception/entry_convert.html", {
        "entry": entry, "form": form, "title": _("登记个性化需求"),
    })  # fmt: skip


@permission_required(LOG)
def daily_check(request: HttpRequest) -> HttpResponse:
    """日终检查: what is still open from the day, return visits owed, needs due; the tick."""
    day = f.DayForm(request.GET or None).chosen_day()
    community_id = _community(request)
    summary = selectors.day_summary(request.user, community_id, day)
    return render(request, "care/reception/daily_check.html", {
        "summary": summary, "day": day, "community_id": community_id,
        "check_form": f.CheckForm(initial={"day": day}),
        "recent": selectors.recent_checks(request.user, community_id),
        "check_time": policy.value("care.reception.daily_check_time", community=community_id),
    })  # fmt: skip


@require_POST
@permission_required(Perm.CARE_DAILY_CHECK)
def daily_check_confirm(request: HttpRequest) -> HttpResponse:
    form = f.CheckForm(request.POST)
    community_id = _community(request)
    if not form.is_valid() or community_id is None:
        messages.error(request, _("请先在页面顶部选择小区，再确认日终检查。"))
        return redirect("reception:daily_check")
    community = get_object_or_404(Community.objects.visible_to(request.user), pk=community_id)
    day = form.cleaned_data["day"]
    try:
        services.check_day(community, day, actor=request.user, note=form.cleaned_data["note"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(day)s 日终检查已确认。") % {"day": day})
    return redirect(f"{_url('reception:daily_check')}?day={day.isoformat()}")


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)
