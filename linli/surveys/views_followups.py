"""Pages of what follows a round: comments and their return calls, the authenticity audit,
rectification of figures below target."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.errors import DomainError
from linli.core.http import permission_required
from linli.org.roles import Perm
from linli.surveys import followups, selectors
from linli.surveys.models import AuditCheck, CommentFollowUp, Rectification
from linli.tickets.models import Category


@permission_required(Perm.SURVEYS_VIEW)
def comments(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.access_round(request.user, pk)
    rows = (
        CommentFollowUp.objects.visible_to(request.user).filter(round=round_)
        .select_related("answer", "answer__question", "answer__response__invitation__room", "community", "done_by", "ticket")
        .order_by("done_at", "due_on", "pk")
    )  # fmt: skip
    if request.GET.get("open"):
        rows = rows.filter(done_at__isnull=True)
    words = followups.word_frequencies(rows.values_list("dimension", "answer__text"))
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    categories = Category.objects.filter(is_active=True)
    return render(request, "surveys/comments.html", {"round": round_, "page": page, "words": words, "categories": categories})  # fmt: skip


def _follow_up(request: HttpRequest, pk: int) -> CommentFollowUp:
    return get_object_or_404(CommentFollowUp.objects.visible_to(request.user), pk=pk)


@require_POST
@permission_required(Perm.SURVEYS_KEY_IN)
def comment_call(request: HttpRequest, pk: int) -> HttpResponse:
    item = _follow_up(request, pk)
    try:
        followups.record_call(item, actor=request.user, result=request.POST.get("result", ""))
        messages.success(request, _("回访结果已记录。"))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("surveys:comments", item.round_id)


@require_POST
@permission_required(Perm.TICKETS_CREATE)
def comment_ticket(request: HttpRequest, pk: int) -> HttpResponse:
    item = _follow_up(request, pk)
    category = Category.objects.filter(pk=request.POST.get("category") or 0).first()
    if category is None:
        messages.error(request, _("请选择诉求类别。"))
        return redirect("surveys:comments", item.round_id)
    try:
        ticket = followups.comment_to_ticket(item, actor=request.user, category=category)
        messages.success(request, _("已转为诉求 %(n)s。") % {"n": ticket.number})
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("surveys:comments", item.round_id)


@permission_required(Perm.SURVEYS_VIEW)
def audits(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.access_round(request.user, pk)
    rows = AuditCheck.objects.visible_to(request.user).filter(round=round_).select_related("invitation__room", "community", "checked_by").order_by("community__code", "kind", "pk")  # fmt: skip
    return render(request, "surveys/audits.html", {"round": round_, "rows": rows})


@require_POST
@permission_required(Perm.SURVEYS_KEY_IN)
def audit_record(request: HttpRequest, pk: int) -> HttpResponse:
    check = get_object_or_404(AuditCheck.objects.visible_to(request.user), pk=pk)
    try:
        followups.record_audit(check, actor=request.user, passed=request.POST.get("result") == "passed", note=request.POST.get("note", ""))  # fmt: skip
        messages.success(request, _("核查结果已记录。"))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("surveys:audits", check.round_id)


@permission_required(Perm.SURVEYS_VIEW)
def rectifications(request: HttpRequest) -> HttpResponse:
    rows = Rectification.objects.visible_to(request.user).in_community(request.current_community_id).select_related("round", "community", "submitted_by", "verified_by").order_by("status", "due_on")  # type: ignore[attr-defined]  # fmt: skip
    return render(request, "surveys/rectifications.html", {"rows": rows})


@require_POST
@permission_required(Perm.SURVEYS_VIEW)
def rectification_update(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Rectification.objects.visible_to(request.user), pk=pk)
    try:
        if request.POST.get("step") == "verify":
            followups.verify(item, actor=request.user, opinion=request.POST.get("verification", ""))
        else:
            followups.submit_measures(
                item, actor=request.user, measures=request.POST.get("measures", "")
            )
        messages.success(request, _("已保存。"))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("surveys:rectifications")
