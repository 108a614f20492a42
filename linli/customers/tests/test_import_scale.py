"""The generated workbook (`linli.customers.scale`) that `linli bench` imports at 100,000 rows
imports cleanly and idempotently (the time is measured by the bench, never here: DESIGN §8)."""

from __future__ import annotations

import io

from linli.customers.importer import run_import
from linli.customers.scale import scale_workbook


def test_a_generated_workbook_imports_cleanly(world):
    stream = io.BytesIO()
    scale_workbook(300, stream)
    outcome = run_import(world.ch, stream, actor=None, create_rooms=True, dry_run=False)
    assert outcome.errors == [] and outcome.committed
    assert outcome.counts["rows"] == 300 and outcome.counts["customers_created"] == 300
    again = run_import(world.ch, stream, actor=None, create_rooms=True, dry_run=False)
    assert again.counts["customers_created"] == again.counts["occupancies_created"] == 0
