"""Reads of the survey chapter, always through the user's scope.

A company round spans several communities: an office sees the round, but only its own
households, answers and figures (the invitations and responses are community rows)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from linli.surveys.models import (
    Invitation,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    SurveyPlan,
    SurveyRound,
)


def plans(user: Any) -> QuerySet[SurveyPlan]:
    return SurveyPlan.objects.visible_to(user).select_related("community", "created_by")


def access_plan(user: Any, pk: int) -> SurveyPlan:
    return get_object_or_404(plans(user), pk=pk)


def rounds(user: Any) -> QuerySet[SurveyRound]:
    return SurveyRound.objects.visible_to(user).select_related(
        "plan", "community", "questionnaire_version__questionnaire"
    )


def access_round(user: Any, pk: int) -> SurveyRound:
    return get_object_or_404(rounds(user), pk=pk)


def invitations(user: Any, round_: SurveyRound) -> QuerySet[Invitation]:
    return Invitation.objects.visible_to(user).filter(round=round_)


def responses(user: Any) -> QuerySet[Response]:
    return Response.objects.visible_to(user)


def access_invitation(user: Any, pk: int) -> Invitation:
    return get_object_or_404(
        Invitation.objects.visible_to(user).select_related(
            "round", "room", "customer", "community"
        ),
        pk=pk,
    )


def questionnaires() -> QuerySet[Questionnaire]:
    return Questionnaire.objects.prefetch_related("versions")


def access_version(pk: int) -> QuestionnaireVersion:
    """Questionnaires are company documents every survey user may read."""
    return get_object_or_404(
        QuestionnaireVersion.objects.select_related("questionnaire", "approved_by"), pk=pk
    )


def approved_versions() -> QuerySet[QuestionnaireVersion]:
    return QuestionnaireVersion.objects.filter(
        status=QuestionnaireVersion.Status.APPROVED
    ).select_related("questionnaire")
