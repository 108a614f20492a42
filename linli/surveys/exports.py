"""The sample list (样本清单 / 发放登记) as an Excel workbook.

Names of files above the user's clearance are not shown, phones are masked, text is neutralised
against formulas, and the file says who exported it when (as every export of personal data)."""

from __future__ import annotations

import io
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from linli.audit.services import record
from linli.core.masking import mask_phone
from linli.customers.models import Customer
from linli.privacy.exports import neutralise

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sample_rows(rows: Any, user: Any) -> list[dict[str, Any]]:
    """Invitations with the respondent as the user may see them."""
    invitations = list(rows)
    visible = set(
        Customer.objects.visible_to(user)
        .filter(pk__in=[i.customer_id for i in invitations if i.customer_id])
        .values_list("pk", flat=True)
    )
    people = Customer.objects.in_bulk(list(visible))
    out = []
    for invitation in invitations:
        person = people.get(invitation.customer_id) if invitation.customer_id else None
        out.append(
            {
                "invitation": invitation,
                "name": person.name if person else _("（保密档案）"),
                "phone": mask_phone(person.mobile) if person else "",
            }
        )
    return out


def sample_workbook(round_: Any, rows: Any, user: Any) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("样本清单")
    ws.append([neutralise(f"{round_.name} · {_('样本清单')}")])
    ws["A1"].font = Font(bold=True, size=13)
    stamp = _("%(who)s 于 %(at)s 导出；电话已遮蔽") % {
        "who": getattr(user, "display_name", ""), "at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    }  # fmt: skip
    ws.append([stamp])
    ws.append([])
    header = [_("小区"), _("房号"), _("受访人"), _("电话"), _("分层"), _("特殊群体"), _("发放方式"), _("状态"), _("回收时间")]  # fmt: skip
    ws.append(header)
    for cell in ws[4]:
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDE7F0")
    count = 0
    for row in sample_rows(rows, user):
        i = row["invitation"]
        ws.append([neutralise(v) for v in (
            i.community.name, i.room.code, row["name"], row["phone"], i.stratum, _("是") if i.special else "",
            i.get_channel_display(), i.get_status_display(),
            timezone.localtime(i.returned_at).strftime("%Y-%m-%d %H:%M") if i.returned_at else "",
        )])  # fmt: skip
        count += 1
    ws.append([])
    ws.append([stamp])
    for column, width in zip("ABCDEFGHI", [14, 12, 14, 14, 14, 8, 14, 10, 16], strict=True):
        ws.column_dimensions[column].width = width
    wb.properties.creator = getattr(user, "display_name", "")
    wb.properties.title = f"{round_.name} {_('样本清单')}"
    out = io.BytesIO()
    wb.save(out)
    record(user, "surveys.sample.exported", round_, {"rows": count})
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    disposition = content_disposition_header(True, f"{round_.name}-样本清单.xlsx")
    response["Content-Disposition"] = disposition or "attachment"
    return response
