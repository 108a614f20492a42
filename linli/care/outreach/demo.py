"""Demo data for the care calendar, notices and events (called by `linli demo` after customers,
tickets and grades exist).

Greetings of the last months come from the real sweep run for each past day (so they follow the
grades' plans); most in-person ones were ticked off by the area's steward, a few missed; the
outbox messages are marked delivered (one failure now and then). Each community gets a few
notices with their delivery figures (one still current, for the portal) and the year's events
with invitations, attendance and feedback. Deterministic for a seed; does nothing twice.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db.models import Q
from django.utils import timezone

from linli.care.outreach import events, greetings, notices
from linli.care.outreach.models import Event, GreetingTask, Notice
from linli.customers.models import Building, Unit
from linli.grading.inputs import add_months
from linli.notify.models import Message
from linli.org.models import Community, Staff
from linli.org.roles import Role

MONTHS_BACK = 1
NOTICES = [
    ("water", "停水通知", "因市政供水管网维修，{b}将暂停供水，请提前储水，给您带来不便敬请谅解。"),
    ("power", "停电通知", "因配电房设备检修，{b}将暂停供电，电梯同时停运，请合理安排出行。"),
    ("elevator", "电梯停运通知", "{b}电梯进行年度安全检验，检验期间暂停使用，请走楼梯并注意安全。"),
]
EVENTS = [
    # month, kind, title, place, audience, capacity
    (1, "activity", "迎新春写春联送福字", "小区会所", "all", 60),
    (3, "forum", "第一季度业主座谈会", "管理处会议室", "priority", 20),
    (6, "activity", "端午包粽子亲子活动", "中心花园", "all", 40),
    (7, "forum", "年中业主座谈会", "管理处会议室", "priority", 20),
    (9, "activity", "中秋游园会", "中心花园", "all", 80),
    (10, "activity", "重阳敬老茶话会", "老年活动室", "elderly", 30),
    (12, "forum", "年度服务工作通报会", "管理处会议室", "committee", 20),
]
FEEDBACK = [
    "活动组织得很好",
    "希望以后多办",
    "时间安排再早一点就好",
    "很有意义，谢谢物业",
    "场地有点小",
]


def _at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def load_demo(seed: int) -> dict[str, int]:
    if GreetingTask.objects.exists() or Event.objects.exists() or Notice.objects.exists():
        return {}
    communities = list(Community.objects.filter(is_active=True).order_by("code"))
    if not communities:
        return {}
    rng = random.Random(f"{seed}-outreach")
    today = timezone.localdate()
    made = _greetings(rng, today)
    supervisors = {
        s.community_id: s
        for s in Staff.objects.filter(role=Role.OFFICE_CUSTOMER_SUPERVISOR, is_active=True).order_by("pk")
    }  # fmt: skip
    notice_count = event_count = 0
    for community in communities:
        actor = supervisors.get(community.pk)
        if actor is None:
            continue
        notice_count += _notices(community, actor, rng, today)
        event_count += _events(community, actor, rng, today)
    return {"greetings": made, "notices": notice_count, "events": event_count}


def _greetings(rng: random.Random, today: dt.date) -> int:
    start = add_months(today.replace(day=1), -MONTHS_BACK)
    day = start
    while day <= today:
        greetings.create_greetings(day)
        if day < today:
            greetings.send_greetings(day, now=_at(day, 9))
        day += dt.timedelta(days=1)
    past = GreetingTask.objects.filter(due_on__lt=today)
    for task in past.filter(method=GreetingTask.Method.IN_PERSON).order_by("pk"):
        if task.steward_id and rng.random() < 0.88:
            GreetingTask.objects.filter(pk=task.pk).update(
                status=GreetingTask.Status.DONE, done_by_id=task.steward_id,
                done_at=_at(task.due_on, rng.randint(9, 17), rng.randint(0, 59)),
                note=rng.choice(["", "", "上门送上祝福", "电话问候，客户很高兴", "送了鲜花和贺卡"]),
            )  # fmt: skip
    greetings.mark_missed(today)
    ids = list(
        past.filter(message__isnull=False).order_by("pk").values_list("message_id", "due_on")
    )
    _delivered(ids, rng, failure=0.03)
    return GreetingTask.objects.count()


def _delivered(rows: list[tuple[int, Any]], rng: random.Random, *, failure: float) -> None:
    """The outbox worker's work, done ahead for the demo: delivered a few seconds to minutes
    after queueing, a few failed for good."""
    done = []
    for message_id, when in rows:
        at = when if isinstance(when, dt.datetime) else _at(when, 9)
        if rng.random() < failure:
            done.append(Message(pk=message_id, status=Message.Status.FAILED, attempts=8, sent_at=None,
                                last_error="短信网关返回：号码已停机"))  # fmt: skip
        else:
            sent_at = at + dt.timedelta(seconds=rng.randint(5, 400))
            done.append(Message(pk=message_id, status=Message.Status.SENT, attempts=1, sent_at=sent_at, last_error=""))  # fmt: skip
    Message.objects.bulk_update(
        done, ["status", "attempts", "sent_at", "last_error"], batch_size=500
    )


def _notices(community: Community, actor: Any, rng: random.Random, today: dt.date) -> int:
    buildings = list(Building.objects.filter(community=community).order_by("code"))
    if not buildings:
        return 0
    made = 0
    for index, (kind, title, body) in enumerate(NOTICES):
        building = buildings[(index * 3 + rng.randrange(len(buildings))) % len(buildings)]
        units = list(Unit.objects.filter(building=building).order_by("code"))
        chosen_units = units[:1] if kind == "elevator" and units else []
        scope = f"{building}" + (f"{chosen_units[0]}" if chosen_units else "")
        day = today - dt.timedelta(days=[40, 12, 0][index])
        starts = _at(day + dt.timedelta(days=1), 9)
        notice = notices.publish_notice(
            community, kind=kind, title=f"{scope}{title}", body=body.format(b=scope), starts_at=starts,
            ends_at=starts + dt.timedelta(hours=6 + 2 * index), buildings=[] if chosen_units else [building],
            units=chosen_units, actor=actor,
        )  # fmt: skip
        published = _at(day, 8, 30) if day < today else notice.published_at
        Notice.objects.filter(pk=notice.pk).update(
            published_at=published, deliver_by=published + (notice.deliver_by - notice.published_at)
        )
        rows = list(
            notice.deliveries.filter(message__isnull=False).values_list("message_id", flat=True)
        )
        _delivered([(pk, published) for pk in rows], rng, failure=0.02 if index == 1 else 0.0)
        made += 1
    return made


def _events(community: Community, actor: Any, rng: random.Random, today: dt.date) -> int:
    made = 0
    for month, kind, title, place, audience, capacity in EVENTS:
        day = dt.date(today.year, month, 10 + rng.randrange(15))
        starts = _at(day, 15 if kind == "activity" else 19, 0 if kind == "activity" else 30)
        if day >= today and month != today.month + 1:
            continue  # the year's remaining events are not planned yet, except next month's
        event = events.create_event(
            community, actor=actor, kind=kind, title=title, starts_at=starts, place=place,
            capacity=capacity, audience=audience, description="",
        )  # fmt: skip
        made += 1
        if day >= today:
            continue
        events.invite(event, actor=actor)
        event.refresh_from_db()
        rows = list(
            event.invitations.filter(message__isnull=False).values_list("message_id", flat=True)
        )
        _delivered([(pk, starts - dt.timedelta(days=7)) for pk in rows], rng, failure=0.02)
        came = [i.pk for i in event.invitations.order_by("position") if rng.random() < 0.7]
        events.record_attendance(event, came, actor=actor)
        for invitation in event.invitations.filter(Q(pk__in=came)).order_by("position"):
            if rng.random() < 0.4:
                events.record_feedback(
                    invitation, rating=rng.choice([5, 5, 5, 4, 4, 3]),
                    feedback=rng.choice(FEEDBACK) if rng.random() < 0.5 else "", actor=actor,
                )  # fmt: skip
    return made
