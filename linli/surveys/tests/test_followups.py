"""Comments get return calls and can become tickets; the audit draws and escalates; figures
below target open rectification, followed up by the company."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import make_staff
from linli.core.errors import DomainError
from linli.notify.models import Message
from linli.org.roles import Role
from linli.surveys import answering, draws, followups, services
from linli.surveys.models import AuditCheck, CommentFollowUp, Question, Rectification, SurveyRound
from linli.surveys.testing import bulk_households, make_round
from linli.tickets.models import Category


def questions(round_, kind):
    return list(Question.objects.filter(section__questionnaire_version=round_.questionnaire_version_id, kind=kind)
                .order_by("section__sort", "sort"))  # fmt: skip


def test_every_written_comment_gets_a_return_call_and_can_become_a_ticket(world, round_):
    text = questions(round_, "text")[0]
    invitation = round_.invitations.order_by("pk").first()
    answering.answer_online(
        answering.token_for(invitation), {text.pk: "电梯经常坏，电梯维修太慢"}, submit=True
    )
    follow_up = CommentFollowUp.objects.get()
    assert (follow_up.due_on - follow_up.answer.response.submitted_at.date()).days == 15
    with pytest.raises(DomainError, match="回访结果"):
        followups.record_call(follow_up, actor=world.office_supervisor, result=" ")
    followups.record_call(follow_up, actor=world.office_supervisor, result="已电话说明更换计划")
    ticket = followups.comment_to_ticket(
        follow_up, actor=world.office_supervisor, category=Category.objects.first()
    )
    assert ticket.description == "电梯经常坏，电梯维修太慢" and ticket.room == invitation.room
    with pytest.raises(DomainError, match="已经转为诉求"):
        followups.comment_to_ticket(
            follow_up, actor=world.office_supervisor, category=Category.objects.first()
        )


def test_word_frequencies_count_residents_not_repetitions():
    words = followups.word_frequencies([
        ("工程维修", "电梯经常坏，电梯维修太慢"), ("工程维修", "电梯噪音大"), ("保洁", "楼道不干净"),
    ])  # fmt: skip
    assert ("电梯", 2) in words["工程维修"]
    assert words["保洁"] == []  # nothing said twice


def test_closing_draws_the_audit_and_a_failure_tells_the_gm(
    world, researcher, round_, django_capture_on_commit_callbacks
):
    gm = make_staff("gm", Role.GENERAL_MANAGER)
    scale = questions(round_, "scale")[0]
    rows = list(round_.invitations.order_by("pk"))
    for invitation in rows[:4]:
        answering.answer_online(
            answering.token_for(invitation), {scale.pk: "satisfied"}, submit=True
        )
    for invitation in rows[4:7]:
        answering.key_in(invitation, {scale.pk: "neutral"}, actor=world.office_supervisor)
    services.close_round(round_, actor=researcher)
    checks = AuditCheck.objects.filter(round=round_)
    assert checks.filter(kind="non_return").count() == 3  # of the 3 that did not return, up to 3
    assert checks.filter(kind="keyed").count() == 1  # ⌈10 % × 3⌉
    with pytest.raises(DomainError, match="请写明情况"):
        followups.record_audit(checks.first(), actor=world.office_supervisor, passed=False)
    with django_capture_on_commit_callbacks(execute=True):
        followups.record_audit(
            checks.first(), actor=world.office_supervisor, passed=False, note="住户说没有收到问卷"
        )
    round_.refresh_from_db()
    assert round_.audit_failed
    assert Message.objects.filter(recipient=gm, kind="surveys.audit.failed").exists()
    with pytest.raises(DomainError, match="已经抽取"):
        followups.draw_audit(round_, actor=researcher)


def test_a_figure_below_target_opens_rectification_followed_up_by_the_company(
    world, researcher, round_
):
    scale = questions(round_, "scale")
    rows = list(round_.invitations.order_by("pk"))
    for i, invitation in enumerate(rows[:8]):  # 客户服务 Q1: 6 of 8 satisfied = 75 %; others blank
        answering.answer_online(answering.token_for(invitation), {scale[0].pk: "satisfied" if i < 6 else "neutral"}, submit=True)  # fmt: skip
    services.close_round(round_, actor=researcher)
    items = {r.dimension: r for r in Rectification.objects.filter(round=round_)}
    assert set(items) == {"总体", "客户服务"} and items["客户服务"].rate == Decimal("75.0")
    assert followups.open_rectifications(round_) == 0  # idempotent
    item = items["客户服务"]
    with pytest.raises(DomainError, match="尚未提交"):
        followups.verify(item, actor=researcher, opinion="ok")
    followups.submit_measures(item, actor=world.office_supervisor, measures="前台增加一名接待员")
    followups.verify(item, actor=researcher, opinion="已现场检查")
    item.refresh_from_db()
    assert item.status == Rectification.Status.VERIFIED


def test_the_calendar_sweep_freezes_and_closes(world, researcher):
    import datetime as dt

    from django.utils import timezone

    from linli.surveys.sweeps import rounds_calendar

    bulk_households(world.ch, 3)
    soon = make_round([world.ch], actor=researcher, approver=world.hq_admin, freeze=False,
                      starts_on=timezone.localdate() + dt.timedelta(days=3))  # fmt: skip
    later = make_round([world.ch], actor=researcher, approver=world.hq_admin, freeze=False, name="later",
                       starts_on=timezone.localdate() + dt.timedelta(days=30))  # fmt: skip
    assert rounds_calendar() == "frozen 1, closed 0"
    soon.refresh_from_db()
    later.refresh_from_db()
    assert soon.status == SurveyRound.Status.FROZEN and later.status == SurveyRound.Status.DRAFT
    draws.draw_sample(soon, actor=researcher)
    answering.open_round(soon, actor=researcher)
    SurveyRound.objects.filter(pk=soon.pk).update(
        ends_on=timezone.localdate() - dt.timedelta(days=1)
    )
    assert rounds_calendar() == "frozen 0, closed 1"


def test_retention_removes_old_forms_and_reports(world, researcher, round_, settings, tmp_path):
    import datetime as dt

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from linli.surveys.models import Response, SurveyReport
    from linli.surveys.sweeps import retention

    settings.MEDIA_ROOT = tmp_path
    scale = questions(round_, "scale")[0]
    answering.answer_online(
        answering.token_for(round_.invitations.first()), {scale.pk: "satisfied"}, submit=True
    )
    old = SurveyReport.objects.create(round=round_, status="done")
    old.pdf.save("old.pdf", ContentFile(b"%PDF"), save=True)
    SurveyReport.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=11 * 366)
    )
    assert retention() == "forms and answers deleted 0, reports deleted 1"  # forms: not yet 3 years
    assert not (tmp_path / old.pdf.name).exists()
    SurveyRound.objects.filter(pk=round_.pk).update(
        ends_on=timezone.localdate() - dt.timedelta(days=3 * 366 + 1)
    )
    assert retention().startswith("forms and answers deleted ")
    assert not Response.objects.filter(round=round_).exists()
