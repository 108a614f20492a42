"""Re-grading: evaluate the rules for every customer and fill each community's review.

Built to scale to a company's 800,000 customers: per community, the inputs are a handful of
grouped queries (`inputs.community_facts`), the rules run in memory, and the writes are bulk
inserts and grouped `UPDATE … WHERE pk IN (…)` statements, only for rows whose proposal
changed. A `RegradeJob` row carries the progress the pages poll; each community is one
transaction, so a crash leaves finished communities finished and the next run idempotent.

`regrade_all()` is the entry point for `linli bench`; `create_due_reviews()` is the sweep.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
import traceback
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli import policy
from linli.audit import services as audit
from linli.core.errors import DomainError
from linli.customers.models import Customer
from linli.grading.inputs import community_facts
from linli.grading.models import (
    CustomerGrade,
    GradeReview,
    GradeReviewItem,
    RegradeJob,
)
from linli.grading.rules import Ruleset, explain, load_ruleset

logger = logging.getLogger(__name__)
Decision = GradeReviewItem.Decision
BATCH = 1000
STALE_AFTER = dt.timedelta(hours=2)


def period_start(day: dt.date, months: int) -> dt.date:
    """The start of the review period containing `day` (periods aligned to 1 January)."""
    index = (day.year * 12 + day.month - 1) // months * months
    return dt.date(index // 12, index % 12 + 1, 1)


def review_interval(at: dt.datetime | None = None) -> int:
    return int(policy.value("grading.review.interval_months", at=at))


def current_period(at: dt.datetime | None = None) -> dt.date:
    at = at or timezone.now()
    return period_start(timezone.localtime(at).date(), review_interval(at))


@transaction.atomic
def regrade_community(
    community_id: int, *, ruleset: Ruleset, at: dt.datetime, period: dt.date, actor: Any = None
) -> tuple[int, int]:
    """One community: store every customer's proposal and bring the period's review up to
    date — new pending rows, pending rows refreshed in place, rows whose proposal no longer
    differs marked superseded; decided rows stand. Rows are never deleted (no cascades over
    the history). Returns (customers evaluated, pending proposals)."""
    facts = community_facts(community_id, at=at)
    existing = {
        pk: (grade, proposed, rule)
        for pk, grade, proposed, rule in CustomerGrade.objects.filter(
            community_id=community_id
        ).values_list("pk", "grade_id", "proposed_grade_id", "proposed_rule_id")
    }
    review, _created = GradeReview.objects.get_or_create(
        community_id=community_id,
        period_start=period,
        defaults={"evaluated_at": at, "created_by": actor if getattr(actor, "pk", None) else None},
    )
    items = {
        cid: (pk, decision, current, proposed, rule)
        for pk, cid, decision, current, proposed, rule in GradeReviewItem.objects.filter(
            review=review
        ).values_list(
            "pk", "customer_id", "decision", "current_grade_id", "proposed_grade_id", "rule_id"
        )
    }
    new_rows: list[tuple[Any, ...]] = []
    moved: dict[tuple[int | None, int | None], list[int]] = defaultdict(list)
    new_items: list[tuple[Any, ...]] = []
    refreshed: list[GradeReviewItem] = []
    withdrawn: list[int] = []
    pending = 0
    open_states = (Decision.PENDING, Decision.SUPERSEDED)
    for cid, customer_facts in facts.items():
        grade_id, rule = ruleset.propose(customer_facts)
        rule_id = rule.pk if rule else None
        row = existing.get(cid)
        if row is None:
            new_rows.append((cid, community_id, grade_id, rule_id, False, "", "", 1))
        elif (row[1], row[2]) != (grade_id, rule_id):
            moved[(grade_id, rule_id)].append(cid)
        current = row[0] if row else None
        differs = grade_id is not None and grade_id != current
        item = items.get(cid)
        if item is not None and item[1] not in open_states:
            continue  # decided this period: the decision stands
        if not differs:
            if item is not None and item[1] == Decision.PENDING:
                withdrawn.append(item[0])
            continue
        pending += 1
        if (
            item is not None
            and item[1] == Decision.PENDING
            and item[2:] == (current, grade_id, rule_id)
        ):
            continue  # the same proposal is already waiting
        values = (
            community_id, review.pk, cid, current, grade_id, rule_id, rule.name[:50] if rule else "",
            [{"text": m["text"], "actual": m["actual"]} for m in explain(rule, customer_facts)] if rule else [],
            customer_facts.as_json(), Decision.PENDING, "",
        )  # fmt: skip
        if item is None:
            new_items.append(values)
        else:
            refreshed.append(
                GradeReviewItem(pk=item[0], **dict(zip(ITEM_COLUMNS, values, strict=True)))
            )
    _insert_grades(new_rows)
    for (grade_id, rule_id), ids in moved.items():
        for start in range(0, len(ids), BATCH):
            CustomerGrade.objects.filter(pk__in=ids[start : start + BATCH]).update(
                proposed_grade_id=grade_id, proposed_rule_id=rule_id
            )
    for start in range(0, len(withdrawn), BATCH):
        GradeReviewItem.objects.filter(
            pk__in=withdrawn[start : start + BATCH], decision=Decision.PENDING
        ).update(decision=Decision.SUPERSEDED)
    GradeReviewItem.objects.bulk_update(
        refreshed,
        ["current_grade", "proposed_grade", "rule", "rule_name", "matched", "inputs", "decision"],
        batch_size=500,
    )
    _insert_items(new_items)
    GradeReview.objects.filter(pk=review.pk).update(evaluated_at=at, customers=len(facts))
    return len(facts), pending


# Bulk writes: PostgreSQL gets COPY (an 800,000-customer first grading writes as many rows
# twice over; COPY is several times faster than INSERTs built by the ORM); others bulk_create.
GRADE_COLUMNS = ("customer_id", "community_id", "proposed_grade_id", "proposed_rule_id", "is_override",
                 "pending_source", "pending_reason", "version")  # fmt: skip
ITEM_COLUMNS = ("community_id", "review_id", "customer_id", "current_grade_id", "proposed_grade_id",
                "rule_id", "rule_name", "matched", "inputs", "decision", "reason")  # fmt: skip


def _column(model: Any, name: str) -> str:
    return str(model._meta.get_field(name).column)


def _copy(
    model: Any, fields: tuple[str, ...], rows: list[tuple[Any, ...]], *, table: str = ""
) -> None:
    meta = model._meta
    columns = ", ".join(connection.ops.quote_name(_column(model, f)) for f in fields)
    statement = f"COPY {table or meta.db_table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _insert_grades(rows: list[tuple[Any, ...]]) -> None:
    """New CustomerGrade rows (GRADE_COLUMNS); a row created meanwhile by a decision stays."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        CustomerGrade.objects.bulk_create(
            [CustomerGrade(**dict(zip(GRADE_COLUMNS, r, strict=True))) for r in rows],
            batch_size=BATCH, ignore_conflicts=True,
        )  # fmt: skip
        return
    table = CustomerGrade._meta.db_table
    columns = ", ".join(connection.ops.quote_name(_column(CustomerGrade, f)) for f in GRADE_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE grading_new_grades (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP"
        )
    _copy(CustomerGrade, GRADE_COLUMNS, rows, table="grading_new_grades")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM grading_new_grades "
            "ON CONFLICT DO NOTHING"
        )
        cursor.execute("DROP TABLE grading_new_grades")


def _insert_items(rows: list[tuple[Any, ...]]) -> None:
    """New review rows (ITEM_COLUMNS)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        GradeReviewItem.objects.bulk_create(
            [GradeReviewItem(**dict(zip(ITEM_COLUMNS, r, strict=True))) for r in rows],
            batch_size=BATCH,
        )
        return
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    _copy(GradeReviewItem, ITEM_COLUMNS, [(*r[:7], dumps(r[7]), dumps(r[8]), *r[9:]) for r in rows])


def _communities(ids: Iterable[int] | None) -> dict[int, int]:
    """community id → customers to evaluate, for progress."""
    from linli.org.models import Community

    rows = Customer.objects.filter(anonymised_at__isnull=True)
    active = Community.objects.filter(is_active=True)
    if ids is not None:
        active = active.filter(pk__in=list(ids))
    chosen = list(active.order_by("code").values_list("pk", flat=True))
    counts = dict(
        rows.filter(community_id__in=chosen)
        .values("community_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("community_id", "n")
    )
    return {cid: counts.get(cid, 0) for cid in chosen}


def regrade(
    community_ids: Iterable[int] | None = None, *, at: dt.datetime | None = None, actor: Any = None,
    progress: Callable[[int, int, int, int], None] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Re-grade the given communities (None: every active one) as of `at`."""
    from linli.policy.selectors import snapshot

    at = at or timezone.now()
    started = time.monotonic()
    with snapshot():
        ruleset = load_ruleset()
        period = current_period(at)
        plan = _communities(community_ids)
        total = sum(plan.values()) or 1
        done = proposals = 0
        for number, cid in enumerate(plan, start=1):
            customers, pending = regrade_community(
                cid, ruleset=ruleset, at=at, period=period, actor=actor
            )
            done += customers
            proposals += pending
            if progress:
                progress(number, len(plan), done, proposals)
    return {
        "communities": len(plan),
        "customers": done,
        "proposals": proposals,
        "period": period,
        "seconds": round(time.monotonic() - started, 2),
        "total": total,
    }


# --- jobs ---------------------------------------------------------------------------------------
def _busy(community_id: int | None) -> bool:
    fresh = timezone.now() - STALE_AFTER
    rows = RegradeJob.objects.filter(
        status__in=[RegradeJob.Status.QUEUED, RegradeJob.Status.RUNNING], created_at__gte=fresh
    )
    if community_id is not None:
        rows = rows.filter(Q(community_id=community_id) | Q(community__isnull=True))
    return rows.exists()


def start_regrade(
    community: Any, *, actor: Any, at: dt.datetime | None = None, enqueue: bool = True
) -> RegradeJob:
    """Queue a re-grading of one community (or, with None, of every community)."""
    community_id = getattr(community, "pk", None)
    if _busy(community_id):
        raise DomainError(_("已有一项分级评估正在进行，请等它完成后再试。"))
    with transaction.atomic():
        job = RegradeJob.objects.create(
            community_id=community_id,
            at=at or timezone.now(),
            started_by=actor if getattr(actor, "pk", None) else None,
            communities_total=1 if community_id else 0,
        )
        audit.record(
            actor, "grading.regrade.started", job, {"community": community_id},
            community_id=community_id,
        )  # fmt: skip
        if enqueue:
            from linli.grading.tasks import run_regrade

            pk = job.pk
            transaction.on_commit(lambda: run_regrade.enqueue(pk))
    return job


def run_job(job_id: int) -> RegradeJob:
    """Run a queued job (compare-and-set: only one worker gets it), recording progress."""
    started_at = timezone.now()
    claimed = RegradeJob.objects.filter(pk=job_id, status=RegradeJob.Status.QUEUED).update(
        status=RegradeJob.Status.RUNNING, started_at=started_at
    )
    job = RegradeJob.objects.get(pk=job_id)
    if claimed != 1:
        return job

    def report(number: int, count: int, customers: int, proposals: int) -> None:
        RegradeJob.objects.filter(pk=job_id).update(
            communities_done=number, communities_total=count, customers=customers,
            proposals=proposals, progress=min(99, round(100 * number / max(count, 1))),
        )  # fmt: skip

    try:
        ids = [job.community_id] if job.community_id else None
        result = regrade(ids, at=job.at, actor=job.started_by, progress=report)
    except Exception:
        logger.exception("re-grading job %s failed", job_id)
        RegradeJob.objects.filter(pk=job_id).update(
            status=RegradeJob.Status.FAILED, error=traceback.format_exc()[-4000:],
            finished_at=timezone.now(),
        )  # fmt: skip
    else:
        RegradeJob.objects.filter(pk=job_id).update(
            status=RegradeJob.Status.DONE, progress=100, customers=result["customers"],
            proposals=result["proposals"], communities_done=result["communities"],
            communities_total=result["communities"], finished_at=timezone.now(),
            seconds=(timezone.now() - started_at).total_seconds(),
        )  # fmt: skip
    job.refresh_from_db()
    return job


def regrade_all(*, actor: Any = None, at: dt.datetime | None = None) -> RegradeJob:
    """Re-grade every customer of every community now, in this process, as a job with
    progress (what `linli bench` times). Returns the finished job (`seconds`, `customers`)."""
    job = start_regrade(None, actor=actor, at=at, enqueue=False)
    return run_job(job.pk)


def create_due_reviews(now: dt.datetime | None = None) -> str:
    """The sweep: every active community without a review for the current period gets one
    (idempotent per period; a community already reviewed is not re-evaluated)."""
    from linli.org.models import Community

    now = now or timezone.now()
    period = current_period(now)
    reviewed = GradeReview.objects.filter(period_start=period).values("community_id")
    due = list(
        Community.objects.filter(is_active=True)
        .exclude(pk__in=reviewed)
        .order_by("code")
        .values_list("pk", flat=True)
    )
    if not due:
        return f"reviews for {period:%Y-%m} complete"
    if _busy(None if len(due) > 1 else due[0]):
        return "a re-grading is running"
    job = RegradeJob.objects.create(
        community_id=due[0] if len(due) == 1 else None, at=now, communities_total=len(due)
    )
    RegradeJob.objects.filter(pk=job.pk).update(status=RegradeJob.Status.RUNNING, started_at=now)

    def report(number: int, count: int, customers: int, proposals: int) -> None:
        RegradeJob.objects.filter(pk=job.pk).update(
            communities_done=number, customers=customers, proposals=proposals,
            progress=min(99, round(100 * number / max(count, 1))),
        )  # fmt: skip

    try:
        result = regrade(due, at=now, progress=report)
    except Exception:
        RegradeJob.objects.filter(pk=job.pk).update(
            status=RegradeJob.Status.FAILED, error=traceback.format_exc()[-4000:],
            finished_at=timezone.now(),
        )  # fmt: skip
        raise
    RegradeJob.objects.filter(pk=job.pk).update(
        status=RegradeJob.Status.DONE, progress=100, customers=result["customers"],
        proposals=result["proposals"], communities_done=result["communities"],
        finished_at=timezone.now(), seconds=result["seconds"],
    )  # fmt: skip
    return (
        f"reviews for {period:%Y-%m}: {result['communities']} communities, "
        f"{result['customers']} customers, {result['proposals']} proposals"
    )
