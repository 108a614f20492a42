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


@sweep("surveys.retention", every=dt.timedelta(days=1))
def retention() -> str:
    """Individual forms are kept for `customers.retention.survey_forms_years` after their round
    ended (the round keeps its counts and its archived reports); reports for
    `surveys.report.retention_years`."""
    from django.db import transaction
    from django.utils import timezone

    from linli import policy
    from linli.surveys.models import Response, SurveyReport

    today = timezone.localdate()
    form_years = int(policy.value("customers.retention.survey_forms_years"))
    report_years = int(policy.value("surveys.report.retention_years"))
    forms_before = _years_before(today, form_years)
    reports_before = timezone.make_aware(
        dt.datetime.combine(_years_before(today, report_years), dt.time())
    )
    with transaction.atomic():
        forms, _ = Response.objects.filter(round__ends_on__lt=forms_before).delete()
    removed = 0
    for report in SurveyReport.objects.filter(created_at__lt=reports_before):
        for file in (report.pdf, report.docx):
            if file:
                file.delete(save=False)
        report.delete()
        removed += 1
    return f"forms and answers deleted {forms}, reports deleted {removed}"


def _years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` earlier (29 February → 28 February)."""
    return day.replace(year=day.year - years, day=min(day.day, 28) if day.month == 2 else day.day)
