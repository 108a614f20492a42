"""《客户调研报告》 pages: start a report (company-wide or one office), follow its progress,
download the Word and PDF files. An office sees only its own office's reports."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.audit.services import record
from linli.core.errors import DomainError
from linli.core.http import permission_required, require_perm
from linli.org.models import Community
from linli.org.roles import Perm
from linli.surveys import reports, selectors
from linli.surveys.models import SurveyReport


def visible_reports(user: Any) -> QuerySet[SurveyReport]:
    rows = SurveyReport.objects.select_related("round", "community", "created_by")
    if user.is_company_wide:
        return rows
    return rows.filter(community_id=user.community_id)


@permission_required(Perm.SURVEYS_VIEW)
def round_reports(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.access_round(request.user, pk)
    rows = visible_reports(request.user).filter(round=round_).order_by("-created_at")
    communities = Community.objects.visible_to(request.user).filter(pk__in=round_.communities.all())
    return render(
        request, "surveys/reports.html", {"round": round_, "rows": rows, "communities": communities}
    )


@require_POST
@permission_required(Perm.SURVEYS_VIEW)
def report_start(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.access_round(request.user, pk)
    community = None
    if request.POST.get("community"):
        community = get_object_or_404(
            Community.objects.visible_to(request.user), pk=request.POST["community"]
        )
    elif not request.user.is_company_wide:  # type: ignore[union-attr]
        raise Http404
    require_perm(request, Perm.SURVEYS_REPORT if community is None else Perm.SURVEYS_OFFICE_PLAN)
    try:
        reports.start(round_, actor=request.user, community=community)
        messages.success(request, _("报告已开始生成，完成后会通知相关人员。"))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("surveys:reports", round_.pk)


@permission_required(Perm.SURVEYS_VIEW)
def report_status(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(visible_reports(request.user), pk=pk)
    return render(request, "surveys/_report_row.html", {"r": report})


@permission_required(Perm.SURVEYS_VIEW)
def report_download(request: HttpRequest, pk: int, kind: str) -> FileResponse:
    report = get_object_or_404(
        visible_reports(request.user), pk=pk, status=SurveyReport.Status.DONE
    )
    if kind not in ("pdf", "docx"):
        raise Http404
    file = report.pdf if kind == "pdf" else report.docx
    record(
        request.user, "surveys.report.downloaded", report.round, {"report": report.pk, "kind": kind}
    )
    scope = report.community.name if report.community else _("全公司")
    name = f"{_('客户调研报告')}-{report.round.name}-{scope}.{kind}"
    return FileResponse(file.open("rb"), as_attachment=True, filename=name)
