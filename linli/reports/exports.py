"""Excel files of exactly what the statistics pages show (openpyxl)."""

from __future__ import annotations

import io
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from linli.reports import statistics
from linli.reports.periods import Period
from linli.tickets.models import Kind

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FILL = PatternFill("solid", fgColor="DCE6F0")
BOLD = Font(bold=True)
PERCENT = "0.0%"


def xlsx_response(workbook: Workbook, filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    from django.utils.http import content_disposition_header

    response["Content-Disposition"] = content_disposition_header(True, filename) or ""
    return response


def _rate(value: float | None) -> Any:
    """A rate as a fraction shown with a percent format; no denominator → "—" as on the page."""
    return "—" if value is None else round(value / 100, 4)


def _title(sheet: Worksheet, title: str, subtitle: str) -> None:
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([subtitle])
    sheet.append([])


def _header(sheet: Worksheet, headers: list[str]) -> None:
    sheet.append(headers)
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _widths(sheet: Worksheet, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _figures_row(label: str, figures: statistics.Figures) -> list[Any]:
    return [label] + [
        _rate(c.value(figures)) if c.rate else c.value(figures) for c in statistics.COLUMNS
    ]


def _format_rates(sheet: Worksheet, first_row: int, rate_columns: list[int]) -> None:
    for row in sheet.iter_rows(min_row=first_row):
        for index in rate_columns:
            if isinstance(row[index].value, float | int):
                row[index].number_format = PERCENT


def ticket_report_workbook(report: statistics.TicketReport, *, scope: str) -> Workbook:
    """Sheets: the figures table, the trend, the top causes and the definitions."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("统计")
    generated = timezone.localtime(report.generated_at).strftime("%Y-%m-%d %H:%M")
    _title(
        sheet,
        _("客户诉求统计（按%(dim)s）") % {"dim": report.dimension.label},
        _("范围：%(scope)s　期间：%(period)s　生成时间：%(at)s")
        % {"scope": scope, "period": report.period.label, "at": generated},
    )
    _header(sheet, [str(report.dimension.label), *(str(c.header) for c in statistics.COLUMNS)])
    first = sheet.max_row + 1
    for row in report.rows:
        sheet.append(_figures_row(row.label, row))
    sheet.append(_figures_row(report.total.label, report.total))
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
    rates = [i + 1 for i, c in enumerate(statistics.COLUMNS) if c.rate]
    _format_rates(sheet, first, rates)
    sheet.freeze_panes = sheet.cell(row=first, column=2)
    _widths(sheet, [22] + [11] * len(statistics.COLUMNS))

    trend = book.create_sheet(_("趋势"))
    unit = _("周（起始日）") if report.trend.unit == "week" else _("月")
    kinds = [k for k in report.trend_kinds if any(report.trend_kinds[k])]
    _header(trend, [str(unit), *(str(Kind(k).label) for k in kinds), _("受理合计"),
                    _("按时响应率"), _("按时解决率"), _("回访率"), _("满意率")])  # fmt: skip
    for index, row in enumerate(report.trend_rows):
        trend.append([row.label, *(report.trend_kinds[k][index] for k in kinds), row.received,
                      _rate(row.respond_rate), _rate(row.resolve_rate), _rate(row.visit_rate),
                      _rate(row.satisfaction_rate)])  # fmt: skip
    _format_rates(trend, 2, [len(kinds) + 2 + i for i in range(4)])
    _widths(trend, [14] + [9] * (len(kinds) + 5))

    causes = book.create_sheet(_("主要原因"))
    _header(causes, [_("原因类别"), _("有效投诉数"), _("纠正措施（次数）")])
    for cause in report.causes:
        causes.append([cause.name, cause.count, "；".join(f"{a}（{n}）" for a, n in cause.actions)])
    _widths(causes, [16, 12, 90])

    _definitions(book, report.repeat_window_days)
    return book


def _definitions(book: Workbook, window_days: int) -> None:
    sheet = book.create_sheet(_("统计口径"))
    _header(sheet, [_("指标"), _("口径")])
    for name, text in statistics.DEFINITIONS:
        sheet.append([str(name), str(text)])
    sheet.append([_("重复投诉认定期"), _("%(n)s 天") % {"n": window_days}])
    _widths(sheet, [16, 100])


def lessons_workbook(rows: list[statistics.LessonRow], *, period: Period, scope: str) -> Workbook:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("经验教训")
    _title(
        sheet,
        _("重复出现的投诉原因"),
        _("范围：%(scope)s　期间：%(period)s") % {"scope": scope, "period": period.label},
    )
    _header(
        sheet,
        [
            _("小区"),
            _("类别"),
            _("原因"),
            _("次数"),
            _("最近解决"),
            _("纠正措施（次数，最近一单）"),
        ],
    )
    for row in rows:
        last = (
            timezone.localtime(row.last_resolved).strftime("%Y-%m-%d") if row.last_resolved else ""
        )
        actions = "；".join(f"{text}（{n}，{number}）" for text, n, _pk, number in row.actions)
        sheet.append([row.community, row.category, row.cause, row.count, last, actions])
    _widths(sheet, [14, 12, 12, 8, 12, 90])
    return book
