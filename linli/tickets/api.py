"""API v1 for tickets: the same scoping, permissions and services as the pages."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from linli.api.params import community_param, flag_param
from linli.api.permissions import HasPerm
from linli.core.errors import DomainError
from linli.customers.models import Customer, Room
from linli.org.models import Community, Department, Staff
from linli.org.roles import Perm
from linli.tickets import selectors, services
from linli.tickets.models import (
    Category,
    Cause,
    Channel,
    Kind,
    ReturnVisit,
    Severity,
    Ticket,
    TicketEvent,
)


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = TicketEvent
        fields = ["kind", "from_status", "to_status", "actor", "note", "data", "at"]

    def get_actor(self, event: TicketEvent) -> str:
        return event.actor.display_name if event.actor else event.actor_label


class TicketSerializer(serializers.ModelSerializer):
    community: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    category: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    room_code = serializers.CharField(source="room.code", read_only=True, default="")
    assignee = serializers.CharField(source="assignee.display_name", read_only=True, default="")
    contact_phone = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id", "number", "community", "kind", "channel", "category", "title", "description", "customer", "room",
            "room_code", "contact_name", "contact_phone", "severity", "level", "level_reason", "validity", "status",
            "assignee", "opened_at", "respond_by", "resolve_by", "return_visit_by", "responded_at", "resolved_at",
            "closed_at", "escalation_level", "is_overdue", "reopened_count", "resolution", "satisfaction", "version",
        ]  # fmt: skip

    def get_contact_phone(self, ticket: Ticket) -> str:
        from linli.core.masking import mask_phone

        return mask_phone(ticket.contact_phone)


class TicketDetailSerializer(TicketSerializer):
    events = EventSerializer(many=True, read_only=True)

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "events"]


class OpenSerializer(serializers.Serializer):
    community = serializers.SlugRelatedField(
        slug_field="code", queryset=Community.objects.all(), required=False
    )
    kind = serializers.ChoiceField(choices=Kind.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.filter(is_active=True)
    )
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.ORDINARY)
    title = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    description = serializers.CharField()
    customer = serializers.IntegerField(required=False)
    room = serializers.IntegerField(required=False)
    contact_name = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default=""
    )
    contact_phone = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default=""
    )


class DispatchSerializer(serializers.Serializer):
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=Staff.objects.all(), required=False, allow_null=True
    )
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True
    )
    coordinator = serializers.PrimaryKeyRelatedField(
        queryset=Staff.objects.all(), required=False, allow_null=True
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField()
    cause = serializers.PrimaryKeyRelatedField(
        queryset=Cause.objects.all(), required=False, allow_null=True
    )
    corrective_action = serializers.CharField(required=False, allow_blank=True, default="")


class ReturnVisitSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=ReturnVisit.Method.choices)
    satisfaction = serializers.ChoiceField(choices=ReturnVisit.Satisfaction.choices)
    words = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


FILTERS = ("kind", "status", "severity", "level", "channel", "q", "since", "until")


class TicketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Tickets in the caller's scope; transitions are POST actions through the same services."""

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return TicketDetailSerializer if self.action == "retrieve" else TicketSerializer

    def get_permissions(self) -> list[Any]:
        codes = {
            "create": Perm.TICKETS_CREATE, "dispatch_ticket": Perm.TICKETS_DISPATCH, "resolve": Perm.TICKETS_HANDLE,
            "return_visit": Perm.TICKETS_RETURN_VISIT, "escalate": Perm.TICKETS_ESCALATE,
        }  # fmt: skip
        return [HasPerm(codes.get(self.action or "", Perm.TICKETS_VIEW))()]

    def get_queryset(self):
        params = self.request.query_params
        filters: dict[str, Any] = {k: params[k] for k in FILTERS if params.get(k)}
        if params.get("category"):
            category = Category.objects.filter(code=params["category"]).first()
            filters["category"] = category.pk if category else -1
        for flag in ("open", "overdue", "mine"):
            if flag_param(self.request, flag):
                filters[flag] = True
        return selectors.ticket_list(
            self.request.user, community_id=community_param(self.request), filters=filters
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(n, str)
            for n in (*FILTERS, "category", "community", "open", "overdue", "mine")
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_object(self) -> Ticket:
        return selectors.access_ticket(self.request.user, self.kwargs["pk"])

    @extend_schema(request=OpenSerializer, responses={201: TicketSerializer})
    def create(self, request: Request) -> Response:
        data = OpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        user: Any = request.user
        customer = (
            get_object_or_404(Customer.objects.visible_to(user), pk=values.pop("customer"))
            if values.get("customer")
            else None
        )
        room = (
            get_object_or_404(Room.objects.visible_to(user), pk=values.pop("room"))
            if values.get("room")
            else None
        )
        community = values.pop("community", None) or (
            customer.community if customer else room.community if room else user.community
        )
        if (
            community is None
            or not Community.objects.visible_to(user).filter(pk=community.pk).exists()
        ):
            raise NotFound()
        values.pop("customer", None)
        values.pop("room", None)
        ticket = services.open_ticket(community, actor=user, customer=customer, room=room, **values)
        return Response(
            TicketSerializer(ticket, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    def _done(self, ticket: Ticket) -> Response:
        ticket.refresh_from_db()
        return Response(TicketSerializer(ticket, context={"request": self.request}).data)

    @extend_schema(request=DispatchSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"], url_path="dispatch")
    def dispatch_ticket(self, request: Request, pk: int | None = None) -> Response:
        ticket = self.get_object()
        data = DispatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._done(services.dispatch(ticket, actor=request.user, **data.validated_data))

    @extend_schema(request=ResolveSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: int | None = None) -> Response:
        ticket = self.get_object()
        data = ResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._done(services.resolve(ticket, actor=request.user, **data.validated_data))

    @extend_schema(request=ReturnVisitSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"], url_path="return-visit")
    def return_visit(self, request: Request, pk: int | None = None) -> Response:
        ticket = self.get_object()
        data = ReturnVisitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        visit = ticket.return_visits.filter(done_at__isnull=True).first()
        if visit is None:
            raise DomainError("该诉求没有待回访记录。")
        return self._done(
            services.record_return_visit(visit, actor=request.user, **data.validated_data)
        )

    @extend_schema(request=ReasonSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, pk: int | None = None) -> Response:
        ticket = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._done(
            services.escalate(ticket, actor=request.user, reason=data.validated_data["reason"])
        )
