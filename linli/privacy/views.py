"""Pages of the secrecy chapter (POLICY Ch.3a): access → validate → service/selector → respond."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.errors import DomainError
from linli.core.http import missing_permission, permission_required, require_perm
from linli.customers.models import Secrecy
from linli.customers.secrecy import clearance_of
from linli.customers.selectors import search_customers
from linli.org.roles import Perm
from linli.privacy import exports, forms, selectors, services
from linli.privacy.models import Disclosure, ExportRequest, Incident, SubjectRequest

APPROVE_GRANTS = (Perm.PRIVACY_APPROVE_CONFIDENTIAL, Perm.PRIVACY_APPROVE_TOP_SECRET)


def _form_error(request: HttpRequest, form: Any, error: DomainError) -> None:
    """A refusal naming a field goes next to it; any other at the top of the page (the form
    may no longer be shown, e.g. after a double submission)."""
    if error.field in form.fields:
        form.add_error(error.field, error.message)
    else:
        messages.error(request, error.message)


def _require_any(request: HttpRequest, codes: tuple[str, ...]) -> None:
    if not any(code in request.perms for code in codes):  # type: ignore[attr-defined]
        raise missing_permission(codes[0])


def _int_param(request: HttpRequest, name: str) -> int:
    value = request.GET.get(name, "")
    if not value.isdigit() or len(value) > 18:
        raise Http404
    return int(value)


def _attempt(request: HttpRequest, action: Callable[[], Any], success: str) -> bool:
    """Run a service for a POST action; its refusal becomes a message on the next page."""
    try:
        action()
    except DomainError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success)
    return True


def _page(request: HttpRequest, rows: Any, size: int = 50) -> Any:
    return Paginator(rows, size).get_page(request.GET.get("page"))


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """Render with what the chapter's tabs need to know (which approval lists to offer)."""
    if not request.htmx:  # type: ignore[attr-defined]
        context["nav"] = {
            "approves_grants": bool(selectors.approvable_levels(request.user)),
            "approves_exports": selectors.may_approve_exports(request.user),
        }
    return render(request, template, context)


def _community(request: HttpRequest) -> int | None:
    return request.current_community_id  # type: ignore[attr-defined]


# --- home -------------------------------------------------------------------------------------
@login_required
def home(request: HttpRequest) -> HttpResponse:
    clearance = clearance_of(request.user)
    context = {
        "counts": selectors.home_counts(request.user),
        "clearance": Secrecy(clearance).label if clearance else _("无"),
        "approver_role": _approver_label(),
        "tab": "home",
    }
    return _render(request, "privacy/home.html", context)


# --- access grants ----------------------------------------------------------------------------
@permission_required(Perm.CUSTOMERS_VIEW)
def grant_new(request: HttpRequest) -> HttpResponse:
    occupancy = selectors.grantable_occupancy(request.user, _int_param(request, "occupancy"))
    customer = occupancy.customer
    already = selectors.visible_customer_ids(request.user, [customer.pk])
    form = forms.GrantRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_grant(customer, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            _form_error(request, form, error)
        else:
            messages.success(request, _("查阅申请已提交，审批后即可在有效期内查阅该档案。"))
            return redirect("privacy:grant_mine")
    context = {
        "form": form,
        "occupancy": occupancy,
        "masked": selectors.masked_name(customer),
        "already_visible": bool(already),
        "tab": "grants",
    }
    return _render(request, "privacy/grant_new.html", context)


@permission_required(Perm.CUSTOMERS_VIEW)
def grant_mine(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.my_grants(request.user))
    rows = selectors.grant_rows(request.user, page)
    return _render(
        request, "privacy/grant_mine.html", {"page": page, "rows": rows, "tab": "grants"}
    )


@login_required
def grant_approvals(request: HttpRequest) -> HttpResponse:
    _require_any(request, APPROVE_GRANTS)
    pending = selectors.grant_rows(request.user, selectors.grants_to_decide(request.user))
    in_force = selectors.grant_rows(request.user, selectors.grants_in_force(request.user))
    context = {"pending": pending, "in_force": in_force, "tab": "grants"}
    return _render(request, "privacy/grant_approvals.html", context)


@require_POST
@login_required
def grant_decide(request: HttpRequest, pk: int) -> HttpResponse:
    _require_any(request, APPROVE_GRANTS)
    grant = selectors.access_grant(request.user, pk)
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择批准或驳回。"))
        return redirect("privacy:grant_approvals")
    approve, note = form.approve, form.cleaned_data["note"]
    done = _("已批准。") if approve else _("已驳回。")
    _attempt(
        request,
        lambda: services.decide_grant(grant, actor=request.user, approve=approve, note=note),
        done,
    )
    return redirect("privacy:grant_approvals")


@require_POST
@login_required
def grant_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _require_any(request, APPROVE_GRANTS)
    grant = selectors.access_grant(request.user, pk)
    form = forms.NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请写明撤销理由。"))
        return redirect("privacy:grant_approvals")
    note = form.cleaned_data["note"]
    _attempt(
        request,
        lambda: services.revoke_grant(grant, actor=request.user, note=note),
        _("授权已撤销，对方即刻不能再查阅该档案。"),
    )
    return redirect("privacy:grant_approvals")


# --- access register --------------------------------------------------------------------------
@permission_required(Perm.PRIVACY_VIEW_ACCESS_LOG)
def access_log(request: HttpRequest) -> HttpResponse:
    form = forms.AccessLogFilterForm(
        request.GET or None, user=request.user, initial={"community": _community(request)}
    )
    valid = form.is_valid()
    filters = form.filters() if valid else {}
    community_id = form.community_id(default=_community(request)) if valid else _community(request)
    rows = selectors.log_rows(request.user, {**filters, "community": community_id})
    page = _page(request, rows)
    label = selectors.LogLabeller(request.user)
    entries = [(row, label(row), selectors.field_label(row.field)) for row in page]
    query = {"kind": "access_log", **filters, "community": community_id or ""}
    context = {
        "form": form,
        "page": page,
        "entries": entries,
        "export_query": urlencode(query),
        "tab": "log",
    }
    template = "privacy/_log_rows.html" if request.htmx else "privacy/access_log.html"  # type: ignore[attr-defined]
    return _render(request, template, context)


# --- exports ----------------------------------------------------------------------------------
@dataclass
class ExportScope:
    """What an export request would contain: the list's filters, read from the query string."""

    form: forms.FilterForm
    community_id: int | None = None
    filters: dict[str, Any] = field(default_factory=dict)
    label: str = ""
    count: int = 0

    def as_request(self) -> dict[str, Any]:
        return {
            "filters": self.filters,
            "filters_label": self.label,
            "community_id": self.community_id,
            "row_count": self.count,
        }


def _export_scope(request: HttpRequest, kind: str) -> ExportScope:
    scope = ExportScope(form=forms.FILTER_FORMS[kind](request.GET, user=request.user))
    if scope.form.is_valid():
        scope.community_id = scope.form.community_id(default=_community(request))
        scope.filters = scope.form.filters()
        scope.label = scope.form.describe(scope.community_id)
        rows = exports.export_rows(kind, request.user, scope.filters, scope.community_id)
        scope.count = rows.count()
    return scope


@login_required
def export_new(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind not in ExportRequest.Kind.values:
        raise Http404
    require_perm(request, services.export_permission(kind))
    scope = _export_scope(request, kind)
    can_unmask = kind in services.MASKABLE_KINDS and Perm.CUSTOMERS_UNMASK in request.perms  # type: ignore[attr-defined]
    form = forms.ExportRequestForm(request.POST or None, can_unmask=can_unmask)
    if request.method == "POST" and not scope.form.errors and form.is_valid():
        try:
            export = services.request_export(
                kind, actor=request.user, **scope.as_request(), **form.cleaned_data
            )
        except DomainError as error:
            _form_error(request, form, error)
        else:
            messages.success(request, _("导出申请已提交。"))
            return redirect("privacy:export_detail", pk=export.pk)
    context = {"form": form, "scope": scope, "approver_role": _approver_label(), "tab": "exports"}
    context["kind_label"] = exports.TITLES[ExportRequest.Kind(kind)]
    return _render(request, "privacy/export_new.html", context)


def _approver_label() -> str:
    from linli.org.roles import Role

    role = selectors.export_approver_role()
    return str(Role(role).label) if role in Role.values else role


@permission_required(Perm.CUSTOMERS_VIEW)
def export_mine(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.my_exports(request.user))
    return _render(request, "privacy/export_mine.html", {"page": page, "tab": "exports"})


@login_required
def export_approvals(request: HttpRequest) -> HttpResponse:
    if not selectors.may_approve_exports(request.user):
        raise missing_permission(Perm.PRIVACY_APPROVE_EXPORT)
    context = {
        "pending": selectors.exports_to_approve(request.user),
        "decided": selectors.exports_decided_by(request.user),
        "tab": "exports",
    }
    return _render(request, "privacy/export_approvals.html", context)


def _export_viewer(request: HttpRequest, pk: int) -> ExportRequest:
    """The requester, or the approver the policy names (403 for anyone else in scope)."""
    export = selectors.access_export(request.user, pk)
    if export.requested_by_id != request.user.pk:
        services.check_export_approver(export, request.user)
    return export


@login_required
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    export = _export_viewer(request, pk)
    is_requester = export.requested_by_id == request.user.pk
    context = {
        "export": export,
        "is_requester": is_requester,
        "can_decide": not is_requester and export.status == ExportRequest.Status.PENDING,
        "title": exports.file_title(export),
        "approver_role": _approver_label(),
        "tab": "exports",
    }
    template = "privacy/_export_status.html" if request.htmx else "privacy/export_detail.html"  # type: ignore[attr-defined]
    return _render(request, template, context)


@require_POST
@login_required
def export_decide(request: HttpRequest, pk: int) -> HttpResponse:
    if not selectors.may_approve_exports(request.user):
        raise missing_permission(Perm.PRIVACY_APPROVE_EXPORT)
    export = selectors.access_export(request.user, pk)
    form = forms.ExportDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择批准或驳回。"))
        return redirect("privacy:export_detail", pk=export.pk)
    data = form.cleaned_data
    _attempt(
        request,
        lambda: services.decide_export(
            export,
            actor=request.user,
            approve=form.approve,
            note=data["note"],
            unmasked=data["unmasked"],
        ),
        _("已批准，文件正在后台生成。") if form.approve else _("已驳回。"),
    )
    return redirect("privacy:export_approvals")


@login_required
def export_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    export = selectors.access_export(request.user, pk)
    try:
        export = services.record_export_download(export, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("privacy:export_detail", pk=export.pk)
    return FileResponse(
        export.file.open("rb"), as_attachment=True, filename=exports.download_name(export)
    )


# --- disclosures ------------------------------------------------------------------------------
@permission_required(Perm.PRIVACY_VIEW_ACCESS_LOG)
def disclosure_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    page = _page(request, selectors.disclosures(request.user, status=status))
    labels = selectors.customer_labels(request.user, (d.customer for d in page))
    context = {
        "page": page,
        "rows": [(d, labels[d.customer_id]) for d in page],
        "status": status,
        "statuses": Disclosure.Status.choices,
        "tab": "disclosures",
    }
    return _render(request, "privacy/disclosure_list.html", context)


def _picker(request: HttpRequest, template: str, extra: dict[str, Any]) -> HttpResponse:
    """Step one of a new register entry: find the customer it concerns."""
    search = forms.CustomerSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    found = search_customers(request.user, query, community_id=_community(request)) if query else []
    context = {"search": search, "query": query, "found": found, "picking": True, **extra}
    return _render(request, template, context)


@permission_required(Perm.PRIVACY_VIEW_ACCESS_LOG)
def disclosure_new(request: HttpRequest) -> HttpResponse:
    if "customer" not in request.GET:
        return _picker(request, "privacy/disclosure_new.html", {"tab": "disclosures"})
    customer = selectors.pickable_customer(request.user, _int_param(request, "customer"))
    form = forms.DisclosureForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = {
            k: v for k, v in form.cleaned_data.items() if k not in ("requested", "fields_other")
        }
        try:
            disclosure = services.register_disclosure(customer, actor=request.user, **data)
        except DomainError as error:
            _form_error(request, form, error)
        else:
            messages.success(request, _("已登记，待总经理审批。"))
            return redirect("privacy:disclosure_detail", pk=disclosure.pk)
    context = {"form": form, "customer": customer, "tab": "disclosures"}
    return _render(request, "privacy/disclosure_new.html", context)


@permission_required(Perm.PRIVACY_VIEW_ACCESS_LOG)
def disclosure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    disclosure = selectors.access_disclosure(request.user, pk)
    label = selectors.customer_labels(request.user, [disclosure.customer])[disclosure.customer_id]
    perms = request.perms  # type: ignore[attr-defined]
    context = {
        "disclosure": disclosure,
        "customer_label": label,
        "can_decide": Perm.PRIVACY_APPROVE_DISCLOSURE in perms
        and disclosure.status == Disclosure.Status.REQUESTED
        and disclosure.requested_by_id != request.user.pk,
        "can_release": disclosure.status == Disclosure.Status.APPROVED,
        "decision_form": forms.DecisionForm(),
        "release_form": forms.ReleaseForm(),
        "tab": "disclosures",
    }
    return _render(request, "privacy/disclosure_detail.html", context)


@require_POST
@permission_required(Perm.PRIVACY_APPROVE_DISCLOSURE)
def disclosure_decide(request: HttpRequest, pk: int) -> HttpResponse:
    disclosure = selectors.access_disclosure(request.user, pk)
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择批准或驳回。"))
        return redirect("privacy:disclosure_detail", pk=pk)
    approve, note = form.approve, form.cleaned_data["note"]
    _attempt(
        request,
        lambda: services.decide_disclosure(
            disclosure, actor=request.user, approve=approve, note=note
        ),
        _("已批准。") if approve else _("已驳回。"),
    )
    return redirect("privacy:disclosure_detail", pk=pk)


@require_POST
@permission_required(Perm.PRIVACY_VIEW_ACCESS_LOG)
def disclosure_release(request: HttpRequest, pk: int) -> HttpResponse:
    disclosure = selectors.access_disclosure(request.user, pk)
    form = forms.ReleaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请写明实际提供的内容。"))
        return redirect("privacy:disclosure_detail", pk=pk)
    note = form.cleaned_data["note"]
    _attempt(
        request,
        lambda: services.release_disclosure(disclosure, actor=request.user, note=note),
        _("已登记提供，并记入档案查阅登记。"),
    )
    return redirect("privacy:disclosure_detail", pk=pk)


@login_required
def disclosure_letter(request: HttpRequest, pk: int) -> HttpResponseBase:
    require_perm(request, Perm.PRIVACY_VIEW_ACCESS_LOG)
    disclosure = selectors.access_disclosure(request.user, pk)
    if not disclosure.letter:
        raise Http404
    name = disclosure.letter.name.rsplit("/", 1)[-1]
    return FileResponse(disclosure.letter.open("rb"), as_attachment=True, filename=name)


# --- incidents --------------------------------------------------------------------------------
@permission_required(Perm.PRIVACY_INCIDENTS)
def incident_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", Incident.Status.OPEN)
    page = _page(request, selectors.incidents(request.user, status=status))
    context = {"page": page, "status": status, "statuses": Incident.Status.choices}
    return _render(request, "privacy/incident_list.html", {**context, "tab": "incidents"})


@permission_required(Perm.PRIVACY_INCIDENTS)
def incident_new(request: HttpRequest) -> HttpResponse:
    form = forms.IncidentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        community = data.pop("community", None)
        try:
            incident = services.record_incident(
                actor=request.user, community_id=community.pk if community else None, **data
            )
        except DomainError as error:
            _form_error(request, form, error)
        else:
            messages.success(request, _("已登记，并已通知管理处主任和公司负责人。"))
            return redirect("privacy:incident_detail", pk=incident.pk)
    return _render(request, "privacy/incident_new.html", {"form": form, "tab": "incidents"})


def _incident_page(request: HttpRequest, incident: Incident, **forms_: Any) -> HttpResponse:
    actions = selectors.incident_actions(incident)
    context = {
        "incident": incident,
        "actions": actions,
        "outstanding": sum(1 for action in actions if action.done_at is None),
        "action_form": forms_.get("action_form")
        or forms.IncidentActionForm(owners=selectors.action_owners(incident)),
        "close_form": forms_.get("close_form") or forms.IncidentCloseForm(),
        "can_manage": Perm.PRIVACY_INCIDENTS in request.perms,  # type: ignore[attr-defined]
        "today": timezone.localdate(),
        "tab": "incidents",
    }
    return _render(request, "privacy/incident_detail.html", context)


def _incident_for_owner(request: HttpRequest, pk: int) -> Incident:
    """Handlers of leaks, and the owner of one of its remedial actions (to report progress)."""
    if not selectors.owns_incident_action(request.user, pk):
        require_perm(request, Perm.PRIVACY_INCIDENTS)
    return selectors.access_incident(request.user, pk)


@login_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _incident_page(request, _incident_for_owner(request, pk))


@require_POST
@permission_required(Perm.PRIVACY_INCIDENTS)
def incident_action_add(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.access_incident(request.user, pk)
    form = forms.IncidentActionForm(request.POST, owners=selectors.action_owners(incident))
    if form.is_valid():
        try:
            services.add_incident_action(incident, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            _form_error(request, form, error)
        else:
            messages.success(request, _("已添加整改措施，并通知责任人。"))
            return redirect("privacy:incident_detail", pk=pk)
    return _incident_page(request, incident, action_form=form)


@require_POST
@login_required
def incident_action_done(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    incident = _incident_for_owner(request, pk)
    action = selectors.access_incident_action(incident, action_pk)
    form = forms.ActionDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请写明完成情况。"))
        return redirect("privacy:incident_detail", pk=pk)
    result = form.cleaned_data["result"]
    _attempt(
        request,
        lambda: services.complete_incident_action(action, actor=request.user, result=result),
        _("已标记完成。"),
    )
    return redirect("privacy:incident_detail", pk=pk)


@require_POST
@permission_required(Perm.PRIVACY_INCIDENTS)
def incident_close(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.access_incident(request.user, pk)
    form = forms.IncidentCloseForm(request.POST)
    if form.is_valid():
        try:
            services.close_incident(
                incident, actor=request.user, conclusion=form.cleaned_data["conclusion"]
            )
        except DomainError as error:
            _form_error(request, form, error)
        else:
            messages.success(request, _("事件已结案。"))
            return redirect("privacy:incident_detail", pk=pk)
    return _incident_page(request, incident, close_form=form)


# --- data-subject requests --------------------------------------------------------------------
@permission_required(Perm.CUSTOMERS_UNMASK)
def subject_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", SubjectRequest.Status.OPEN)
    page = _page(request, selectors.subject_requests(request.user, status=status))
    labels = selectors.customer_labels(request.user, (r.customer for r in page))
    context = {
        "page": page,
        "rows": [(r, labels[r.customer_id]) for r in page],
        "status": status,
        "statuses": SubjectRequest.Status.choices,
        "tab": "requests",
    }
    return _render(request, "privacy/subject_list.html", context)


@permission_required(Perm.CUSTOMERS_UNMASK)
def subject_new(request: HttpRequest) -> HttpResponse:
    if "customer" not in request.GET:
        return _picker(request, "privacy/subject_new.html", {"tab": "requests"})
    customer = selectors.pickable_customer(request.user, _int_param(request, "customer"))
    form = forms.SubjectRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subject = services.record_subject_request(
                customer, actor=request.user, **form.cleaned_data
            )
        except DomainError as error:
            _form_error(request, form, error)
        else:
            messages.success(request, _("已登记。"))
            return redirect("privacy:subject_detail", pk=subject.pk)
    context = {"form": form, "customer": customer, "tab": "requests"}
    return _render(request, "privacy/subject_new.html", context)


def _subject_page(request: HttpRequest, subject: SubjectRequest, **forms_: Any) -> HttpResponse:
    label = selectors.customer_labels(request.user, [subject.customer])[subject.customer_id]
    context = {
        "subject": subject,
        "customer_label": label,
        "customer_visible": label == subject.customer.name,
        "close_form": forms_.get("close_form") or forms.SubjectCloseForm(subject=subject),
        "erase_form": forms_.get("erase_form") or forms.EraseForm(),
        "tab": "requests",
    }
    return _render(request, "privacy/subject_detail.html", context)


@permission_required(Perm.CUSTOMERS_UNMASK)
def subject_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _subject_page(request, selectors.access_subject_request(request.user, pk))


@require_POST
@permission_required(Perm.CUSTOMERS_UNMASK)
def subject_close(request: HttpRequest, pk: int) -> HttpResponse:
    subject = selectors.access_subject_request(request.user, pk)
    form = forms.SubjectCloseForm(request.POST, subject=subject)
    if form.is_valid():
        try:
            services.close_subject_request(subject, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            _form_error(request, form, error)
        else:
            messages.success(request, _("已办结。"))
            return redirect("privacy:subject_detail", pk=pk)
    return _subject_page(request, subject, close_form=form)


@require_POST
@permission_required(Perm.CUSTOMERS_UNMASK)
def subject_erase(request: HttpRequest, pk: int) -> HttpResponse:
    subject = selectors.access_subject_request(request.user, pk)
    form = forms.EraseForm(request.POST)
    if form.is_valid():
        try:
            services.erase_for_subject_request(
                subject, actor=request.user, confirm_name=form.cleaned_data["confirm_name"]
            )
        except DomainError as error:
            _form_error(request, form, error)
        else:
            messages.success(request, _("客户个人信息已匿名化，请求已办结。"))
            return redirect("privacy:subject_detail", pk=pk)
    return _subject_page(request, subject, erase_form=form)
