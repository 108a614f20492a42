"""Issuing, answering through one-time links, keying paper forms, phone cap, and the scores of
the hand-computed example read back from the database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import make_staff
from linli.core.errors import DomainError
from linli.notify.models import Message
from linli.surveys import answering, draws, results
from linli.surveys.models import Invitation, Question, SurveyRound
from linli.surveys.testing import bulk_households, make_round, open_census_round


@pytest.fixture
def opened(world, researcher):
    return open_census_round(world, researcher, households=6)


def scale(round_, n):
    return list(Question.objects.filter(section__questionnaire_version=round_.questionnaire_version_id,
                                        kind="scale").order_by("section__sort", "sort"))[n]  # fmt: skip


def test_opening_issues_every_invitation_and_queues_one_sms_each(opened):
    assert opened.status == SurveyRound.Status.OPEN
    assert opened.invitations.filter(status=Invitation.Status.ISSUED).count() == 6
    sms = Message.objects.filter(kind=answering.INVITATION_KIND)
    assert sms.count() == 6
    invitation = opened.invitations.first()
    assert answering.answer_path(invitation) in sms.get(address=invitation.customer.mobile).body


def test_a_link_answers_once_and_then_refuses(opened):
    invitation = opened.invitations.first()
    token = answering.token_for(invitation)
    q1 = scale(opened, 0)
    answering.answer_online(token, {q1.pk: "satisfied"}, submit=False)  # a draft, kept
    assert answering.saved_answers(invitation)[q1.pk]["value"] == "satisfied"
    answering.answer_online(token, {q1.pk: "very_satisfied"}, submit=True)
    with pytest.raises(DomainError, match="已经提交"):
        answering.answer_online(token, {q1.pk: "dissatisfied"}, submit=True)
    with pytest.raises(DomainError, match="已经提交"):
        answering.find_invitation(token)
    assert results.score_round(opened)[""].questions[0].tally.counts["very_satisfied"] == 1


def test_bad_answers_are_refused_and_nothing_is_saved(opened):
    invitation = opened.invitations.first()
    token = answering.token_for(invitation)
    with pytest.raises(DomainError, match="五级满意度"):
        answering.answer_online(token, {scale(opened, 0).pk: "great"}, submit=True)
    with pytest.raises(DomainError, match="没有编号"):
        answering.answer_online(token, {999999: "satisfied"}, submit=True)
    with pytest.raises(DomainError, match="链接无效"):
        answering.find_invitation("not-a-token")
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ISSUED
    assert answering.saved_answers(invitation) == {}


def test_the_hand_computed_example_from_the_database(opened):
    """Six households: four return (one blank item each in Q2 and Q3), two never answer."""
    q1, q2, q3 = scale(opened, 0), scale(opened, 1), scale(opened, 4)  # Q3 is in 秩序维护
    Question.objects.filter(pk=q3.pk).update(weight=2)  # as if the questionnaire weighed it double
    forms = [
        {q1.pk: "very_satisfied", q2.pk: "neutral", q3.pk: "satisfied"},
        {q1.pk: "satisfied", q2.pk: "", q3.pk: "dissatisfied"},
        {q1.pk: "dissatisfied", q2.pk: "fairly_satisfied"},
        {q1.pk: "fairly_satisfied", q2.pk: "satisfied", q3.pk: "satisfied"},
    ]
    for invitation, form in zip(opened.invitations.order_by("pk"), forms, strict=False):
        answering.answer_online(answering.token_for(invitation), form, submit=True)
    result = results.score_round(opened)[""]
    assert result.returned == 4
    by_id = {r.question.pk: r for r in result.questions}
    assert [by_id[q.pk].percent for q in (q1, q2, q3)] == [
        Decimal("75.0"),
        Decimal("66.7"),
        Decimal("66.7"),
    ]
    assert by_id[q2.pk].tally.abstained == 1
    assert result.dimensions["客户服务"].percent == Decimal("71.4")  # 5 of 7
    assert result.dimensions["秩序维护"].percent == Decimal("66.7")  # 4 of 6 (weight 2)
    assert result.overall.percent == Decimal("69.2")  # (3 + 2 + 2·2) / (4 + 3 + 2·3) = 9/13
    _per, total = results.rates(opened)
    assert (total.sample, total.issued, total.returned, total.return_rate) == (
        6,
        6,
        4,
        Decimal("66.7"),
    )


def test_paper_forms_with_the_double_entry_check(world, opened):
    clerk, checker = (
        make_staff("clerk", "data_officer", world.ch),
        make_staff("checker", "data_officer", world.ch),
    )
    invitation = opened.invitations.first()
    q1, q2 = scale(opened, 0), scale(opened, 1)
    answering.key_in(invitation, {q1.pk: "satisfied", q2.pk: "neutral"}, actor=clerk, paper_number="P-001", double_entry=True)  # fmt: skip
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ISSUED  # waits for the second keying
    with pytest.raises(DomainError, match="第 2 题"):
        answering.key_in(
            invitation, {q1.pk: "satisfied", q2.pk: "satisfied"}, actor=checker, double_entry=True
        )
    response = answering.key_in(
        invitation, {q1.pk: "satisfied", q2.pk: "neutral"}, actor=checker, double_entry=True
    )
    assert response.checked_by == checker and response.submitted_at is not None
    with pytest.raises(DomainError, match="不能重复录入"):
        answering.key_in(invitation, {q1.pk: "satisfied"}, actor=clerk)


def test_phone_interviews_need_approval_and_stay_within_the_share(world, researcher):
    bulk_households(world.ch, 100)
    round_ = make_round(
        [world.ch], actor=researcher, approver=world.hq_admin, method=SurveyRound.Method.CENSUS
    )
    draws.draw_sample(round_, actor=researcher)
    answering.open_round(round_, actor=researcher)
    invitations = list(round_.invitations.order_by("pk")[:6])
    with pytest.raises(DomainError, match="主管批准"):
        answering.key_in(invitations[0], {}, actor=world.office_supervisor, phone=True)
    for invitation in invitations[:5]:  # 5 % of 100
        answering.approve_phone(invitation, actor=world.office_supervisor)
    with pytest.raises(DomainError, match="已达上限"):
        answering.approve_phone(invitations[5], actor=world.office_supervisor)
    answering.key_in(invitations[0], {}, actor=world.office_supervisor, phone=True)
    assert round_.invitations.get(pk=invitations[0].pk).channel == Invitation.Channel.PHONE
