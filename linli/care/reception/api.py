"""API v1 for the reception log and personalised needs (/api/v1/care/reception/): the same
scoping, permissions and services as the pages; phone numbers masked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from linli.api.params import community_param, flag_param, paginated
from linli.api.permissions import HasPerm
from linli.care.reception import selectors, services
from linli.care.reception.models import (
    Channel,
    NeedSource,
    NeedStatus,
    NeedType,
    Outcome,
    PersonalNeed,
    ReceptionEntry,
    Topic,
)
from linli.core.errors import DomainError
from linli.core.masking import mask_phone
from linli.customers.models import Customer, Room
from linli.org.models import Community, Staff
from linli.org.roles import Perm
from linli.org.selectors import access_community


class EntrySerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="community.code", read_only=True)
    caller_phone = serializers.SerializerMethodField()
    room_code = serializers.CharField(source="room.code", read_only=True, default=None)
    handled_by = serializers.CharField(source="handled_by.display_name", read_only=True)
    ticket_number = serializers.CharField(source="ticket.number", read_only=True, default=None)

    class Meta:
        model = ReceptionEntry
        fields = [
            "id", "community", "channel", "received_at", "customer", "room", "room_code",
            "caller_name", "caller_phone", "topic", "subject", "outcome", "reply", "rings",
            "handled_by", "ticket", "ticket_number", "need", "closed_at", "version",
        ]  # fmt: skip

    def get_caller_phone(self, entry: ReceptionEntry) -> str:
        return mask_phone(entry.caller_phone) if entry.caller_phone else ""


class EntryInput(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    subject = serializers.CharField(max_length=200)
    topic = serializers.ChoiceField(choices=Topic.choices, default=Topic.ENQUIRY)
    outcome = serializers.ChoiceField(
        choices=[Outcome.ANSWERED, Outcome.FOLLOW_UP, Outcome.REFERRED], default=Outcome.ANSWERED
    )
    received_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    customer = serializers.IntegerField(required=False, allow_null=True, default=None)
    room = serializers.IntegerField(required=False, allow_null=True, default=None)
    community = serializers.CharField(required=False, allow_blank=True, default="")
    caller_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)
    caller_phone = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=30
    )
    reply = serializers.CharField(required=False, allow_blank=True, default="")
    rings = serializers.IntegerField(required=False, allow_null=True, default=None)


class NeedSerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="community.code", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    room_code = serializers.CharField(source="room.code", read_only=True, default=None)
    need_type = serializers.CharField(source="need_type.code", read_only=True)
    need_type_name = serializers.CharField(source="need_type.name", read_only=True)
    assignee_name = serializers.CharField(
        source="assignee.display_name", read_only=True, default=None
    )

    class Meta:
        model = PersonalNeed
        fields = [
            "id", "community", "customer", "customer_name", "room", "room_code", "need_type",
            "need_type_name", "description", "source", "source_ref", "assignee", "assignee_name",
            "due_on", "status", "result", "feedback", "completed_at", "created_at", "version",
        ]  # fmt: skip


class NeedInput(serializers.Serializer):
    customer = serializers.IntegerField()
    need_type = serializers.CharField()
    description = serializers.CharField()
    source = serializers.ChoiceField(  # type: ignore[assignment]  # a declared field, not Field.source
        choices=NeedSource.choices, default=NeedSource.OTHER
    )
    source_ref = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)
    room = serializers.IntegerField(required=False, allow_null=True, default=None)
    assignee = serializers.IntegerField(required=False, allow_null=True, default=None)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


class NeedStatusInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=NeedStatus.choices)
    result = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, allow_null=True, default=None)


class NeedTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = NeedType
        fields = ["code", "name", "sort", "is_active"]


def _date(request: Request, name: str) -> Any:
    raw = request.query_params.get(name, "")
    if not raw:
        return None
    try:
        value = dt.date.fromisoformat(raw)
    except ValueError:
        raise serializers.ValidationError({name: ["日期格式应为 YYYY-MM-DD。"]}) from None
    return value


def _entry_filters(request: Request) -> selectors.EntryFilters:
    params = request.query_params
    handled_by = params.get("handled_by", "")
    return selectors.EntryFilters(
        date_from=_date(request, "date_from"), date_to=_date(request, "date_to"),
        channel=params.get("channel", ""), outcome=params.get("outcome", ""),
        handled_by=int(handled_by) if handled_by.isdigit() else None,
        open_only=flag_param(request, "open"), q=params.get("q", "").strip(),
    )  # fmt: skip


def _entry_community(request: Request, customer: Customer | None, code: str) -> Community:
    user: Any = request.user
    if customer is not None:
        return customer.community
    if not user.is_company_wide:
        return user.community
    if code:
        return access_community(user, code)
    raise DomainError("请指定小区（community）。", field="community")


ENTRY_FILTERS = [
    "community",
    "date_from",
    "date_to",
    "channel",
    "outcome",
    "handled_by",
    "open",
    "q",
]


@extend_schema(
    methods=["GET"],
    parameters=[OpenApiParameter(n, str) for n in ENTRY_FILTERS],
    responses=EntrySerializer(many=True),
)
@extend_schema(methods=["POST"], request=EntryInput, responses={201: EntrySerializer})
@api_view(["GET", "POST"])
@permission_classes([HasPerm(Perm.CARE_RECEPTION_LOG)])
def entry_list(request: Request) -> Response:
    """The reception log in the caller's scope (GET, filtered), or one new entry (POST)."""
    if request.method == "GET":
        rows = selectors.entry_list(
            request.user, _entry_filters(request), community_id=community_param(request)
        )
        return paginated(request, rows, EntrySerializer)
    data = EntryInput(data=request.data)
    data.is_valid(raise_exception=True)
    d = data.validated_data
    user: Any = request.user
    customer = (
        get_object_or_404(Customer.objects.visible_to(user), pk=d["customer"])
        if d["customer"]
        else None
    )
    room = get_object_or_404(Room.objects.visible_to(user), pk=d["room"]) if d["room"] else None
    entry = services.log_contact(
        _entry_community(request, customer, d["community"]), actor=user, channel=d["channel"],
        subject=d["subject"], topic=d["topic"], outcome=d["outcome"], received_at=d["received_at"],
        customer=customer, room=room, caller_name=d["caller_name"], caller_phone=d["caller_phone"],
        reply=d["reply"], rings=d["rings"],
    )  # fmt: skip
    return Response(EntrySerializer(entry).data, status=status.HTTP_201_CREATED)


@extend_schema(responses=EntrySerializer)
@api_view(["GET"])
@permission_classes([HasPerm(Perm.CARE_RECEPTION_LOG)])
def entry_detail(request: Request, pk: int) -> Response:
    return Response(EntrySerializer(selectors.access_entry(request.user, pk)).data)


NEED_FILTERS = ["community", "status", "need_type", "assignee", "open", "overdue", "mine"]


@extend_schema(
    methods=["GET"],
    parameters=[OpenApiParameter(n, str) for n in NEED_FILTERS],
    responses=NeedSerializer(many=True),
)
@extend_schema(methods=["POST"], request=NeedInput, responses={201: NeedSerializer})
@api_view(["GET", "POST"])
@permission_classes([HasPerm(Perm.CARE_NEEDS)])
def need_list(request: Request) -> Response:
    """Personalised needs in the caller's scope (GET), or record one (POST, `record_need`)."""
    user: Any = request.user
    if request.method == "GET":
        params = request.query_params
        assignee_raw = params.get("assignee", "")
        filters = selectors.NeedFilters(
            status=params.get("status", ""), need_type=params.get("need_type", ""),
            assignee=user.pk if flag_param(request, "mine") else (int(assignee_raw) if assignee_raw.isdigit() else None),
            open_only=flag_param(request, "open"), overdue_only=flag_param(request, "overdue"),
        )  # fmt: skip
        rows = selectors.need_list(user, filters, community_id=community_param(request))
        return paginated(request, rows, NeedSerializer)
    data = NeedInput(data=request.data)
    data.is_valid(raise_exception=True)
    d = data.validated_data
    customer = get_object_or_404(Customer.objects.visible_to(user), pk=d["customer"])
    room = get_object_or_404(Room.objects.visible_to(user), pk=d["room"]) if d["room"] else None
    assignee = (
        get_object_or_404(Staff.objects.visible_to(user), pk=d["assignee"])
        if d["assignee"]
        else None
    )
    need = services.record_need(
        actor=user, customer=customer, description=d["description"], need_type=d["need_type"],
        source=d["source"], source_ref=d["source_ref"], room=room, assignee=assignee,
        due_on=d["due_on"],
    )  # fmt: skip
    return Response(NeedSerializer(need).data, status=status.HTTP_201_CREATED)


@extend_schema(responses=NeedSerializer)
@api_view(["GET"])
@permission_classes([HasPerm(Perm.CARE_NEEDS)])
def need_detail(request: Request, pk: int) -> Response:
    return Response(NeedSerializer(selectors.access_need(request.user, pk)).data)


@extend_schema(request=NeedStatusInput, responses=NeedSerializer)
@api_view(["POST"])
@permission_classes([HasPerm(Perm.CARE_NEEDS)])
def need_status(request: Request, pk: int) -> Response:
    """Move a need on (待处理 → 处理中 → 已完成 / 已取消); `version` guards concurrent edits."""
    need = selectors.access_need(request.user, pk)
    data = NeedStatusInput(data=request.data)
    data.is_valid(raise_exception=True)
    d = data.validated_data
    need = services.set_need_status(
        need, actor=request.user, status=d["status"], result=d["result"], note=d["note"],
        expected_version=d["version"],
    )  # fmt: skip
    return Response(NeedSerializer(need).data)


@extend_schema(responses=NeedTypeSerializer(many=True))
@api_view(["GET"])
@permission_classes([HasPerm(Perm.CARE_NEEDS)])
def need_types(request: Request) -> Response:
    return Response(NeedTypeSerializer(NeedType.objects.filter(is_active=True), many=True).data)
