"""The survey pages end to end: plan → round → approval → freeze → draw → open → answers →
results on screen; questionnaires through the outline editor, export and import."""

from __future__ import annotations

import io
import json

from openpyxl import load_workbook

from linli.surveys import answering
from linli.surveys.models import Invitation, Question, QuestionnaireVersion, SurveyPlan, SurveyRound
from linli.surveys.testing import bulk_households, standard_version


def test_the_whole_round_through_the_pages(client, world, researcher):
    bulk_households(world.ch, 6)
    client.force_login(researcher)
    response = client.post(
        "/surveys/plans/new/",
        {"year": 2026, "title": "2026 年度客户调查方案", "purpose": "了解满意度"},
    )
    plan = SurveyPlan.objects.get()
    assert response.url == f"/surveys/plans/{plan.pk}/"
    response = client.post(f"/surveys/plans/{plan.pk}/rounds/new/", {
        "name": "12 月满意度调查", "communities": [world.ch.pk], "questionnaire_version": standard_version().pk,
        "method": "census", "strata": "community", "channels": ["link", "paper"],
        "starts_on": "2026-12-10", "ends_on": "2026-12-31"})  # fmt: skip
    round_ = SurveyRound.objects.get()
    assert response.url == f"/surveys/rounds/{round_.pk}/"
    # freezing before approval is refused with a message
    client.post(f"/surveys/rounds/{round_.pk}/do/freeze/")
    round_.refresh_from_db()
    assert round_.status == SurveyRound.Status.DRAFT
    client.post(f"/surveys/plans/{plan.pk}/submit/")
    client.force_login(world.hq_admin)
    client.post(f"/surveys/plans/{plan.pk}/decide/", {"decision": "approve"})
    client.force_login(researcher)
    for action in ("freeze", "draw", "open"):
        client.post(f"/surveys/rounds/{round_.pk}/do/{action}/")
    round_.refresh_from_db()
    assert round_.status == SurveyRound.Status.OPEN and round_.invitations.count() == 6
    # the residents answer: 4 of 6 return, with blanks (the hand-computed example)
    questions = list(Question.objects.filter(section__questionnaire_version=round_.questionnaire_version_id, kind="scale").order_by("section__sort", "sort"))  # fmt: skip
    q1, q2 = questions[0], questions[1]
    forms = [{q1.pk: "very_satisfied", q2.pk: "neutral"}, {q1.pk: "satisfied"},
             {q1.pk: "dissatisfied", q2.pk: "fairly_satisfied"}, {q1.pk: "fairly_satisfied", q2.pk: "satisfied"}]  # fmt: skip
    client.logout()
    for invitation, form in zip(round_.invitations.order_by("pk"), forms, strict=False):
        post = {f"q{pk}": value for pk, value in form.items()} | {"action": "submit"}
        response = client.post(f"/s/{answering.token_for(invitation)}/", post)
        assert "提交成功" in response.content.decode()
    client.force_login(researcher)
    page = client.get(f"/surveys/rounds/{round_.pk}/results/")
    body = page.content.decode()
    assert ">75.0%<" in body  # Q1: 3 of 4
    assert ">66.7%<" in body  # Q2: 2 of 3 (one blank)
    assert str(page.context["overall"].dimensions["客户服务"].percent) == "71.4"  # 5 of 7
    detail = client.get(f"/surveys/rounds/{round_.pk}/").context
    assert (detail["total"].returned, str(detail["total"].return_rate)) == (4, "66.7")


def test_a_refused_answer_keeps_what_was_typed(client, world, researcher):
    from linli.surveys import draws
    from linli.surveys.testing import make_round

    bulk_households(world.ch, 2)
    round_ = make_round([world.ch], actor=researcher, approver=world.hq_admin, method="census")
    draws.draw_sample(round_, actor=researcher)
    answering.open_round(round_, actor=researcher)
    invitation = round_.invitations.first()
    text = Question.objects.get(
        section__questionnaire_version=round_.questionnaire_version_id, kind="text"
    )
    response = client.post(
        f"/s/{answering.token_for(invitation)}/",
        {f"q{text.pk}": "电梯太慢", "q999999": "x", "action": "save"},
    )
    assert response.status_code == 200 and "已暂存" in response.content.decode()
    assert answering.saved_answers(invitation)[text.pk]["text"] == "电梯太慢"
    gone = client.get("/s/unknown-token/")
    assert gone.status_code == 410 and "链接无效" in gone.content.decode()


def test_sample_export_is_masked_and_stamped(client, world, researcher):
    from linli.surveys import draws
    from linli.surveys.testing import make_round

    bulk_households(world.ch, 3)
    round_ = make_round([world.ch], actor=researcher, approver=world.hq_admin, method="census")
    draws.draw_sample(round_, actor=researcher)
    client.force_login(researcher)
    response = client.get(f"/surveys/rounds/{round_.pk}/sample/?export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[3][:3] == ("小区", "房号", "受访人")
    data = [r for r in rows[4:] if r[0] == "翠湖苑"]
    assert len(data) == 3 and all("****" in r[3] for r in data)
    assert "researcher" in rows[1][0] and "researcher" in rows[-1][0]


def test_questionnaire_outline_edit_export_import(client, world, researcher):
    client.force_login(researcher)
    bad = client.post("/surveys/questionnaires/new/", {"name": "测试", "outline": "前台接待\n"})
    assert "第 1 行" in bad.content.decode()
    outline = "> 您好\n# 客户服务 [service]\n!前台接待（权重 2）\n单选：推荐吗？ | 愿意 | 不愿意\n文字：意见\n"
    response = client.post("/surveys/questionnaires/new/", {"name": "测试问卷", "outline": outline})
    version = QuestionnaireVersion.objects.get(questionnaire__name="测试问卷")
    assert response.url == f"/surveys/versions/{version.pk}/"
    questions = list(
        Question.objects.filter(section__questionnaire_version=version).order_by("sort")
    )
    assert [(q.kind, q.required, str(q.weight)) for q in questions] == [
        ("scale", True, "2.00"),
        ("single", False, "1.00"),
        ("text", False, "1.00"),
    ]
    exported = client.get(f"/surveys/versions/{version.pk}/export/").content
    data = json.loads(exported)
    assert (
        data["format"] == "linli-questionnaire/1" and data["sections"][0]["dimension"] == "service"
    )
    upload = io.BytesIO(exported)
    upload.name = "q.json"
    client.post("/surveys/questionnaires/import/", {"file": upload})
    assert QuestionnaireVersion.objects.filter(questionnaire__name="测试问卷").count() == 2
    # the used standard version cannot be edited; a copy can
    standard = standard_version()
    QuestionnaireVersion.objects.filter(pk=standard.pk).update(locked_at="2026-01-01T00:00:00Z")
    assert client.get(f"/surveys/versions/{standard.pk}/edit/").status_code == 302
    client.post(f"/surveys/versions/{standard.pk}/copy/")
    assert QuestionnaireVersion.objects.filter(
        questionnaire=standard.questionnaire, number=2, status="draft"
    ).exists()


def test_key_in_double_entry_through_the_page(client, world, researcher):
    from linli.surveys import draws
    from linli.surveys.testing import make_round

    bulk_households(world.ch, 2)
    round_ = make_round([world.ch], actor=researcher, approver=world.hq_admin, method="census")
    draws.draw_sample(round_, actor=researcher)
    answering.open_round(round_, actor=researcher)
    invitation = round_.invitations.select_related("room").first()
    q1 = Question.objects.filter(section__questionnaire_version=round_.questionnaire_version_id, kind="scale").order_by("section__sort", "sort").first()  # fmt: skip
    client.force_login(world.office_supervisor)
    found = client.get(
        f"/surveys/rounds/{round_.pk}/key-in/", {"room": invitation.room.code.lower()}
    )
    assert found.context["invitation"] == invitation
    post = {"invitation": invitation.pk, "double_entry": "1", f"q{q1.pk}": "satisfied"}
    client.post(f"/surveys/rounds/{round_.pk}/key-in/", post)
    client.force_login(world.office_manager)
    refused = client.post(f"/surveys/rounds/{round_.pk}/key-in/", post | {f"q{q1.pk}": "neutral"})
    assert refused.status_code == 400 and "第 1 题" in refused.content.decode()
    client.post(f"/surveys/rounds/{round_.pk}/key-in/", post)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.RETURNED


def test_paper_forms_carry_the_number_and_a_working_qr_link(client, world, researcher):
    import subprocess

    from linli.surveys import draws
    from linli.surveys.paper import paper_number
    from linli.surveys.testing import make_round

    bulk_households(world.ch, 2, mobile=False)  # no mobile → paper
    round_ = make_round([world.ch], actor=researcher, approver=world.hq_admin, method="census")
    draws.draw_sample(round_, actor=researcher)
    answering.open_round(round_, actor=researcher)
    client.force_login(world.office_supervisor)
    response = client.get(f"/surveys/rounds/{round_.pk}/paper.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    invitation = round_.invitations.order_by("pk").first()
    assert (
        paper_number(invitation) in text
        and invitation.room.code in text
        and "扫码在手机上填写" in text
    )
    assert text.count("问卷编号") == 2


def test_a_new_round_starts_from_the_policy_months_and_names_its_staff(client, world, researcher):
    from linli.surveys.models import SurveyPlan

    plan = SurveyPlan.objects.create(
        year=2026, title="2026 年度客户调查方案", purpose="x", created_by=researcher
    )
    client.force_login(researcher)
    form = client.get(f"/surveys/plans/{plan.pk}/rounds/new/").context["form"]
    assert (
        form.initial["starts_on"].month == 5
        and form.initial["questionnaire_version"] == standard_version()
    )
    client.post(f"/surveys/plans/{plan.pk}/rounds/new/", {
        "name": "5 月", "communities": [world.ch.pk], "questionnaire_version": standard_version().pk, "method": "formula",
        "strata": "community", "channels": ["link"], "starts_on": "2026-05-10", "ends_on": "2026-05-30",
        "staff": [world.office_supervisor.pk]})  # fmt: skip
    assert list(SurveyRound.objects.get().staff.all()) == [world.office_supervisor]
    second = client.get(f"/surveys/plans/{plan.pk}/rounds/new/").context["form"]
    assert second.initial["starts_on"].month == 11  # May is taken: the next policy month
