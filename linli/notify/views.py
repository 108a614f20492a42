from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from linli.notify import services
from linli.notify.models import Message


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    rows = Message.objects.filter(recipient_id=request.user.pk, channel=Message.Channel.IN_APP)
    if request.GET.get("unread"):
        rows = rows.filter(read_at__isnull=True)
    page = Paginator(rows.order_by("-created_at", "-id"), 30).get_page(request.GET.get("page"))
    return render(
        request, "notify/inbox.html", {"page": page, "unread_only": bool(request.GET.get("unread"))}
    )


@require_POST
@login_required
def mark_read(request: HttpRequest) -> HttpResponse:
    pk = request.POST.get("message")
    services.mark_read(request.user, [int(pk)] if pk and pk.isdigit() else None)
    return redirect(request.POST.get("next") or "notify:inbox")


@login_required
def open_message(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one message read and follow its link (only the recipient's own messages exist here)."""
    from django.shortcuts import get_object_or_404
    from django.utils.http import url_has_allowed_host_and_scheme

    message = get_object_or_404(
        Message, pk=pk, recipient=request.user, channel=Message.Channel.IN_APP
    )
    services.mark_read(request.user, [message.pk])
    target = (
        message.link
        if url_has_allowed_host_and_scheme(message.link, allowed_hosts={request.get_host()})
        else ""
    )
    return redirect(target or "notify:inbox")
