"""`linli bench --only surveys` (issue 6 item 10): a round of 100,000 invitations × 25 questions on
the bench data set, built once (answers written with COPY), then the two budgets: scoring the
round (≤ 5 s) and generating the company report (≤ 30 s)."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from linli.customers.models import Occupancy
from linli.org.models import Community
from linli.surveys.models import (
    Answer,
    Dimension,
    Invitation,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    Section,
    SurveyPlan,
    SurveyReport,
    SurveyRound,
)
from linli.surveys.scoring import SCALE

NAME = "bench: 100,000 invitations × 25 questions (v1)"
INVITATIONS, QUESTIONS, RETURN_SHARE = 100_000, 25, 0.8
SCORE_BUDGET, REPORT_BUDGET = 5.0, 30.0


def _questionnaire() -> QuestionnaireVersion:
    questionnaire = Questionnaire.objects.create(
        name="基准问卷（25 题）", description="linli bench"
    )
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=1, status=QuestionnaireVersion.Status.APPROVED,
        approved_at=timezone.now(), locked_at=timezone.now(),
    )  # fmt: skip
    dimensions = list(Dimension.objects.order_by("sort"))[:5]
    for s_no, dimension in enumerate(dimensions):
        section = Section.objects.create(questionnaire_version=version, dimension=dimension, title=dimension.name, sort=s_no)  # fmt: skip
        Question.objects.bulk_create(
            Question(section=section, kind=Question.Kind.SCALE, text=f"{dimension.name}第 {n + 1} 项", sort=n)
            for n in range(QUESTIONS // len(dimensions))
        )  # fmt: skip
    return version


def build(*, seed: int, log: Callable[[str], None]) -> SurveyRound:
    """The round, its invitations, 80 % returned with about 3 % blank items; reused when present."""
    existing = SurveyRound.objects.filter(name=NAME).first()
    if existing is not None:
        return existing
    started = time.perf_counter()
    rng = random.Random(f"{seed}-surveys-bench")
    today = timezone.localdate()
    with transaction.atomic():
        version = _questionnaire()
        from linli.org.models import Staff

        author = Staff.objects.order_by("pk").first()
        plan = SurveyPlan.objects.create(year=today.year, title="bench", purpose="linli bench", created_by=author,
                                         status=SurveyPlan.Status.APPROVED)  # fmt: skip
        round_ = SurveyRound.objects.create(
            plan=plan, name=NAME, questionnaire_version=version, channels=["link"], status=SurveyRound.Status.CLOSED,
            starts_on=today - dt.timedelta(days=40), ends_on=today - dt.timedelta(days=20), seed=seed,
        )  # fmt: skip
        round_.communities.set(Community.objects.all())
        households = list(
            Occupancy.objects.filter(move_out__isnull=True, is_primary=True)
            .order_by("room_id").values_list("room_id", "community_id", "customer_id").distinct()[:INVITATIONS]
        )  # fmt: skip
        seen: set[int] = set()
        rows = [h for h in households if not (h[0] in seen or seen.add(h[0]))]  # type: ignore[func-returns-value]
        returned_at = timezone.now() - dt.timedelta(days=25)
        invitations = Invitation.objects.bulk_create(
            (Invitation(round=round_, room_id=room, community_id=community, customer_id=customer, stratum=str(community),
                        status=Invitation.Status.RETURNED if rng.random() < RETURN_SHARE else Invitation.Status.ISSUED,
                        returned_at=None) for room, community, customer in rows),
            batch_size=5000,
        )  # fmt: skip
        log(f"surveys bench: {len(invitations):,} invitations")
        returned = [i for i in invitations if i.status == Invitation.Status.RETURNED]
        responses = Response.objects.bulk_create(
            (Response(invitation=i, community_id=i.community_id, round=round_, channel="link", submitted_at=returned_at)
             for i in returned),
            batch_size=5000,
        )  # fmt: skip
        questions = list(
            Question.objects.filter(section__questionnaire_version=version).values_list(
                "pk", flat=True
            )
        )
        table = Answer._meta.db_table
        weights = [0.25, 0.35, 0.28, 0.08, 0.04]
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(
                f"COPY {table} (response_id, question_id, value, values, text) FROM STDIN"
            ) as copy:
                for response in responses:
                    for question in questions:
                        if rng.random() < 0.03:
                            continue
                        copy.write_row(
                            (response.pk, question, rng.choices(SCALE, weights)[0], "[]", "")
                        )
        log(f"surveys bench: {len(responses):,} forms, ~{len(responses) * len(questions):,} answers "
            f"(built in {time.perf_counter() - started:.0f} s)")  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
    return round_


def measure(round_: SurveyRound, *, log: Callable[[str], None]) -> dict[str, Any]:
    """Scoring (overall and per community) and the company report, each against its budget."""
    from linli.org.models import Staff
    from linli.surveys import reports, results

    timings: dict[str, float] = {}
    for label, by in (("score overall", None), ("score per community", "community")):
        started = time.perf_counter()
        scored = results.score_round(round_, by=by)
        timings[label] = time.perf_counter() - started
        log(
            f"{label}: {len(scored)} group(s) in {timings[label]:.2f} s (budget {SCORE_BUDGET:.0f} s)"
        )
    author = Staff.objects.filter(role="hq_customer_supervisor").first()
    started = time.perf_counter()
    queued = SurveyReport.objects.create(
        round=round_, created_by=author
    )  # as `reports.start` queues it
    report = reports.generate(queued.pk)
    timings["company report"] = time.perf_counter() - started
    log(
        f"company report ({report.status}): {timings['company report']:.1f} s (budget {REPORT_BUDGET:.0f} s)"
    )
    verdicts = {
        "score overall": timings["score overall"] <= SCORE_BUDGET,
        "score per community": timings["score per community"] <= SCORE_BUDGET,
        "company report": report.status == "done" and timings["company report"] <= REPORT_BUDGET,
    }
    return {k: {"seconds": round(v, 2), "pass": verdicts[k]} for k, v in timings.items()}
