"""The rounds' calendar: the scope freezes by itself a week before the start (policy), and
collection ends after the last day; each step is a compare-and-set on the round's status."""

from __future__ import annotations

import datetime as dt

from linli.core.sweeps import sweep


@sweep("surveys.rounds", every=dt.timedelta(hours=1))
def rounds_calendar() -> str:
    from django.utils import timezone

    from linli.core.errors import DomainError
    from linli.surveys import services
    from linli.surveys.models import SurveyPlan, SurveyRound

    today = timezone.localdate()
    frozen = closed = 0
    due = SurveyRound.objects.filter(
        status=SurveyRound.Status.DRAFT, plan__status=SurveyPlan.Status.APPROVED
    ).select_related("plan")
    for round_ in due:
        if services.freeze_date(round_) <= today:
            try:
                services.freeze_round(round_, actor=None)
                frozen += 1
            except DomainError:  # another worker got there first (the version moved)
                continue
    for round_ in SurveyRound.objects.filter(status=SurveyRound.Status.OPEN, ends_on__lt=today):
        try:
            services.close_round(round_, actor=None)
            closed += 1
        except DomainError:
            continue
    return f"frozen {frozen}, closed {closed}"
