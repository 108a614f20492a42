from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from openpyxl import load_workbook

from linli.core.errors import DomainError
from linli.core.masking import mask_id_number
from linli.customers.models import Secrecy
from linli.customers.testing import make_customer, valid_id
from linli.policy.services import set_parameter
from linli.privacy import exports, services
from linli.privacy.models import AccessLog, ExportRequest
from linli.privacy.tests import factories as f


def approve_and_run(export, approver, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_export(export, actor=approver, approve=True, **kwargs)
    export.refresh_from_db()
    return export


def workbook_of(export):
    with export.file.open("rb") as handle:
        return load_workbook(io.BytesIO(handle.read()))


def rows_of(book):
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def queued_export(world, requester, kind="customers", **extra):
    """An export row as the approval leaves it (bypassing the request's permission check)."""
    return ExportRequest.objects.create(
        kind=kind,
        requested_by=requester,
        reason="测试",
        status=ExportRequest.Status.QUEUED,
        community_id=extra.pop("community_id", None),
        **extra,
    )


# --- the request page -------------------------------------------------------------------------
def test_request_page_summarises_the_filters_and_counts_the_rows(client, world):
    make_customer(world.ch, "张三", room="3-2-501")
    make_customer(world.ch, "李四", room="3-2-502", role="tenant")
    make_customer(world.jg, "陈五", room="1-1-101")
    client.force_login(world.office_supervisor)
    page = client.get("/privacy/exports/new/", {"kind": "customers", "role": "owner"})
    assert page.status_code == 200
    assert page.context["scope"].count == 1
    assert "身份：业主" in page.context["scope"].label and "翠湖苑" in page.context["scope"].label
    assert "人事行政经理" in page.content.decode()


def test_missing_purpose_is_a_field_error_and_nothing_is_written(client, world):
    make_customer(world.ch)
    client.force_login(world.office_supervisor)
    response = client.post("/privacy/exports/new/?kind=customers", {"reason": ""})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert not ExportRequest.objects.exists()


def test_filters_of_another_community_are_refused(client, world):
    from linli.org.models import Area

    jg_area = Area.objects.get(community=world.jg)
    client.force_login(world.office_supervisor)
    page = client.get("/privacy/exports/new/", {"kind": "customers", "area": jg_area.pk})
    assert "area" in page.context["scope"].form.errors
    response = client.post(
        f"/privacy/exports/new/?kind=customers&area={jg_area.pk}", {"reason": "核对"}
    )
    assert response.status_code == 200 and not ExportRequest.objects.exists()


def test_unknown_kind_is_not_found(client, world):
    client.force_login(world.office_supervisor)
    assert client.get("/privacy/exports/new/", {"kind": "staff"}).status_code == 404


def test_request_approve_generate_and_download(client, world, django_capture_on_commit_callbacks):
    make_customer(world.ch, "张三", room="3-2-501", mobile="13812345678", id_number=valid_id())
    client.force_login(world.office_supervisor)
    response = client.post(
        "/privacy/exports/new/?kind=customers", {"reason": "年度资料核对", "unmasked": "on"}
    )
    export = ExportRequest.objects.get()
    assert response.url == f"/privacy/exports/{export.pk}/"
    assert (export.status, export.unmasked, export.community_id) == (
        ExportRequest.Status.PENDING,
        True,
        world.ch.pk,
    )

    client.force_login(world.hq_admin)
    assert export in client.get("/privacy/exports/approvals/").context["pending"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/privacy/exports/{export.pk}/decide/", {"decision": "approve"})
    export.refresh_from_db()
    assert export.status == ExportRequest.Status.DONE
    assert (export.row_count, export.progress, export.approver) == (1, 100, world.hq_admin)
    assert not export.approved_unmasked  # the approver did not tick "clear values"

    client.force_login(world.office_supervisor)
    download = client.get(f"/privacy/exports/{export.pk}/download/")
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert "138****5678" in rows_of(book)[1]
    log = AccessLog.objects.get(action=AccessLog.Action.EXPORT)
    assert (log.actor, log.community_id, log.detail["rows"]) == (
        world.office_supervisor,
        world.ch.pk,
        1,
    )
    assert log.reason == "年度资料核对"
    client.get(f"/privacy/exports/{export.pk}/download/")
    export.refresh_from_db()
    assert export.downloads == 2
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT).count() == 2


def test_generated_workbook_is_masked_and_carries_who_when_why(
    world, django_capture_on_commit_callbacks
):
    make_customer(
        world.ch,
        "张三",
        room="3-2-501",
        mobile="13812345678",
        id_number=valid_id(),
        address="北京市海淀区翠湖南路18号3栋2单元501",
        care_notes="独居，腿脚不便",
    )
    export = f.pending_export(world)
    export = approve_and_run(export, world.hq_admin, django_capture_on_commit_callbacks)
    book = workbook_of(export)
    rows = rows_of(book)
    header = rows[0]
    data = dict(zip(header, rows[1], strict=True))
    assert data["姓名/名称"] == "张三"
    assert data["手机"] == "138****5678"
    assert data["证件号码"] == mask_id_number(valid_id()) != valid_id()
    assert data["关怀说明"] == "••••••"
    assert data["房间"] == "3-2-501 业主"
    footer = [row[0] for row in rows[2:] if row and row[0]]
    assert any(
        text.startswith("导出人：office_supervisor")
        and "导出时间：" in text
        and "用途：年度资料核对" in text
        and "审批人：hq_admin" in text
        for text in footer
    )
    assert any("敏感信息已按规定隐藏" in text for text in footer)
    props = book.properties
    assert props.creator == "office_supervisor"
    assert (
        "导出人：office_supervisor" in props.description
        and "用途：年度资料核对" in props.description
    )
    assert "客户资料" in props.title
    assert "导出人：office_supervisor" in book.active.oddFooter.center.text


def test_clear_values_only_when_the_approval_says_so(world, django_capture_on_commit_callbacks):
    make_customer(world.ch, "张三", room="3-2-501", mobile="13812345678")
    export = f.pending_export(world, unmasked=True)
    export = approve_and_run(
        export, world.hq_admin, django_capture_on_commit_callbacks, unmasked=True
    )
    assert export.approved_unmasked
    data = dict(zip(*rows_of(workbook_of(export))[:2], strict=True))
    assert data["手机"] == "13812345678"


def test_formula_cells_are_neutralised(world, django_capture_on_commit_callbacks):
    make_customer(
        world.ch,
        '=HYPERLINK("http://evil","点我")',
        room="3-2-501",
        emergency_contact_name="@SUM(A1)",
        vehicles="+京A12345",
        preferences="x",
    )
    export = approve_and_run(
        f.pending_export(world), world.hq_admin, django_capture_on_commit_callbacks
    )
    data = dict(zip(*rows_of(workbook_of(export))[:2], strict=True))
    assert data["姓名/名称"] == '\'=HYPERLINK("http://evil","点我")'
    assert data["紧急联系人"] == "'@SUM(A1)"
    assert data["车辆"] == "'+京A12345"
    for raw in ("=1+2", "+1", "-1", "@x", "\tA", "\rA"):
        assert exports.neutralise(raw) == "'" + raw
    assert exports.neutralise("张三") == "张三" and exports.neutralise(-1) == -1


def test_a_stewards_export_holds_only_what_the_steward_may_open(world):
    make_customer(world.ch, "张三", room="3-2-501")
    f.restricted_customer(world, Secrecy.CONFIDENTIAL, name="王五")
    f.restricted_customer(world, Secrecy.TOP_SECRET, name="赵六", room="9-9-909")
    make_customer(world.jg, "陈五", room="1-1-101")
    export = queued_export(world, world.steward)
    assert exports.generate(export.pk) == 1
    export.refresh_from_db()
    names = [row[1] for row in rows_of(workbook_of(export))[1:] if row and row[1]]
    assert "张三" in names
    assert not {"王五", "赵六", "陈五"} & set(names)


def test_occupancy_and_room_exports_follow_scope_and_secrecy(world):
    make_customer(world.ch, "张三", room="3-2-501")
    f.restricted_customer(world, Secrecy.TOP_SECRET, name="赵六", room="9-9-909")
    make_customer(world.jg, "陈五", room="1-1-101")
    occupancies = queued_export(world, world.office_supervisor, kind="occupancies")
    assert exports.generate(occupancies.pk) == 1
    occupancies.refresh_from_db()
    rows = rows_of(workbook_of(occupancies))
    assert rows[1][1:4] == ["3-2-501", "张三", "业主"]
    assert rows[1][7] == "138****5678"
    rooms = queued_export(world, world.office_supervisor, kind="rooms")
    assert exports.generate(rooms.pk) == 2  # both CH rooms; the JG room is absent
    rooms.refresh_from_db()
    codes = [row[1] for row in rows_of(workbook_of(rooms))[1:3]]
    assert codes == ["3-2-501", "9-9-909"]


def test_access_log_export_masks_names_above_clearance(world):
    top = f.restricted_customer(world, Secrecy.TOP_SECRET, name="赵六", room="9-9-909")
    services.log_open(f.general_manager(world), top)
    services.log_open(world.outsider, make_customer(world.jg, "陈五", room="1-1-101", secrecy=2))
    export = queued_export(world, world.office_manager, kind="access_log", community_id=world.ch.pk)
    assert exports.generate(export.pk) == 1
    export.refresh_from_db()
    row = rows_of(workbook_of(export))[1]
    assert "赵**" in row and "赵六" not in row


def test_the_approver_role_is_a_policy_parameter(client, world, django_capture_on_commit_callbacks):
    from linli.org.models import Staff

    set_parameter(
        "privacy.export.approver", "office_manager", actor=world.hq_admin, reason="下放审批"
    )
    export = f.pending_export(world)
    client.force_login(world.hq_admin)
    refused = client.get("/privacy/exports/approvals/")
    assert refused.status_code == 403 and "privacy.approve_export" in refused.content.decode()
    jg_manager = Staff.objects.create(
        username="jg_manager", role="office_manager", community=world.jg
    )
    client.force_login(jg_manager)
    assert client.get("/privacy/exports/approvals/").context["pending"].count() == 0
    assert (
        client.post(f"/privacy/exports/{export.pk}/decide/", {"decision": "approve"}).status_code
        == 404
    )
    client.force_login(world.office_manager)
    assert export in client.get("/privacy/exports/approvals/").context["pending"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/privacy/exports/{export.pk}/decide/", {"decision": "approve"})
    export.refresh_from_db()
    assert export.status == ExportRequest.Status.DONE and export.approver == world.office_manager


def test_an_office_approver_needs_a_community(world):
    set_parameter(
        "privacy.export.approver", "office_manager", actor=world.hq_admin, reason="下放审批"
    )
    with pytest.raises(DomainError) as error:
        services.request_export(
            "access_log", actor=world.hq_supervisor, reason="季度检查", filters={}
        )
    assert error.value.field == "community"
    assert not ExportRequest.objects.exists()


def test_an_approval_happens_once_and_generation_runs_once(
    world, django_capture_on_commit_callbacks
):
    make_customer(world.ch)
    export = approve_and_run(
        f.pending_export(world), world.hq_admin, django_capture_on_commit_callbacks
    )
    with pytest.raises(DomainError):
        services.decide_export(export, actor=world.hq_admin, approve=False, note="重复")
    assert exports.generate(export.pk) == 0  # no longer queued: nothing happens
    export.refresh_from_db()
    assert export.status == ExportRequest.Status.DONE and export.row_count == 1


def test_nobody_approves_their_own_export(world):
    export = services.request_export(
        "access_log", actor=world.hq_admin, reason="季度检查", filters={}, row_count=3
    )
    with pytest.raises(DomainError):
        services.decide_export(export, actor=world.hq_admin, approve=True)
    with pytest.raises(PermissionDenied):
        services.decide_export(export, actor=world.office_manager, approve=True)


def test_rejecting_needs_a_reason(world):
    export = f.pending_export(world)
    with pytest.raises(DomainError) as error:
        services.decide_export(export, actor=world.hq_admin, approve=False, note="")
    assert error.value.field == "note"
    export.refresh_from_db()
    assert export.status == ExportRequest.Status.PENDING


def test_clear_values_need_the_unmask_permission(world):
    from linli.org.roles import Perm

    world.office_supervisor.perms = frozenset({Perm.CUSTOMERS_EXPORT})
    with pytest.raises(DomainError) as error:
        services.request_export(
            "customers", actor=world.office_supervisor, reason="核对", filters={}, unmasked=True
        )
    assert error.value.field == "unmasked"
    assert not ExportRequest.objects.exists()
    # Access-log exports have no clear values to ask for: the request stays masked.
    export = services.request_export(
        "access_log", actor=world.hq_supervisor, reason="检查", filters={}, unmasked=True
    )
    assert not export.unmasked


def test_small_exports_may_skip_approval_when_the_policy_says_so(
    world, django_capture_on_commit_callbacks
):
    set_parameter(
        "privacy.export.max_rows_without_approval", 50, actor=world.hq_admin, reason="小批量"
    )
    make_customer(world.ch)
    with django_capture_on_commit_callbacks(execute=True):
        export = f.pending_export(world)
    export.refresh_from_db()
    assert export.status == ExportRequest.Status.DONE and export.approver is None
    assert "审批人：免审批" in rows_of(workbook_of(export))[-2][0]


def test_status_page_polls_while_generating_and_stops_when_done(client, world):
    export = queued_export(world, world.office_supervisor, community_id=world.ch.pk)
    client.force_login(world.office_supervisor)
    polling = client.get(f"/privacy/exports/{export.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in polling and "progress-bar" in polling
    assert "<html" not in polling
    exports.generate(export.pk)
    done = client.get(f"/privacy/exports/{export.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "every 2s" not in done and "下载 Excel" in done


def test_a_failed_generation_is_recorded(world, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(exports, "write_workbook", broken)
    export = queued_export(world, world.office_supervisor)
    assert exports.generate(export.pk) == 0
    export.refresh_from_db()
    assert export.status == ExportRequest.Status.FAILED and "disk full" in export.error
    assert export.finished_at <= timezone.now()


def test_a_double_submitted_export_request_is_recorded_once(client, world):
    make_customer(world.ch)
    client.force_login(world.office_supervisor)
    url = "/privacy/exports/new/?kind=customers&role=owner"
    client.post(url, {"reason": "年度核对"})
    second = client.post(url, {"reason": "年度核对"})
    assert second.status_code == 200 and "已提交过相同的导出申请" in second.content.decode()
    assert ExportRequest.objects.count() == 1
    other = client.post("/privacy/exports/new/?kind=customers&role=tenant", {"reason": "租户"})
    assert other.status_code == 302 and ExportRequest.objects.count() == 2
