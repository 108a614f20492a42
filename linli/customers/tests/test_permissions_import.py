"""Every URL of the Excel import in one permission matrix (DESIGN §4)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from linli.core.testing import Endpoint, case_id, permission_matrix
from linli.customers.models import ImportJob
from linli.customers.tests.test_import import messy_workbook
from linli.org.roles import Perm

MATRIX_FILE = "imports/matrix.xlsx"
MAPPING = {"B": "building", "C": "unit", "D": "number", "E": "name", "I": "mobile"}


def _job(world: Any, status: str = ImportJob.Status.PREVIEWED) -> ImportJob:
    """A job of community CH; its file is written by the fixture below (no file is written
    when another module only resolves the path)."""
    return ImportJob.objects.create(
        community=world.ch,
        uploaded_by=world.office_manager,
        file=MATRIX_FILE,
        original_name="翠湖苑业主信息登记表.xlsx",
        sheet="业主信息",
        header_row=3,
        mapping=MAPPING,
        create_rooms=True,
        status=status,
        counts={"rows": 6, "error_count": 0, "warning_count": 0, "sheets": ["业主信息"]},
    )


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "imports").mkdir()
    (tmp_path / MATRIX_FILE).write_bytes(messy_workbook().getvalue())


def _upload(world: Any) -> dict[str, Any]:
    workbook = SimpleUploadedFile("登记表.xlsx", messy_workbook().getvalue())
    return {"file": workbook, "create_rooms": "on"}


def _mapping(world: Any) -> dict[str, Any]:
    columns = {f"col_{letter}": target for letter, target in MAPPING.items()}
    return {"sheet": "业主信息", "header_row": "3", "create_rooms": "on", **columns}


IMPORT = Perm.CUSTOMERS_IMPORT
ENDPOINTS = [
    Endpoint("import-list", "/customers/import/", permission=IMPORT),
    Endpoint("import-upload-form", "/customers/import/new/", permission=IMPORT),
    Endpoint(
        "import-upload",
        "/customers/import/new/",
        method="post",
        data=_upload,
        permission=IMPORT,
        ok=frozenset({302}),
    ),
    Endpoint("import-template", "/customers/import/template.xlsx", permission=IMPORT),
    Endpoint(
        "import-job",
        lambda w: f"/customers/import/{_job(w, ImportJob.Status.DONE).pk}/",
        permission=IMPORT,
        scoped=True,
    ),
    Endpoint(
        "import-preview",
        lambda w: f"/customers/import/{_job(w).pk}/preview/",
        permission=IMPORT,
        scoped=True,
    ),
    Endpoint(
        "import-preview-remap",
        lambda w: f"/customers/import/{_job(w).pk}/preview/",
        method="post",
        data=_mapping,
        permission=IMPORT,
        scoped=True,
        ok=frozenset({302}),
    ),
    Endpoint(
        "import-commit",
        lambda w: f"/customers/import/{_job(w).pk}/commit/",
        method="post",
        permission=IMPORT,
        scoped=True,
        ok=frozenset({302}),
    ),
    Endpoint(
        "import-error-report",
        lambda w: f"/customers/import/{_job(w).pk}/errors.xlsx",
        permission=IMPORT,
        scoped=True,
    ),
]


@pytest.mark.parametrize("case", permission_matrix(ENDPOINTS), ids=case_id)
def test_import_urls_respect_scope_and_permissions(case, client, world):
    assert case.actual(client, world) in case.expected()


@pytest.mark.parametrize("name", [e.name for e in ENDPOINTS if e.scoped])
def test_an_importer_of_another_community_gets_404(name, client, world):
    from conftest import make_staff

    endpoint = next(e for e in ENDPOINTS if e.name == name)
    client.force_login(make_staff("jg_manager", "office_manager", world.jg))
    path = endpoint.resolve_path(world)
    data = endpoint.resolve_data(world) or {}
    response = getattr(client, endpoint.method)(path, data)
    assert response.status_code == 404
