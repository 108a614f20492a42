"""API v1 for grading (/api/v1/grading/): the same scoping, permissions and services as the
pages. Mounted by linli/api/urls.py with `path("grading/", include("linli.grading.api_urls"))`."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from linli.api.pagination import Pagination
from linli.api.params import community_param, flag_param, paginated
from linli.api.permissions import HasPerm
from linli.customers.models import Customer
from linli.grading import jobs, selectors, services
from linli.grading.models import (
    CustomerGrade,
    FeeStanding,
    Grade,
    GradeChange,
    GradeReview,
    GradeReviewItem,
    GradeRule,
    RegradeJob,
)
from linli.grading.plans import plan_view
from linli.grading.rules import describe_rule
from linli.org.models import Community
from linli.org.roles import Perm


def _grade_code(grade: Grade | None) -> str | None:
    return grade.code if grade else None


class GradeSerializer(serializers.ModelSerializer):
    plan = serializers.SerializerMethodField()

    class Meta:
        model = Grade
        fields = ["id", "code", "name", "rank", "colour", "needs_approval", "is_default", "is_active", "description", "plan"]  # fmt: skip

    def get_plan(self, grade: Grade) -> dict[str, Any] | None:
        plan = getattr(grade, "plan", None)
        if plan is None:
            return None
        view = plan_view(plan)
        return {
            "sla_factor": str(plan.sla_factor) if plan.sla_factor is not None else None,
            "invitations_first": plan.invitations_first,
            "dedicated_steward": plan.dedicated_steward,
            "care_events": plan.care_events,
            "visits": [
                {"visitor": c["visitor_code"], "times": c["times"], "per_months": c["per_months"],
                 "policy_key": c["policy_key"]}
                for c in view.cadences
            ],
        }  # fmt: skip


class RuleSerializer(serializers.ModelSerializer):
    grade = serializers.SlugRelatedField(slug_field="code", queryset=Grade.objects.all())
    conditions = serializers.JSONField()
    text = serializers.SerializerMethodField()
    version = serializers.IntegerField(required=False)

    class Meta:
        model = GradeRule
        fields = ["id", "name", "grade", "priority", "conditions", "is_active", "note", "text", "version"]  # fmt: skip

    def get_text(self, rule: GradeRule) -> str:
        return describe_rule(rule.conditions) if isinstance(rule.conditions, list) else ""


class ChangeSerializer(serializers.ModelSerializer):
    old_grade = serializers.SerializerMethodField()
    new_grade = serializers.SerializerMethodField()
    proposed_by = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()
    approved_by = serializers.SerializerMethodField()

    class Meta:
        model = GradeChange
        fields = ["at", "old_grade", "new_grade", "source", "rule_name", "reason", "proposed_by", "decided_by", "approved_by"]  # fmt: skip

    def get_old_grade(self, row: GradeChange) -> str | None:
        return _grade_code(row.old_grade)

    def get_new_grade(self, row: GradeChange) -> str | None:
        return _grade_code(row.new_grade)

    def _name(self, person: Any) -> str | None:
        return person.display_name if person else None

    def get_proposed_by(self, row: GradeChange) -> str | None:
        return self._name(row.proposed_by)

    def get_decided_by(self, row: GradeChange) -> str | None:
        return self._name(row.decided_by)

    def get_approved_by(self, row: GradeChange) -> str | None:
        return self._name(row.approved_by)


class CustomerGradeSerializer(serializers.ModelSerializer):
    customer = serializers.IntegerField(source="customer_id")
    name = serializers.CharField(source="customer.name")
    community = serializers.CharField(source="community.code")
    grade = serializers.SerializerMethodField()
    proposed_grade = serializers.SerializerMethodField()
    pending_grade = serializers.SerializerMethodField()

    class Meta:
        model = CustomerGrade
        fields = ["customer", "name", "community", "grade", "proposed_grade", "pending_grade", "is_override", "graded_at", "version"]  # fmt: skip

    def get_grade(self, row: CustomerGrade) -> str | None:
        return _grade_code(row.grade)

    def get_proposed_grade(self, row: CustomerGrade) -> str | None:
        return _grade_code(row.proposed_grade)

    def get_pending_grade(self, row: CustomerGrade) -> str | None:
        return _grade_code(row.pending_grade)


class ItemSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="customer.name")
    current_grade = serializers.SerializerMethodField()
    proposed_grade = serializers.SerializerMethodField()
    decided_grade = serializers.SerializerMethodField()

    class Meta:
        model = GradeReviewItem
        fields = ["id", "customer", "name", "current_grade", "proposed_grade", "rule_name", "matched", "inputs", "decision", "decided_grade", "reason", "decided_at"]  # fmt: skip

    def get_current_grade(self, item: GradeReviewItem) -> str | None:
        return _grade_code(item.current_grade)

    def get_proposed_grade(self, item: GradeReviewItem) -> str | None:
        return _grade_code(item.proposed_grade)

    def get_decided_grade(self, item: GradeReviewItem) -> str | None:
        return _grade_code(item.decided_grade)


class ReviewSerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="community.code")
    total = serializers.IntegerField(read_only=True)
    pending = serializers.IntegerField(read_only=True)
    awaiting = serializers.IntegerField(read_only=True)

    class Meta:
        model = GradeReview
        fields = ["id", "community", "period_start", "evaluated_at", "customers", "total", "pending", "awaiting"]  # fmt: skip


class JobSerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="community.code", default=None)

    class Meta:
        model = RegradeJob
        fields = ["id", "community", "status", "progress", "customers", "proposals", "communities_done", "communities_total", "created_at", "finished_at", "seconds", "error"]  # fmt: skip


class DecideSerializer(serializers.Serializer):
    grade = serializers.SlugRelatedField(slug_field="code", queryset=Grade.objects.all())
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    version = serializers.IntegerField(required=False, allow_null=True, default=None)


class ApproveSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class FeeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=FeeStanding.Status.choices)
    arrears_months = serializers.IntegerField(required=False, default=0)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    version = serializers.IntegerField(required=False, allow_null=True, default=None)


class FlagsSerializer(serializers.Serializer):
    flags = serializers.ListField(child=serializers.CharField(), allow_empty=True)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class ConfirmSerializer(serializers.Serializer):
    items = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)


class ItemDecisionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["confirm", "override", "keep"])
    grade = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Grade.objects.all(),
        required=False,
        allow_null=True,
        default=None,
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


# --- the scheme -----------------------------------------------------------------------------------
@extend_schema(responses=GradeSerializer(many=True))
@api_view(["GET"])
@permission_classes([HasPerm(Perm.CUSTOMERS_VIEW)])
def grade_list(request: Request) -> Response:
    """The grade scheme with each grade's service plan."""
    rows = Grade.objects.select_related("plan").prefetch_related("plan__cadences").order_by("-rank")
    return Response(GradeSerializer(rows, many=True).data)


@extend_schema(methods=["GET"], responses=RuleSerializer(many=True))
@extend_schema(methods=["POST"], request=RuleSerializer, responses={201: RuleSerializer})
@api_view(["GET", "POST"])
@permission_classes([HasPerm(Perm.CUSTOMERS_VIEW)])
def rule_list(request: Request) -> Response:
    """The grading rules in order; POST creates one (grading.approve_vip). Conditions over an
    unknown input are refused with a message naming it."""
    if request.method == "POST":
        return _save_rule(request, None)
    rows = GradeRule.objects.select_related("grade").order_by("priority", "pk")
    return Response(RuleSerializer(rows, many=True).data)


@extend_schema(methods=["GET"], responses=RuleSerializer)
@extend_schema(methods=["PUT"], request=RuleSerializer, responses=RuleSerializer)
@api_view(["GET", "PUT"])
@permission_classes([HasPerm(Perm.CUSTOMERS_VIEW)])
def rule_detail(request: Request, pk: int) -> Response:
    rule = get_object_or_404(GradeRule.objects.select_related("grade"), pk=pk)
    if request.method == "PUT":
        return _save_rule(request, rule)
    return Response(RuleSerializer(rule).data)


def _save_rule(request: Request, rule: GradeRule | None) -> Response:
    from linli.core.http import missing_permission

    if Perm.GRADING_CONFIGURE not in request.user.perms:  # type: ignore[union-attr]
        raise missing_permission(Perm.GRADING_CONFIGURE)
    data = RuleSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    values = data.validated_data
    saved = services.save_rule(
        rule, grade=values["grade"], name=values["name"], priority=values["priority"],
        conditions=values["conditions"], is_active=values.get("is_active", True), note=values.get("note", ""),
        actor=request.user, expected_version=values.get("version"),
    )  # fmt: skip
    return Response(
        RuleSerializer(saved).data, status=status.HTTP_200_OK if rule else status.HTTP_201_CREATED
    )


# --- customers -------------------------------------------------------------------------------------
@extend_schema(
    parameters=[OpenApiParameter(n, str) for n in ("community", "grade", "pending", "proposed")],
    responses=CustomerGradeSerializer(many=True),
)
@api_view(["GET"])
@permission_classes([HasPerm(Perm.CUSTOMERS_VIEW)])
def customer_list(request: Request) -> Response:
    """Customers' current grades in the caller's scope and clearance."""
    params = request.query_params
    visible = selectors.visible_customers(request.user, community_param(request))
    rows = CustomerGrade.objects.filter(customer__in=visible).select_related(
        "customer", "community", "grade", "proposed_grade", "pending_grade"
    )
    if params.get("grade"):
        rows = rows.filter(grade__code=params["grade"])
    if flag_param(request, "pending"):
        rows = rows.filter(pending_grade__isnull=False)
    if flag_param(request, "proposed"):
        rows = rows.filter(proposed_grade__isnull=False).exclude(proposed_grade_id=F("grade_id"))
    return paginated(
        request,
        rows.order_by("community__code", "customer__name_sort", "pk"),
        CustomerGradeSerializer,
    )


def _detail(customer: Customer, request: Request) -> dict[str, Any]:
    panel = selectors.grade_panel(customer, request.user)
    row, proposal, fee = panel["row"], panel["proposal"], panel["fee"]
    return {
        "customer": customer.pk,
        "name": customer.name,
        "community": customer.community.code,
        "grade": _grade_code(panel["current"]),
        "is_override": bool(row and row.is_override),
        "version": row.version if row else None,
        "pending": {
            "grade": row.pending_grade.code, "reason": row.pending_reason,
            "by": row.pending_by.display_name if row.pending_by else None, "at": row.pending_at,
        } if row and row.pending_grade else None,
        "proposal": {
            "grade": _grade_code(proposal.grade), "rule": proposal.rule.name if proposal.rule else None,
            "matched": proposal.matched,
        },
        "inputs": proposal.facts.as_json(),
        "flags": [f["flag"].code for f in panel["flags"] if f["present"]],
        "fee": {"status": fee.status, "arrears_months": fee.arrears_months, "note": fee.note, "version": fee.version}
        if fee else {"status": FeeStanding.Status.UNKNOWN, "arrears_months": 0, "note": "", "version": None},
        "history": ChangeSerializer(panel["history"], many=True).data,
    }  # fmt: skip


DETAIL = inline_serializer(
    "CustomerGradeDetail",
    {"customer": serializers.IntegerField(), "grade": serializers.CharField()},
)


@extend_schema(responses=DETAIL)
@api_view(["GET"])
@permission_classes([HasPerm(Perm.CUSTOMERS_VIEW)])
def customer_detail(request: Request, pk: int) -> Response:
    """One customer's grade, the rules' proposal and why, flags, fee status and history."""
    customer = selectors.access_customer(request.user, pk)
    return Response(_detail(customer, request))


@extend_schema(request=DecideSerializer, responses=DETAIL)
@api_view(["POST"])
@permission_classes([HasPerm(Perm.GRADING_CONFIRM)])
def customer_decide(request: Request, pk: int) -> Response:
    """Confirm the proposal or override it (reason required); VIP waits for approval."""
    customer = selectors.access_customer(request.user, pk)
    data = DecideSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    values = data.validated_data
    services.decide_grade(
        customer, grade=values["grade"], actor=request.user, reason=values["reason"],
        expected_version=values["version"],
    )  # fmt: skip
    return Response(_detail(customer, request))


@extend_schema(request=ApproveSerializer, responses=DETAIL)
@api_view(["POST"])
@permission_classes([HasPerm(Perm.GRADING_APPROVE_VIP)])
def customer_approve(request: Request, pk: int) -> Response:
    customer = selectors.access_customer(request.user, pk)
    data = ApproveSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    services.approve_grade(
        customer, actor=request.user, approve=data.validated_data["approve"],
        reason=data.validated_data["reason"],
    )  # fmt: skip
    return Response(_detail(customer, request))


@extend_schema(request=FeeSerializer, responses=DETAIL)
@api_view(["POST"])
@permission_classes([HasPerm(Perm.GRADING_PROPOSE)])
def customer_fee(request: Request, pk: int) -> Response:
    customer = selectors.access_customer(request.user, pk)
    data = FeeSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    services.set_fee_standing(customer, actor=request.user, expected_version=data.validated_data.pop("version"), **data.validated_data)  # fmt: skip
    return Response(_detail(customer, request))


@extend_schema(request=FlagsSerializer, responses=DETAIL)
@api_view(["POST"])
@permission_classes([HasPerm(Perm.GRADING_PROPOSE)])
def customer_flags(request: Request, pk: int) -> Response:
    customer = selectors.access_customer(request.user, pk)
    data = FlagsSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    services.set_flags(customer, data.validated_data["flags"], actor=request.user, note=data.validated_data["note"])  # fmt: skip
    return Response(_detail(customer, request))


# --- reviews and jobs -----------------------------------------------------------------------------
@extend_schema(
    parameters=[OpenApiParameter("community", str)], responses=ReviewSerializer(many=True)
)
@api_view(["GET"])
@permission_classes([HasPerm(Perm.REPORTS_OFFICE)])
def review_list(request: Request) -> Response:
    paginator: PageNumberPagination = Pagination()
    rows = selectors.review_list(request.user, community_param(request))
    reviews = selectors.with_counts(request.user, paginator.paginate_queryset(rows, request) or [])
    return paginator.get_paginated_response(ReviewSerializer(reviews, many=True).data)


@extend_schema(
    parameters=[OpenApiParameter(n, str) for n in ("decision", "direction", "proposed_grade", "q")],
    responses=ItemSerializer(many=True),
)
@api_view(["GET"])
@permission_classes([HasPerm(Perm.REPORTS_OFFICE)])
def review_items(request: Request, pk: int) -> Response:
    """The review's rows (default: pending) whose customers the caller may see."""
    review = selectors.access_review(request.user, pk)
    params = request.query_params
    filters: dict[str, Any] = {"decision": params.get("decision", GradeReviewItem.Decision.PENDING)}
    for name in ("direction", "q"):
        if params.get(name):
            filters[name] = params[name]
    if params.get("proposed_grade"):
        grade = Grade.objects.filter(code=params["proposed_grade"]).first()
        filters["proposed_grade"] = grade.pk if grade else -1
    return paginated(request, selectors.review_items(request.user, review, filters), ItemSerializer)


@extend_schema(
    request=ConfirmSerializer,
    responses=inline_serializer("ConfirmResult", {k: serializers.IntegerField() for k in ("confirmed", "awaiting", "stale")}),
)  # fmt: skip
@api_view(["POST"])
@permission_classes([HasPerm(Perm.GRADING_CONFIRM)])
def review_confirm(request: Request, pk: int) -> Response:
    """Confirm the rules' proposals of the given rows (ids of pending rows of this review)."""
    review = selectors.access_review(request.user, pk)
    data = ConfirmSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    visible = selectors.review_items(request.user, review, {"decision": ""})
    ids = list(visible.filter(pk__in=data.validated_data["items"]).values_list("pk", flat=True))
    return Response(services.confirm_items(review, ids, actor=request.user))


@extend_schema(request=ItemDecisionSerializer, responses=ItemSerializer)
@api_view(["POST"])
@permission_classes([HasPerm(Perm.GRADING_CONFIRM)])
def item_decide(request: Request, pk: int) -> Response:
    item = selectors.access_item(request.user, pk)
    data = ItemDecisionSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    item = services.decide_item(item, actor=request.user, **data.validated_data)
    return Response(ItemSerializer(item).data)


@extend_schema(request=None, responses={202: JobSerializer})
@api_view(["POST"])
@permission_classes([HasPerm(Perm.GRADING_CONFIRM)])
def review_start(request: Request) -> Response:
    """Re-grade the caller's community now (a background job; poll jobs/{id}/)."""
    user: Any = request.user
    community = user.community if not user.is_company_wide else None
    if community is None:
        code = request.data.get("community") if hasattr(request, "data") else None
        community = get_object_or_404(
            Community.objects.visible_to(user), code=str(code or "").upper()
        )
    job = jobs.start_regrade(community, actor=user)
    return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(request=None, responses={202: JobSerializer})
@api_view(["POST"])
@permission_classes([HasPerm(Perm.GRADING_APPROVE_VIP)])
def regrade_all(request: Request) -> Response:
    """Re-grade every community now (company roles)."""
    job = jobs.start_regrade(None, actor=request.user)
    return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(responses=JobSerializer)
@api_view(["GET"])
@permission_classes([HasPerm(Perm.REPORTS_OFFICE)])
def job_detail(request: Request, pk: int) -> Response:
    return Response(JobSerializer(selectors.access_job(request.user, pk)).data)
