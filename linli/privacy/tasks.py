"""Background work of the secrecy chapter (django-tasks; `linli worker` runs it)."""

from __future__ import annotations

from django_tasks import task


@task()
def generate_export(export_id: int) -> int:
    """Write the workbook of an approved export; progress and result go on the ExportRequest."""
    from linli.privacy.exports import generate

    return generate(export_id)
