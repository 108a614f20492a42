"""Writes of the survey chapter: questionnaires and their versions, plans, rounds and the
round's scope freeze. Sampling lives in `draws.py`, answering in `answering.py`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from linli import policy
from linli.audit.services import record
from linli.core.errors import DomainError
from linli.org.roles import Perm
from linli.surveys.models import (
    Dimension,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Section,
    SurveyPlan,
    SurveyRound,
)


def _require(actor: Any, code: str) -> None:
    from linli.core.http import missing_permission

    if code not in getattr(actor, "perms", frozenset()):
        raise DomainError(str(missing_permission(code)))


def _bump(model: Any, obj: Any, expected_version: int | None, **values: Any) -> None:
    """Save `values` if nobody changed the row since `expected_version` was read."""
    rows = model.objects.filter(pk=obj.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    if not rows.update(version=F("version") + 1, **values):
        raise DomainError(_("这条记录已被他人修改，请刷新后再试。"))
    obj.refresh_from_db()


# --- questionnaires -----------------------------------------------------------------------------
QUESTION_KINDS = {k.value for k in Question.Kind}


def clean_content(content: dict[str, Any]) -> dict[str, Any]:
    """Validate a questionnaire's content as edited or imported:
    {"intro": str, "sections": [{"title", "dimension" (code or ""), "questions":
    [{"kind", "text", "required", "weight", "choices"}]}]}. Errors name the place."""
    if not isinstance(content, dict) or not isinstance(content.get("sections"), list):
        raise DomainError(_("问卷内容格式不正确：缺少“sections”。"), field="sections")
    dimensions = dict(Dimension.objects.values_list("code", "pk"))
    sections = []
    for s_no, raw in enumerate(content["sections"], start=1):
        where = _("第 %(n)s 部分") % {"n": s_no}
        title = str(raw.get("title", "")).strip()
        if not title:
            raise DomainError(_("%(where)s：请填写标题。") % {"where": where}, field="sections")
        code = str(raw.get("dimension") or "")
        if code and code not in dimensions:
            raise DomainError(
                _("%(where)s：服务维度“%(code)s”不存在。") % {"where": where, "code": code},
                field="sections",
            )
        questions = []
        for q_no, q in enumerate(raw.get("questions") or [], start=1):
            at = _("%(where)s第 %(n)s 题") % {"where": where, "n": q_no}
            kind = q.get("kind", Question.Kind.SCALE)
            text = str(q.get("text", "")).strip()
            if kind not in QUESTION_KINDS:
                raise DomainError(_("%(at)s：题型不正确。") % {"at": at}, field="sections")
            if not text:
                raise DomainError(_("%(at)s：请填写题目。") % {"at": at}, field="sections")
            try:
                weight = Decimal(str(q.get("weight", 1)))
            except InvalidOperation:
                weight = Decimal(-1)
            if not Decimal(0) < weight <= Decimal(100):
                raise DomainError(
                    _("%(at)s：权重应在 0 到 100 之间。") % {"at": at}, field="sections"
                )
            choices = [str(c).strip() for c in q.get("choices") or [] if str(c).strip()]
            if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE) and len(choices) < 2:
                raise DomainError(
                    _("%(at)s：选择题至少需要两个选项。") % {"at": at}, field="sections"
                )
            questions.append(
                {
                    "kind": kind,
                    "text": text[:200],
                    "required": bool(q.get("required")),
                    "weight": weight,
                    "choices": choices if kind in ("single", "multiple") else [],
                }
            )
        if not questions:
            raise DomainError(_("%(where)s：至少需要一道题。") % {"where": where}, field="sections")
        sections.append(
            {"title": title[:60], "dimension": dimensions.get(code), "questions": questions}
        )
    if not sections:
        raise DomainError(_("问卷至少需要一个部分。"), field="sections")
    return {"intro": str(content.get("intro", "")), "sections": sections}


def _write_content(version: QuestionnaireVersion, content: dict[str, Any]) -> None:
    version.sections.all().delete()
    for s_no, raw in enumerate(content["sections"]):
        section = Section.objects.create(
            questionnaire_version=version,
            title=raw["title"],
            dimension_id=raw["dimension"],
            sort=s_no,
        )
        Question.objects.bulk_create(
            Question(section=section, sort=q_no, **q) for q_no, q in enumerate(raw["questions"])
        )


def export_content(version: QuestionnaireVersion) -> dict[str, Any]:
    """The version as the file format `clean_content` reads (import/export of questionnaires)."""
    sections = []
    for section in version.sections.select_related("dimension").prefetch_related("questions"):
        sections.append(
            {
                "title": section.title,
                "dimension": section.dimension.code if section.dimension else "",
                "questions": [
                    {
                        "kind": q.kind,
                        "text": q.text,
                        "required": q.required,
                        "weight": str(q.weight),
                        "choices": q.choices,
                    }
                    for q in section.questions.all()
                ],
            }
        )
    return {
        "format": "linli-questionnaire/1",
        "name": version.questionnaire.name,
        "intro": version.intro,
        "sections": sections,
    }


@transaction.atomic
def create_questionnaire(*, actor: Any, name: str, content: dict[str, Any], description: str = "") -> QuestionnaireVersion:  # fmt: skip
    _require(actor, Perm.SURVEYS_DESIGN)
    if not name.strip():
        raise DomainError(_("请填写问卷名称。"), field="name")
    cleaned = clean_content(content)
    questionnaire = Questionnaire.objects.create(
        name=name.strip()[:100], description=description, created_by=actor
    )
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=1, intro=cleaned["intro"]
    )
    _write_content(version, cleaned)
    record(actor, "surveys.questionnaire.created", version, {"name": questionnaire.name})
    return version


@transaction.atomic
def save_version(version: QuestionnaireVersion, *, actor: Any, content: dict[str, Any], expected_version: int) -> QuestionnaireVersion:  # fmt: skip
    """Edit a draft. A version a round has used, or an approved one, is never edited: the
    caller makes a new version (`new_version`)."""
    _require(actor, Perm.SURVEYS_DESIGN)
    version = QuestionnaireVersion.objects.select_for_update().get(pk=version.pk)
    if not version.is_editable:
        raise DomainError(_("此版本已批准或已被调查使用，不能修改；请另存为新版本。"))
    cleaned = clean_content(content)
    _write_content(version, cleaned)
    _bump(QuestionnaireVersion, version, expected_version, intro=cleaned["intro"])
    record(actor, "surveys.questionnaire.edited", version)
    return version


@transaction.atomic
def new_version(version: QuestionnaireVersion, *, actor: Any) -> QuestionnaireVersion:
    """A draft copy of a version, numbered after the newest."""
    _require(actor, Perm.SURVEYS_DESIGN)
    number = (
        QuestionnaireVersion.objects.filter(questionnaire=version.questionnaire_id).aggregate(
            n=Max("number")
        )["n"]
        or 0
    ) + 1
    copy = QuestionnaireVersion.objects.create(
        questionnaire_id=version.questionnaire_id, number=number, intro=version.intro
    )
    _write_content(copy, clean_content(export_content(version)))
    record(actor, "surveys.questionnaire.new_version", copy, {"from": version.number})
    return copy


@transaction.atomic
def approve_version(version: QuestionnaireVersion, *, actor: Any) -> QuestionnaireVersion:
    _require(actor, Perm.SURVEYS_APPROVE)
    if version.status != QuestionnaireVersion.Status.DRAFT:
        raise DomainError(_("只有草稿可以批准。"))
    _bump(
        QuestionnaireVersion,
        version,
        version.version,
        status=QuestionnaireVersion.Status.APPROVED,
        approved_by=actor,
        approved_at=timezone.now(),
    )
    record(actor, "surveys.questionnaire.approved", version)
    return version


# --- plans --------------------------------------------------------------------------------------
def plan_perm(community: Any) -> str:
    """Company plans and rounds need surveys.plan, an office's surveys.office_plan."""
    return Perm.SURVEYS_OFFICE_PLAN if community is not None else Perm.SURVEYS_PLAN


@transaction.atomic
def create_plan(*, actor: Any, year: int, title: str, purpose: str, community: Any = None) -> SurveyPlan:  # fmt: skip
    _require(actor, plan_perm(community))
    if community is not None and not actor.is_company_wide and community.pk != actor.community_id:
        raise DomainError(_("只能为本管理处制定调查方案。"), field="community")
    if not title.strip():
        raise DomainError(_("请填写方案名称。"), field="title")
    if not purpose.strip():
        raise DomainError(_("请写明调查目的。"), field="purpose")
    this_year = timezone.localdate().year
    if not this_year - 1 <= year <= this_year + 1:
        raise DomainError(_("年度应在 %(a)s 到 %(b)s 之间。") % {"a": this_year - 1, "b": this_year + 1}, field="year")  # fmt: skip
    plan = SurveyPlan.objects.create(
        community=community,
        year=year,
        title=title.strip()[:100],
        purpose=purpose.strip(),
        created_by=actor,
    )
    record(actor, "surveys.plan.created", plan, {"year": year})
    return plan


@transaction.atomic
def submit_plan(plan: SurveyPlan, *, actor: Any) -> SurveyPlan:
    _require(actor, plan_perm(plan.community))
    if plan.status not in (SurveyPlan.Status.DRAFT, SurveyPlan.Status.REJECTED):
        raise DomainError(_("方案已提交或已批准。"))
    if not plan.rounds.exists():
        raise DomainError(_("方案至少需要一个调查轮次。"))
    _bump(SurveyPlan, plan, plan.version, status=SurveyPlan.Status.SUBMITTED)
    record(actor, "surveys.plan.submitted", plan)
    return plan


@transaction.atomic
def decide_plan(plan: SurveyPlan, *, actor: Any, approve: bool, note: str = "") -> SurveyPlan:
    """Approval by the role the policy names (surveys.approve)."""
    _require(actor, Perm.SURVEYS_APPROVE)
    if plan.status != SurveyPlan.Status.SUBMITTED:
        raise DomainError(_("方案不在待审批状态。"))
    if not approve and not note.strip():
        raise DomainError(_("退回时请写明意见。"), field="note")
    status = SurveyPlan.Status.APPROVED if approve else SurveyPlan.Status.REJECTED
    _bump(
        SurveyPlan,
        plan,
        plan.version,
        status=status,
        approved_by=actor if approve else None,
        approved_at=timezone.now() if approve else None,
        decision_note=note.strip()[:200],
    )
    record(
        actor, "surveys.plan.approved" if approve else "surveys.plan.rejected", plan, {"note": note}
    )
    return plan


# --- rounds -------------------------------------------------------------------------------------
ROUND_FIELDS = ("name", "questionnaire_version", "method", "strata", "special_flag", "channels",
                "starts_on", "ends_on", "grades", "owners_only")  # fmt: skip


def default_round(plan: SurveyPlan) -> dict[str, Any]:
    """What a new round of a plan starts from: the next of the policy's survey months (default
    May and November) not yet taken by the plan, the standard questionnaire, link and paper."""
    months = sorted(int(m) for m in policy.value("surveys.rounds.months"))
    taken = {d.month for d in plan.rounds.values_list("starts_on", flat=True)}
    month = next((m for m in months if m not in taken), months[0] if months else 5)
    starts = dt.date(plan.year, month, 10)
    version = (
        QuestionnaireVersion.objects.filter(status=QuestionnaireVersion.Status.APPROVED)
        .order_by("-questionnaire__is_template", "-approved_at").first()
    )  # fmt: skip
    return {
        "name": _("%(y)s 年 %(m)s 月业主满意度调查") % {"y": plan.year, "m": month},
        "starts_on": starts, "ends_on": starts + dt.timedelta(days=20), "questionnaire_version": version,
        "method": SurveyRound.Method.FORMULA, "strata": SurveyRound.Strata.COMMUNITY, "channels": ["link", "paper"],
        "communities": [plan.community] if plan.community_id else [],
    }  # fmt: skip


def freeze_date(round_: SurveyRound) -> dt.date:
    """The scope is fixed this many days before the round starts (policy)."""
    days = int(policy.value("surveys.scope.freeze_days"))
    return round_.starts_on - dt.timedelta(days=days)


def _check_round(values: dict[str, Any], communities: list[Any], plan: SurveyPlan) -> None:
    if not str(values.get("name", "")).strip():
        raise DomainError(_("请填写轮次名称。"), field="name")
    if values["ends_on"] < values["starts_on"]:
        raise DomainError(_("结束日期不能早于开始日期。"), field="ends_on")
    if values["starts_on"].year != plan.year:
        raise DomainError(_("开始日期应在方案年度内。"), field="starts_on")
    if not communities:
        raise DomainError(_("请选择调查小区。"), field="communities")
    if plan.community_id and any(c.pk != plan.community_id for c in communities):
        raise DomainError(_("管理处方案只能调查本小区。"), field="communities")
    version = values["questionnaire_version"]
    if version.status != QuestionnaireVersion.Status.APPROVED:
        raise DomainError(_("请选择已批准的问卷版本。"), field="questionnaire_version")
    if not values.get("channels"):
        raise DomainError(_("请至少选择一种发放渠道。"), field="channels")


@transaction.atomic
def save_round(
    round_: SurveyRound | None, *, plan: SurveyPlan, actor: Any, values: dict[str, Any],
    communities: list[Any], staff: list[Any] = (), expected_version: int | None = None,  # type: ignore[assignment]
) -> SurveyRound:  # fmt: skip
    _require(actor, plan_perm(plan.community))
    if round_ is not None and round_.status != SurveyRound.Status.DRAFT:
        raise DomainError(_("调查范围已锁定，不能再修改本轮设置。"))
    _check_round(values, communities, plan)
    fields = {k: values[k] for k in ROUND_FIELDS if k in values}
    if round_ is None:
        round_ = SurveyRound.objects.create(plan=plan, community=plan.community, **fields)
        action = "surveys.round.created"
    else:
        _bump(SurveyRound, round_, expected_version, **fields)
        action = "surveys.round.edited"
    round_.communities.set(communities)
    round_.staff.set(staff)
    record(actor, action, round_, {"name": round_.name})
    return round_


@transaction.atomic
def freeze_round(round_: SurveyRound, *, actor: Any | None, now: dt.datetime | None = None) -> SurveyRound:  # fmt: skip
    """Fix the scope: the plan must be approved; the questionnaire version is locked for ever."""
    if actor is not None:
        _require(actor, plan_perm(round_.community))
    round_ = SurveyRound.objects.select_for_update().select_related("plan").get(pk=round_.pk)
    if round_.status != SurveyRound.Status.DRAFT:
        raise DomainError(_("本轮范围已锁定。"))
    if round_.plan.status != SurveyPlan.Status.APPROVED:
        raise DomainError(_("方案尚未批准，不能锁定范围。"))
    now = now or timezone.now()
    _bump(SurveyRound, round_, round_.version, status=SurveyRound.Status.FROZEN, frozen_at=now)
    QuestionnaireVersion.objects.filter(
        pk=round_.questionnaire_version_id, locked_at__isnull=True
    ).update(locked_at=now)
    record(actor, "surveys.round.frozen", round_)
    return round_


@transaction.atomic
def close_round(round_: SurveyRound, *, actor: Any | None) -> SurveyRound:
    """End collection: links stop working; unreturned forms become abstentions."""
    if actor is not None:
        _require(actor, plan_perm(round_.community))
    round_ = SurveyRound.objects.select_for_update().get(pk=round_.pk)
    if round_.status != SurveyRound.Status.OPEN:
        raise DomainError(_("只有发放回收中的轮次可以结束。"))
    from linli.surveys import followups

    _bump(SurveyRound, round_, round_.version, status=SurveyRound.Status.CLOSED)
    record(actor, "surveys.round.closed", round_)
    followups.open_rectifications(round_)
    followups.draw_audit(round_, actor=None)
    return round_
