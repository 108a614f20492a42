"""The portal's own API (/api/v1/portal/): a resident's token, rooms and tickets.

Authentication is `Authorization: Resident <token>` only (ResidentTokenAuthentication): staff
tokens and staff sessions are not looked at here, and a resident token means nothing to the
staff endpoints, whose authenticators only know `Token …` and Django's session.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    parser_classes,
    permission_classes,
)
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from linli.api.pagination import Pagination
from linli.portal import presenters, selectors, services
from linli.portal.auth import IsResident, ResidentTokenAuthentication, client_ip, user_agent
from linli.portal.models import ResidentSession
from linli.portal.selectors import Household, Resident
from linli.tickets.models import Category, Kind, ReturnVisit, Ticket

TAG = ["portal"]


class ResidentTokenScheme(OpenApiAuthenticationExtension):
    target_class = "linli.portal.auth.ResidentTokenAuthentication"
    name = "residentToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Resident <token>`，由 /api/v1/portal/auth/login/ 取得",
        }


def resident_api(methods: list[str]) -> Any:
    """A portal endpoint for a signed-in resident (anything else → 401)."""

    def decorate(view: Any) -> Any:
        view = permission_classes([IsResident])(view)
        view = authentication_classes([ResidentTokenAuthentication])(view)
        return api_view(methods)(view)

    return decorate


def _household(request: Request) -> Household:
    resident: Resident = request.user  # type: ignore[assignment]
    return resident.household


# --- serializers ------------------------------------------------------------------------------
class PortalMobileSerializer(serializers.Serializer):
    mobile = serializers.CharField(max_length=30)


class PortalLoginSerializer(PortalMobileSerializer):
    code = serializers.CharField(max_length=10)


class PortalRoomSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    community = serializers.CharField(source="community.code")
    community_name = serializers.CharField(source="community.name")
    role = serializers.SerializerMethodField()

    def get_role(self, room: Any) -> str:
        return str(self.context["household"].occupancy_for(room).get_role_display())


class PortalTicketSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    category = serializers.CharField(source="category.name")
    title = serializers.CharField()
    room = serializers.CharField(source="room.code", default=None)
    community = serializers.CharField(source="community.code")
    status = serializers.CharField()
    status_label = serializers.SerializerMethodField()
    opened_at = serializers.DateTimeField()
    awaiting_rating = serializers.SerializerMethodField()

    def get_status_label(self, ticket: Ticket) -> str:
        return presenters.resident_status(ticket)

    def get_awaiting_rating(self, ticket: Ticket) -> bool:
        return selectors.pending_visit(ticket) is not None


class PortalStepSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    title = serializers.CharField()
    text = serializers.CharField()
    by_resident = serializers.BooleanField()


class PortalProgressSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    done = serializers.BooleanField()
    current = serializers.BooleanField()


class PortalPhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    content_type = serializers.CharField()
    url = serializers.CharField()


class PortalTicketDetailSerializer(PortalTicketSerializer):
    description = serializers.CharField()
    resolution = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    rating_choices = serializers.SerializerMethodField()

    def get_resolution(self, ticket: Ticket) -> str:
        return ticket.resolution if presenters.shows_resolution(ticket) else ""

    @extend_schema_field(PortalProgressSerializer(many=True))
    def get_progress(self, ticket: Ticket) -> list[dict[str, Any]]:
        return [{**step, "label": str(step["label"])} for step in presenters.progress(ticket)]

    @extend_schema_field(PortalStepSerializer(many=True))
    def get_timeline(self, ticket: Ticket) -> list[dict[str, Any]]:
        return PortalStepSerializer(presenters.timeline(ticket), many=True).data  # type: ignore[return-value]

    @extend_schema_field(PortalPhotoSerializer(many=True))
    def get_photos(self, ticket: Ticket) -> list[dict[str, Any]]:
        base = self.context["photo_base"]
        return [
            {"id": a.pk, "content_type": a.content_type, "url": f"{base}photos/{a.pk}/"}
            for a in ticket.attachments.order_by("pk")
        ]

    def get_rating_choices(self, ticket: Ticket) -> list[dict[str, Any]]:
        if selectors.pending_visit(ticket) is None:
            return []
        return [
            {"value": value, "label": str(label)}
            for value, label in sorted(ReturnVisit.Satisfaction.choices, reverse=True)
        ]


class PortalTicketCreateSerializer(serializers.Serializer):
    room = serializers.IntegerField()
    kind = serializers.ChoiceField(
        choices=[(v, label) for v, label in Kind.choices if v in services.RESIDENT_KINDS]
    )
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.filter(is_active=True)
    )
    description = serializers.CharField(max_length=2000)
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class PortalRatingSerializer(serializers.Serializer):
    satisfaction = serializers.ChoiceField(choices=ReturnVisit.Satisfaction.choices)
    words = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class PortalCategorySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class PortalCommitmentSerializer(serializers.Serializer):
    community = serializers.CharField()
    community_name = serializers.CharField()
    phone = serializers.CharField()
    items = serializers.ListField(child=serializers.DictField())


def _detail(request: Request, ticket: Ticket, base: str) -> dict[str, Any]:
    return PortalTicketDetailSerializer(ticket, context={"photo_base": base}).data


# --- sign in ----------------------------------------------------------------------------------
MESSAGE = inline_serializer("PortalMessage", {"detail": serializers.CharField()})


@extend_schema(
    tags=TAG,
    request=PortalMobileSerializer,
    responses={200: MESSAGE, 400: MESSAGE, 429: MESSAGE},
    auth=[],
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
def request_code(request: Request) -> Response:
    """Ask for a login code by SMS. The answer does not tell whether the number is registered."""
    data = PortalMobileSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    try:
        message = services.request_code(data.validated_data["mobile"], ip=client_ip(request))
    except services.RateLimited as error:
        return Response({"detail": error.message}, status=status.HTTP_429_TOO_MANY_REQUESTS,
                        headers={"Retry-After": str(error.retry_after)})  # fmt: skip
    return Response({"detail": message})


@extend_schema(
    tags=TAG,
    request=PortalLoginSerializer,
    responses={200: inline_serializer("PortalToken", {"token": serializers.CharField(), "expires_at": serializers.DateTimeField()}), 400: MESSAGE},
    auth=[],
)  # fmt: skip
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
def login(request: Request) -> Response:
    """Exchange the mobile number and its code for a resident token (`Authorization: Resident …`)."""
    data = PortalLoginSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    result = services.log_in(
        data.validated_data["mobile"], data.validated_data["code"], channel=ResidentSession.Channel.API,
        ip=client_ip(request), user_agent=user_agent(request),
    )  # fmt: skip
    return Response({"token": result.token, "expires_at": result.session.expires_at})


@extend_schema(tags=TAG, request=None, responses={204: None})
@resident_api(["POST"])
def logout(request: Request) -> Response:
    """End this token's session."""
    services.log_out(request.auth)  # type: ignore[arg-type]
    return Response(status=status.HTTP_204_NO_CONTENT)


# --- the household ----------------------------------------------------------------------------
@extend_schema(tags=TAG, responses=PortalRoomSerializer(many=True))
@resident_api(["GET"])
def rooms(request: Request) -> Response:
    """The rooms of the resident's household (every community)."""
    household = _household(request)
    return Response(
        PortalRoomSerializer(household.rooms, many=True, context={"household": household}).data
    )


@extend_schema(tags=TAG, responses=PortalCategorySerializer(many=True))
@resident_api(["GET"])
def categories(request: Request) -> Response:
    """The categories a request can be filed under (`category` of a new ticket)."""
    rows = Category.objects.filter(is_active=True).order_by("sort", "code")
    return Response([{"code": c.code, "name": c.name} for c in rows])


@extend_schema(
    tags=TAG,
    methods=["GET"],
    responses=PortalTicketSerializer(many=True),
    parameters=[
        OpenApiParameter(
            "state", str, enum=["open", "rate", "done"], description="处理中 / 待评价 / 已完成"
        )
    ],
)
@extend_schema(
    tags=TAG,
    methods=["POST"],
    request={
        "multipart/form-data": PortalTicketCreateSerializer,
        "application/json": PortalTicketCreateSerializer,
    },
    responses={201: PortalTicketDetailSerializer, 400: MESSAGE},
)
@resident_api(["GET", "POST"])
@parser_classes([MultiPartParser, FormParser, JSONParser])
def tickets(request: Request) -> Response:
    """GET: the household's tickets, newest first (`?state=open|rate|done`). POST: a new
    request for one of the household's rooms, photos as multipart `photos`."""
    household = _household(request)
    if request.method == "GET":
        state = request.query_params.get("state", "")
        rows = selectors.ticket_list(
            household, state=state if state in {"open", "rate", "done"} else ""
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(rows, request)
        return paginator.get_paginated_response(PortalTicketSerializer(page, many=True).data)
    data = PortalTicketCreateSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    values = data.validated_data
    room = selectors.access_room(household, values["room"])  # another household's → 404
    try:
        ticket = services.submit_ticket(
            household, room=room, kind=values["kind"], category=values["category"],
            description=values["description"], photos=values["photos"],
        )  # fmt: skip
    except services.DuplicateSubmission as error:
        return Response(
            {"detail": error.message, "id": error.ticket.pk}, status=status.HTTP_409_CONFLICT
        )
    ticket = selectors.access_ticket(household, ticket.pk)
    return Response(
        _detail(request, ticket, f"{request.path}{ticket.pk}/"), status=status.HTTP_201_CREATED
    )


@extend_schema(tags=TAG, responses=PortalTicketDetailSerializer)
@resident_api(["GET"])
def ticket_detail(request: Request, pk: int) -> Response:
    """One of the household's tickets with its progress and history (another's → 404)."""
    ticket = selectors.access_ticket(_household(request), pk)
    return Response(_detail(request, ticket, request.path))


@extend_schema(
    tags=TAG,
    request=PortalRatingSerializer,
    responses={200: PortalTicketDetailSerializer, 400: MESSAGE},
)
@resident_api(["POST"])
def return_visit(request: Request, pk: int) -> Response:
    """Rate the handling of a resolved ticket (5 很满意 … 1 不满意); a low rating reopens it."""
    household = _household(request)
    ticket = selectors.access_ticket(household, pk)
    data = PortalRatingSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    services.answer_return_visit(household, ticket, satisfaction=int(data.validated_data["satisfaction"]),
                                 words=data.validated_data["words"])  # fmt: skip
    ticket = selectors.access_ticket(household, pk)
    return Response(_detail(request, ticket, request.path.removesuffix("return-visit/")))


@extend_schema(tags=TAG, responses={(200, "image/*"): OpenApiResponse(OpenApiTypes.BINARY)})
@resident_api(["GET"])
def photo(request: Request, pk: int, photo_pk: int) -> FileResponse:
    """A photo of one of the household's tickets."""
    ticket = selectors.access_ticket(_household(request), pk)
    item = ticket.attachments.filter(pk=photo_pk).first()
    if item is None:
        raise Http404
    return FileResponse(item.file.open("rb"), content_type=item.content_type)


@extend_schema(tags=TAG, responses=PortalCommitmentSerializer(many=True))
@resident_api(["GET"])
def commitments(request: Request) -> Response:
    """The service commitments for each of the household's communities, from the policy."""
    rows = [
        {
            "community": c.code, "community_name": c.name, "phone": c.phone,
            "items": [{"title": i.title, "text": i.text} for i in presenters.commitments(c)],
        }
        for c in _household(request).communities
    ]  # fmt: skip
    return Response(rows)
