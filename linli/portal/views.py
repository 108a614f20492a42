"""The resident portal's pages: mobile-first, Chinese, their own login (ADR 0008)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from linli import policy
from linli.core.errors import DomainError
from linli.portal import presenters, selectors, services
from linli.portal.auth import (
    clear_cookie,
    client_ip,
    current_resident,
    resident_required,
    safe_next,
    set_cookie,
    user_agent,
)
from linli.portal.forms import LoginForm, MobileForm, RatingForm, TicketForm
from linli.portal.models import ResidentSession
from linli.portal.selectors import Resident
from linli.tickets.models import Category, Kind


def _resident(request: HttpRequest) -> Resident:
    return request.resident  # type: ignore[attr-defined]


def _login_page(
    request: HttpRequest, form: Any, *, status: int = 200, **extra: Any
) -> HttpResponse:
    wait = int(policy.value("portal.code.min_interval_seconds"))
    context = {
        "form": form,
        "next": request.POST.get("next") or request.GET.get("next", ""),
        "wait": wait,
    }
    return render(request, "portal/login.html", {**context, **extra}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """GET the page; POST a mobile and a code. Already signed in → home."""
    if request.method == "GET":
        if current_resident(request) is not None:
            return redirect(safe_next(request, request.GET.get("next")))
        return _login_page(request, LoginForm(initial={"mobile": request.GET.get("mobile", "")}))
    form = LoginForm(request.POST)
    if not form.is_valid():
        return _login_page(request, form, status=400)
    try:
        result = services.log_in(
            form.cleaned_data["mobile"], form.cleaned_data["code"], channel=ResidentSession.Channel.WEB,
            ip=client_ip(request), user_agent=user_agent(request),
        )  # fmt: skip
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return _login_page(request, form, status=400)
    response = redirect(safe_next(request, request.POST.get("next")))
    set_cookie(response, result.token, result.session)
    return response


@never_cache
@require_POST
def request_code(request: HttpRequest) -> HttpResponse:
    """The login form's "获取验证码" button posts here; the same page comes back."""
    form = LoginForm(initial={"mobile": request.POST.get("mobile", "")})
    mobile = MobileForm(request.POST)
    if not mobile.is_valid():
        return _login_page(request, form, status=400, mobile_error=mobile.errors["mobile"][0])
    try:
        sent = services.request_code(mobile.cleaned_data["mobile"], ip=client_ip(request))
    except services.RateLimited as error:
        response = _login_page(
            request, form, status=429, refused=error.message, retry=error.retry_after
        )
        response["Retry-After"] = str(error.retry_after)
        return response
    except DomainError as error:
        return _login_page(request, form, status=400, mobile_error=error.message)
    return _login_page(request, form, sent=sent, code_focus=True)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    resident = current_resident(request)
    if resident is not None:
        services.log_out(resident.session)
    response = redirect("portal:login")
    clear_cookie(response)
    return response


@resident_required
def home(request: HttpRequest) -> HttpResponse:
    household = _resident(request).household
    context = {
        "household": household,
        "roles": household.roles_by_room(),
        "recent": list(selectors.ticket_list(household)[:5]),
        "to_rate": selectors.awaiting_rating(household).count(),
        "open_count": selectors.ticket_list(household, state="open").count(),
        "notices": selectors.current_notices(household),
        "surveys": selectors.open_surveys(household),
    }
    return render(request, "portal/home.html", context)


@resident_required
def room_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = _resident(request).household
    room = selectors.access_room(household, pk)
    rows = selectors.household_tickets(household).filter(room=room)[:50]
    context = {
        "household": household,
        "room": room,
        "role": household.occupancy_for(room).get_role_display(),
        "tickets": rows,
    }
    return render(request, "portal/room.html", context)


STATE_TABS = [
    ("", gettext_lazy("全部")),
    ("open", gettext_lazy("处理中")),
    ("rate", gettext_lazy("待评价")),
    ("done", gettext_lazy("已完成")),
]


@resident_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    household = _resident(request).household
    state = request.GET.get("state", "")
    state = state if state in dict(STATE_TABS) else ""
    rows = selectors.ticket_list(household, state=state)[:100]
    context = {"household": household, "tickets": rows, "state": state, "tabs": STATE_TABS}
    return render(request, "portal/tickets.html", context)


@resident_required
def ticket_new(request: HttpRequest) -> HttpResponse:
    household = _resident(request).household
    kind = request.GET.get("kind", Kind.REPAIR)
    initial: dict[str, Any] = {"kind": kind if kind in services.RESIDENT_KINDS else Kind.REPAIR}
    room = request.POST.get("room") or request.GET.get("room", "")
    if room.isdigit():  # another household's room, even in a crafted form → 404
        initial["room"] = selectors.access_room(household, int(room)).pk
    default_category = "facilities" if initial["kind"] == Kind.REPAIR else "other"
    initial["category"] = Category.objects.filter(code=default_category, is_active=True).first()
    form = TicketForm(
        request.POST or None, request.FILES or None, household=household, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.submit_ticket(
                household, room=selectors.access_room(household, data["room"]), kind=data["kind"],
                category=data["category"], description=data["description"], photos=data["photos"],
            )  # fmt: skip
        except services.DuplicateSubmission as error:
            messages.info(request, error.message)
            return redirect("portal:ticket", pk=error.ticket.pk)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _("已提交，编号 %(n)s。我们会尽快处理，并通过短信告知进展。")
                % {"n": ticket.number},
            )
            return redirect("portal:ticket", pk=ticket.pk)
    limits = {
        "max_files": policy.value("tickets.upload.max_files"),
        "max_mb": policy.value("tickets.upload.max_mb"),
    }
    return render(
        request,
        "portal/ticket_new.html",
        {"household": household, "form": form, **limits},
        status=400 if form.errors else 200,
    )


def _ticket_page(
    request: HttpRequest,
    ticket: Any,
    form: RatingForm | None = None,
    *,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    visit = selectors.pending_visit(ticket)
    context = {
        "household": _resident(request).household,
        "ticket": ticket,
        "status_label": presenters.resident_status(ticket),
        "tone": presenters.status_tone(ticket),
        "steps": presenters.progress(ticket),
        "timeline": presenters.timeline(ticket),
        "photos": list(ticket.attachments.order_by("pk")),
        "visit": visit,
        "form": form or (RatingForm() if visit else None),
        "reopen_labels": presenters.reopening_labels(ticket.community),
        "reopen_at": int(policy.value("tickets.return_visit.reopen_at_or_below")),
        "rating_icons": presenters.RATING_ICONS,
        "shows_resolution": presenters.shows_resolution(ticket),
        "error": error,
    }
    return render(request, "portal/ticket_detail.html", context, status=status)


@resident_required
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = selectors.access_ticket(_resident(request).household, pk)
    return _ticket_page(request, ticket)


@require_POST
@resident_required
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    household = _resident(request).household
    ticket = selectors.access_ticket(household, pk)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _ticket_page(request, ticket, form, status=400)
    try:
        ticket = services.answer_return_visit(household, ticket, **form.cleaned_data)
    except DomainError as error:
        return _ticket_page(request, ticket, form, status=400, error=error.message)
    if ticket.is_open:
        messages.warning(request, _("很抱歉没有让您满意。我们已重新安排处理，并由上级跟进督办。"))
    else:
        messages.success(request, _("感谢您的评价！"))
    return redirect("portal:ticket", pk=ticket.pk)


@resident_required
def photo(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    ticket = selectors.access_ticket(_resident(request).household, pk)
    item = ticket.attachments.filter(pk=photo_pk).first()
    if item is None:
        raise Http404
    return FileResponse(item.file.open("rb"), content_type=item.content_type)


@resident_required
def commitments(request: HttpRequest) -> HttpResponse:
    household = _resident(request).household
    sections = [
        (community, presenters.commitments(community)) for community in household.communities
    ]
    return render(
        request, "portal/commitments.html", {"household": household, "sections": sections}
    )
