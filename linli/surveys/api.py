"""API v1 for surveys (/api/v1/surveys/): plans, rounds, questionnaires, invitations, staff
key-in, results — the same scoping, permissions and services as the pages — and the resident's
answer endpoint for a one-time token (no account)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from linli.api.pagination import Pagination
from linli.api.permissions import HasPerm
from linli.core.errors import DomainError
from linli.org.roles import Perm
from linli.surveys import answering, results, selectors, services
from linli.surveys.exports import sample_rows
from linli.surveys.models import Invitation, SurveyPlan, SurveyRound
from linli.surveys.scoring import SCALE


class PlanSerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="community.code", default=None)

    class Meta:
        model = SurveyPlan
        fields = ["id", "year", "title", "purpose", "community", "status", "approved_at"]


class RoundSerializer(serializers.ModelSerializer):
    communities: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    questionnaire_version = serializers.CharField(source="questionnaire_version.__str__")

    class Meta:
        model = SurveyRound
        fields = ["id", "plan", "name", "status", "starts_on", "ends_on", "communities", "questionnaire_version",
                  "method", "strata", "special_flag", "channels", "population", "sample_target", "seed", "design",
                  "frozen_at", "sampled_at", "audit_failed"]  # fmt: skip


class AnswerInput(serializers.Serializer):
    answers = serializers.DictField(child=serializers.JSONField(), help_text="question id → value")
    submit = serializers.BooleanField(default=False)


class KeyInInput(serializers.Serializer):
    answers = serializers.DictField(child=serializers.JSONField())
    paper_number = serializers.CharField(max_length=30, required=False, default="")
    double_entry = serializers.BooleanField(default=False)
    phone = serializers.BooleanField(default=False)


def _answers(data: dict[str, Any]) -> dict[int, Any]:
    try:
        return {int(k): v for k, v in data.items()}
    except ValueError as error:
        raise DomainError(str(error), field="answers") from error


def _rates(rates: results.Rates) -> dict[str, Any]:
    return {"community": rates.key, "name": rates.label, "sample": rates.sample, "issued": rates.issued,
            "returned": rates.returned, "issue_rate": rates.issue_rate, "return_rate": rates.return_rate}  # fmt: skip


def _result(result: results.Result) -> dict[str, Any]:
    return {
        "returned": result.returned,
        "overall": result.overall.percent,
        "dimensions": {name: t.percent for name, t in result.dimensions.items()},
        "questions": [
            {
                "id": q.question.pk,
                "number": q.number,
                "text": q.question.text,
                "counts": q.tally.counts,
                "abstained": q.tally.abstained,
                "percent": q.percent,
            }
            for q in result.questions
        ],
    }


@extend_schema(responses=PlanSerializer(many=True))
@api_view(["GET"])
@permission_classes([HasPerm(Perm.SURVEYS_VIEW)])
def plan_list(request: Request) -> Response:
    paginator = Pagination()
    page = paginator.paginate_queryset(
        selectors.plans(request.user).order_by("-year", "id"), request
    )
    return paginator.get_paginated_response(PlanSerializer(page, many=True).data)


@extend_schema(responses=RoundSerializer(many=True))
@api_view(["GET"])
@permission_classes([HasPerm(Perm.SURVEYS_VIEW)])
def round_list(request: Request) -> Response:
    paginator = Pagination()
    rows = (
        selectors.rounds(request.user).prefetch_related("communities").order_by("-starts_on", "id")
    )
    page = paginator.paginate_queryset(rows, request)
    return paginator.get_paginated_response(RoundSerializer(page, many=True).data)


@extend_schema(
    responses=inline_serializer(
        "SurveyRoundDetail", {"round": RoundSerializer(), "rates": serializers.ListField()}
    )
)
@api_view(["GET"])
@permission_classes([HasPerm(Perm.SURVEYS_VIEW)])
def round_detail(request: Request, pk: int) -> Response:
    round_ = selectors.access_round(request.user, pk)
    per, total = results.rates(round_, selectors.invitations(request.user, round_))
    return Response(
        {
            "round": RoundSerializer(round_).data,
            "rates": [_rates(r) for r in per],
            "total": _rates(total),
        }
    )


@extend_schema(
    responses=inline_serializer(
        "SurveyResults", {"overall": serializers.DictField(), "groups": serializers.DictField()}
    )
)
@api_view(["GET"])
@permission_classes([HasPerm(Perm.SURVEYS_VIEW)])
def round_results(request: Request, pk: int) -> Response:
    """Satisfaction as POLICY Ch.7 computes it; `?by=community|building|grade` groups it."""
    round_ = selectors.access_round(request.user, pk)
    visible = selectors.responses(request.user)
    by = request.query_params.get("by", "community")
    if by not in ("community", "building", "grade"):
        raise DomainError("by must be community, building or grade", field="by")
    overall = results.score_round(round_, responses=visible)[""]
    groups = results.score_round(round_, by=by, responses=visible)
    return Response({"target": results.target(), "overall": _result(overall), "by": by,
                     "groups": {key: _result(r) for key, r in groups.items()}})  # fmt: skip


@extend_schema(
    responses=inline_serializer("SurveyInvitation", {"id": serializers.IntegerField()}, many=True)
)
@api_view(["GET"])
@permission_classes([HasPerm(Perm.SURVEYS_VIEW)])
def invitation_list(request: Request, pk: int) -> Response:
    """The sample of a round within the user's scope; respondents above clearance are not named,
    phones are masked."""
    round_ = selectors.access_round(request.user, pk)
    rows = (
        selectors.invitations(request.user, round_)
        .select_related("room", "community")
        .order_by("pk")
    )
    status = request.query_params.get("status")
    if status:
        if status not in Invitation.Status.values:
            raise DomainError("unknown status", field="status")
        rows = rows.filter(status=status)
    paginator = Pagination()
    page = paginator.paginate_queryset(rows, request)
    data = [
        {"id": r["invitation"].pk, "community": r["invitation"].community.code, "room": r["invitation"].room.code,
         "respondent": r["name"], "phone": r["phone"], "stratum": r["invitation"].stratum,
         "special": r["invitation"].special, "channel": r["invitation"].channel, "status": r["invitation"].status,
         "returned_at": r["invitation"].returned_at}
        for r in sample_rows(page or [], request.user)
    ]  # fmt: skip
    return paginator.get_paginated_response(data)


@extend_schema(
    request=KeyInInput,
    responses=inline_serializer("KeyedResponse", {"status": serializers.CharField()}),
)
@api_view(["POST"])
@permission_classes([HasPerm(Perm.SURVEYS_KEY_IN)])
def invitation_key_in(request: Request, pk: int) -> Response:
    """A paper form or an approved phone interview keyed in by staff."""
    invitation = selectors.access_invitation(request.user, pk)
    data = KeyInInput(data=request.data)
    data.is_valid(raise_exception=True)
    values = data.validated_data
    answering.key_in(invitation, _answers(values["answers"]), actor=request.user, paper_number=values["paper_number"],
                     double_entry=values["double_entry"], phone=values["phone"])  # fmt: skip
    invitation.refresh_from_db()
    return Response({"status": invitation.status})


@extend_schema(
    responses=inline_serializer("QuestionnaireContent", {"sections": serializers.ListField()})
)
@api_view(["GET"])
@permission_classes([HasPerm(Perm.SURVEYS_VIEW)])
def version_detail(request: Request, pk: int) -> Response:
    version = selectors.access_version(pk)
    content = services.export_content(version)
    content.update(
        id=version.pk,
        number=version.number,
        status=version.status,
        locked=version.locked_at is not None,
    )
    return Response(content)


def _form(invitation: Invitation) -> dict[str, Any]:
    questions = answering.questions_of(invitation.round)
    saved = answering.saved_answers(invitation)
    return {
        "round": invitation.round.name, "community": invitation.community.name,
        "ends_on": invitation.round.ends_on, "intro": invitation.round.questionnaire_version.intro,
        "scale": list(SCALE),
        "questions": [{"id": q.pk, "section": q.section.title, "kind": q.kind, "text": q.text, "required": q.required,
                       "choices": q.choices, "saved": saved.get(q.pk)} for q in questions.values()],
    }  # fmt: skip


@extend_schema(
    request=AnswerInput,
    responses=inline_serializer("SurveyForm", {"questions": serializers.ListField()}),
    auth=[],
)
@api_view(["GET", "POST"])
@authentication_classes([])
@permission_classes([AllowAny])
def answer(request: Request, token: str) -> Response:
    """The resident's questionnaire behind a one-time link: GET the form (with a saved draft),
    POST answers as a draft or `submit: true` once. A used or expired link answers 410."""
    try:
        invitation = answering.find_invitation(token)
    except DomainError as error:
        return Response({"detail": error.message}, status=410)
    if request.method == "GET":
        return Response(_form(invitation))
    data = AnswerInput(data=request.data)
    data.is_valid(raise_exception=True)
    invitation = answering.answer_online(
        token, _answers(data.validated_data["answers"]), submit=data.validated_data["submit"]
    )
    return Response({"status": invitation.status})
