"""Pages of the care calendar, notices and community events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli import policy
from linli.care.outreach import events, greetings, notices, selectors
from linli.care.outreach.forms import DoneForm, EventForm, FeedbackForm, NoticeForm, TemplateForm
from linli.care.outreach.models import Event
from linli.core.errors import DomainError
from linli.core.http import permission_required
from linli.org.models import Community
from linli.org.roles import Perm, Role


def _community_id(request: HttpRequest) -> int | None:
    return request.current_community_id  # type: ignore[attr-defined]


def _home_community(request: HttpRequest) -> Community | None:
    """The community a notice or event is for: the office's own, or the one switched to."""
    pk = _community_id(request)
    return Community.objects.visible_to(request.user).filter(pk=pk).first() if pk else None


def _month(request: HttpRequest) -> dt.date:
    try:
        return dt.datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2099 else timezone.localdate().year


# --- care calendar ---------------------------------------------------------------------------------
@permission_required(Perm.CARE_VISIT)
def calendar_page(request: HttpRequest) -> HttpResponse:
    month = _month(request)
    weeks = selectors.month_calendar(request.user, _community_id(request), month.year, month.month)
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    context = {"month": month, "weeks": weeks, "previous": previous, "following": following,
               "today": timezone.localdate()}  # fmt: skip
    return render(request, "care/outreach/calendar.html", context)


@permission_required(Perm.CARE_VISIT)
def today(request: HttpRequest) -> HttpResponse:
    mine = request.GET.get("mine", "1" if request.user.role == Role.STEWARD else "0") == "1"  # type: ignore[union-attr]
    rows = selectors.todays_greetings(request.user, _community_id(request), mine=mine)
    return render(
        request, "care/outreach/today.html", {"rows": rows, "mine": mine, "form": DoneForm()}
    )


@require_POST
@permission_required(Perm.CARE_VISIT)
def greeting_done(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.access_greeting(request.user, pk)
    form = DoneForm(request.POST)
    if form.is_valid():
        try:
            greetings.complete_greeting(task, actor=request.user, note=form.cleaned_data["note"])
            messages.success(request, _("已登记 %(name)s 的问候。") % {"name": task.customer.name})
        except DomainError as error:
            messages.error(request, str(error))
    return redirect(reverse("outreach:today") + f"#greeting-{task.pk}")


@permission_required(Perm.REPORTS_OFFICE)
def greeting_stats(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    table = selectors.greeting_stats(request.user, _community_id(request), year)
    chart = {"type": "bar", "stack": True, "labels": [row["name"] for row in table],
             "series": [{"name": _("已问候"), "data": [row["done"] for row in table]},
                        {"name": _("未问候"), "data": [row["missed"] for row in table]}]}  # fmt: skip
    return render(request, "care/outreach/stats.html", {"year": year, "table": table, "chart": chart,
                                                        "months": range(1, 13)})  # fmt: skip


@permission_required(Perm.CARE_TEMPLATES)
def templates(request: HttpRequest) -> HttpResponse:
    texts = greetings.template_texts()
    if request.method == "POST":
        form = TemplateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                greetings.save_template(
                    data["care_event"], data["occasion"], data["text"], actor=request.user
                )
                messages.success(request, _("问候模板已保存。"))
                return redirect("outreach:templates")
            except DomainError as error:
                messages.error(request, str(error))
                texts[(data["care_event"], data["occasion"])] = data["text"]
    rows = [{"event": selectors.event_label(e), "occasion": o, "care_event": e, "text": texts[(e, o)],
             "occasion_label": greetings.Occasion(o).label} for (e, o) in greetings.DEFAULT_TEXTS]  # fmt: skip
    return render(
        request,
        "care/outreach/templates.html",
        {"rows": rows, "placeholders": greetings.PLACEHOLDERS},
    )


# --- notices ---------------------------------------------------------------------------------------
@permission_required(Perm.CUSTOMERS_VIEW)
def notice_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notice_list(request.user, _community_id(request)), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "care/outreach/notice_list.html", {"page": page})


@permission_required(Perm.CARE_NOTICES)
def notice_new(request: HttpRequest) -> HttpResponse:
    community = _home_community(request)
    if community is None:
        messages.info(request, _("请先在页面顶部选择要发通知的小区。"))
        return redirect("outreach:notices")
    form = NoticeForm(request.POST or None, community_id=community.pk)
    if request.method == "POST" and form.is_valid():
        try:
            notice = notices.publish_notice(community, actor=request.user, **form.cleaned_data)
            messages.success(request, _("通知已发出，共 %(n)s 人。") % {"n": notice.recipients})
            return redirect("outreach:notice", notice.pk)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
    minutes = policy.value("care.notice.deliver_within_minutes", community=community)
    return render(
        request,
        "care/outreach/notice_form.html",
        {"form": form, "community": community, "minutes": minutes},
    )


@permission_required(Perm.CUSTOMERS_VIEW)
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = selectors.access_notice(request.user, pk)
    deliveries = selectors.notice_recipients(notice)
    context = {"notice": notice, "figures": notices.delivery(notice), "deliveries": deliveries,
               "buildings": notice.buildings.all(), "units": notice.units.select_related("building")}  # fmt: skip
    return render(request, "care/outreach/notice_detail.html", context)


@permission_required(Perm.CUSTOMERS_VIEW)
def notice_delivery(request: HttpRequest, pk: int) -> HttpResponse:
    notice = selectors.access_notice(request.user, pk)
    context = {
        "notice": notice,
        "figures": notices.delivery(notice),
        "deliveries": selectors.notice_recipients(notice),
    }
    return render(request, "care/outreach/_delivery.html", context)


# --- events ----------------------------------------------------------------------------------------
@permission_required(Perm.CUSTOMERS_VIEW)
def event_list(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    communities = Community.objects.visible_to(request.user)
    community_id = _community_id(request)
    if community_id:
        communities = communities.filter(pk=community_id)
    counts = events.yearly_counts(communities.order_by("code"), year)
    chart = {"communities": [c["community"].name for c in counts], "held": [c["held"] for c in counts],
             "planned": [c["planned"] for c in counts], "target": [c["target"] for c in counts],
             "labels": {"held": _("已举办"), "planned": _("筹备中/已邀请"), "target": _("年度目标")}}  # fmt: skip
    rows = selectors.event_list(request.user, _community_id(request), year)
    return render(request, "care/outreach/event_list.html",
                  {"year": year, "rows": rows, "counts": counts, "chart": chart})  # fmt: skip


@permission_required(Perm.CARE_EVENTS)
def event_new(request: HttpRequest) -> HttpResponse:
    community = _home_community(request)
    if community is None:
        messages.info(request, _("请先在页面顶部选择举办活动的小区。"))
        return redirect("outreach:events")
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        event = events.create_event(community, actor=request.user, **form.cleaned_data)
        messages.success(request, _("活动已创建，请核对邀请名单后发出邀请。"))
        return redirect("outreach:event", event.pk)
    return render(request, "care/outreach/event_form.html", {"form": form, "community": community})


@permission_required(Perm.CUSTOMERS_VIEW)
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.access_event(request.user, pk)
    context: dict[str, Any] = {"event": event, "ratings": selectors.rating_summary(event),
                               "feedback_form": FeedbackForm(), "now": timezone.now()}  # fmt: skip
    if event.status == Event.Status.PLANNED:
        order = events.invitation_order(event)
        context["preview"] = order[: event.capacity or 50]
        context["audience_total"] = order.count()
    else:
        context["invitations"] = selectors.invitations(request.user, event)
    return render(request, "care/outreach/event_detail.html", context)


@require_POST
@permission_required(Perm.CARE_EVENTS)
def event_invite(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.access_event(request.user, pk)
    try:
        count = events.invite(event, actor=request.user)
        messages.success(request, _("已向 %(n)s 位客户发出邀请。") % {"n": count})
    except DomainError as error:
        messages.error(request, str(error))
    return redirect("outreach:event", event.pk)


@require_POST
@permission_required(Perm.CARE_EVENTS)
def event_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.access_event(request.user, pk)
    attended = [int(v) for v in request.POST.getlist("attended") if v.isdigit()]
    try:
        count = events.record_attendance(event, attended, actor=request.user)
        messages.success(request, _("已登记签到：出席 %(n)s 人。") % {"n": count})
    except DomainError as error:
        messages.error(request, str(error))
    return redirect("outreach:event", event.pk)


@require_POST
@permission_required(Perm.CARE_EVENTS)
def invitation_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = selectors.access_invitation(request.user, pk)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            events.record_feedback(invitation, actor=request.user, **form.cleaned_data)
            messages.success(
                request, _("已登记 %(name)s 的反馈。") % {"name": invitation.customer.name}
            )
        except DomainError as error:
            messages.error(request, str(error))
    else:
        messages.error(request, _("评价须为 1 至 5 星。"))
    return redirect(
        reverse("outreach:event", args=[invitation.event_id]) + f"#invitation-{invitation.pk}"
    )
