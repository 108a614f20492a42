"""《客户调研报告》: generated in the background with progress, as a PDF with embedded Chinese
fonts and charts and as a Word file with the issue/return table; distributed and downloadable."""

from __future__ import annotations

import io
import subprocess

import pytest
from docx import Document

from conftest import make_staff
from linli.core.errors import DomainError
from linli.notify.models import Message
from linli.org.roles import Role
from linli.surveys import answering, draws, reports, services
from linli.surveys.models import Question, SurveyReport, SurveyRound
from linli.surveys.testing import bulk_households, make_round


@pytest.fixture
def closed(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    researcher = make_staff("researcher", "survey_researcher")
    bulk_households(world.ch, 12)
    bulk_households(world.jg, 8)
    round_ = make_round(
        [world.ch, world.jg],
        actor=researcher,
        approver=world.hq_admin,
        method=SurveyRound.Method.CENSUS,
    )
    draws.draw_sample(round_, actor=researcher)
    answering.open_round(round_, actor=researcher)
    scale = list(
        Question.objects.filter(
            section__questionnaire_version=round_.questionnaire_version_id, kind="scale"
        )
    )
    text = Question.objects.get(
        section__questionnaire_version=round_.questionnaire_version_id, kind="text"
    )
    for n, invitation in enumerate(round_.invitations.order_by("pk")[:15]):
        form = {q.pk: "satisfied" if (n + q.pk) % 7 else "dissatisfied" for q in scale}
        if n % 4 == 0:
            form[text.pk] = "电梯维修太慢，希望尽快解决"
        answering.answer_online(answering.token_for(invitation), form, submit=True)
    services.close_round(round_, actor=researcher)
    round_.refresh_from_db()
    return round_, researcher


def test_the_company_report_as_pdf_and_word(world, closed, django_capture_on_commit_callbacks):
    round_, researcher = closed
    gm = make_staff("gm", Role.GENERAL_MANAGER)
    report = reports.start(round_, actor=researcher, enqueue=False)
    with django_capture_on_commit_callbacks(execute=True):
        report = reports.generate(report.pk)
    assert report.status == SurveyReport.Status.DONE, report.error
    assert report.progress == 100 and report.seconds is not None
    pdf = report.pdf.read()
    assert pdf.startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    for words in (
        "一、调查概况",
        "发放/回收一览表",
        "翠湖苑",
        "金桂园",
        "客户意见调查统计表",
        "电梯维修太慢",
    ):
        assert words in text, words
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True).stdout.decode()
    if not fonts:  # older poppler cannot read stdin
        path = report.pdf.path
        fonts = subprocess.run(["pdffonts", path], capture_output=True, check=True).stdout.decode()
    assert "Noto-Sans-CJK" in fonts
    images = subprocess.run(
        ["pdfimages", "-list", report.pdf.path], capture_output=True, check=True
    ).stdout.decode()
    assert len(images.strip().splitlines()) >= 4  # header lines + at least two charts
    document = Document(io.BytesIO(report.docx.read()))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:3] == ["一、调查概况", "二、调查方法与样本", "三、调查结果"]
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells][:3] == ["小区", "样本户", "已发放"]
    assert table.rows[-1].cells[0].text == "合计" and table.rows[-1].cells[1].text == "20"
    assert len(document.inline_shapes) >= 2
    round_.refresh_from_db()
    assert round_.status == SurveyRound.Status.REPORTED
    assert Message.objects.filter(recipient=gm, kind="surveys.report").exists()


def test_an_office_report_holds_only_the_office(world, closed):
    round_, _researcher = closed
    report = reports.generate(
        reports.start(round_, actor=world.office_supervisor, community=world.ch, enqueue=False).pk
    )
    text = subprocess.run(
        ["pdftotext", report.pdf.path, "-"], capture_output=True, check=True
    ).stdout.decode()
    assert "翠湖苑" in text and "金桂园" not in text


def test_a_report_needs_a_closed_round_and_is_not_started_twice(world, closed):
    round_, researcher = closed
    reports.start(round_, actor=researcher, enqueue=False)
    with pytest.raises(DomainError, match="正在生成"):
        reports.start(round_, actor=researcher, enqueue=False)
    with pytest.raises(DomainError):
        reports.start(round_, actor=world.steward, enqueue=False)


def test_download_is_scoped(client, world, closed):
    round_, researcher = closed
    company = reports.generate(reports.start(round_, actor=researcher, enqueue=False).pk)
    office = reports.generate(
        reports.start(round_, actor=world.office_supervisor, community=world.ch, enqueue=False).pk
    )
    client.force_login(world.office_supervisor)
    assert client.get(f"/surveys/reports/{company.pk}/pdf/").status_code == 404
    response = client.get(f"/surveys/reports/{office.pk}/docx/")
    assert response.status_code == 200 and b"".join(response.streaming_content)[:2] == b"PK"
    client.force_login(world.outsider)
    assert client.get(f"/surveys/reports/{office.pk}/pdf/").status_code == 404
