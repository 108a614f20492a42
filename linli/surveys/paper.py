"""Printable paper questionnaires (纸质问卷): one form per household of the paper channel, with
the household's paper number and a QR code of its one-time link, so a resident may answer on the
phone instead; returned paper forms are keyed in by that number or room."""

from __future__ import annotations

import base64
import io
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from linli.surveys import answering
from linli.surveys.models import Invitation, Question, Section, SurveyRound


def paper_number(invitation: Invitation) -> str:
    return f"{invitation.round_id}-{invitation.pk:06d}"


def qr_svg(text: str) -> str:
    import segno

    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", scale=3, border=1, xmldecl=False)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def forms_pdf(round_: SurveyRound, invitations: Any) -> bytes:
    from weasyprint import HTML

    sections = []
    number = 0
    for section in Section.objects.filter(
        questionnaire_version=round_.questionnaire_version_id
    ).prefetch_related("questions"):
        rows = []
        for question in section.questions.all():
            number += 1
            rows.append({"q": question, "number": number})
        sections.append({"section": section, "rows": rows})
    site = getattr(settings, "SITE_URL", "").rstrip("/") or "http://127.0.0.1:8000"
    households = []
    for invitation in invitations.select_related("room", "community"):
        link = f"{site}{answering.answer_path(invitation)}"
        households.append(
            {
                "invitation": invitation,
                "number": paper_number(invitation),
                "link": link,
                "qr": qr_svg(link),
            }
        )
    html = render_to_string("surveys/report/paper.html", {
        "round": round_, "households": households, "sections": sections, "intro": round_.questionnaire_version.intro,
        "scale": ["很满意", "满意", "较满意", "一般", "不满意"], "kinds": Question.Kind,
    })  # fmt: skip
    return HTML(string=html).write_pdf()
