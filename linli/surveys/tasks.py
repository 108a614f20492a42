"""Background work of the survey chapter (django-tasks; `linli worker` runs it)."""

from __future__ import annotations

from django_tasks import task


@task()
def make_report(report_id: int) -> None:
    """Generate a queued 《客户调研报告》; progress and outcome are written on the report."""
    from linli.surveys.reports import generate

    generate(report_id)
