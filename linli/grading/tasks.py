"""Background work of the grading chapter (django-tasks; `linli worker` runs it)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_regrade(job_id: int) -> None:
    """Run a queued re-grading job; progress and outcome are written on the job."""
    from linli.grading.jobs import run_job

    run_job(job_id)
