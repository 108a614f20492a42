"""Background work of the customer database (django-tasks; `linli worker` runs it)."""

from __future__ import annotations

import logging

from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

logger = logging.getLogger("linli.customers.import")


@task()
def run_import(job_id: int) -> None:
    """Commit a previewed import job: claim it, run it with progress, record the outcome."""
    from linli.customers import importer
    from linli.customers.models import ImportJob

    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, progress=1
    )
    if claimed != 1:  # another worker has it, or it is no longer queued
        return
    job = ImportJob.objects.select_related("community", "uploaded_by").get(pk=job_id)

    def progress(value: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(progress=value)

    try:
        with job.file.open("rb") as stream:
            outcome = importer.run_import(
                job.community,
                stream,
                actor=job.uploaded_by,
                create_rooms=job.create_rooms,
                dry_run=False,
                sheet=job.sheet,
                header_row=job.header_row,
                mapping=job.mapping,
                progress=progress,
                job=job,
            )
    except Exception:
        logger.exception("import job %s failed", job_id)
        message = _("导入时发生内部错误，未写入任何数据。请联系系统管理员。")
        outcome = importer.Outcome.failed(importer.ImportFileError(message))
    if outcome.committed and outcome.layout is not None:
        importer.remember_mapping(job.community, outcome.layout.header, job.mapping)
    importer.store_outcome(job, outcome)
    job.status = ImportJob.Status.DONE if outcome.committed else ImportJob.Status.FAILED
    job.progress, job.finished_at = 100, timezone.now()
    job.save()
