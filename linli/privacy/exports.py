"""What a bulk export contains and how its workbook is written.

Rows always come from the requester's visibility at generation time (scope and secrecy),
sensitive fields are masked unless the approval allowed clear values, cells that a
spreadsheet would run as a formula are neutralised, and the file carries who/when/why in its
properties, a footer row and the print footer.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.files import File
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from linli.core.masking import mask_email
from linli.customers.models import Customer, Occupancy, Secrecy
from linli.customers.presenters import SENSITIVE_FIELDS, clear_text, shown
from linli.customers.selectors import customer_list, room_list
from linli.privacy import selectors, services
from linli.privacy.models import AccessLog, ExportRequest

logger = logging.getLogger(__name__)

# A leading = + - @ (and tab / carriage return) makes Excel or WPS evaluate the cell.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PROGRESS_EVERY = 200


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would run as a formula becomes plain text (prefixed with ')."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return neutralise(value)


# --- rows -------------------------------------------------------------------------------------
def export_rows(
    kind: str, user: Any, filters: dict[str, Any], community_id: int | None
) -> QuerySet[Any]:
    """The rows of an export as `user` may see them now (the same gate as the lists)."""
    if kind == ExportRequest.Kind.CUSTOMERS:
        current = Occupancy.objects.filter(move_out__isnull=True).select_related("room")
        return customer_list(user, community_id=community_id, filters=filters).prefetch_related(
            Prefetch("occupancies", queryset=current, to_attr="current_occupancies")
        )
    if kind == ExportRequest.Kind.ROOMS:
        return room_list(user, community_id=community_id, filters=filters).select_related(
            "building", "unit"
        )
    if kind == ExportRequest.Kind.OCCUPANCIES:
        rows = (
            Occupancy.objects.visible_to(user)
            .in_community(community_id)
            .select_related("room", "customer", "community")
        )
        if filters.get("q"):
            rows = rows.filter(room__code__startswith=str(filters["q"]).strip().upper())
        if filters.get("area"):
            rows = rows.filter(room__area_id=filters["area"])
        if filters.get("role"):
            rows = rows.filter(role=filters["role"])
        if not filters.get("include_past"):
            rows = rows.filter(move_out__isnull=True)
        return rows.order_by("room__code", "-is_primary", "pk")
    if kind == ExportRequest.Kind.ACCESS_LOG:
        return selectors.log_rows(user, {**filters, "community": community_id})
    raise ValueError(kind)


# --- columns ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    header: Any
    width: int
    value: Callable[[Any, ExportContext], Any]


@dataclass
class ExportContext:
    user: Any
    clear: bool
    labeller: selectors.LogLabeller | None = None


def _customer_field(field: str) -> Callable[[Any, ExportContext], Any]:
    def value(customer: Customer, ctx: ExportContext) -> Any:
        if ctx.clear:
            return clear_text(customer, field)
        if field in SENSITIVE_FIELDS:
            return shown(customer, field, ctx.user)
        if field == "email":
            return mask_email(customer.email)
        return clear_text(customer, field)

    return value


def _rooms_of(customer: Customer, ctx: ExportContext) -> str:
    return "；".join(
        f"{o.room.code} {o.get_role_display()}"
        for o in getattr(customer, "current_occupancies", [])
    )


def _care(customer: Customer, ctx: ExportContext) -> str:
    labels = dict(Customer.CareFlag.choices)
    return "、".join(str(labels.get(flag, flag)) for flag in customer.care_flags or [])


def _occupant_mobile(occupancy: Occupancy, ctx: ExportContext) -> Any:
    return _customer_field("mobile")(occupancy.customer, ctx)


def _log_detail(row: AccessLog, ctx: ExportContext) -> str:
    detail = row.detail or {}
    parts = []
    if "rows" in detail:
        parts.append(_("%(n)s 行") % {"n": detail["rows"]})
    if detail.get("filters"):
        parts.append(str(detail["filters"]))
    if detail.get("fields"):
        parts.append(str(detail["fields"]))
    return "；".join(parts)


def _field_label(row: AccessLog, ctx: ExportContext) -> str:
    return selectors.field_label(row.field)


def _secrecy(level: int | None) -> str:
    return str(Secrecy(level).label) if level else ""


COLUMNS: dict[str, list[Column]] = {
    ExportRequest.Kind.CUSTOMERS: [
        Column(gettext_lazy("小区"), 12, lambda c, ctx: c.community.name),
        Column(gettext_lazy("姓名/名称"), 16, lambda c, ctx: c.name),
        Column(gettext_lazy("类型"), 8, lambda c, ctx: c.get_kind_display()),
        Column(gettext_lazy("性别"), 6, lambda c, ctx: c.get_gender_display() if c.gender else ""),
        Column(gettext_lazy("房间"), 22, _rooms_of),
        Column(gettext_lazy("手机"), 15, _customer_field("mobile")),
        Column(gettext_lazy("其他电话"), 15, _customer_field("phone_other")),
        Column(
            gettext_lazy("证件类型"),
            12,
            lambda c, ctx: c.get_id_type_display() if c.id_type else "",
        ),
        Column(gettext_lazy("证件号码"), 22, _customer_field("id_number")),
        Column(gettext_lazy("出生日期"), 12, _customer_field("birthday")),
        Column(gettext_lazy("通讯地址"), 28, _customer_field("address")),
        Column(gettext_lazy("电子邮箱"), 22, _customer_field("email")),
        Column(gettext_lazy("紧急联系人"), 10, lambda c, ctx: c.emergency_contact_name),
        Column(gettext_lazy("紧急联系电话"), 15, _customer_field("emergency_contact_phone")),
        Column(gettext_lazy("特殊关怀"), 14, _care),
        Column(gettext_lazy("关怀说明"), 20, _customer_field("care_notes")),
        Column(gettext_lazy("标签"), 14, lambda c, ctx: "、".join(str(t) for t in c.tags or [])),
        Column(gettext_lazy("车辆"), 14, lambda c, ctx: c.vehicles),
        Column(gettext_lazy("重要客户"), 8, lambda c, ctx: c.is_important),
        Column(gettext_lazy("业委会成员"), 8, lambda c, ctx: c.is_committee_member),
        Column(gettext_lazy("密级"), 6, lambda c, ctx: _secrecy(c.secrecy)),
        Column(gettext_lazy("完整度"), 7, lambda c, ctx: c.completeness),
    ],
    ExportRequest.Kind.ROOMS: [
        Column(gettext_lazy("小区"), 12, lambda r, ctx: r.community.name),
        Column(gettext_lazy("房间编码"), 12, lambda r, ctx: r.code),
        Column(gettext_lazy("楼栋"), 8, lambda r, ctx: r.building.code),
        Column(gettext_lazy("单元"), 6, lambda r, ctx: r.unit.code if r.unit else ""),
        Column(gettext_lazy("房号"), 8, lambda r, ctx: r.number),
        Column(gettext_lazy("楼层"), 6, lambda r, ctx: r.floor),
        Column(gettext_lazy("建筑面积（㎡）"), 12, lambda r, ctx: r.floor_area),
        Column(gettext_lazy("用途"), 8, lambda r, ctx: r.get_use_display()),
        Column(gettext_lazy("状态"), 8, lambda r, ctx: r.get_status_display()),
        Column(gettext_lazy("片区"), 10, lambda r, ctx: r.area.name if r.area else ""),
        Column(gettext_lazy("当前住户数"), 10, lambda r, ctx: getattr(r, "occupant_count", None)),
        Column(gettext_lazy("租约到期"), 12, lambda r, ctx: r.lease_end),
        Column(gettext_lazy("装修到期"), 12, lambda r, ctx: r.renovation_end),
        Column(gettext_lazy("备注"), 24, lambda r, ctx: r.notes),
    ],
    ExportRequest.Kind.OCCUPANCIES: [
        Column(gettext_lazy("小区"), 12, lambda o, ctx: o.community.name),
        Column(gettext_lazy("房间"), 12, lambda o, ctx: o.room.code),
        Column(gettext_lazy("姓名/名称"), 16, lambda o, ctx: o.customer.name),
        Column(gettext_lazy("身份"), 10, lambda o, ctx: o.get_role_display()),
        Column(gettext_lazy("主要联系人"), 10, lambda o, ctx: o.is_primary),
        Column(gettext_lazy("入住日期"), 12, lambda o, ctx: o.move_in),
        Column(gettext_lazy("迁出日期"), 12, lambda o, ctx: o.move_out),
        Column(gettext_lazy("手机"), 15, _occupant_mobile),
        Column(gettext_lazy("密级"), 6, lambda o, ctx: _secrecy(o.customer.secrecy)),
        Column(gettext_lazy("备注"), 20, lambda o, ctx: o.notes),
    ],
    ExportRequest.Kind.ACCESS_LOG: [
        Column(gettext_lazy("时间"), 18, lambda r, ctx: r.at),
        Column(gettext_lazy("小区"), 12, lambda r, ctx: r.community.name if r.community else ""),
        Column(gettext_lazy("查阅人"), 12, lambda r, ctx: r.actor.display_name),
        Column(gettext_lazy("岗位"), 14, lambda r, ctx: r.actor.get_role_display()),
        Column(gettext_lazy("动作"), 10, lambda r, ctx: r.get_action_display()),
        Column(gettext_lazy("客户"), 14, lambda r, ctx: ctx.labeller(r) if ctx.labeller else ""),
        Column(gettext_lazy("密级"), 6, lambda r, ctx: _secrecy(r.secrecy)),
        Column(gettext_lazy("字段"), 12, _field_label),
        Column(gettext_lazy("事由"), 30, lambda r, ctx: r.reason),
        Column(gettext_lazy("说明"), 30, _log_detail),
    ],
}

TITLES = {
    ExportRequest.Kind.CUSTOMERS: gettext_lazy("客户资料"),
    ExportRequest.Kind.ROOMS: gettext_lazy("房屋资料"),
    ExportRequest.Kind.OCCUPANCIES: gettext_lazy("入住关系"),
    ExportRequest.Kind.ACCESS_LOG: gettext_lazy("档案查阅登记"),
}


# --- the workbook -----------------------------------------------------------------------------
def watermark(export: ExportRequest, at: dt.datetime) -> str:
    """Who/when/why, as it appears in the footer row, the print footer and the properties."""
    approver = export.approver.display_name if export.approver else _("免审批")
    return _("导出人：%(who)s  导出时间：%(at)s  用途：%(why)s  审批人：%(approver)s") % {
        "who": export.requested_by.display_name,
        "at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M"),
        "why": export.reason,
        "approver": approver,
    }


def file_title(export: ExportRequest) -> str:
    return str(TITLES[ExportRequest.Kind(export.kind)])


def write_workbook(
    export: ExportRequest,
    rows: Iterable[Any],
    path: Path,
    *,
    total: int,
    at: dt.datetime,
    progress: Callable[[int], None] = lambda percent: None,
) -> int:
    kind = ExportRequest.Kind(export.kind)
    columns = COLUMNS[kind]
    ctx = ExportContext(
        user=export.requested_by,
        clear=export.approved_unmasked,
        labeller=selectors.LogLabeller(export.requested_by)
        if kind == ExportRequest.Kind.ACCESS_LOG
        else None,
    )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=file_title(export))
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    mark = watermark(export, at)
    sheet.oddFooter.center.text = mark
    sheet.oddHeader.center.text = _("内部资料 注意保密")
    bold, fill = Font(bold=True), PatternFill("solid", start_color="DCE6F0")
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=str(column.header))
        cell.font, cell.fill = bold, fill
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append([_cell(column.value(row, ctx)) for column in columns])
        count += 1
        if count % PROGRESS_EVERY == 0 and total:
            progress(int(count * 100 / total))
    sheet.append([])
    sheet.append([mark])
    masking = (
        _("本文件含敏感信息明文（经审批），严禁外传。")
        if export.approved_unmasked
        else _("敏感信息已按规定隐藏。")
    )
    sheet.append(
        [_("筛选条件：%(f)s  %(m)s") % {"f": export.filters_label or _("全部"), "m": masking}]
    )
    properties = workbook.properties
    properties.creator = export.requested_by.display_name
    properties.lastModifiedBy = export.requested_by.display_name
    properties.title = f"{file_title(export)}（{count} 行）"
    properties.subject = export.filters_label or _("全部")
    properties.description = mark
    properties.keywords = f"linli-export-{export.pk}"
    properties.created = timezone.now().replace(tzinfo=None)
    workbook.save(path)
    return count


def generate(export_id: int) -> int:
    """Generate an approved export (run by the background task); returns the row count."""
    export = services.start_export(export_id)
    if export is None:  # already taken by another worker, or no longer queued
        return 0
    try:
        rows = export_rows(export.kind, export.requested_by, export.filters, export.community_id)
        total = rows.count()
        at = timezone.now()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "export.xlsx"
            count = write_workbook(
                export,
                rows.iterator(chunk_size=500),
                path,
                total=total,
                at=at,
                progress=lambda percent: services.set_export_progress(export.pk, percent),
            )
            name = f"{export.kind}-{export.pk}-{timezone.localtime(at):%Y%m%d%H%M%S}.xlsx"
            with path.open("rb") as handle:
                export.file.save(name, File(handle), save=False)
        services.finish_export(export, file_name=export.file.name, row_count=count)
        return count
    except Exception as error:  # the request shows the failure; the worker keeps running
        logger.exception("export %s failed", export_id)
        services.fail_export(export_id, f"{type(error).__name__}: {error}")
        return 0


def download_name(export: ExportRequest) -> str:
    stamp = timezone.localtime(export.finished_at or export.created_at).strftime("%Y%m%d-%H%M")
    return f"{file_title(export)}-{stamp}.xlsx"
