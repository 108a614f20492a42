from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli import policy
from linli.core.errors import DomainError
from linli.core.http import permission_required
from linli.org import selectors, services
from linli.org.forms import LoginForm, StaffFilterForm, StaffForm, SwitchCommunityForm
from linli.org.middleware import SESSION_COMMUNITY_KEY
from linli.org.models import Staff
from linli.org.roles import Perm


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        messages.success(self.request, _("密码已修改。"))
        return super().form_valid(form)


@permission_required(Perm.ORG_VIEW_STAFF)
def staff_list(request: HttpRequest) -> HttpResponse:
    form = StaffFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    community = filters.get("community")
    community_id = community.pk if community else request.current_community_id  # type: ignore[attr-defined]
    rows = selectors.staff_directory(
        request.user,
        community_id=community_id,
        role=filters.get("role", ""),
        query=filters.get("q", ""),
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    template = "org/_staff_rows.html" if request.htmx else "org/staff_list.html"  # type: ignore[attr-defined]
    return render(request, template, {"form": form, "page": page, "count": page.paginator.count})


@permission_required(Perm.ORG_MANAGE_STAFF)
def staff_create(request: HttpRequest) -> HttpResponse:
    form = StaffForm(request.POST or None, actor=request.user)
    if not request.user.is_company_wide:  # type: ignore[union-attr]
        form.fields["community"].initial = request.user.community_id  # type: ignore[union-attr]
    if request.method == "POST" and form.is_valid():
        try:
            staff = services.save_staff(
                form.save(commit=False), actor=request.user, password=form.cleaned_data["password"]
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("已创建账号 %(name)s。") % {"name": staff.username})
            return redirect("org:staff_list")
    return render(request, "org/staff_form.html", {"form": form, "creating": True})


@permission_required(Perm.ORG_MANAGE_STAFF)
def staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    staff = selectors.access_staff(request.user, pk)
    old_values = {f: getattr(staff, f) for f in services.STAFF_AUDITED_FIELDS}
    form = StaffForm(request.POST or None, instance=staff, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_staff(
                form.save(commit=False),
                actor=request.user,
                password=form.cleaned_data["password"],
                old_values=old_values,
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("已保存。"))
            return redirect("org:staff_list")
    return render(request, "org/staff_form.html", {"form": form, "creating": False, "staff": staff})


@login_required
def community_list(request: HttpRequest) -> HttpResponse:
    communities = selectors.communities_overview(request.user)
    return render(request, "org/community_list.html", {"communities": communities})


@login_required
def community_detail(request: HttpRequest, code: str) -> HttpResponse:
    community = selectors.access_community(request.user, code)
    staff = Staff.objects.filter(community=community, is_active=True).order_by("role", "username")
    context = {
        "community": community,
        "areas": selectors.areas_of(community),
        "staff": staff,
        "stewards": selectors.stewards_of(community),
        "day_start": policy.value("worktime.day_start", community=community),
        "day_end": policy.value("worktime.day_end", community=community),
    }
    return render(request, "org/community_detail.html", context)


@require_POST
@login_required
def switch_community(request: HttpRequest) -> HttpResponse:
    form = SwitchCommunityForm(request.POST)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    if not request.user.is_company_wide or not form.is_valid():  # type: ignore[union-attr]
        return redirect(target)
    code = form.cleaned_data["community"]
    if not code:
        request.session.pop(SESSION_COMMUNITY_KEY, None)
    else:
        community = selectors.access_community(request.user, code)
        request.session[SESSION_COMMUNITY_KEY] = community.pk
    return redirect(target)
