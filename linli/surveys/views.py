"""Staff pages of the survey chapter: plans, rounds and their life cycle, the sample, keying
paper forms, results; questionnaires live in `views_questionnaires.py`."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.audit.services import record as audit_record
from linli.core.errors import DomainError
from linli.core.http import permission_required, require_perm
from linli.customers.models import Customer
from linli.org.roles import Perm
from linli.surveys import answering, draws, exports, results, selectors, services
from linli.surveys.forms import KeyInLookupForm, PlanDecisionForm, PlanForm, RoundForm
from linli.surveys.models import Invitation, SurveyPlan, SurveyRound
from linli.surveys.views_public import raw_answers, sections_with_answers


def _form_error(form: Any, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@permission_required(Perm.SURVEYS_VIEW)
def home(request: HttpRequest) -> HttpResponse:
    rounds = list(selectors.rounds(request.user).order_by("-starts_on")[:30])
    for round_ in rounds:
        round_.rates = results.rates(round_, selectors.invitations(request.user, round_))[1]  # type: ignore[attr-defined]
    plans = selectors.plans(request.user).prefetch_related("rounds")[:30]
    return render(
        request, "surveys/home.html", {"rounds": rounds, "plans": plans, "target": results.target()}
    )


def _plan_create(request: HttpRequest, *, office: bool) -> HttpResponse:
    form = PlanForm(request.POST or None, user=request.user, office=office)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.create_plan(
                actor=request.user, year=form.cleaned_data["year"], title=form.cleaned_data["title"],
                purpose=form.cleaned_data["purpose"], community=form.cleaned_data.get("community") if office else None,
            )  # fmt: skip
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("方案已建立，请添加调查轮次。"))
            return redirect("surveys:plan", plan.pk)
    return render(request, "surveys/plan_form.html", {"form": form, "office": office})


@permission_required(Perm.SURVEYS_PLAN)
def plan_create(request: HttpRequest) -> HttpResponse:
    """《年度客户调查方案》 of the company."""
    return _plan_create(request, office=False)


@permission_required(Perm.SURVEYS_OFFICE_PLAN)
def office_plan_create(request: HttpRequest) -> HttpResponse:
    """A 管理处客户调查方案."""
    return _plan_create(request, office=True)


@permission_required(Perm.SURVEYS_VIEW)
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.access_plan(request.user, pk)
    rounds = (
        plan.rounds.all()
        .select_related("questionnaire_version__questionnaire")
        .prefetch_related("communities")
    )
    return render(
        request,
        "surveys/plan_detail.html",
        {"plan": plan, "rounds": rounds, "decision": PlanDecisionForm()},
    )


@require_POST
@permission_required(Perm.SURVEYS_VIEW)
def plan_submit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.access_plan(request.user, pk)
    require_perm(request, services.plan_perm(plan.community))
    try:
        services.submit_plan(plan, actor=request.user)
        messages.success(request, _("方案已提交审批。"))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("surveys:plan", plan.pk)


@require_POST
@permission_required(Perm.SURVEYS_APPROVE)
def plan_decide(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.access_plan(request.user, pk)
    form = PlanDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择批准或退回。"))
        return redirect("surveys:plan", plan.pk)
    try:
        services.decide_plan(plan, actor=request.user, approve=form.cleaned_data["decision"] == "approve",
                             note=form.cleaned_data["note"])  # fmt: skip
        messages.success(
            request, _("已批准。") if plan.status == SurveyPlan.Status.APPROVED else _("已退回。")
        )
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("surveys:plan", plan.pk)


def _round_form_page(
    request: HttpRequest, plan: SurveyPlan, round_: SurveyRound | None
) -> HttpResponse:
    require_perm(request, services.plan_perm(plan.community))
    initial: dict[str, Any] = services.default_round(plan)
    if round_ is not None:
        initial = {f: getattr(round_, f) for f in services.ROUND_FIELDS if f not in ("grades",)}
        initial.update(
            communities=list(round_.communities.all()),
            staff=list(round_.staff.all()),
            version=round_.version,
        )
    form = RoundForm(request.POST or None, user=request.user, plan=plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = {
            k: v
            for k, v in form.cleaned_data.items()
            if k not in ("communities", "version", "staff")
        }
        try:
            saved = services.save_round(
                round_, plan=plan, actor=request.user, values=values,
                communities=list(form.cleaned_data["communities"]), staff=list(form.cleaned_data["staff"]),
                expected_version=form.cleaned_data.get("version"),
            )  # fmt: skip
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("轮次已保存。"))
            return redirect("surveys:round", saved.pk)
    return render(request, "surveys/round_form.html", {"form": form, "plan": plan, "round": round_})


@permission_required(Perm.SURVEYS_VIEW)
def round_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _round_form_page(request, selectors.access_plan(request.user, pk), None)


@permission_required(Perm.SURVEYS_VIEW)
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.access_round(request.user, pk)
    return _round_form_page(request, round_.plan, round_)


@permission_required(Perm.SURVEYS_VIEW)
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.access_round(request.user, pk)
    per, total = results.rates(round_, selectors.invitations(request.user, round_))
    context = {
        "round": round_, "per": per, "total": total, "freeze_on": services.freeze_date(round_),
        "return_target": results.return_target(), "phone_cap": answering.phone_cap(round_),
        "phone_used": selectors.invitations(request.user, round_).filter(phone_approved_by__isnull=False).count(),
        "can_manage": services.plan_perm(round_.community) in request.perms,  # type: ignore[attr-defined]
        "channel_labels": [str(dict(Invitation.Channel.choices).get(c, c)) for c in round_.channels or []],
        "special_label": str(dict(Customer.CareFlag.choices).get(round_.special_flag, round_.special_flag)),
    }  # fmt: skip
    return render(request, "surveys/round_detail.html", context)


ROUND_ACTIONS: dict[str, tuple[Callable[..., Any], str]] = {
    "freeze": (lambda r, u: services.freeze_round(r, actor=u), _("范围已锁定，问卷版本不再修改。")),
    "draw": (lambda r, u: draws.draw_sample(r, actor=u), _("已抽样：%(result)s 户。")),
    "open": (
        lambda r, u: answering.open_round(r, actor=u),
        _("已发放，%(result)s 条短信进入发送队列。"),
    ),
    "remind": (lambda r, u: answering.remind(r, actor=u), _("已再次推送 %(result)s 户。")),
    "close": (lambda r, u: services.close_round(r, actor=u), _("本轮已结束回收。")),
}


@require_POST
@permission_required(Perm.SURVEYS_VIEW)
def round_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    round_ = selectors.access_round(request.user, pk)
    if action not in ROUND_ACTIONS:
        raise Http404
    require_perm(request, services.plan_perm(round_.community))
    run, done = ROUND_ACTIONS[action]
    try:
        outcome = run(round_, request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done % {"result": outcome if isinstance(outcome, int) else ""})
    return redirect("surveys:round", round_.pk)


@permission_required(Perm.SURVEYS_VIEW)
def round_sample(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.access_round(request.user, pk)
    rows = selectors.invitations(request.user, round_).select_related("room", "community").order_by("community__code", "room__code")  # fmt: skip
    status = request.GET.get("status", "")
    if status in Invitation.Status.values:
        rows = rows.filter(status=status)
    if request.GET.get("export") == "xlsx":
        return exports.sample_workbook(round_, rows, request.user)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "surveys/round_sample.html", {"round": round_, "page": page, "status": status, "statuses": Invitation.Status.choices})  # fmt: skip


@permission_required(Perm.SURVEYS_VIEW)
def paper_forms(request: HttpRequest, pk: int) -> HttpResponse:
    """The paper questionnaires of the households issued on paper, within the user's scope."""
    from linli.surveys.paper import forms_pdf

    round_ = selectors.access_round(request.user, pk)
    if round_.status != SurveyRound.Status.OPEN:
        messages.error(request, _("发放后才能打印纸质问卷。"))
        return redirect("surveys:round", round_.pk)
    rows = selectors.invitations(request.user, round_).filter(channel=Invitation.Channel.PAPER).exclude(status=Invitation.Status.RETURNED).order_by("community__code", "room__code")  # fmt: skip
    if request.GET.get("community"):
        rows = rows.filter(community_id=request.GET["community"])
    pdf = forms_pdf(round_, rows)
    audit_record(request.user, "surveys.paper.printed", round_, {"forms": rows.count()})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="paper-{round_.pk}.pdf"'
    return response


@permission_required(Perm.SURVEYS_VIEW)
def round_results(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.access_round(request.user, pk)
    visible = selectors.responses(request.user)
    by = request.GET.get("by", "community")
    if by not in ("community", "building", "grade"):
        by = "community"
    overall = results.score_round(round_, responses=visible)[""]
    groups = results.score_round(round_, by=by, responses=visible)
    target = results.target()
    context = {"round": round_, "overall": overall, "groups": groups, "by": by, "target": target,
               "missed": overall.below_target(target),
               "trend": results.trend(round_, responses=visible),
               "chart": results.chart_data(overall, groups, target)}  # fmt: skip
    return render(request, "surveys/round_results.html", context)


@permission_required(Perm.SURVEYS_KEY_IN)
def key_in(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.access_round(request.user, pk)
    lookup = KeyInLookupForm(request.GET or None)
    invitation = None
    if lookup.is_valid():
        code = lookup.cleaned_data["room"].strip().upper()
        rows = selectors.invitations(request.user, round_).select_related("room", "round")
        number = re.fullmatch(rf"{round_.pk}-(\d{{6}})", code)  # the paper form's 问卷编号
        invitation = (
            rows.filter(pk=int(number.group(1))) if number else rows.filter(room__code=code)
        ).first()
        if invitation is None:
            lookup.add_error(
                "room",
                _("本轮样本中没有房号或问卷编号 %(code)s（或不在您的管理处）。") % {"code": code},
            )
    if request.method == "POST":
        invitation = selectors.access_invitation(
            request.user, int(request.POST.get("invitation", 0))
        )
        if invitation.round_id != round_.pk:
            raise Http404
        raw = raw_answers(request, answering.questions_of(round_))
        try:
            answering.key_in(
                invitation, raw, actor=request.user, paper_number=request.POST.get("paper_number", "")[:30],
                double_entry=bool(request.POST.get("double_entry")), phone=request.POST.get("channel") == "phone",
            )  # fmt: skip
        except DomainError as error:
            messages.error(request, error.message)
            saved = {pk: {"value": v if isinstance(v, str) else "", "values": v if isinstance(v, list) else [], "text": v if isinstance(v, str) else ""} for pk, v in raw.items()}  # fmt: skip
            return render(request, "surveys/key_in.html", {"round": round_, "lookup": lookup, "invitation": invitation,
                          "sections": sections_with_answers(invitation, saved), "scale": _scale()}, status=400)  # fmt: skip
        invitation.refresh_from_db()
        if invitation.status == Invitation.Status.RETURNED:
            messages.success(request, _("%(room)s 的问卷已录入。") % {"room": invitation.room.code})
        else:
            messages.info(
                request,
                _("%(room)s 已完成第一遍录入，等待另一位同事第二遍录入核对。")
                % {"room": invitation.room.code},
            )
        return redirect("surveys:key_in", round_.pk)
    sections = sections_with_answers(invitation, {}) if invitation else []
    return render(request, "surveys/key_in.html", {"round": round_, "lookup": lookup, "invitation": invitation, "sections": sections, "scale": _scale()})  # fmt: skip


def _scale() -> list[tuple[str, str]]:
    from linli.surveys.models import Scale

    return [(str(value), str(label)) for value, label in Scale.choices]


@require_POST
@permission_required(Perm.SURVEYS_OFFICE_PLAN)
def approve_phone(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = selectors.access_invitation(request.user, pk)
    try:
        answering.approve_phone(invitation, actor=request.user)
        messages.success(
            request, _("已批准对 %(room)s 进行电话访问。") % {"room": invitation.room.code}
        )
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("surveys:sample", invitation.round_id)
