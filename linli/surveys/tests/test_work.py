"""Survey items on "my work" and the office board (linli.surveys.work)."""

from __future__ import annotations

import datetime as dt

from linli.core.work import board_sections, my_work_items
from linli.surveys import answering
from linli.surveys.models import CommentFollowUp, Question, Rectification


def _comment(round_, invitation, text: str) -> CommentFollowUp:
    question = Question.objects.filter(
        section__questionnaire_version=round_.questionnaire_version_id, kind="text"
    ).order_by("section__sort", "sort")[0]
    answering.answer_online(answering.token_for(invitation), {question.pk: text}, submit=True)
    return CommentFollowUp.objects.get(answer__text=text)


def _section(user, community):
    return next(s for s in board_sections(user, community.pk) if s.title == "满意度调查")


def test_written_comments_owed_a_call_are_on_my_work(world, round_):
    invitation = round_.invitations.order_by("pk").first()
    follow_up = _comment(round_, invitation, "电梯经常坏，电梯维修太慢" * 5)
    (item,) = [i for i in my_work_items(world.office_supervisor) if i.kind == "survey_comment"]
    assert item.title == ("电梯经常坏，电梯维修太慢" * 5)[:40]
    assert item.subtitle == f"{round_.name} · {invitation.room.code}"
    assert item.link == f"/surveys/rounds/{round_.pk}/comments/"
    assert item.due is not None and item.due.date() == follow_up.due_on
    CommentFollowUp.objects.filter(pk=follow_up.pk).update(done_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))  # fmt: skip
    assert [i for i in my_work_items(world.office_supervisor) if i.kind == "survey_comment"] == []
    assert [i for i in my_work_items(world.hq_supervisor) if i.kind == "survey_comment"] == []


def test_the_board_counts_calls_owed_and_lists_open_rectification(world, round_):
    rows = list(round_.invitations.order_by("pk"))
    late = _comment(round_, rows[0], "停车太难")
    _comment(round_, rows[1], "绿化很好")
    CommentFollowUp.objects.filter(pk=late.pk).update(due_on=dt.date(2020, 1, 1))
    for n, dimension in enumerate(["客户服务", "工程维修", "秩序维护", "环境服务", "收费", "总体"]):
        Rectification.objects.create(
            community=world.ch, round=round_, dimension=dimension, rate=70 + n, target=90,
            due_on=dt.date(2030, 1, 1) + dt.timedelta(days=n),
            status=Rectification.Status.VERIFIED if dimension == "收费" else Rectification.Status.OPEN,
        )  # fmt: skip
    section = _section(world.office_supervisor, world.ch)
    assert section.figure == "意见待回访 2 条，其中超期 1 条"
    assert section.count == 5  # six, one verified
    assert [i.title for i in section.items] == [
        "客户服务 满意率 70.0%，目标 90.0%", "工程维修 满意率 71.0%，目标 90.0%",
        "秩序维护 满意率 72.0%，目标 90.0%", "环境服务 满意率 73.0%，目标 90.0%",
        "总体 满意率 75.0%，目标 90.0%",
    ]  # fmt: skip
    assert section.items[0].subtitle == round_.name
    assert section.items[0].link == "/surveys/rectifications/"
    Rectification.objects.create(
        community=world.jg, round=round_, dimension="总体", rate=60, target=90,
        due_on=dt.date(2030, 1, 1), status=Rectification.Status.OPEN,
    )  # fmt: skip
    other = _section(world.office_supervisor, world.jg)  # the office sees its own only
    assert other.count == 0 and other.figure == "意见待回访 0 条，其中超期 0 条"
