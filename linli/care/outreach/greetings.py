"""The care calendar (POLICY Ch.5): which greetings fall due on a day, the daily sweep that
creates and sends them, ticking off the ones done in person, and the figures.

Greetings are due on the occasion's day minus `care.greeting.lead_days` (0: the same day).
Which customers get which greeting comes from their service plan's care events
(`linli.grading.plans.CARE_EVENTS`); the sweep finds the customers whose occasion falls on the day
first and asks the plans for all of them at once (`outreach.plans`), so it stays a handful of
queries per occasion however many customers the company has.
"""

from __future__ import annotations

import calendar
import datetime as dt
import string
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli import policy
from linli.audit import services as audit
from linli.care.outreach import lunar
from linli.care.outreach.models import GreetingDay, GreetingTask, GreetingTemplate, Occasion
from linli.care.outreach.plans import living_customers, responsible_steward, with_care_event
from linli.core.errors import DomainError
from linli.customers.models import Customer, Occupancy
from linli.notify.models import Message
from linli.notify.services import enqueue

Method = GreetingTask.Method
Status = GreetingTask.Status

# Care event (service plan) → the occasions it greets and how.
FESTIVAL_VISITS = ("spring_festival", "lantern", "dragon_boat", "mid_autumn", "double_ninth")
CARE_EVENT_OCCASIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "birthday": (("birthday",), Method.MESSAGE),
    "move_in_anniversary": (("move_in_anniversary",), Method.MESSAGE),
    "year_end_card": (("year_end",), Method.MESSAGE),
    "spring_festival": (("spring_festival",), Method.MESSAGE),
    "mid_autumn": (("mid_autumn",), Method.MESSAGE),
    "festival_visit": (FESTIVAL_VISITS, Method.IN_PERSON),
}
DEFAULT_TEXTS: dict[tuple[str, str], Any] = {
    ("birthday", "birthday"): gettext_lazy(
        "{称呼}，今天是您的生日，{小区}物业服务中心全体员工祝您生日快乐、身体健康、万事如意！"
    ),
    ("move_in_anniversary", "move_in_anniversary"): gettext_lazy(
        "{称呼}，今天是您入住{小区}{年数}周年的日子，感谢您一直以来对我们工作的支持，"
        "祝您阖家幸福、生活美满！——{小区}物业服务中心"
    ),
    ("year_end_card", "year_end"): gettext_lazy(
        "{称呼}，辞旧迎新之际，{小区}物业服务中心感谢您一年来的理解与支持，恭祝您新年快乐、阖家安康！"
    ),
    ("spring_festival", "spring_festival"): gettext_lazy(
        "{称呼}，新春佳节到来之际，{小区}物业服务中心给您拜年了！祝您新春快乐、万事如意、阖家幸福！"
    ),
    ("mid_autumn", "mid_autumn"): gettext_lazy(
        "{称呼}，中秋佳节，月圆人团圆。{小区}物业服务中心祝您和家人节日快乐、幸福安康！"
    ),
}
PLACEHOLDERS: dict[str, Any] = {
    "称呼": gettext_lazy("姓氏加先生/女士，单位客户为单位名称"),
    "姓氏": gettext_lazy("客户的姓氏"),
    "小区": gettext_lazy("小区名称"),
    "年数": gettext_lazy("入住周年数或年龄"),
    "节日": gettext_lazy("节日或纪念日名称"),
}
COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "令狐",
        "端木",
        "南宫",
        "独孤",
        "西门",
        "申屠",
    ]
)
CHUNK = 1000


# --- personalising ---------------------------------------------------------------------------------
def surname(customer: Customer) -> str:
    if customer.kind == Customer.Kind.ORGANISATION:
        return customer.name
    return customer.name[:2] if customer.name[:2] in COMPOUND_SURNAMES else customer.name[:1]


def salutation(customer: Customer) -> str:
    """张先生 / 李女士 / the organisation's name; the full name when the gender is unknown."""
    if customer.kind == Customer.Kind.ORGANISATION:
        return customer.name
    if customer.gender == Customer.Gender.MALE:
        return surname(customer) + _("先生")
    if customer.gender == Customer.Gender.FEMALE:
        return surname(customer) + _("女士")
    return customer.name


def check_template(text: str) -> None:
    """A template may use only the known placeholders, written as {name}."""
    if not text.strip():
        raise DomainError(_("问候内容不能为空。"), field="text")
    try:
        fields = [
            name for _lit, name, spec, conv in string.Formatter().parse(text) if name is not None
        ]
    except ValueError as error:
        raise DomainError(
            _("问候内容的花括号不成对：%(e)s") % {"e": error}, field="text"
        ) from error
    unknown = sorted({f for f in fields if f not in PLACEHOLDERS})
    if unknown:
        raise DomainError(
            _("问候内容中有未知的占位符：%(names)s。可用：%(known)s")
            % {
                "names": "、".join(f"{{{f}}}" for f in unknown),
                "known": "、".join(f"{{{f}}}" for f in PLACEHOLDERS),
            },
            field="text",
        )


def template_texts() -> dict[tuple[str, str], str]:
    """(care event, occasion) → the text in force (edited or default)."""
    texts = {key: str(text) for key, text in DEFAULT_TEXTS.items()}
    for row in GreetingTemplate.objects.all():
        texts[(row.care_event, row.occasion)] = row.text
    return texts


def render_greeting(task: GreetingTask, text: str) -> str:
    customer = task.customer
    values = {
        "称呼": salutation(customer),
        "姓氏": surname(customer),
        "小区": task.community.name,
        "年数": task.years or "",
        "节日": Occasion(task.occasion).label,
    }
    return text.format_map(values)


@transaction.atomic
def save_template(care_event: str, occasion: str, text: str, *, actor: Any) -> GreetingTemplate:
    if (care_event, occasion) not in DEFAULT_TEXTS:
        raise DomainError(_("这个关怀活动没有短信问候。"), field="text")
    check_template(text)
    row, created = GreetingTemplate.objects.get_or_create(
        care_event=care_event, occasion=occasion, defaults={"text": text, "updated_by": actor}
    )
    if not created and row.text != text:
        GreetingTemplate.objects.filter(pk=row.pk).update(
            text=text, updated_by=actor, version=row.version + 1, updated_at=timezone.now()
        )
        row.refresh_from_db()
    audit.record(actor, "care.greeting_template.saved", row, {"occasion": occasion})
    return row


# --- which occasions fall on a day -----------------------------------------------------------------
@dataclass(frozen=True)
class Due:
    care_event: str
    occasion: str
    method: str
    customers: Q  # who has the occasion on the day (before the plans are asked)
    years: dict[int, int] | None = None  # customer → anniversary years / age, where known


def _same_day(field: str, day: dt.date) -> Q:
    q = Q(**{f"{field}__month": day.month, f"{field}__day": day.day})
    if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
        q |= Q(**{f"{field}__month": 2, f"{field}__day": 29})
    return q & Q(**{f"{field}__year__lt": day.year})


def _birthdays(day: dt.date) -> Q:
    solar = Q(birthday_lunar=False) & _same_day("birthday", day)
    lunar_dates = lunar.birth_dates_with_lunar_birthday_on(day)
    return solar | Q(birthday_lunar=True, birthday__in=lunar_dates)


def _move_in_years(day: dt.date) -> dict[int, int]:
    rows = Occupancy.objects.current().filter(_same_day("move_in", day))
    years: dict[int, int] = {}
    for customer_id, move_in in rows.values_list("customer_id", "move_in"):
        years[customer_id] = max(years.get(customer_id, 0), day.year - move_in.year)
    return years


def elderly(day: dt.date) -> Q:
    age = int(policy.value("care.greeting.elderly_age"))
    born_by = lunar.anniversary_in(day, day.year - age)
    return Q(birthday__lte=born_by) | Q(care_flags__icontains=Customer.CareFlag.ELDERLY_ALONE)


def occasions_due(day: dt.date) -> Iterator[Due]:
    """Every (care event, occasion) falling on `day`, with who has that occasion."""
    festivals = set(lunar.festivals_on(day))
    for care_event, (occasions, method) in CARE_EVENT_OCCASIONS.items():
        for occasion in occasions:
            if occasion == "birthday":
                yield Due(care_event, occasion, method, _birthdays(day))
            elif occasion == "move_in_anniversary":
                years = _move_in_years(day)
                if years:
                    yield Due(care_event, occasion, method, Q(pk__in=list(years)), years)
            elif occasion in festivals:
                everyone = elderly(day) if occasion == "double_ninth" else Q()
                yield Due(care_event, occasion, method, everyone)


def greeted_customers(due: Due, day: dt.date, *, plan: Q | None = None) -> QuerySet[Customer]:
    """The customers owed this greeting: the occasion's customers whose plan names the event
    (`plan`: that event's filter, when the caller has built it already)."""
    return (
        Customer.objects.filter(living_customers(day))
        .filter(due.customers)
        .filter(plan if plan is not None else with_care_event(due.care_event, day))
    )


# --- the daily sweep -------------------------------------------------------------------------------
@transaction.atomic
def create_greetings(on: dt.date) -> int:
    """Create the greeting tasks due on `on` for the whole company, once: the first run claims
    the day (a `GreetingDay` row, inserted in this transaction, so a crash leaves the day
    unclaimed); a later run or a second worker finds it claimed and does nothing. The unique
    constraint per customer, event, occasion and day guards the rows themselves as well."""
    try:
        with transaction.atomic():
            GreetingDay.objects.create(day=on)
    except IntegrityError:
        return 0
    lead = int(policy.value("care.greeting.lead_days"))
    day = on + dt.timedelta(days=lead)
    before = GreetingTask.objects.filter(due_on=on).count()
    plans: dict[str, Q] = {}
    for due in occasions_due(day):
        if due.care_event not in plans:
            plans[due.care_event] = with_care_event(due.care_event, day)
        rows = (
            greeted_customers(due, day, plan=plans[due.care_event])
            .annotate(steward_pk=responsible_steward())
            .values_list("pk", "community_id", "steward_pk", "mobile", "birthday")
        )
        batch: list[GreetingTask] = []
        for pk, community_id, steward_pk, mobile, birthday in rows.iterator(chunk_size=CHUNK):
            years = (due.years or {}).get(pk)
            if due.occasion == "birthday" and birthday:
                years = day.year - birthday.year
            method = due.method if mobile or due.method == Method.IN_PERSON else Method.IN_PERSON
            batch.append(
                GreetingTask(
                    community_id=community_id, customer_id=pk, occasion=due.occasion,
                    care_event=due.care_event, occasion_on=day, due_on=on, years=years,
                    method=method, steward_id=steward_pk,
                )
            )  # fmt: skip
            if len(batch) >= CHUNK:
                GreetingTask.objects.bulk_create(batch, ignore_conflicts=True)
                batch = []
        if batch:
            GreetingTask.objects.bulk_create(batch, ignore_conflicts=True)
    made = GreetingTask.objects.filter(due_on=on).count() - before
    GreetingDay.objects.filter(day=on).update(tasks=made)
    return made


def send_greetings(on: dt.date, *, now: dt.datetime | None = None) -> int:
    """Queue the day's message greetings in the outbox, not before office hours start.

    Each chunk is claimed with one compare-and-set update (pending → sent, stamped with this
    run's token); only the rows carrying the token are sent, so two workers never send twice.
    """
    now = now or timezone.now()
    start, _end = policy.value("worktime.day_start"), policy.value("worktime.day_end")
    if timezone.localtime(now).date() == on and timezone.localtime(now).time() < start:
        return 0
    texts = template_texts()
    sent = 0
    while True:
        ids = list(
            GreetingTask.objects.filter(due_on=on, method=Method.MESSAGE, status=Status.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)[:CHUNK]
        )
        if not ids:
            return sent
        token = uuid.uuid4().hex
        with transaction.atomic():
            GreetingTask.objects.filter(pk__in=ids, status=Status.PENDING).update(
                status=Status.SENT, claim=token, updated_at=now
            )
            tasks = list(
                GreetingTask.objects.filter(pk__in=ids, claim=token).select_related(
                    "customer", "community"
                )
            )
            for task in tasks:
                text = texts.get((task.care_event, task.occasion), "")
                task.message = enqueue(
                    channel=Message.Channel.SMS,
                    kind="care.greeting",
                    subject=_("%(o)s问候") % {"o": Occasion(task.occasion).label},
                    body=render_greeting(task, text),
                    address=task.customer.mobile,
                    community_id=task.community_id,
                    dedupe_key=f"care.greeting:{task.pk}",
                )
            GreetingTask.objects.bulk_update(tasks, ["message"])
        sent += len(tasks)


def mark_missed(today: dt.date) -> int:
    """Greetings still open after their day are missed (the policy says the same day)."""
    return GreetingTask.objects.filter(status=Status.PENDING, due_on__lt=today).update(
        status=Status.MISSED, updated_at=timezone.now()
    )


def run_daily(now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    missed = mark_missed(today)
    made = create_greetings(today)
    sent = send_greetings(today, now=now)
    return f"created {made}, sent {sent}, missed {missed}"


# --- in person -------------------------------------------------------------------------------------
@transaction.atomic
def complete_greeting(task: GreetingTask, *, actor: Any, note: str = "") -> GreetingTask:
    """Tick off a greeting done in person or by phone (only on its day, only once)."""
    if task.status != Status.PENDING:
        raise DomainError(_("这条问候已经是“%(s)s”。") % {"s": task.get_status_display()})
    if task.due_on != timezone.localdate():
        raise DomainError(_("只能登记当天的问候。"))
    updated = GreetingTask.objects.filter(pk=task.pk, status=Status.PENDING).update(
        status=Status.DONE, done_by=actor, done_at=timezone.now(), note=note[:200],
        version=task.version + 1, updated_at=timezone.now(),
    )  # fmt: skip
    if updated != 1:
        raise DomainError(_("这条问候刚被其他人登记过，请刷新后查看。"))
    task.refresh_from_db()
    audit.record(actor, "care.greeting.done", task, {"occasion": task.occasion})
    return task
