from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import worktime
from linli.core.errors import DomainError
from linli.core.http import permission_required, require_perm
from linli.org.forms import ParameterChangeForm
from linli.org.roles import Perm
from linli.policy import registry, selectors, services


@permission_required(Perm.POLICY_VIEW)
def index(request: HttpRequest) -> HttpResponse:
    first, last = worktime.calendar_coverage()
    year = timezone.localdate().year
    context = {
        "groups": selectors.grouped_states(),
        "coverage": (first, last),
        "uncovered_years": [y for y in (year, year + 1) if y > last],
    }
    return render(request, "policy/index.html", context)


@permission_required(Perm.POLICY_VIEW)
def detail(request: HttpRequest, key: str) -> HttpResponse:
    param = registry.PARAMETERS.get(key)
    if param is None:
        raise Http404
    current_version = selectors.latest_version(key, None)
    form = None
    if request.method == "POST":
        require_perm(request, Perm.POLICY_EDIT)
        form = ParameterChangeForm(
            request.POST, user=request.user, allow_community=param.community_override
        )
        if form.is_valid():
            data = form.cleaned_data
            community = data.get("community")
            try:
                services.set_parameter(
                    key,
                    data["value"],
                    actor=request.user,
                    reason=data["reason"],
                    effective_from=data.get("effective_from"),
                    community=community,
                    expected_version=data["expected_version"] if community is None else None,
                )
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("已记录新版本。"))
                return redirect("policy:detail", key=key)
    elif Perm.POLICY_EDIT in request.perms:  # type: ignore[attr-defined]
        form = ParameterChangeForm(
            initial={
                "value": param.display(selectors.parameter_value(key)).replace("、", ","),
                "expected_version": current_version,
            },
            user=request.user,
            allow_community=param.community_override,
        )
    context = {
        "param": param,
        "kind_label": registry.KIND_LABELS[param.kind],
        "current_display": param.display(selectors.parameter_value(key)),
        "default_display": param.display(param.default),
        "current_version": current_version,
        "history": selectors.history(key),
        "form": form,
        "now": timezone.now(),
    }
    return render(request, "policy/detail.html", context)
