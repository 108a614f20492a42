"""Excel workbooks of the reception log and the needs report (openpyxl); masked values only."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from linli.core.masking import mask_phone

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 20000
HEADER_FILL = PatternFill("solid", fgColor="DCE6F0")


def xlsx_response(book: Workbook, filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename) or ""
    return response


def _sheet(book: Workbook, title: str, headers: list[str], widths: list[int]) -> Any:
    sheet = book.active
    sheet.title = title
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    return sheet


def entries_workbook(entries: Iterable[Any], *, user: Any) -> Workbook:
    """The filtered log as the paper 电话接待记录 had it; phone numbers masked."""
    book = Workbook()
    sheet = _sheet(
        book,
        _("接待登记"),
        [
            _("接待时间"), _("小区"), _("渠道"), _("来访人/来电人"), _("房间"), _("联系电话"),
            _("类别"), _("事由"), _("处理结果"), _("答复/处理情况"), _("接待人"), _("关联诉求"),
        ],
        [17, 10, 8, 14, 12, 14, 10, 40, 12, 40, 10, 18],
    )  # fmt: skip
    for e in entries:
        sheet.append([
            timezone.localtime(e.received_at).strftime("%Y-%m-%d %H:%M"), e.community.name,
            e.get_channel_display(), e.who, e.room.code if e.room else "",
            mask_phone(e.caller_phone) if e.caller_phone else "", e.get_topic_display(), e.subject,
            e.get_outcome_display(), e.reply, e.handled_by.display_name,
            e.ticket.number if e.ticket_id else "",
        ])  # fmt: skip
    return book


def needs_report_workbook(rows: list[dict[str, Any]], *, year: int, group_label: str) -> Workbook:
    book = Workbook()
    sheet = _sheet(
        book,
        _("个性化需求统计"),
        [
            group_label,
            _("登记"),
            _("未办结"),
            _("已完成"),
            _("按时完成"),
            _("已取消"),
            _("按时完成率"),
        ],
        [16, 8, 8, 8, 10, 8, 12],
    )
    for row in rows:
        rate = row["on_time_rate"]
        sheet.append([
            row["label"], row["total"], row["open"], row["done"], row["on_time"], row["cancelled"],
            rate / 100 if rate is not None else "—",
        ])  # fmt: skip
        sheet.cell(row=sheet.max_row, column=7).number_format = "0.0%"
    sheet.append([])
    sheet.append(
        [_("%(year)d 年登记的个性化需求；按时 = 在办理期限当日或之前完成。") % {"year": year}]
    )
    return book
