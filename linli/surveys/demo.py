"""Demo surveys: the company's 2025 and 2026 plans with two past rounds answered (November 2025,
May 2026), so the results show a trend, comments, audits and rectification; and the November
2026 round open now. Deterministic for a seed; answers are written in bulk."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from linli.org.models import Community, Staff
from linli.org.roles import Role
from linli.surveys import answering, draws, followups, services
from linli.surveys.models import (
    Answer,
    CommentFollowUp,
    Invitation,
    Question,
    QuestionnaireVersion,
    Response,
    SurveyPlan,
    SurveyRound,
)
from linli.surveys.scoring import SCALE

COMMENTS = {
    "客户服务": [
        "前台接待态度很好，办事也快",
        "报修后等了两天才有人来",
        "管家经常不在办公室，找不到人",
        "希望投诉处理后能及时告知结果",
    ],
    "秩序维护": [
        "晚上巡逻能不能多几次",
        "外来车辆随便进出，门岗要管严一点",
        "地下车库乱停车严重",
        "保安很负责，感谢",
    ],
    "保洁": [
        "楼道卫生不错",
        "电梯里有异味，希望每天消毒",
        "垃圾清运不及时，夏天味道很大",
        "垃圾分类点太脏了",
    ],
    "绿化": ["绿化修剪及时，小区很漂亮", "草坪被踩坏了没人补种", "希望多种些开花的植物"],
    "工程维修": [
        "电梯经常停运，电梯维修太慢",
        "维修师傅技术好",
        "楼道灯坏了很久没人修",
        "电梯噪音大，希望检修",
    ],
    "收费": ["物业费收支希望公开", "缴费可以用微信很方便", "停车费太贵"],
    "社区文化": ["希望多组织老人活动", "儿童游乐设施太少", "中秋活动办得很好"],
}
# Each community's tendency per dimension: the chance of a satisfied answer (so results differ).
LEANING = {
    "CH": {"工程维修": 0.78, "收费": 0.85},
    "JG": {"秩序维护": 0.84, "保洁": 0.86},
    "XY": {"客户服务": 0.87},
}
DEFAULT_LEANING = 0.93


def load_demo(seed: int = 2026) -> dict[str, int]:
    if SurveyRound.objects.exists() or not Community.objects.exists():
        return {}
    researcher = (
        Staff.objects.filter(role=Role.SURVEY_RESEARCHER, is_active=True)
        .order_by("username")
        .first()
    )
    approver = Staff.objects.filter(role=Role.GENERAL_MANAGER, is_active=True).first()
    if researcher is None or approver is None:
        return {}
    communities = list(Community.objects.order_by("code"))
    version = QuestionnaireVersion.objects.get(questionnaire__is_template=True, number=1)
    today = timezone.localdate()
    counts = {"rounds": 0, "responses": 0, "comments": 0}
    for number, (starts, ends, close) in enumerate(
        [
            (dt.date(today.year - 1, 11, 10), dt.date(today.year - 1, 11, 30), True),
            (dt.date(today.year, 5, 11), dt.date(today.year, 5, 31), True),
            (today - dt.timedelta(days=3), today + dt.timedelta(days=17), False),
        ]
    ):
        rng = random.Random(f"{seed}-survey-{number}")
        with transaction.atomic():
            round_ = _round(starts, ends, researcher, approver, communities, version, seed + number)
            answered = _answer(round_, rng, share=0.86 if close else 0.35, improve=0.02 * number)
            counts["responses"] += answered
            if close:
                services.close_round(round_, actor=None)
                SurveyRound.objects.filter(pk=round_.pk).update(status=SurveyRound.Status.REPORTED)
                _followed_up(round_, settled=number == 0)
            counts["rounds"] += 1
    counts["comments"] = CommentFollowUp.objects.count()
    return counts


MEASURES = {
    "工程维修": "电梯维保单位每月例会通报故障，报修 30 分钟内到场，维修结果当天回访。",
    "收费": "每季度在公告栏和业主端公开物业费收支，增加微信缴费引导。",
    "秩序维护": "夜间巡逻由两次增加到四次，车库增设巡更点，外来车辆登记放行。",
    "保洁": "楼道和电梯每日清洁消毒，垃圾清运改为每日两次。",
    "客户服务": "前台增加午间值班，管家每周固定坐班时间公示。",
    "总体": "按各维度整改措施落实，下一轮调查前由公司客户主管复查。",
}


def _followed_up(round_: SurveyRound, *, settled: bool) -> None:
    """A past round's rectification as it happened: due a month after the round; the office's
    measures submitted, and for the older round verified by the company."""
    from linli.surveys.models import Rectification

    supervisor = Staff.objects.filter(role=Role.HQ_CUSTOMER_SUPERVISOR, is_active=True).first()
    offices = {
        s.community_id: s
        for s in Staff.objects.filter(role=Role.OFFICE_CUSTOMER_SUPERVISOR).order_by("username")
    }
    closed = timezone.make_aware(
        dt.datetime.combine(round_.ends_on + dt.timedelta(days=1), dt.time(9))
    )
    for item in Rectification.objects.filter(round=round_):
        item.due_on = round_.ends_on + dt.timedelta(days=30)
        item.measures = MEASURES.get(item.dimension, MEASURES["总体"])
        item.submitted_by, item.submitted_at = (
            offices.get(item.community_id),
            closed + dt.timedelta(days=7),
        )
        item.status = Rectification.Status.SUBMITTED
        if settled and supervisor is not None:
            item.status = Rectification.Status.VERIFIED
            item.verified_by, item.verified_at = supervisor, closed + dt.timedelta(days=35)
            item.verification = "已现场检查，措施落实。"
        item.save()


def _round(
    starts: dt.date, ends: dt.date, researcher: Any, approver: Any, communities: list[Community],
    version: QuestionnaireVersion, seed: int,
) -> SurveyRound:  # fmt: skip
    plan = SurveyPlan.objects.filter(year=starts.year, community__isnull=True).first()
    if plan is None:
        plan = services.create_plan(
            actor=researcher, year=starts.year, title=f"{starts.year} 年度客户调查方案",
            purpose="按制度每年 5 月和 11 月各开展一次满意度调查，了解业主对各项服务的评价，找出改进重点。",
        )  # fmt: skip
    half = "上半年" if starts.month <= 6 else "下半年"
    round_ = services.save_round(
        None, plan=plan, actor=researcher, communities=communities,
        values={"name": f"{starts.year} 年{half}业主满意度调查", "questionnaire_version": version,
                "method": SurveyRound.Method.FORMULA, "strata": SurveyRound.Strata.COMMUNITY,
                "special_flag": "elderly_alone", "channels": ["link", "paper"], "starts_on": starts, "ends_on": ends},
    )  # fmt: skip
    if plan.status != SurveyPlan.Status.APPROVED:
        services.submit_plan(plan, actor=researcher)
        services.decide_plan(plan, actor=approver, approve=True)
    services.freeze_round(round_, actor=None)
    draws.draw_sample(round_, actor=None, seed=seed)
    frozen = timezone.make_aware(dt.datetime.combine(services.freeze_date(round_), dt.time(9)))
    SurveyRound.objects.filter(pk=round_.pk).update(
        frozen_at=min(frozen, timezone.now()),
        sampled_at=min(frozen + dt.timedelta(hours=1), timezone.now()),
    )
    if ends >= timezone.localdate():
        answering.open_round(round_, actor=researcher)
    else:  # a past round: issued then (no messages sent now)
        issued = timezone.make_aware(dt.datetime.combine(starts, dt.time(9)))
        rows = list(round_.invitations.all())
        for invitation in rows:
            invitation.token_hash = answering.token_hash(answering.token_for(invitation))
            invitation.status, invitation.issued_at = Invitation.Status.ISSUED, issued
            invitation.token_expires_at = issued + dt.timedelta(days=(ends - starts).days + 1)
        Invitation.objects.bulk_update(
            rows, ["token_hash", "status", "issued_at", "token_expires_at"]
        )
        SurveyRound.objects.filter(pk=round_.pk).update(status=SurveyRound.Status.OPEN)
    round_.refresh_from_db()
    return round_


def _answer(round_: SurveyRound, rng: random.Random, *, share: float, improve: float) -> int:
    questions = list(
        Question.objects.filter(section__questionnaire_version=round_.questionnaire_version_id)
        .select_related("section__dimension")
        .order_by("section__sort", "sort")
    )
    keyer = Staff.objects.filter(role=Role.OFFICE_CUSTOMER_SUPERVISOR).order_by("username")
    keyers = {s.community_id: s for s in keyer}
    invitations = list(round_.invitations.select_related("community").order_by("pk"))
    answered = [i for i in invitations if rng.random() < share]
    start = timezone.make_aware(dt.datetime.combine(round_.starts_on, dt.time(10)))
    span = max(
        1,
        min(
            (round_.ends_on - round_.starts_on).days, (timezone.localdate() - round_.starts_on).days
        ),
    )
    responses = []
    for invitation in answered:
        paper = invitation.channel == Invitation.Channel.PAPER
        at = start + dt.timedelta(days=rng.randrange(span), minutes=rng.randrange(600))
        responses.append(Response(
            invitation=invitation, community_id=invitation.community_id, round=round_, channel=invitation.channel,
            submitted_at=at, keyed_by=keyers.get(invitation.community_id) if paper else None,
        ))  # fmt: skip
    Response.objects.bulk_create(responses, batch_size=500)
    answers = []
    for response, invitation in zip(responses, answered, strict=True):
        code = invitation.community.code
        for q in questions:
            dimension = q.section.dimension.name if q.section.dimension else ""
            if q.kind == Question.Kind.SCALE:
                if rng.random() < 0.04:  # a blank item now and then
                    continue
                p = min(0.99, LEANING.get(code, {}).get(dimension, DEFAULT_LEANING) + improve)
                value = rng.choice(SCALE[:3]) if rng.random() < p else rng.choice(SCALE[3:])
                answers.append(Answer(response=response, question=q, value=value))
            elif q.kind == Question.Kind.SINGLE:
                answers.append(Answer(response=response, question=q, value=str(rng.choices(range(len(q.choices)), weights=[6, 3, 1])[0])))  # fmt: skip
            elif q.kind == Question.Kind.MULTIPLE:
                answers.append(Answer(response=response, question=q, values=sorted(rng.sample(range(len(q.choices)), 2))))  # fmt: skip
            elif rng.random() < 0.18:
                weak = list(LEANING.get(code, {})) or list(COMMENTS)
                topic = rng.choice(weak) if rng.random() < 0.5 else rng.choice(list(COMMENTS))
                answers.append(
                    Answer(response=response, question=q, text=rng.choice(COMMENTS[topic]))
                )
    Answer.objects.bulk_create(answers, batch_size=2000)
    for response, invitation in zip(responses, answered, strict=True):
        invitation.status, invitation.returned_at = (
            Invitation.Status.RETURNED,
            response.submitted_at,
        )
    Invitation.objects.bulk_update(answered, ["status", "returned_at"], batch_size=1000)
    for response in responses:
        followups.open_comment_follow_ups(response, at=response.submitted_at)
    # the older comments have been called back
    for follow_up in CommentFollowUp.objects.filter(round=round_, due_on__lt=timezone.localdate()):
        follow_up.done_at = timezone.make_aware(
            dt.datetime.combine(
                follow_up.due_on - dt.timedelta(days=rng.randrange(1, 10)), dt.time(15)
            )
        )
        follow_up.result = "已回电说明，业主表示理解"
        follow_up.done_by = keyers.get(follow_up.community_id)
        follow_up.save(update_fields=["done_at", "result", "done_by"])
    return len(responses)
