"""Every survey URL in the permission matrix: another community → 404, missing permission → 403."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import make_staff
from linli.core.testing import Endpoint, case_id, permission_matrix
from linli.org.roles import Perm
from linli.surveys import answering, draws
from linli.surveys.models import Invitation, QuestionnaireVersion, SurveyPlan, SurveyRound
from linli.surveys.testing import bulk_households, make_round, standard_version

V, PLAN, OFFICE, APPROVE, DESIGN, KEY = (
    Perm.SURVEYS_VIEW, Perm.SURVEYS_PLAN, Perm.SURVEYS_OFFICE_PLAN, Perm.SURVEYS_APPROVE,
    Perm.SURVEYS_DESIGN, Perm.SURVEYS_KEY_IN,
)  # fmt: skip
MOVED = frozenset({302})


def _round(world: Any, status: str = SurveyRound.Status.OPEN) -> SurveyRound:
    """An office round of CH (office plan), opened, with ten households."""
    existing = SurveyRound.objects.filter(community=world.ch, status=status).first()
    if existing:
        return existing
    bulk_households(world.ch, 10)
    round_ = make_round([world.ch], actor=world.office_supervisor, approver=world.hq_admin,
                        method=SurveyRound.Method.CENSUS, freeze=status != SurveyRound.Status.DRAFT,
                        name=f"matrix-{status}", office=True)  # fmt: skip
    if status == SurveyRound.Status.OPEN:
        draws.draw_sample(round_, actor=world.office_supervisor, seed=1)
        answering.open_round(round_, actor=world.office_supervisor)
    round_.refresh_from_db()
    return round_


def _plan(world: Any) -> SurveyPlan:
    return _round(world).plan


def _draft_plan(world: Any) -> SurveyPlan:
    return SurveyPlan.objects.create(community=world.ch, year=2026, title="草稿方案", purpose="x",
                                     created_by=world.office_supervisor)  # fmt: skip


def _invitation(world: Any) -> Invitation:
    return _round(world).invitations.order_by("pk").first()  # type: ignore[return-value]


def _draft_version(world: Any) -> QuestionnaireVersion:
    from linli.surveys import services

    researcher = make_staff(
        f"researcher{QuestionnaireVersion.objects.count()}", "survey_researcher"
    )
    return services.new_version(standard_version(), actor=researcher)


def _round_post(world: Any) -> dict[str, Any]:
    return {"name": "补充轮次", "communities": [world.ch.pk], "questionnaire_version": standard_version().pk,
            "method": "census", "strata": "community", "channels": ["paper"],
            "starts_on": "2026-12-10", "ends_on": "2026-12-20"}  # fmt: skip


def _closed(world: Any) -> SurveyRound:
    """A closed office round of CH with a comment, an audit and a rectification."""
    from linli.surveys import services
    from linli.surveys.models import Question

    existing = SurveyRound.objects.filter(
        community=world.ch, status=SurveyRound.Status.CLOSED
    ).first()
    if existing:
        return existing
    round_ = _round(world)
    text = Question.objects.get(
        section__questionnaire_version=round_.questionnaire_version_id, kind="text"
    )
    scale = Question.objects.filter(
        section__questionnaire_version=round_.questionnaire_version_id, kind="scale"
    ).first()
    invitation = round_.invitations.order_by("pk").last()
    answering.answer_online(
        answering.token_for(invitation), {text.pk: "电梯太慢", scale.pk: "neutral"}, submit=True
    )  # type: ignore[union-attr]
    services.close_round(round_, actor=world.office_supervisor)
    round_.refresh_from_db()
    return round_


def _comment(world: Any) -> Any:
    from linli.surveys.models import CommentFollowUp

    return CommentFollowUp.objects.get(round=_closed(world))


def _audit(world: Any) -> Any:
    from linli.surveys.models import AuditCheck

    return AuditCheck.objects.filter(round=_closed(world)).first()


def _rectification(world: Any) -> Any:
    from linli.surveys.models import Rectification

    return Rectification.objects.filter(round=_closed(world)).first()


def _report(world: Any) -> Any:
    """A finished office report of CH (its files are small stand-ins: this tests access only)."""
    from django.core.files.base import ContentFile

    from linli.surveys.models import SurveyReport

    report = SurveyReport.objects.filter(community=world.ch).first()
    if report is None:
        report = SurveyReport.objects.create(
            round=_closed(world), community=world.ch, status=SurveyReport.Status.DONE
        )
        report.pdf.save("matrix.pdf", ContentFile(b"%PDF-1.7 matrix"), save=False)
        report.docx.save("matrix.docx", ContentFile(b"PK matrix"), save=True)
    return report


OUTLINE = {"name": "测试问卷", "outline": "# 客户服务 [service]\n前台接待\n"}

ENDPOINTS = [
    Endpoint("home", "/surveys/", permission=V),
    Endpoint("plan-new", "/surveys/plans/new/", permission=PLAN),
    Endpoint("plan-new-post", "/surveys/plans/new/", method="post", permission=PLAN, ok=MOVED,
             data={"year": 2026, "title": "2026 年度客户调查方案", "purpose": "了解满意度"}),
    Endpoint("office-plan-new", "/surveys/plans/new/office/", permission=OFFICE),
    Endpoint("office-plan-new-post", "/surveys/plans/new/office/", method="post", permission=OFFICE, scoped=True, ok=MOVED,
             data=lambda w: {"year": 2026, "title": "翠湖苑管理处调查方案", "purpose": "了解满意度", "community": w.ch.pk}),
    Endpoint("plan", lambda w: f"/surveys/plans/{_plan(w).pk}/", permission=V, scoped=True),
    Endpoint("plan-submit", lambda w: f"/surveys/plans/{_draft_plan(w).pk}/submit/", method="post", permission=OFFICE, scoped=True, ok=MOVED),
    Endpoint("plan-decide", lambda w: f"/surveys/plans/{_draft_plan(w).pk}/decide/", method="post", permission=APPROVE, scoped=True, ok=MOVED,
             data={"decision": "approve"}),
    Endpoint("round-new", lambda w: f"/surveys/plans/{_draft_plan(w).pk}/rounds/new/", permission=OFFICE, scoped=True),
    Endpoint("round-new-post", lambda w: f"/surveys/plans/{_draft_plan(w).pk}/rounds/new/", method="post", permission=OFFICE,
             scoped=True, ok=MOVED, data=_round_post),
    Endpoint("round", lambda w: f"/surveys/rounds/{_round(w).pk}/", permission=V, scoped=True),
    Endpoint("round-edit", lambda w: f"/surveys/rounds/{_round(w, SurveyRound.Status.DRAFT).pk}/edit/", permission=OFFICE, scoped=True),
    Endpoint("round-action", lambda w: f"/surveys/rounds/{_round(w).pk}/do/remind/", method="post", permission=OFFICE, scoped=True, ok=MOVED),
    Endpoint("sample", lambda w: f"/surveys/rounds/{_round(w).pk}/sample/", permission=V, scoped=True),
    Endpoint("sample-export", lambda w: f"/surveys/rounds/{_round(w).pk}/sample/?export=xlsx", permission=V, scoped=True),
    Endpoint("paper-forms", lambda w: f"/surveys/rounds/{_round(w).pk}/paper.pdf", permission=V, scoped=True),
    Endpoint("results", lambda w: f"/surveys/rounds/{_round(w).pk}/results/", permission=V, scoped=True),
    Endpoint("key-in", lambda w: f"/surveys/rounds/{_round(w).pk}/key-in/", permission=KEY, scoped=True),
    Endpoint("key-in-post", lambda w: f"/surveys/rounds/{_round(w).pk}/key-in/", method="post", permission=KEY, scoped=True, ok=MOVED,
             data=lambda w: {"invitation": _invitation(w).pk}),
    Endpoint("approve-phone", lambda w: f"/surveys/invitations/{_invitation(w).pk}/phone/", method="post", permission=OFFICE, scoped=True, ok=MOVED),
    Endpoint("comments", lambda w: f"/surveys/rounds/{_closed(w).pk}/comments/", permission=V, scoped=True),
    Endpoint("comment-call", lambda w: f"/surveys/comments/{_comment(w).pk}/call/", method="post", permission=KEY, scoped=True, ok=MOVED,
             data={"result": "已回电"}),
    Endpoint("comment-ticket", lambda w: f"/surveys/comments/{_comment(w).pk}/ticket/", method="post", permission=Perm.TICKETS_CREATE,
             scoped=True, ok=MOVED, data=lambda w: {"category": __import__("linli.tickets.models", fromlist=["Category"]).Category.objects.first().pk}),
    Endpoint("audits", lambda w: f"/surveys/rounds/{_closed(w).pk}/audits/", permission=V, scoped=True),
    Endpoint("audit-record", lambda w: f"/surveys/audits/{_audit(w).pk}/", method="post", permission=KEY, scoped=True, ok=MOVED,
             data={"result": "passed"}),
    Endpoint("rectifications", "/surveys/rectifications/", permission=V),
    Endpoint("rectification-update", lambda w: f"/surveys/rectifications/{_rectification(w).pk}/", method="post", permission=V,
             scoped=True, ok=MOVED, data={"measures": "加强培训"}),
    Endpoint("reports", lambda w: f"/surveys/rounds/{_closed(w).pk}/reports/", permission=V, scoped=True),
    Endpoint("report-start", lambda w: f"/surveys/rounds/{_closed(w).pk}/reports/start/", method="post", permission=OFFICE,
             scoped=True, ok=MOVED, data=lambda w: {"community": w.ch.pk}),
    Endpoint("report-status", lambda w: f"/surveys/reports/{_report(w).pk}/", permission=V, scoped=True),
    Endpoint("report-download", lambda w: f"/surveys/reports/{_report(w).pk}/pdf/", permission=V, scoped=True),
    Endpoint("questionnaires", "/surveys/questionnaires/", permission=V),
    Endpoint("questionnaire-new", "/surveys/questionnaires/new/", permission=DESIGN),
    Endpoint("questionnaire-new-post", "/surveys/questionnaires/new/", method="post", permission=DESIGN, data=OUTLINE, ok=MOVED),
    Endpoint("questionnaire-import", "/surveys/questionnaires/import/", method="post", permission=DESIGN, ok=MOVED),
    Endpoint("version", lambda w: f"/surveys/versions/{standard_version().pk}/", permission=V),
    Endpoint("version-edit", lambda w: f"/surveys/versions/{_draft_version(w).pk}/edit/", permission=DESIGN),
    Endpoint("version-copy", lambda w: f"/surveys/versions/{standard_version().pk}/copy/", method="post", permission=DESIGN, ok=MOVED),
    Endpoint("version-approve", lambda w: f"/surveys/versions/{_draft_version(w).pk}/approve/", method="post", permission=APPROVE, ok=MOVED),
    Endpoint("version-export", lambda w: f"/surveys/versions/{standard_version().pk}/export/", permission=V),
    Endpoint("answer", lambda w: f"/s/{answering.token_for(_invitation(w))}/", public=True),
]  # fmt: skip


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize("case", permission_matrix(ENDPOINTS), ids=case_id)
def test_survey_urls_respect_scope_and_permissions(case, client, world):
    assert case.actual(client, world) in case.expected()


def test_an_office_sees_only_its_own_households_of_a_company_round(client, world):
    researcher = make_staff("researcher", "survey_researcher")
    bulk_households(world.ch, 5)
    bulk_households(world.jg, 7)
    round_ = make_round(
        [world.ch, world.jg],
        actor=researcher,
        approver=world.hq_admin,
        method=SurveyRound.Method.CENSUS,
    )
    draws.draw_sample(round_, actor=researcher)
    client.force_login(world.outsider)
    response = client.get(f"/surveys/rounds/{round_.pk}/")
    assert [r.label for r in response.context["per"]] == ["金桂园"]
    assert response.context["total"].sample == 7
    sample = client.get(f"/surveys/rounds/{round_.pk}/sample/").context["page"]
    assert {i.community.code for i in sample} == {"JG"}
    client.force_login(world.hq_supervisor)
    response = client.get(f"/surveys/rounds/{round_.pk}/")
    assert [r.label for r in response.context["per"]] == ["翠湖苑", "金桂园"]
    assert response.context["total"].sample == 12
