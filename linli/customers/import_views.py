"""Pages of the Excel import: list, upload, mapping and preview, progress and result, reports."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.errors import DomainError
from linli.core.http import permission_required
from linli.customers import importer
from linli.customers.import_forms import MappingForm, UploadForm
from linli.customers.models import ImportJob
from linli.org.roles import Perm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OPEN = (ImportJob.Status.UPLOADED, ImportJob.Status.PREVIEWED)


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    return response


def _context(job: ImportJob, **extra: Any) -> dict[str, Any]:
    """What every job page shows: the counts and the problems, each with its column's field."""
    labels = {letter: importer.TARGET_LABELS.get(t, "") for letter, t in job.mapping.items()}
    decorate = [
        [{**item, "label": labels.get(item["column"], "")} for item in items]
        for items in (job.errors, job.warnings)
    ]
    counts = [(importer.COUNT_LABELS[key], job.counts.get(key, 0)) for key in importer.COUNT_KEYS]
    changed = any(value for _label, value in counts[1:])
    return {
        "job": job,
        "counts": counts,
        "changed": changed,
        "errors": decorate[0],
        "warnings": decorate[1],
        **extra,
    }


def _marked_rows(job: ImportJob, sample: importer.Sample) -> list[tuple[int, str, list[Any]]]:
    """The sample rows with each cell's error (if any) for highlighting."""
    marks: dict[tuple[int, str], str] = {}
    for item in job.errors:
        if item["sheet"] == job.sheet and item["row"]:
            marks[(item["row"], item["column"])] = item["message"]
    rows = []
    for number, values in sample.rows:
        cells = [
            (v, marks.get((number, c.letter), ""))
            for v, c in zip(values, sample.columns, strict=True)
        ]
        rows.append((number, marks.get((number, ""), ""), cells))
    return rows


@permission_required(Perm.CUSTOMERS_IMPORT)
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = importer.recent_jobs(request.user, request.current_community_id)  # type: ignore[attr-defined]
    page = Paginator(jobs, 20).get_page(request.GET.get("page"))
    return render(request, "customers/import_list.html", {"page": page})


@permission_required(Perm.CUSTOMERS_IMPORT)
def upload(request: HttpRequest) -> HttpResponse:
    current = request.current_community_id  # type: ignore[attr-defined]
    form = UploadForm(
        request.POST or None, request.FILES or None, user=request.user, current=current
    )
    if request.method == "POST" and form.is_valid():
        try:
            job = importer.start_import(
                form.chosen_community(),
                form.cleaned_data["file"],
                actor=request.user,
                create_rooms=form.cleaned_data["create_rooms"],
            )
        except DomainError as error:
            form.add_error("file", error.message)
        else:
            return redirect("imports:preview", job.pk)
    context = {"form": form, "targets": importer.TARGETS, "max_mb": importer.max_upload_mb()}
    return render(request, "customers/import_upload.html", context)


@permission_required(Perm.CUSTOMERS_IMPORT)
def template(request: HttpRequest) -> HttpResponse:
    return _xlsx(importer.template_workbook(), _("业主信息登记表模板.xlsx"))


@permission_required(Perm.CUSTOMERS_IMPORT)
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    job = importer.access_import_job(request.user, pk)
    if job.status not in OPEN:
        return redirect("imports:job", job.pk)
    sample = importer.preview_sample(job)
    form = MappingForm(request.POST or None, job=job, sample=sample)
    if request.method == "POST" and form.is_valid():
        try:
            importer.preview_import(job, actor=request.user, **form.options())
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("imports:preview", job.pk)
    rows = _marked_rows(job, sample)
    return render(
        request, "customers/import_preview.html", _context(job, form=form, sample=sample, rows=rows)
    )


@require_POST
@permission_required(Perm.CUSTOMERS_IMPORT)
def commit(request: HttpRequest, pk: int) -> HttpResponse:
    job = importer.access_import_job(request.user, pk)
    try:
        importer.queue_import(job, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("imports:preview", job.pk)
    return redirect("imports:job", job.pk)


@permission_required(Perm.CUSTOMERS_IMPORT)
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = importer.access_import_job(request.user, pk)
    if job.status in OPEN:
        return redirect("imports:preview", job.pk)
    active = job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)
    template = "customers/import_progress.html" if request.htmx else "customers/import_job.html"  # type: ignore[attr-defined]
    return render(request, template, _context(job, active=active))


@permission_required(Perm.CUSTOMERS_IMPORT)
def error_report(request: HttpRequest, pk: int) -> HttpResponse:
    job = importer.access_import_job(request.user, pk)
    data = importer.error_report(job, actor=request.user)
    stem = job.original_name.rsplit(".", 1)[0] or str(job.pk)
    return _xlsx(data, _("%(name)s-核对报告.xlsx") % {"name": stem})
