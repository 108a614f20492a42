"""Pages of the company's grading scheme: grades, rules (with preview), flags, service plans."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.errors import DomainError
from linli.core.http import permission_required
from linli.grading import selectors, services
from linli.grading.forms import (
    CadenceFormSet,
    ConditionFormSet,
    FlagForm,
    GradeForm,
    PlanForm,
    RuleForm,
    condition_initial,
    conditions_of,
)
from linli.grading.models import Flag, Grade, GradeRule, ServicePlan
from linli.grading.plans import CADENCE_PARAMETERS, plan_view
from linli.grading.rules import INPUTS, OP_LABELS, OPS, compile_rule, input_choices, input_label
from linli.org.roles import Perm


def _community(request: HttpRequest) -> int | None:
    return request.current_community_id  # type: ignore[attr-defined]


def _form_error(form: Any, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@permission_required(Perm.CUSTOMERS_VIEW)
def scheme(request: HttpRequest) -> HttpResponse:
    context = selectors.scheme(request.user, _community(request))
    return render(request, "grading/scheme.html", context)


# --- grades -------------------------------------------------------------------------------------
def _grade_page(request: HttpRequest, grade: Grade | None) -> HttpResponse:
    form = GradeForm.for_grade(grade, request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.save_grade(
                grade, values, actor=request.user, expected_version=form.cleaned_data["version"]
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("已保存等级“%(n)s”。") % {"n": values["name"]})
            return redirect("grading:scheme")
    return render(request, "grading/grade_form.html", {"form": form, "grade": grade})


@permission_required(Perm.GRADING_CONFIGURE)
def grade_create(request: HttpRequest) -> HttpResponse:
    return _grade_page(request, None)


@permission_required(Perm.GRADING_CONFIGURE)
def grade_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _grade_page(request, get_object_or_404(Grade, pk=pk))


# --- rules --------------------------------------------------------------------------------------
def _vocabulary() -> list[dict[str, Any]]:
    """The inputs a condition may use, with their operators and values (shown beside the form)."""
    return [
        {
            "code": code,
            "label": input_label(code),
            "kind": spec.kind,
            "unit": spec.unit,
            "help": spec.help,
            "ops": [str(OP_LABELS[op]) for op in OPS[spec.kind]],
            "choices": [(c, str(n)) for c, n in input_choices(code)] if spec.kind in ("choice", "flags") else [],
        }
        for code, spec in INPUTS.items()
    ]  # fmt: skip


def _rule_page(request: HttpRequest, rule: GradeRule | None) -> HttpResponse:
    initial = (
        {"name": rule.name, "grade": rule.grade_id, "priority": rule.priority,
         "is_active": rule.is_active, "note": rule.note, "version": rule.version}
        if rule else {"priority": _next_priority(), "is_active": True}
    )  # fmt: skip
    form = RuleForm(request.POST or None, initial=initial)
    conditions = ConditionFormSet(
        request.POST or None,
        prefix="c",
        initial=condition_initial(rule.conditions if rule else [], blank=2 if rule else 3),
    )
    preview = None
    if request.method == "POST" and form.is_valid() and conditions.is_valid():
        data = form.cleaned_data
        raw = conditions_of(conditions)
        try:
            if "preview" in request.POST:
                preview = _preview(request, rule, data, raw)
            else:
                services.save_rule(
                    rule, grade=data["grade"], name=data["name"], priority=data["priority"], conditions=raw,
                    is_active=data["is_active"], note=data["note"], actor=request.user, expected_version=data["version"],
                )  # fmt: skip
                messages.success(request, _("已保存规则“%(n)s”。") % {"n": data["name"]})
                return redirect("grading:scheme")
        except DomainError as error:
            _form_error(form, error)
    context = {"form": form, "conditions": conditions, "rule": rule, "preview": preview,
               "vocabulary": _vocabulary()}  # fmt: skip
    return render(request, "grading/rule_form.html", context)


def _next_priority() -> int:
    last = GradeRule.objects.order_by("-priority").values_list("priority", flat=True).first()
    return (last or 0) + 10


def _preview(
    request: HttpRequest, rule: GradeRule | None, data: dict[str, Any], raw: list[dict[str, Any]]
) -> dict[str, Any]:
    from linli.grading.rules import clean_conditions

    clean = clean_conditions(raw)
    candidate = compile_rule(-1, data["name"], data["grade"].pk, clean, priority=data["priority"])
    result = selectors.preview_candidate(
        request.user, _community(request), candidate, replaces=rule.pk if rule else None
    )
    return {"result": result, "limit": selectors.PREVIEW_LIMIT}


@permission_required(Perm.GRADING_CONFIGURE)
def rule_create(request: HttpRequest) -> HttpResponse:
    return _rule_page(request, None)


@permission_required(Perm.GRADING_CONFIGURE)
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _rule_page(request, get_object_or_404(GradeRule, pk=pk))


@require_POST
@permission_required(Perm.GRADING_CONFIGURE)
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(GradeRule, pk=pk)
    services.delete_rule(rule, actor=request.user)
    messages.success(request, _("已删除规则“%(n)s”。") % {"n": rule.name})
    return redirect("grading:scheme")


# --- flags --------------------------------------------------------------------------------------
def _flag_page(request: HttpRequest, flag: Flag | None) -> HttpResponse:
    form = FlagForm.for_flag(flag, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_flag(flag, dict(form.cleaned_data), actor=request.user)
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("已保存标记“%(n)s”。") % {"n": form.cleaned_data["name"]})
            return redirect("grading:scheme")
    return render(request, "grading/flag_form.html", {"form": form, "flag": flag})


@permission_required(Perm.GRADING_CONFIGURE)
def flag_create(request: HttpRequest) -> HttpResponse:
    return _flag_page(request, None)


@permission_required(Perm.GRADING_CONFIGURE)
def flag_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _flag_page(request, get_object_or_404(Flag, pk=pk))


# --- service plans ------------------------------------------------------------------------------
@permission_required(Perm.CUSTOMERS_VIEW)
def plans(request: HttpRequest) -> HttpResponse:
    return render(request, "grading/plans.html", selectors.plans())


@permission_required(Perm.GRADING_CONFIGURE)
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(ServicePlan.objects.select_related("grade", "flag"), pk=pk)
    form = PlanForm(
        request.POST or None,
        initial={"sla_factor": plan.sla_factor, "invitations_first": plan.invitations_first,
                 "dedicated_steward": plan.dedicated_steward, "care_events": plan.care_events,
                 "notes": plan.notes, "version": plan.version},
    )  # fmt: skip
    cadences = CadenceFormSet(
        request.POST or None,
        prefix="v",
        initial=[
            {"visitor": c.visitor, "times": c.times, "per_months": c.per_months, "policy_key": c.policy_key}
            for c in plan.cadences.all()
        ] + [{}, {}],
    )  # fmt: skip
    if request.method == "POST" and form.is_valid() and cadences.is_valid():
        rows = [f.cleaned_data for f in cadences.forms if f.cleaned_data.get("visitor")]
        try:
            services.save_plan(
                plan, form.cleaned_data, cadences=rows, actor=request.user,
                expected_version=form.cleaned_data["version"],
            )  # fmt: skip
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("已保存“%(s)s”的服务方案。") % {"s": plan.subject})
            return redirect("grading:plans")
    context = {"form": form, "cadences": cadences, "plan": plan, "view": plan_view(plan),
               "parameters": CADENCE_PARAMETERS}  # fmt: skip
    return render(request, "grading/plan_form.html", context)
