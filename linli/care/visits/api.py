"""API v1 for visits (/api/v1/care/visits/): the same scoping, permissions and services as
the pages. Mounted by linli/api/urls.py."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from linli.api.params import community_param, flag_param, paginated
from linli.api.permissions import HasPerm
from linli.care.visits import selectors, services
from linli.care.visits.models import PlanItem, Visit
from linli.customers.models import Occupancy
from linli.customers.selectors import access_customer
from linli.org.roles import Perm


class CommitmentSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=200)
    due_on = serializers.DateField()
    done_at = serializers.DateTimeField(read_only=True)


class VisitSerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="community.code", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    room = serializers.SerializerMethodField()
    visitor = serializers.CharField(source="visitor.display_name", read_only=True)
    commitments = CommitmentSerializer(many=True, read_only=True)
    plan_items = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = ["id", "community", "customer", "customer_name", "room", "visitor", "kind", "method", "visited_at", "people_met", "raised", "satisfaction", "notes", "commitments", "plan_items"]  # fmt: skip

    def get_room(self, visit: Visit) -> str | None:
        return visit.room.code if visit.room else None

    def get_plan_items(self, visit: Visit) -> list[int]:
        return [item.pk for item in visit.plan_items.all()]


class VisitCreateSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Visit.Kind.choices)
    method = serializers.ChoiceField(choices=Visit.Method.choices)
    visited_at = serializers.DateTimeField(required=False)
    room = serializers.IntegerField(required=False, allow_null=True, default=None)
    people_met = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    raised = serializers.CharField(required=False, allow_blank=True, default="")
    satisfaction = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=5
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    commitments = CommitmentSerializer(many=True, required=False, default=list)
    plan_item = serializers.IntegerField(required=False, allow_null=True, default=None)


class PlanItemSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name")
    room = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = PlanItem
        fields = ["id", "customer", "customer_name", "room", "visitor_role", "window_start", "due_on", "per_months", "status", "overdue"]  # fmt: skip

    def get_room(self, item: PlanItem) -> str | None:
        return item.room.code if item.room else None

    def get_overdue(self, item: PlanItem) -> bool:
        return item.status == PlanItem.Status.PLANNED and item.due_on < timezone.localdate()


def _visits(request: Request) -> Any:
    return (
        selectors.visits(request.user, community_param(request))
        .select_related("community", "customer", "room", "visitor")
        .prefetch_related("commitments", "plan_items")
    )


@extend_schema(
    methods=["GET"],
    parameters=[
        OpenApiParameter(n, str) for n in ("community", "customer", "kind", "method", "mine")
    ],
    responses=VisitSerializer(many=True),
)
@extend_schema(methods=["POST"], request=VisitCreateSerializer, responses={201: VisitSerializer})
@api_view(["GET", "POST"])
@permission_classes([HasPerm(Perm.CARE_VISIT)])
def visit_list(request: Request) -> Response:
    """Visit records in the caller's scope and clearance; POST records one (it fulfils the
    matching plan item; a customer outside the caller's scope or clearance is 404)."""
    if request.method == "POST":
        return _create(request)
    rows = _visits(request)
    params = request.query_params
    if params.get("customer", "").isdigit():
        rows = rows.filter(customer_id=int(params["customer"]))
    if params.get("kind"):
        rows = rows.filter(kind=params["kind"])
    if params.get("method"):
        rows = rows.filter(method=params["method"])
    if flag_param(request, "mine"):
        rows = rows.filter(visitor=request.user)
    return paginated(request, rows.order_by("-visited_at", "-pk"), VisitSerializer)


def _create(request: Request) -> Response:
    data = VisitCreateSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    values = data.validated_data
    customer = access_customer(request.user, values["customer"])
    room = None
    if values["room"]:
        occupancy = (
            Occupancy.objects.filter(customer=customer, room_id=values["room"])
            .select_related("room")
            .first()
        )
        if occupancy is None:
            raise serializers.ValidationError({"room": ["该房间不是客户的房间。"]})
        room = occupancy.room
    item = selectors.access_item(request.user, values["plan_item"]) if values["plan_item"] else None
    visit = services.record_visit(
        customer, actor=request.user, kind=values["kind"], method=values["method"],
        visited_at=values.get("visited_at") or timezone.now(), room=room, people_met=values["people_met"],
        raised=values["raised"], satisfaction=values["satisfaction"], notes=values["notes"],
        commitments=[(c["text"], c["due_on"]) for c in values["commitments"]], plan_item=item,
    )  # fmt: skip
    return Response(
        VisitSerializer(_visits(request).get(pk=visit.pk)).data, status=status.HTTP_201_CREATED
    )


@extend_schema(responses=VisitSerializer)
@api_view(["GET"])
@permission_classes([HasPerm(Perm.CARE_VISIT)])
def visit_detail(request: Request, pk: int) -> Response:
    selectors.access_visit(request.user, pk)
    return Response(VisitSerializer(_visits(request).get(pk=pk)).data)


@extend_schema(
    parameters=[OpenApiParameter("scope", str, enum=["month", "overdue"])],
    responses=PlanItemSerializer(many=True),
)
@api_view(["GET"])
@permission_classes([HasPerm(Perm.CARE_VISIT)])
def my_plan(request: Request) -> Response:
    """The caller's open plan items: due by the end of this month, overdue ones included
    (`scope=month`, the "today" page), or only the overdue ones (`scope=overdue`)."""
    rows = selectors.my_items(request.user)
    if request.query_params.get("scope") == "overdue":
        rows = rows.filter(due_on__lt=timezone.localdate())
    return paginated(request, rows, PlanItemSerializer)


FIGURES = inline_serializer(
    "VisitFigures",
    {k: serializers.IntegerField() for k in ("planned", "done", "overdue", "visits")}
    | {"key": serializers.CharField(), "label": serializers.CharField(), "coverage": serializers.IntegerField(allow_null=True)},
)  # fmt: skip


def _figures(row: Any) -> dict[str, Any]:
    return {"key": row.key, "label": row.label, "planned": row.planned, "done": row.done,
            "overdue": row.overdue, "visits": row.visits, "coverage": row.coverage}  # fmt: skip


@extend_schema(
    parameters=[OpenApiParameter(n, str) for n in ("community", "period", "at", "group")],
    responses=inline_serializer("VisitSummary", {"period": serializers.CharField(), "total": FIGURES, "rows": FIGURES}),
)  # fmt: skip
@api_view(["GET"])
@permission_classes([HasPerm(Perm.REPORTS_OFFICE)])
def summary(request: Request) -> Response:
    """Plan vs actual in a period (`period=month|quarter|year`, `at=YYYY-MM`) per person,
    area, community or visiting role (`group`)."""
    params = request.query_params
    period = selectors.parse_period(params.get("period"), params.get("at"))
    group = str(params.get("group") or "")
    group = group if group in selectors.GROUPS else "person"
    figures = selectors.plan_vs_actual(
        request.user, period, community_id=community_param(request), group=group
    )
    return Response({
        "period": period.kind, "first": period.first, "last": period.last, "group": group,
        "total": _figures(figures["total"]), "rows": [_figures(r) for r in figures["rows"]],
    })  # fmt: skip
