"""The resident's questionnaire behind a one-time link: no account, a phone, Chinese."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from linli.core.errors import DomainError
from linli.surveys import answering
from linli.surveys.models import Question, Scale


def raw_answers(request: HttpRequest, questions: dict[int, Question]) -> dict[int, Any]:
    """The posted answers by question id (q<id>; multiple choice as a list)."""
    raw: dict[int, Any] = {}
    for pk, question in questions.items():
        name = f"q{pk}"
        if question.kind == Question.Kind.MULTIPLE:
            raw[pk] = request.POST.getlist(name)
        elif name in request.POST:
            raw[pk] = request.POST.get(name, "")
    return raw


def sections_with_answers(
    invitation: Any, saved: dict[int, dict[str, Any]]
) -> list[dict[str, Any]]:
    version = invitation.round.questionnaire_version
    sections = []
    number = 0
    for section in version.sections.prefetch_related("questions"):
        rows = []
        for q in section.questions.all():
            number += 1
            answer = saved.get(q.pk, {})
            rows.append({"q": q, "number": number, "value": answer.get("value", ""),
                         "values": [str(v) for v in answer.get("values") or []],
                         "text": answer.get("text", "")})  # fmt: skip
        sections.append({"section": section, "rows": rows})
    return sections


@never_cache
def answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = answering.find_invitation(token)
    except DomainError as refused:
        return render(
            request, "surveys/public/closed.html", {"reason": refused.message}, status=410
        )
    error: str | None = None
    saved = answering.saved_answers(invitation)
    if request.method == "POST":
        questions = answering.questions_of(invitation.round)
        raw = raw_answers(request, questions)
        submit = request.POST.get("action") == "submit"
        try:
            answering.answer_online(token, raw, submit=submit)
        except DomainError as exc:
            error = exc.message
            saved = {pk: {"value": v if not isinstance(v, list) else "", "values": v if isinstance(v, list) else [],
                          "text": v if isinstance(v, str) else ""} for pk, v in raw.items()}  # fmt: skip
        else:
            if submit:
                return render(request, "surveys/public/thanks.html", {"invitation": invitation})
            saved = answering.saved_answers(invitation)
            error = ""
    context = {
        "invitation": invitation,
        "round": invitation.round,
        "intro": invitation.round.questionnaire_version.intro,
        "sections": sections_with_answers(invitation, saved),
        "scale": Scale.choices,
        "error": error,
        "saved_draft": request.method == "POST" and error == "",
    }
    return render(request, "surveys/public/answer.html", context, status=400 if error else 200)
