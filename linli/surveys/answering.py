"""Issuing invitations and collecting answers: one-time links, paper forms keyed in (with an
optional double-entry check), phone interviews within the policy's share.

A link's token is an HMAC of the invitation (SECRET_KEY), so a paper form's QR code can be
printed again; only its SHA-256 is stored, to find the invitation. A returned invitation refuses
its link for ever; an answer is counted once whatever the clicks and devices.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
from base64 import urlsafe_b64encode
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli import policy
from linli.audit.services import record
from linli.core.errors import DomainError
from linli.org.roles import Perm
from linli.surveys.followups import open_comment_follow_ups
from linli.surveys.models import Answer, Invitation, Question, Response, SurveyRound
from linli.surveys.scoring import SCALE
from linli.surveys.services import _require, plan_perm

INVITATION_KIND = "surveys.invitation"


def token_for(invitation: Invitation) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"survey-invitation:{invitation.pk}".encode(), hashlib.sha256
    ).digest()
    return urlsafe_b64encode(digest[:18]).decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def answer_path(invitation: Invitation) -> str:
    return reverse("survey_answer", args=[token_for(invitation)])


def _closing(round_: SurveyRound) -> dt.datetime:
    end = dt.datetime.combine(round_.ends_on, dt.time(23, 59, 59))
    return timezone.make_aware(end)


@transaction.atomic
def open_round(round_: SurveyRound, *, actor: Any) -> int:
    """Issue every pending invitation: a token each, and an SMS with the link for the link
    channel (through the outbox). Returns the number of messages queued."""
    from linli.notify.models import Message
    from linli.notify.services import enqueue

    _require(actor, plan_perm(round_.community))
    round_ = SurveyRound.objects.select_for_update().get(pk=round_.pk)
    if round_.status not in (SurveyRound.Status.SAMPLED, SurveyRound.Status.OPEN):
        raise DomainError(_("请先抽样，再发放问卷。"))
    now = timezone.now()
    closing = _closing(round_)
    pending = list(
        round_.invitations.filter(status=Invitation.Status.PENDING).select_related(
            "customer", "community"
        )
    )
    queued = 0
    site = getattr(settings, "SITE_URL", "").rstrip("/")
    for invitation in pending:
        token = token_for(invitation)
        invitation.token_hash = token_hash(token)
        invitation.token_expires_at = closing
        invitation.status = Invitation.Status.ISSUED
        invitation.issued_at = now
        mobile = invitation.customer.mobile if invitation.customer else ""
        if invitation.channel == Invitation.Channel.LINK and mobile:
            link = f"{site}{reverse('survey_answer', args=[token])}"
            enqueue(
                channel=Message.Channel.SMS, kind=INVITATION_KIND, address=mobile,
                subject=_("满意度调查邀请"), community_id=invitation.community_id,
                body=_("【%(company)s】您好，诚邀您参加%(round)s，约需 5 分钟：%(link)s （%(end)s 前有效）")
                % {"company": invitation.community.name, "round": round_.name, "link": link,
                   "end": round_.ends_on.strftime("%m-%d")},
                dedupe_key=f"survey:{invitation.pk}:issue",
            )  # fmt: skip
            queued += 1
    Invitation.objects.bulk_update(
        pending, ["token_hash", "token_expires_at", "status", "issued_at"], batch_size=1000
    )
    SurveyRound.objects.filter(pk=round_.pk).update(status=SurveyRound.Status.OPEN)
    record(actor, "surveys.round.opened", round_, {"issued": len(pending), "sms": queued})
    return queued


@transaction.atomic
def remind(round_: SurveyRound, *, actor: Any) -> int:
    """The second push to households that have not returned their form (once each)."""
    from linli.notify.models import Message
    from linli.notify.services import enqueue

    _require(actor, plan_perm(round_.community))
    if round_.status != SurveyRound.Status.OPEN:
        raise DomainError(_("只有发放回收中的轮次可以再次推送。"))
    waiting = round_.invitations.filter(
        status__in=[Invitation.Status.ISSUED, Invitation.Status.PARTIAL],
        channel=Invitation.Channel.LINK, reminded_at__isnull=True,
    ).select_related("customer", "community")  # fmt: skip
    site = getattr(settings, "SITE_URL", "").rstrip("/")
    count = 0
    for invitation in waiting:
        if not (invitation.customer and invitation.customer.mobile):
            continue
        link = f"{site}{answer_path(invitation)}"
        enqueue(
            channel=Message.Channel.SMS, kind=INVITATION_KIND, address=invitation.customer.mobile,
            subject=_("满意度调查提醒"), community_id=invitation.community_id,
            body=_("【%(company)s】您的满意度问卷还未提交，期待您的意见：%(link)s") % {"company": invitation.community.name, "link": link},
            dedupe_key=f"survey:{invitation.pk}:remind",
        )  # fmt: skip
        count += 1
    waiting.update(reminded_at=timezone.now())
    record(actor, "surveys.round.reminded", round_, {"count": count})
    return count


def find_invitation(token: str) -> Invitation:
    """The invitation of a link, or DomainError saying why the link cannot be used."""
    invitation = (
        Invitation.objects.filter(token_hash=token_hash(token))
        .select_related("round", "round__questionnaire_version", "community")
        .first()
    )
    if invitation is None:
        raise DomainError(_("链接无效，请检查短信中的链接是否完整。"))
    if invitation.status == Invitation.Status.RETURNED:
        raise DomainError(_("这份问卷已经提交，感谢您的参与！每份邀请只能提交一次。"))
    if invitation.status == Invitation.Status.VOID:
        raise DomainError(_("这份邀请已作废。"))
    if invitation.round.status != SurveyRound.Status.OPEN or (
        invitation.token_expires_at and invitation.token_expires_at < timezone.now()
    ):
        raise DomainError(_("本次调查已经结束，感谢您的关注。"))
    return invitation


def questions_of(round_: SurveyRound) -> dict[int, Question]:
    return {
        q.pk: q
        for q in Question.objects.filter(
            section__questionnaire_version=round_.questionnaire_version_id
        ).order_by("section__sort", "section_id", "sort", "id")
    }


def clean_answers(
    questions: dict[int, Question], raw: dict[int, Any], *, complete: bool
) -> dict[int, dict[str, Any]]:
    """Validate answers against the version: unknown questions, values off the scale or the
    choices, and (when submitting) missing required answers are refused, naming the question."""
    numbers = {pk: n for n, pk in enumerate(questions, start=1)}
    cleaned: dict[int, dict[str, Any]] = {}
    for pk, value in raw.items():
        question = questions.get(pk)
        if question is None:
            raise DomainError(_("问卷中没有编号为 %(pk)s 的题目。") % {"pk": pk}, field="answers")
        at = _("第 %(n)s 题") % {"n": numbers[pk]}
        if question.kind == Question.Kind.SCALE:
            if value in (None, ""):
                continue
            if value not in SCALE:
                raise DomainError(_("%(at)s：请选择五级满意度之一。") % {"at": at}, field=f"q{pk}")
            cleaned[pk] = {"value": value}
        elif question.kind == Question.Kind.SINGLE:
            if value in (None, ""):
                continue
            if str(value) not in {str(i) for i in range(len(question.choices))}:
                raise DomainError(_("%(at)s：选项不存在。") % {"at": at}, field=f"q{pk}")
            cleaned[pk] = {"value": str(value)}
        elif question.kind == Question.Kind.MULTIPLE:
            picked = sorted({int(v) for v in value or [] if str(v).isdigit()})
            if any(v >= len(question.choices) for v in picked) or len(picked) != len(
                set(value or [])
            ):
                raise DomainError(_("%(at)s：选项不存在。") % {"at": at}, field=f"q{pk}")
            if picked:
                cleaned[pk] = {"values": picked}
        else:
            text = str(value or "").strip()[:2000]
            if text:
                cleaned[pk] = {"text": text}
    if complete:
        missing = [numbers[pk] for pk, q in questions.items() if q.required and pk not in cleaned]
        if missing:
            raise DomainError(
                _("请回答必答题：第 %(list)s 题。") % {"list": "、".join(map(str, missing))},
                field="answers",
            )
    return cleaned


def _store(response: Response, cleaned: dict[int, dict[str, Any]]) -> None:
    response.answers.all().delete()
    Answer.objects.bulk_create(
        Answer(response=response, question_id=pk, **values) for pk, values in cleaned.items()
    )


def _response(invitation: Invitation, channel: str) -> Response:
    response, _created = Response.objects.get_or_create(
        invitation=invitation,
        defaults={"community_id": invitation.community_id, "round_id": invitation.round_id, "channel": channel},
    )  # fmt: skip
    return response


@transaction.atomic
def answer_online(token: str, raw: dict[int, Any], *, submit: bool) -> Invitation:
    """The resident's answers through the link: saved as a draft, or submitted once."""
    invitation = find_invitation(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status == Invitation.Status.RETURNED:  # a second click or a second device
        raise DomainError(_("这份问卷已经提交，感谢您的参与！每份邀请只能提交一次。"))
    cleaned = clean_answers(questions_of(invitation.round), raw, complete=submit)
    response = _response(invitation, Invitation.Channel.LINK)
    _store(response, cleaned)
    now = timezone.now()
    if submit:
        Response.objects.filter(pk=response.pk).update(submitted_at=now, version=F("version") + 1)
        open_comment_follow_ups(response, at=now)
        invitation.status, invitation.returned_at = Invitation.Status.RETURNED, now
    else:
        invitation.status = Invitation.Status.PARTIAL
    invitation.save(update_fields=["status", "returned_at"])
    return invitation


def saved_answers(invitation: Invitation) -> dict[int, dict[str, Any]]:
    response = Response.objects.filter(invitation=invitation).first()
    if response is None:
        return {}
    return {
        a.question_id: {"value": a.value, "values": a.values, "text": a.text}
        for a in response.answers.all()
    }


@transaction.atomic
def key_in(
    invitation: Invitation, raw: dict[int, Any], *, actor: Any, paper_number: str = "",
    double_entry: bool = False, phone: bool = False,
) -> Response:  # fmt: skip
    """A paper form or a phone interview keyed in by staff.

    With the double-entry check, the first keying is kept aside and the form counts only when a
    second person keys identical answers; a difference is refused naming the questions, so the
    second keyer looks at the paper again (the first keyer corrects a wrong first entry by keying
    it again)."""
    _require(actor, Perm.SURVEYS_KEY_IN)
    invitation = (
        Invitation.objects.select_for_update().select_related("round").get(pk=invitation.pk)
    )
    if invitation.status == Invitation.Status.RETURNED:
        raise DomainError(_("这户的问卷已经回收，不能重复录入。"))
    if invitation.round.status != SurveyRound.Status.OPEN:
        raise DomainError(_("本轮调查不在发放回收中。"))
    if phone and invitation.phone_approved_by_id is None:
        raise DomainError(_("电话访问需先经主管批准。"))
    questions = questions_of(invitation.round)
    cleaned = clean_answers(questions, raw, complete=True)
    channel = Invitation.Channel.PHONE if phone else Invitation.Channel.PAPER
    response = _response(invitation, channel)
    now = timezone.now()
    if double_entry and not phone:
        first = dict(saved_answers(invitation))
        first_clean = {
            pk: {k: v for k, v in vals.items() if v not in ("", [], None)}
            for pk, vals in first.items()
        }
        if response.keyed_by_id is None or response.keyed_by_id == actor.pk:
            _store(response, cleaned)
            Response.objects.filter(pk=response.pk).update(
                keyed_by=actor, paper_number=paper_number, channel=channel
            )
            response.refresh_from_db()
            return response  # waits for the second keying
        numbers = {pk: n for n, pk in enumerate(questions, start=1)}
        differ = sorted(
            numbers[pk]
            for pk in set(first_clean) | set(cleaned)
            if first_clean.get(pk) != cleaned.get(pk)
        )
        if differ:
            raise DomainError(
                _("两次录入不一致：第 %(list)s 题。请核对纸质问卷。") % {"list": "、".join(map(str, differ))},
                field="answers",
            )  # fmt: skip
        Response.objects.filter(pk=response.pk).update(checked_by=actor, submitted_at=now)
    else:
        _store(response, cleaned)
        Response.objects.filter(pk=response.pk).update(
            keyed_by=actor, paper_number=paper_number, channel=channel, submitted_at=now
        )
    open_comment_follow_ups(response, at=now)
    invitation.status, invitation.returned_at = Invitation.Status.RETURNED, now
    invitation.channel = channel
    invitation.save(update_fields=["status", "returned_at", "channel"])
    record(actor, "surveys.response.keyed", invitation, {"channel": channel, "paper": paper_number})
    response.refresh_from_db()
    return response


def phone_cap(round_: SurveyRound) -> int:
    share = Decimal(policy.value("surveys.phone.max_share"))
    return math.floor((round_.sample_target or 0) * share / 100)


@transaction.atomic
def approve_phone(invitation: Invitation, *, actor: Any) -> Invitation:
    """A supervisor allows a phone interview, within the policy's share of the sample."""
    _require(actor, Perm.SURVEYS_OFFICE_PLAN)
    round_ = SurveyRound.objects.select_for_update().get(pk=invitation.round_id)
    if invitation.status == Invitation.Status.RETURNED:
        raise DomainError(_("这户的问卷已经回收。"))
    used = round_.invitations.filter(phone_approved_by__isnull=False).count()
    cap = phone_cap(round_)
    if used >= cap:
        raise DomainError(
            _("电话访问已达上限：样本的 %(share)s%%，即 %(cap)s 户。")
            % {"share": policy.value("surveys.phone.max_share"), "cap": cap}
        )
    Invitation.objects.filter(pk=invitation.pk).update(phone_approved_by=actor)
    invitation.refresh_from_db()
    record(actor, "surveys.invitation.phone_approved", invitation)
    return invitation
