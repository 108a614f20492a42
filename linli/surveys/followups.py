"""What follows a round (POLICY Ch.7): a return call for every written comment, the authenticity
audit, and rectification where a figure misses the company target."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli import policy
from linli.audit.services import record
from linli.core.errors import DomainError
from linli.org.roles import Perm
from linli.surveys.models import (
    Answer,
    AuditCheck,
    CommentFollowUp,
    Invitation,
    Question,
    Rectification,
    Response,
    SurveyRound,
)
from linli.surveys.services import _require, plan_perm


# --- comments -----------------------------------------------------------------------------------
def open_comment_follow_ups(response: Response, *, at: dt.datetime | None = None) -> int:
    """One return-call task per written comment of a submitted form."""
    at = at or timezone.now()
    days = int(
        policy.value("surveys.comment.return_call_days", at=at, community=response.community_id)
    )
    due = timezone.localtime(at).date() + dt.timedelta(days=days)
    comments = Answer.objects.filter(response=response, question__kind=Question.Kind.TEXT).exclude(
        text=""
    )
    made = CommentFollowUp.objects.bulk_create(
        (
            CommentFollowUp(
                community_id=response.community_id,
                round_id=response.round_id,
                answer=answer,
                dimension=_dimension_name(answer.question),
                due_on=due,
            )
            for answer in comments.select_related("question__section__dimension")
        ),
        ignore_conflicts=True,
    )
    return len(made)


def _dimension_name(question: Question) -> str:
    section = question.section
    return section.dimension.name if section.dimension else section.title


@transaction.atomic
def record_call(follow_up: CommentFollowUp, *, actor: Any, result: str) -> CommentFollowUp:
    _require(actor, Perm.SURVEYS_KEY_IN)
    if not result.strip():
        raise DomainError(_("请填写回访结果。"), field="result")
    if follow_up.done_at:
        raise DomainError(_("这条意见已经回访过了。"))
    CommentFollowUp.objects.filter(pk=follow_up.pk).update(
        done_at=timezone.now(), done_by=actor, result=result.strip()[:2000]
    )
    follow_up.refresh_from_db()
    record(actor, "surveys.comment.called", follow_up)
    return follow_up


@transaction.atomic
def comment_to_ticket(follow_up: CommentFollowUp, *, actor: Any, category: Any) -> Any:
    """Turn a comment into a ticket (建议 by default) in one step; the ticket is linked."""
    from linli.tickets.models import Channel, Kind
    from linli.tickets.services import open_ticket

    follow_up = CommentFollowUp.objects.select_for_update(of=("self",)).select_related(
        "answer__response__invitation__room", "answer__response__invitation__customer", "community"
    ).get(pk=follow_up.pk)  # fmt: skip
    if follow_up.ticket_id:
        raise DomainError(_("这条意见已经转为诉求。"))
    invitation = follow_up.answer.response.invitation
    ticket = open_ticket(
        follow_up.community, kind=Kind.SUGGESTION, channel=Channel.VISIT, category=category,
        title=follow_up.answer.text[:30], description=follow_up.answer.text, actor=actor,
        customer=invitation.customer, room=invitation.room,
    )  # fmt: skip
    CommentFollowUp.objects.filter(pk=follow_up.pk).update(ticket=ticket)
    record(actor, "surveys.comment.ticket", follow_up, {"ticket": ticket.pk})
    return ticket


def word_frequencies(comments: Any, *, top: int = 20) -> dict[str, list[tuple[str, int]]]:
    """The most frequent two- and three-character words of the comments, per dimension.

    Chinese has no spaces; without a dictionary segmenter, overlapping character pairs and
    triples that recur across comments are a fair picture of what residents talk about
    (电梯, 停车, 噪音…). Pieces with punctuation or digits, and common function words, are left out."""
    stop = set("的了是在我们你他她它和也都很就还要有没不这那个一些对把被给从与及或而但请希望建议")
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for dimension, text in comments:
        seen: set[str] = set()
        clean = "".join(ch if "\u4e00" <= ch <= "\u9fff" else " " for ch in text)
        for chunk in clean.split():
            for size in (2, 3):
                for i in range(len(chunk) - size + 1):
                    piece = chunk[i : i + size]
                    if piece[0] in stop or piece[-1] in stop:
                        continue
                    seen.add(piece)
        counts[dimension].update(seen)  # once per comment: how many residents mention it
    return {
        dimension: [(w, n) for w, n in counter.most_common(top) if n > 1]
        for dimension, counter in counts.items()
    }


# --- the authenticity audit -----------------------------------------------------------------------
def _pick(rows: list[Invitation], count: int, seed: Any) -> list[Invitation]:
    def key(invitation: Invitation) -> bytes:
        return hashlib.sha256(f"audit:{seed}:{invitation.pk}".encode()).digest()

    return sorted(rows, key=key)[:count]


@transaction.atomic
def draw_audit(round_: SurveyRound, *, actor: Any | None) -> int:
    """Per community: phone_max (at least phone_min) households that did not return, and the
    policy's share of the keyed paper forms, rounded up. Drawn from the round's seed."""
    if actor is not None:
        _require(actor, plan_perm(round_.community))
    if round_.status not in (SurveyRound.Status.CLOSED, SurveyRound.Status.REPORTED):
        raise DomainError(_("回收结束后才能抽取核查对象。"))
    if AuditCheck.objects.filter(round=round_).exists():
        raise DomainError(_("本轮已经抽取过核查对象。"))
    phone_max = int(policy.value("surveys.audit.phone_max"))
    share = Decimal(policy.value("surveys.audit.keyed_share"))
    checks: list[AuditCheck] = []
    by_community: dict[int, list[Invitation]] = defaultdict(list)
    for invitation in round_.invitations.exclude(status=Invitation.Status.VOID):
        by_community[invitation.community_id].append(invitation)
    for community_id, rows in by_community.items():
        missing = [i for i in rows if i.status != Invitation.Status.RETURNED]
        keyed = [
            i
            for i in rows
            if i.status == Invitation.Status.RETURNED and i.channel == Invitation.Channel.PAPER
        ]
        for invitation in _pick(missing, phone_max, round_.seed):
            checks.append(AuditCheck(community_id=community_id, round=round_, invitation=invitation, kind=AuditCheck.Kind.NON_RETURN))  # fmt: skip
        for invitation in _pick(keyed, math.ceil(len(keyed) * share / 100), round_.seed):
            checks.append(AuditCheck(community_id=community_id, round=round_, invitation=invitation, kind=AuditCheck.Kind.KEYED))  # fmt: skip
    AuditCheck.objects.bulk_create(checks)
    record(actor, "surveys.audit.drawn", round_, {"checks": len(checks)})
    return len(checks)


@transaction.atomic
def record_audit(check: AuditCheck, *, actor: Any, passed: bool, note: str = "") -> AuditCheck:
    """A failed check flags the round (a full check follows) and tells the GM roles at once."""
    from linli.notify.services import notify_staff
    from linli.org.models import Staff
    from linli.org.roles import Role

    _require(actor, Perm.SURVEYS_KEY_IN)
    if check.result != AuditCheck.Result.PENDING:
        raise DomainError(_("这条核查已有结果。"))
    if not passed and not note.strip():
        raise DomainError(_("不属实时请写明情况。"), field="note")
    result = AuditCheck.Result.PASSED if passed else AuditCheck.Result.FAILED
    AuditCheck.objects.filter(pk=check.pk).update(result=result, note=note.strip()[:300], checked_by=actor, checked_at=timezone.now())  # fmt: skip
    check.refresh_from_db()
    record(actor, "surveys.audit.recorded", check, {"result": result})
    if not passed:
        round_ = SurveyRound.objects.get(pk=check.round_id)
        SurveyRound.objects.filter(pk=round_.pk).update(audit_failed=True)
        leaders = Staff.objects.filter(
            role__in=[Role.GENERAL_MANAGER, Role.GM_ASSISTANT], is_active=True
        )
        transaction.on_commit(
            lambda: notify_staff(
                leaders, kind="surveys.audit.failed", subject=_("满意度调查真实性核查未通过：%(round)s") % {"round": round_.name},
                body=note, link=reverse("surveys:audits", args=[round_.pk]),
                dedupe_key=f"surveys.audit.failed:{check.pk}",
            )
        )  # fmt: skip
    return check


# --- rectification ---------------------------------------------------------------------------------
@transaction.atomic
def open_rectifications(round_: SurveyRound, *, at: dt.datetime | None = None) -> int:
    """Each community's overall and dimension figures below the target become rectification
    tasks (idempotent: a figure already open is not opened twice)."""
    from linli.surveys.results import score_round, target

    at = at or timezone.now()
    goal = target()
    days = int(policy.value("surveys.rectification.days", at=at))
    due = timezone.localtime(at).date() + dt.timedelta(days=days)
    communities = dict(round_.communities.values_list("name", "pk"))
    made = 0
    for name, result in score_round(round_, by="community").items():
        if name not in communities:
            continue
        figures = [("总体", result.overall.percent)] + [
            (n, t.percent) for n, t in result.dimensions.items()
        ]
        for dimension, rate in figures:
            if rate is None or rate >= goal:
                continue
            _row, created = Rectification.objects.get_or_create(
                round=round_, community_id=communities[name], dimension=dimension,
                defaults={"rate": rate, "target": goal, "due_on": due},
            )  # fmt: skip
            made += int(created)
    return made


@transaction.atomic
def submit_measures(item: Rectification, *, actor: Any, measures: str) -> Rectification:
    _require(actor, Perm.SURVEYS_OFFICE_PLAN)
    if not measures.strip():
        raise DomainError(_("请写明整改措施。"), field="measures")
    if item.status == Rectification.Status.VERIFIED:
        raise DomainError(_("公司已验证，不能再修改。"))
    Rectification.objects.filter(pk=item.pk).update(
        measures=measures.strip(), status=Rectification.Status.SUBMITTED, submitted_by=actor, submitted_at=timezone.now()
    )  # fmt: skip
    item.refresh_from_db()
    record(actor, "surveys.rectification.submitted", item)
    return item


@transaction.atomic
def verify(item: Rectification, *, actor: Any, opinion: str) -> Rectification:
    """The company follows up: verifies the office's measures."""
    _require(actor, Perm.SURVEYS_PLAN)
    if item.status != Rectification.Status.SUBMITTED:
        raise DomainError(_("管理处尚未提交整改措施。"))
    if not opinion.strip():
        raise DomainError(_("请填写验证意见。"), field="verification")
    Rectification.objects.filter(pk=item.pk).update(
        status=Rectification.Status.VERIFIED, verified_by=actor, verified_at=timezone.now(), verification=opinion.strip()
    )  # fmt: skip
    item.refresh_from_db()
    record(actor, "surveys.rectification.verified", item)
    return item
