"""API v1 for the customer database: the same scoping, secrecy and masking as the UI."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from linli.api.params import community_param, flag_param
from linli.api.permissions import HasPerm
from linli.customers import selectors, services
from linli.customers.models import Customer, Occupancy, Room
from linli.customers.parsing import ParseError, parse_room_code
from linli.customers.presenters import SENSITIVE_FIELDS, shown, shown_value
from linli.org.models import Area, Community
from linli.org.roles import Perm
from linli.org.selectors import access_community

WRITABLE = [
    "kind", "name", "gender", "id_type", "id_number", "mobile", "phone_other", "email", "address", "birthday",
    "birthday_lunar", "preferences", "tags", "care_flags", "care_notes", "emergency_contact_name",
    "emergency_contact_phone", "vehicles", "notes", "is_important", "is_committee_member",
]  # fmt: skip


class OccupancyBriefSerializer(serializers.ModelSerializer):
    room_code = serializers.CharField(source="room.code", read_only=True)

    class Meta:
        model = Occupancy
        fields = ["id", "room", "room_code", "role", "is_primary", "move_in", "move_out"]


class CustomerSerializer(serializers.ModelSerializer):
    community = serializers.SlugRelatedField(slug_field="code", queryset=Community.objects.all())
    rooms = OccupancyBriefSerializer(source="occupancies", many=True, read_only=True)
    version = serializers.IntegerField(required=False)

    class Meta:
        model = Customer
        fields = [
            "id", "community", *WRITABLE, "name_pinyin", "secrecy", "completeness", "missing_fields",
            "rooms", "version", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = [
            "name_pinyin",
            "secrecy",
            "completeness",
            "missing_fields",
            "created_at",
            "updated_at",
        ]

    def to_representation(self, instance: Customer) -> dict[str, Any]:
        data = super().to_representation(instance)
        user = self.context["request"].user
        for field in SENSITIVE_FIELDS:
            data[field] = shown(instance, field, user)  # masked by default in every response
        return data


_UNCHANGED = (serializers.CharField, serializers.ChoiceField, serializers.IntegerField,
              serializers.BooleanField, serializers.JSONField)  # fmt: skip


class ListRows:
    """Rows read with `.values()` represented exactly as `CustomerSerializer` represents
    instances (same keys, order and formats; sensitive fields masked through the same
    `presenters` rule), without a model instance or DRF's per-field machinery per row: the
    serializer costs ~840 function calls per row, this ~100 (DESIGN §8 list budget).
    `test_performance.py` holds the two outputs equal."""

    OCCUPANCY_VALUES = ("customer_id", "id", "room_id", "room__code", "role", "is_primary",
                        "move_in", "move_out")  # fmt: skip
    _shared: ListRows | None = None

    def __init__(self) -> None:
        fields = CustomerSerializer().fields
        self.names = list(fields)
        self.values = ["id", "community_id", "community__code"] + [
            n for n in self.names if n not in ("id", "community", "rooms")
        ]
        # Only the fields whose representation differs from the value read: DRF's char, choice,
        # integer, boolean and JSON fields return a value of the right type unchanged.
        self.convert = {
            name: field.to_representation
            for name, field in fields.items()
            if name not in ("community", "rooms")
            and name not in SENSITIVE_FIELDS
            and type(field) not in _UNCHANGED
        }
        self.datetimes = [n for n, f in fields.items() if type(f) is serializers.DateTimeField]
        for name in self.datetimes:
            del self.convert[name]
        brief = OccupancyBriefSerializer().fields
        self.move_date = brief["move_in"].to_representation
        self.role = brief["role"].to_representation

    @classmethod
    def shared(cls) -> ListRows:
        if cls._shared is None:
            cls._shared = cls()
        return cls._shared

    def rooms_of(self, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
        """Every occupancy (current and past) of the customers, as `OccupancyBriefSerializer`."""
        rooms: dict[int, list[dict[str, Any]]] = {pk: [] for pk in ids}
        rows = Occupancy.objects.filter(customer_id__in=ids).order_by("pk")
        for customer_id, pk, room_id, code, role, primary, move_in, move_out in rows.values_list(
            *self.OCCUPANCY_VALUES
        ):
            rooms[customer_id].append(
                {
                    "id": pk,
                    "room": room_id,
                    "room_code": code,
                    "role": self.role(role),
                    "is_primary": primary,
                    "move_in": self.move_date(move_in) if move_in is not None else None,
                    "move_out": self.move_date(move_out) if move_out is not None else None,
                }
            )
        return rooms

    def represent(self, rows: list[dict[str, Any]], user: Any) -> list[dict[str, Any]]:
        rooms = self.rooms_of([row["id"] for row in rows])
        convert = self.convert
        datetimes = self.datetimes
        tz = timezone.get_current_timezone()  # DRF's `enforce_timezone`
        result = []
        for row in rows:
            data: dict[str, Any] = {}
            for name in self.names:
                value = row.get(name)
                if name == "community":
                    value = row["community__code"]
                elif name == "rooms":
                    value = rooms[row["id"]]
                elif name in SENSITIVE_FIELDS:
                    value = shown_value(name, value, row["community_id"], user)
                elif value is None:
                    pass
                elif name in convert:
                    value = convert[name](value)
                elif name in datetimes:
                    # DRF's ISO 8601 output: in the current time zone, UTC written as Z.
                    value = value.astimezone(tz).isoformat()
                    if value.endswith("+00:00"):
                        value = value[:-6] + "Z"
                data[name] = value
            result.append(data)
        return result


class RoomSerializer(serializers.ModelSerializer):
    community: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    code = serializers.CharField(max_length=50)
    area = serializers.PrimaryKeyRelatedField(
        queryset=Area.objects.all(), allow_null=True, required=False
    )
    version = serializers.IntegerField(required=False)

    class Meta:
        model = Room
        fields = ["id", "community", "code", "number", "floor", "floor_area", "use", "status", "area",
                  "lease_end", "renovation_end", "notes", "version"]  # fmt: skip
        read_only_fields = ["number"]


class OccupancySerializer(serializers.ModelSerializer):
    community: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    room_code = serializers.CharField(source="room.code", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)

    class Meta:
        model = Occupancy
        fields = ["id", "community", "room", "room_code", "customer", "customer_name", "role", "is_primary",
                  "move_in", "move_out", "notes"]  # fmt: skip


class CustomerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      mixins.UpdateModelMixin, viewsets.GenericViewSet):  # fmt: skip
    """Customers of the caller's scope and clearance; sensitive fields masked."""

    serializer_class = CustomerSerializer

    def get_permissions(self) -> list[Any]:
        code = Perm.CUSTOMERS_VIEW if self.action in ("list", "retrieve") else Perm.CUSTOMERS_EDIT
        if self.action == "unmask":
            code = Perm.CUSTOMERS_UNMASK
        return [HasPerm(code)()]

    def get_queryset(self):
        filters: dict[str, Any] = {
            k: self.request.query_params.get(k)
            for k in ("q", "secrecy", "area", "role", "care_flag")
            if self.request.query_params.get(k)
        }
        for flag in ("incomplete", "important", "overdue"):
            if flag_param(self.request, flag):
                filters[flag] = True
        return selectors.customer_list(
            self.request.user, community_id=community_param(self.request), filters=filters
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(n, str)
            for n in (
                "q",
                "community",
                "area",
                "role",
                "secrecy",
                "care_flag",
                "incomplete",
                "important",
                "overdue",
            )
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The page as `CustomerSerializer` would give it, from two `.values()` queries
        (the page, every occupancy of its customers) plus the count."""
        rows = ListRows.shared()
        page = self.paginate_queryset(self.get_queryset().values(*rows.values))
        assert page is not None  # the API always paginates
        return self.get_paginated_response(rows.represent(list(page), request.user))

    def get_object(self) -> Customer:
        return selectors.access_customer(self.request.user, self.kwargs["pk"])

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        community = data.pop("community")
        if not Community.objects.visible_to(self.request.user).filter(pk=community.pk).exists():
            raise NotFound()
        data.pop("version", None)
        serializer.instance = services.create_customer(community, data, actor=self.request.user)

    def perform_update(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        data.pop("community", None)
        version = data.pop("version", None)
        if version is None and not self.request.method == "PATCH":
            raise serializers.ValidationError(
                {"version": ["请提供读取时的版本号（version），以免覆盖他人的修改。"]}
            )
        serializer.instance = services.update_customer(
            serializer.instance, data, actor=self.request.user, expected_version=version
        )

    @extend_schema(
        request=inline_serializer(
            "UnmaskRequest",
            {
                "field": serializers.ChoiceField(choices=[*SENSITIVE_FIELDS]),
                "reason": serializers.CharField(),
            },
        ),
        responses=inline_serializer(
            "UnmaskResponse", {"field": serializers.CharField(), "value": serializers.CharField()}
        ),
    )
    @action(detail=True, methods=["post"])
    def unmask(self, request: Request, pk: int | None = None) -> Response:
        """The clear value of one sensitive field, for a stated reason; logged in the access register."""
        from linli.privacy.services import unmask_field

        customer = selectors.access_customer(request.user, int(pk or 0), log=False)
        field = str(request.data.get("field", ""))
        value = unmask_field(
            customer, field, actor=request.user, reason=str(request.data.get("reason", ""))
        )
        return Response({"field": field, "value": value})


class RoomViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  mixins.UpdateModelMixin, viewsets.GenericViewSet):  # fmt: skip
    serializer_class = RoomSerializer

    def get_permissions(self) -> list[Any]:
        return [
            HasPerm(
                Perm.CUSTOMERS_VIEW if self.action in ("list", "retrieve") else Perm.CUSTOMERS_EDIT
            )()
        ]

    def get_queryset(self):
        filters = {
            k: self.request.query_params.get(k)
            for k in ("q", "area", "use", "status")
            if self.request.query_params.get(k)
        }
        return selectors.room_list(
            self.request.user, community_id=community_param(self.request), filters=filters
        )

    @extend_schema(
        parameters=[OpenApiParameter(n, str) for n in ("q", "community", "area", "use", "status")]
        + [OpenApiParameter("community", str, description="小区代码（新建时必填）")]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_object(self) -> Room:
        return selectors.access_room(self.request.user, self.kwargs["pk"])

    def _values(self, data: dict[str, Any]) -> dict[str, Any]:
        values = {k: v for k, v in data.items() if k in services.ROOM_FIELDS}
        if "area" in data:
            values["area_id"] = data["area"].pk if data["area"] else None
        return values

    def perform_create(self, serializer: Any) -> None:
        code = self.request.query_params.get("community") or self.request.data.get("community")
        if not code:
            raise serializers.ValidationError({"community": ["请指定小区代码。"]})
        community = access_community(self.request.user, str(code))
        try:
            parsed = parse_room_code(serializer.validated_data["code"])
        except ParseError as error:
            raise serializers.ValidationError({"code": [str(error)]}) from error
        serializer.instance = services.create_room(
            community, parsed, self._values(serializer.validated_data), actor=self.request.user
        )

    def perform_update(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        if "code" in data and data["code"] != serializer.instance.code:
            raise serializers.ValidationError({"code": ["房号不能修改；请登记新房间。"]})
        serializer.instance = services.update_room(
            serializer.instance,
            self._values(data),
            actor=self.request.user,
            expected_version=data.get("version"),
        )


class OccupancyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       mixins.UpdateModelMixin, viewsets.GenericViewSet):  # fmt: skip
    serializer_class = OccupancySerializer

    def get_permissions(self) -> list[Any]:
        return [
            HasPerm(
                Perm.CUSTOMERS_VIEW if self.action in ("list", "retrieve") else Perm.CUSTOMERS_EDIT
            )()
        ]

    def get_queryset(self):
        rows = Occupancy.objects.visible_to(self.request.user).in_community(
            community_param(self.request)
        )
        params = self.request.query_params
        if params.get("room"):
            rows = rows.filter(room_id=params["room"])
        if params.get("customer"):
            rows = rows.filter(customer_id=params["customer"])
        if flag_param(self.request, "current"):
            rows = rows.filter(move_out__isnull=True)
        return rows.select_related("community", "room", "customer").order_by("room__code", "pk")

    @extend_schema(
        parameters=[OpenApiParameter(n, str) for n in ("community", "room", "customer", "current")]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_object(self) -> Occupancy:
        return selectors.access_occupancy(self.request.user, self.kwargs["pk"])

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        room = get_object_or_404(Room.objects.visible_to(self.request.user), pk=data["room"].pk)
        customer = get_object_or_404(
            Customer.objects.visible_to(self.request.user), pk=data["customer"].pk
        )
        serializer.instance = services.add_occupancy(
            room,
            customer,
            role=data["role"],
            move_in=data.get("move_in"),
            is_primary=data.get("is_primary", False),
            notes=data.get("notes", ""),
            actor=self.request.user,
        )

    def perform_update(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        if (
            data.get("room", serializer.instance.room) != serializer.instance.room
            or data.get("customer", serializer.instance.customer) != serializer.instance.customer
        ):
            raise serializers.ValidationError({"detail": "不能更换房间或客户；请迁出后重新登记。"})
        if (
            data.get("move_out")
            and serializer.instance.move_out is None
            and set(data) <= {"move_out", "room", "customer", "notes"}
        ):
            serializer.instance = services.move_out(
                serializer.instance,
                on=data["move_out"],
                actor=self.request.user,
                note=data.get("notes", ""),
            )
            return
        serializer.instance = services.update_occupancy(
            serializer.instance, data, actor=self.request.user
        )


class SearchHitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    community = serializers.CharField()
    name = serializers.CharField()
    mobile = serializers.CharField()
    secrecy = serializers.IntegerField()
    rooms = serializers.ListField(child=serializers.CharField())


@extend_schema(
    parameters=[OpenApiParameter("q", str, required=True), OpenApiParameter("community", str)],
    responses=inline_serializer(
        "SearchResult",
        {
            "customers": SearchHitSerializer(many=True),
            "rooms": serializers.ListField(child=serializers.DictField()),
        },
    ),
)
@api_view(["GET"])
@permission_classes([HasPerm(Perm.CUSTOMERS_VIEW)])
def search(request: Request) -> Response:
    """One search box: name, pinyin, initials, phone tail, ID tail, room code; top 20, masked."""
    query = request.query_params.get("q", "").strip()
    community_id = community_param(request)
    user = request.user
    # Plain values, no model instances: the hot path of DESIGN §8's search budgets.
    customers = selectors.search_hits(user, query, community_id=community_id) if query else []
    rooms = selectors.search_room_hits(user, query, community_id=community_id) if query else []
    return Response(
        {
            "customers": [
                {
                    "id": c["pk"],
                    "community": c["community__code"],
                    "name": c["name"],
                    "mobile": shown_value("mobile", c["mobile"], c["community_id"], user),
                    "secrecy": c["secrecy"],
                    "rooms": c["room_codes"],
                }
                for c in customers
            ],
            "rooms": [
                {"id": r["pk"], "community": r["community__code"], "code": r["code"]} for r in rooms
            ],
        }
    )
