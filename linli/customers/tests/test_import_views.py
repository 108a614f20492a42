"""The import pages: upload, mapping and preview, commit in the background, result, reports."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from linli.audit.models import AuditEvent
from linli.customers import importer
from linli.customers.models import Customer, ImportJob, ImportMapping, Occupancy
from linli.customers.tests.test_import import LI_ID, messy_workbook, simple_workbook


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(client, data: bytes, name: str = "翠湖苑业主信息登记表.xlsx", **extra):
    return client.post("/customers/import/new/", {"file": SimpleUploadedFile(name, data), **extra})


def test_an_office_manager_uploads_checks_and_imports_a_workbook(client, world):
    client.force_login(world.office_manager)
    response = upload(client, messy_workbook().getvalue(), create_rooms="on")
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == f"/customers/import/{job.pk}/preview/"
    assert job.status == ImportJob.Status.PREVIEWED and job.community == world.ch
    assert Customer.objects.count() == 0  # a preview writes nothing
    page = client.get(response.url)
    assert page.status_code == 200
    text = page.content.decode()
    assert (
        "预检通过" in text
        and "确认导入" in text
        and "disabled" not in text.split("确认导入")[0][-200:]
    )
    done = client.post(f"/customers/import/{job.pk}/commit/")
    assert done.status_code == 302 and done.url == f"/customers/import/{job.pk}/"
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.progress == 100
    assert job.counts["customers_created"] == 4 and Occupancy.objects.count() == 5
    result = client.get(done.url).content.decode()
    assert "导入完成" in result and "hx-trigger" not in result
    assert ImportMapping.objects.get(community=world.ch).mapping["headers"]["业主姓名"] == "name"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "customers.import.uploaded",
        "customers.import.queued",
        "customers.import.committed",
    } <= actions


def test_a_job_is_committed_once(client, world):
    client.force_login(world.office_manager)
    upload(client, messy_workbook().getvalue(), create_rooms="on")
    job = ImportJob.objects.get()
    client.post(f"/customers/import/{job.pk}/commit/")
    again = client.post(f"/customers/import/{job.pk}/commit/", follow=True)
    assert "不能重复提交" in again.content.decode()
    assert Customer.objects.count() == 4


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("姓名,房号\n张三,3-2-501\n".encode(), "不是 Excel 工作簿"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "另存为"),
    ],
)
def test_an_unreadable_upload_is_refused_with_its_reason(client, world, data, message):
    client.force_login(world.office_supervisor)
    response = upload(client, data, name="登记表.xlsx")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_an_upload_over_the_size_limit_is_refused(client, world, settings):
    settings.LINLI_IMPORT_MAX_MB = 1
    client.force_login(world.office_manager)
    response = upload(client, b"PK\x03\x04" + b"\0" * (1024 * 1024 + 10))
    assert "超过了 1 MB 的上限" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_errors_are_listed_highlighted_and_block_the_import(client, world):
    client.force_login(world.office_manager)
    bad_id = LI_ID[:-1] + ("1" if LI_ID[-1] != "1" else "2")
    rows = [["3-2-501", "李丽", "家庭成员", bad_id, "139-8765-4321"]]
    upload(client, simple_workbook(rows).getvalue(), create_rooms="on")
    job = ImportJob.objects.get()
    assert job.errors == [
        {"sheet": "业主信息", "row": 2, "column": "D", "message": "身份证号校验位不正确。"}
    ]
    text = client.get(f"/customers/import/{job.pk}/preview/").content.decode()
    assert "预检发现 1 处错误" in text and "table-danger" in text
    assert 'disabled aria-disabled="true"' in text
    refused = client.post(f"/customers/import/{job.pk}/commit/", follow=True)
    assert "预检还有错误" in refused.content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED and Customer.objects.count() == 0


def test_the_error_report_holds_the_rows_an_error_column_and_a_summary(client, world):
    client.force_login(world.office_manager)
    rows = [["3-2-501", "张三", "业主", "", "138xxxx5678"], ["3-2-502", "李四", "业主"]]
    upload(client, simple_workbook(rows).getvalue(), create_rooms="on")
    job = ImportJob.objects.get()
    response = client.get(f"/customers/import/{job.pk}/errors.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    summary = list(book.worksheets[0].values)
    assert summary[1] == ("业主信息", 2, "E", "错误", "电话号码中不能有字母。")
    data = list(book.worksheets[1].values)
    assert data[0][0] == "原行号" and data[0][-2:] == ("错误", "提示")
    assert data[1][0] == 2 and data[1][-2] == "E：电话号码中不能有字母。"
    assert data[2][0] == 3 and data[2][-2] is None
    assert book.worksheets[1]["F2"].fill.fgColor.rgb.endswith("F8D7DA")  # the bad cell is red
    assert AuditEvent.objects.filter(action="customers.import.error_report").exists()


def test_the_mapping_can_be_changed_and_is_remembered(client, world):
    client.force_login(world.office_manager)
    upload(client, messy_workbook().getvalue(), create_rooms="on")
    job = ImportJob.objects.get()
    assert job.mapping["M"] == "notes"
    columns = {f"col_{c}": t for c, t in job.mapping.items() if c != "M"}
    response = client.post(
        f"/customers/import/{job.pk}/preview/",
        {"sheet": "业主信息", "header_row": "3", "create_rooms": "on", **columns},
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert "M" not in job.mapping
    assert ImportMapping.objects.get().mapping["headers"]["备注"] == ""
    assert importer.remembered_mapping(world.ch)["备注"] == ""


def test_a_mapping_without_a_name_column_is_refused(client, world):
    client.force_login(world.office_manager)
    upload(client, messy_workbook().getvalue(), create_rooms="on")
    job = ImportJob.objects.get()
    columns = {f"col_{c}": t for c, t in job.mapping.items() if t != "name"}
    response = client.post(
        f"/customers/import/{job.pk}/preview/",
        {"sheet": "业主信息", "header_row": "3", **columns},
    )
    assert response.status_code == 200
    assert "请指定“姓名”所在的列" in response.content.decode()


def test_choosing_the_header_row_proposes_a_new_mapping(client, world):
    client.force_login(world.office_manager)
    upload(client, messy_workbook().getvalue(), create_rooms="on")
    job = ImportJob.objects.get()
    client.post(
        f"/customers/import/{job.pk}/preview/",
        {"sheet": "业主信息", "header_row": "1", "col_A": "name"},
    )
    job.refresh_from_db()
    assert job.header_row == 1 and "找不到" not in str(job.errors)
    assert "所在的列" in job.errors[0]["message"]
    page = client.get(f"/customers/import/{job.pk}/preview/").content.decode()
    assert "表头所在行" in page


def test_the_job_page_polls_while_the_import_runs(client, world):
    client.force_login(world.office_manager)
    upload(client, messy_workbook().getvalue(), create_rooms="on")
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, progress=40)
    partial = client.get(f"/customers/import/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in partial and "<html" not in partial and "40%" in partial


def test_a_failure_during_the_commit_writes_nothing(client, world, monkeypatch):
    client.force_login(world.office_manager)
    upload(client, messy_workbook().getvalue(), create_rooms="on")
    job = ImportJob.objects.get()
    real = importer.apply_plan

    def half_then_crash(plan, **kwargs):
        real(plan, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer, "apply_plan", half_then_crash)
    client.post(f"/customers/import/{job.pk}/commit/")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "内部错误" in job.errors[0]["message"]
    assert Customer.objects.count() == 0 and Occupancy.objects.count() == 0
    assert "没有写入任何数据" in client.get(f"/customers/import/{job.pk}/").content.decode()


def test_a_company_role_with_the_permission_picks_the_community(client, world, monkeypatch):
    from linli.org.roles import ROLE_PERMISSIONS, Perm

    role = world.hq_supervisor.role
    monkeypatch.setitem(ROLE_PERMISSIONS, role, ROLE_PERMISSIONS[role] | {Perm.CUSTOMERS_IMPORT})
    client.force_login(world.hq_supervisor)
    form = client.get("/customers/import/new/").content.decode()
    assert 'name="community"' in form
    missing = upload(client, messy_workbook().getvalue())
    assert "该字段是必填项" in missing.content.decode() and ImportJob.objects.count() == 0
    upload(client, messy_workbook().getvalue(), community=str(world.jg.pk), create_rooms="on")
    assert ImportJob.objects.get().community == world.jg


def test_the_list_shows_the_communitys_imports_and_the_template_downloads(client, world):
    client.force_login(world.office_manager)
    upload(client, messy_workbook().getvalue(), create_rooms="on")
    listing = client.get("/customers/import/").content.decode()
    assert "翠湖苑业主信息登记表.xlsx" in listing and "待确认导入" in listing
    template = client.get("/customers/import/template.xlsx")
    book = load_workbook(io.BytesIO(template.content))
    header = [c.value for c in book.active[1]]
    proposed = importer.propose_mapping(header, {})
    assert set(proposed.values()) == {t.key for t in importer.TARGETS} - {"room_code", "address"}
