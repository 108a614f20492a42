from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from linli.core import work
from linli.core.deadline import deadline_html
from linli.core.errors import DomainError
from linli.core.http import permission_required, require_perm
from linli.core.links import row_url
from linli.customers.models import Customer, Room
from linli.org.models import Community, Staff
from linli.org.roles import Perm
from linli.tickets import forms as f
from linli.tickets import selectors, services
from linli.tickets.models import Attachment, Status, Ticket


def _community(request: HttpRequest) -> int | None:
    return request.current_community_id  # type: ignore[attr-defined]


@permission_required(Perm.TICKETS_VIEW)
def ticket_list(request: HttpRequest) -> HttpResponse:
    form = f.TicketFilterForm(request.GET or None)
    rows = selectors.ticket_list(
        request.user, community_id=_community(request), filters=form.filters()
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "tickets/ticket_list.html",
        {"form": form, "page": page, "count": page.paginator.count},
    )


def _intake_context(request: HttpRequest) -> dict[str, Any]:
    customer = None
    if request.GET.get("customer", "").isdigit():
        customer = (
            Customer.objects.visible_to(request.user).filter(pk=request.GET["customer"]).first()
        )
    room = (
        customer.occupancies.filter(move_out__isnull=True).select_related("room").first().room
        if customer and customer.occupancies.filter(move_out__isnull=True).exists()
        else None
    )
    return {"customer": customer, "room": room}


@permission_required(Perm.TICKETS_CREATE)
def ticket_create(request: HttpRequest) -> HttpResponse:
    context = _intake_context(request)
    initial = {
        "customer": getattr(context["customer"], "pk", None),
        "room_code": getattr(context["room"], "code", ""),
    }
    form = f.IntakeForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = _open_from_form(request, form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("已受理，编号 %(n)s。") % {"n": ticket.number})
            return redirect("tickets:detail", pk=ticket.pk)
    return render(request, "tickets/ticket_form.html", {"form": form, **context})


@transaction.atomic
def _open_from_form(request: HttpRequest, data: dict[str, Any]) -> Ticket:
    """Resolve the caller, room and community within the user's scope, then open and attach."""
    user: Any = request.user
    customer = (
        get_object_or_404(Customer.objects.visible_to(user), pk=data["customer"])
        if data.get("customer")
        else None
    )
    community = customer.community if customer else _intake_community(request, data)
    room = None
    if data.get("room_code"):
        from linli.customers.parsing import ParseError, parse_room_code

        try:
            code = parse_room_code(data["room_code"]).code
        except ParseError as error:
            raise DomainError(str(error), field="room_code") from error
        room = Room.objects.visible_to(user).filter(community=community, code=code).first()
        if room is None:
            raise DomainError(_("房号 %(c)s 不存在。") % {"c": code}, field="room_code")
    services.check_photos(data.get("photos") or [])
    ticket = services.open_ticket(
        community, kind=data["kind"], channel=data["channel"], category=data["category"], title=data["title"],
        description=data["description"], customer=customer, room=room, contact_name=data["contact_name"],
        contact_phone=data["contact_phone"], severity=data["severity"], actor=user,
    )  # fmt: skip
    services.attach_photos(ticket, data.get("photos") or [], actor=user)
    return ticket


def _intake_community(request: HttpRequest, data: dict[str, Any]) -> Community:
    user: Any = request.user
    if not user.is_company_wide:
        return user.community
    code = data.get("community") or ""
    community_id = _community(request)
    if code:
        return get_object_or_404(Community.objects.visible_to(user), code=code)
    if community_id:
        return Community.objects.get(pk=community_id)
    raise DomainError(_("请先在页面顶部选择小区，或从客户档案发起。"), field="community")


@permission_required(Perm.TICKETS_VIEW)
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = selectors.access_ticket(request.user, pk)
    context = {
        "ticket": ticket,
        "events": ticket.events.select_related("actor").order_by("at", "id"),
        "visits": ticket.return_visits.select_related("assigned_to", "done_by"),
        "replies": ticket.replies.select_related("author", "reviewer", "approver").order_by(
            "created_at"
        ),
        "attachments": ticket.attachments.all(),
        "forms": {
            name: action.form_for(ticket)
            for name, action in ACTIONS.items()
            if action.available(ticket, request)
        },
    }
    return render(request, "tickets/ticket_detail.html", context)


# --- actions: one POST endpoint per action, each a permission, a form and a service --------------
@dataclass(frozen=True)
class Action:
    label: Any
    permission: str
    form: type[forms.Form]
    run: Callable[[Ticket, Any, dict[str, Any]], Any]
    when: Callable[[Ticket], bool]
    needs_ticket: bool = False

    def form_for(self, ticket: Ticket, data: Any = None) -> forms.Form:
        form = self.form(data, ticket=ticket) if self.needs_ticket else self.form(data)  # type: ignore[call-arg]
        form.action_label = self.label  # type: ignore[attr-defined]
        return form

    def available(self, ticket: Ticket, request: HttpRequest) -> bool:
        return self.permission in request.perms and self.when(ticket)  # type: ignore[attr-defined]


def _open(t: Ticket) -> bool:
    return t.is_open


ACTIONS: dict[str, Action] = {
    "accept": Action(gettext_lazy("受理"), Perm.TICKETS_HANDLE, f.OptionalNoteForm, lambda t, u, d: services.accept(t, actor=u), lambda t: t.status == Status.NEW),
    "dispatch": Action(gettext_lazy("派单/转办"), Perm.TICKETS_DISPATCH, f.DispatchForm, lambda t, u, d: services.dispatch(t, actor=u, **d), _open, needs_ticket=True),
    "start": Action(gettext_lazy("开始处理"), Perm.TICKETS_HANDLE, f.OptionalNoteForm, lambda t, u, d: services.start(t, actor=u), lambda t: t.status in (Status.NEW, Status.ACCEPTED, Status.DISPATCHED)),
    "note": Action(gettext_lazy("备注/答复客户"), Perm.TICKETS_HANDLE, f.NoteForm, lambda t, u, d: services.add_note(t, d["body"], actor=u, to_customer=d["to_customer"]), lambda t: True),
    "pause": Action(gettext_lazy("暂停计时"), Perm.TICKETS_HANDLE, f.ReasonForm, lambda t, u, d: services.pause(t, actor=u, reason=d["reason"]), lambda t: t.is_open and not t.is_paused),
    "resume": Action(gettext_lazy("恢复计时"), Perm.TICKETS_HANDLE, f.OptionalNoteForm, lambda t, u, d: services.resume(t, actor=u), lambda t: t.is_paused),
    "validity": Action(gettext_lazy("认定有效性"), Perm.TICKETS_SUPERVISE, f.ValidityForm, lambda t, u, d: services.set_validity(t, d["validity"], actor=u, reason=d["reason"]), lambda t: t.kind == "complaint" and t.status not in (Status.CLOSED, Status.CANCELLED)),
    "explained": Action(gettext_lazy("已向客户解释"), Perm.TICKETS_HANDLE, f.ReasonForm, lambda t, u, d: services.mark_explained(t, actor=u, note=d["reason"]), lambda t: t.validity == "invalid" and t.explained_at is None),
    "resolve": Action(gettext_lazy("办结"), Perm.TICKETS_HANDLE, f.ResolveForm, lambda t, u, d: services.resolve(t, actor=u, **d), _open),
    "close": Action(gettext_lazy("关闭"), Perm.TICKETS_HANDLE, f.OptionalNoteForm, lambda t, u, d: services.close(t, actor=u, note=d["note"]), lambda t: t.status in (Status.RESOLVED, Status.RETURN_VISITED)),
    "reopen": Action(gettext_lazy("重新处理"), Perm.TICKETS_SUPERVISE, f.ReasonForm, lambda t, u, d: services.reopen(t, actor=u, reason=d["reason"]), lambda t: t.status in (Status.RESOLVED, Status.RETURN_VISITED, Status.CLOSED)),
    "cancel": Action(gettext_lazy("撤销"), Perm.TICKETS_SUPERVISE, f.ReasonForm, lambda t, u, d: services.cancel(t, actor=u, reason=d["reason"]), _open),
    "press": Action(gettext_lazy("催办"), Perm.TICKETS_SUPERVISE, f.OptionalNoteForm, lambda t, u, d: services.press(t, actor=u, note=d["note"]), _open),
    "escalate": Action(gettext_lazy("升级督办"), Perm.TICKETS_ESCALATE, f.ReasonForm, lambda t, u, d: services.escalate(t, actor=u, reason=d["reason"]), _open),
    "hand_over": Action(gettext_lazy("移交首问负责"), Perm.TICKETS_HANDLE, f.HandOverForm, lambda t, u, d: services.hand_over(t, d["owner"], actor=u, note=d["note"]), _open, needs_ticket=True),
    "company_check": Action(gettext_lazy("公司复核"), Perm.TICKETS_COMPANY_LEVEL, f.ReasonForm, lambda t, u, d: services.company_check(t, actor=u, note=d["reason"]), lambda t: t.received_by_company and t.company_checked_at is None and t.status in (Status.RESOLVED, Status.RETURN_VISITED, Status.CLOSED)),
    "reply": Action(gettext_lazy("起草书面答复"), Perm.TICKETS_HANDLE, f.ReplyForm, lambda t, u, d: services.draft_reply(t, d["body"], actor=u), lambda t: t.kind == "complaint" and t.status != Status.CANCELLED),
}  # fmt: skip


@require_POST
@permission_required(Perm.TICKETS_VIEW)
def ticket_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    ticket = selectors.access_ticket(request.user, pk)
    require_perm(request, spec.permission)
    form = spec.form_for(ticket, request.POST)
    version = request.POST.get("version", "")
    if version.isdigit() and int(version) != ticket.version:
        messages.error(request, _("该诉求已被他人更新，请查看最新状态后再操作。"))
    elif form.is_valid():
        try:
            spec.run(ticket, request.user, form.cleaned_data)
            messages.success(request, _("已%(action)s。") % {"action": spec.label})
        except DomainError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("tickets:detail", pk=ticket.pk)


@require_POST
@permission_required(Perm.TICKETS_VIEW)  # each step needs its own permission; the service checks it
def reply_advance(request: HttpRequest, pk: int, reply_pk: int) -> HttpResponse:
    ticket = selectors.access_ticket(request.user, pk)
    reply = get_object_or_404(ticket.replies, pk=reply_pk)
    try:
        services.advance_reply(reply, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("tickets:detail", pk=ticket.pk)


@permission_required(Perm.TICKETS_RETURN_VISIT)
def return_visit(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.access_return_visit(request.user, pk)
    form = f.ReturnVisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_return_visit(visit, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已记录回访。"))
            return redirect("tickets:detail", pk=visit.ticket_id)
    return render(
        request, "tickets/return_visit.html", {"form": form, "visit": visit, "ticket": visit.ticket}
    )


@permission_required(Perm.TICKETS_VIEW)
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    item = get_object_or_404(
        Attachment.objects.filter(ticket__in=Ticket.objects.visible_to(request.user)), pk=pk
    )
    return FileResponse(item.file.open("rb"), content_type=item.content_type)


@permission_required(Perm.TICKETS_VIEW)
def my_work(request: HttpRequest) -> HttpResponse:
    return render(request, "tickets/my_work.html", {"items": work.my_work_items(request.user)})


@dataclass(frozen=True)
class BoardRow:
    """One line of the board's ticket and return-visit lists, prepared once in Python."""

    link: str
    number: str
    title: str
    deadline: SafeString
    meta: str = ""  # the ticket's community (company roles), category, handler, supervision


def _ticket_rows(rows: list[dict[str, Any]]) -> list[BoardRow]:
    """The rows of `selectors.office_board`; company-wide they carry the community's name."""
    url = row_url("tickets:detail")
    now = timezone.now()
    unassigned = _("未指派")
    result = []
    for row in rows:
        parts = [row["community__name"]] if "community__name" in row else []
        parts += [row["category__name"], Staff.name_of(row["assignee__name"], row["assignee__username"]) or unassigned]  # fmt: skip
        if row["escalation_level"]:
            parts.append(_("督办 %(n)s 级") % {"n": row["escalation_level"]})
        result.append(
            BoardRow(link=url(row["pk"]), number=row["number"], title=row["title"],
                     deadline=deadline_html(row["resolve_by"], now=now), meta=" · ".join(parts))
        )  # fmt: skip
    return result


def _visit_rows(rows: list[dict[str, Any]]) -> list[BoardRow]:
    url = row_url("tickets:return_visit")
    now = timezone.now()
    return [
        BoardRow(link=url(row["pk"]), number=row["ticket__number"], title=row["ticket__title"],
                 deadline=deadline_html(row["due_at"], now=now),
                 meta=Staff.name_of(row["assigned_to__name"], row["assigned_to__username"]) or "—")
        for row in rows
    ]  # fmt: skip


@permission_required(Perm.TICKETS_VIEW)
def office_board(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    community_id = _community(request)
    context = selectors.office_board(user, community_id=community_id)
    context["overdue"] = _ticket_rows(context["overdue"])
    context["due_today"] = _ticket_rows(context["due_today"])
    context["owed"] = _visit_rows(context["owed"])
    context["sections"] = work.board_sections(user, community_id)
    return render(request, "tickets/board.html", context)


@permission_required(Perm.TICKETS_COMPANY_LEVEL)
def company_board(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "tickets/company_board.html",
        {"tickets": selectors.company_board(request.user)[:200]},
    )
