"""Demo data: three months of the front desk's log and a year of personalised needs.

Each office's receptionist logs a few contacts a day (most answered at once, some followed up
later, tickets of the demo that came in by phone or at the desk logged as 已转诉求); needs are
recorded, assigned to the area's steward, mostly completed (a few late, a few cancelled), the
recent ones still open. The office supervisor ticked most past days as checked; yesterday is
left unchecked in one office so the board shows it. Today has open entries and needs due.
Rows are written in bulk (a demo, not a workflow): deterministic for a seed and fast; nothing
is done when the log already has entries.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from linli.care.reception.models import (
    Channel,
    DailyCheck,
    NeedEvent,
    NeedSource,
    NeedStatus,
    NeedType,
    Outcome,
    PersonalNeed,
    ReceptionEntry,
    Topic,
)
from linli.org.models import Community, Staff
from linli.org.roles import Role

LOG_DAYS = 90
NEED_DAYS = 365

CHANNELS = [(Channel.PHONE, 50), (Channel.VISIT, 30), (Channel.WECHAT, 10), (Channel.LETTER, 4),
            (Channel.EMAIL, 3), (Channel.OTHER, 3)]  # fmt: skip
SUBJECTS: dict[str, list[str]] = {
    Topic.ENQUIRY: ["咨询停水停电时间", "咨询装修申请手续", "咨询车位租赁", "询问快递代收点",
                    "咨询门禁卡补办", "咨询小区活动安排", "询问电梯年检时间"],
    Topic.REPAIR: ["厨房水管漏水", "楼道灯不亮", "门禁对讲无声音", "卫生间下水慢", "阳台窗户关不严"],
    Topic.COMPLAINT: ["楼上夜间噪音", "垃圾清运不及时", "车位被占用", "宠物扰民"],
    Topic.SUGGESTION: ["建议增加儿童游乐设施", "建议延长泳池开放时间", "建议增设电动车充电桩"],
    Topic.PRAISE: ["表扬保安热心帮忙搬运", "表扬保洁员认真负责"],
    Topic.PAYMENT: ["咨询物业费缴纳方式", "索取物业费发票", "咨询水电费代缴"],
    Topic.NEED: ["出差期间请代收快递", "需要预约家政保洁", "外出请托管钥匙", "老人独居请多关照"],
    Topic.OTHER: ["寻找遗失物品", "反映邻居装修时间过长"],
}  # fmt: skip
TOPICS = [(Topic.ENQUIRY, 35), (Topic.REPAIR, 15), (Topic.COMPLAINT, 8), (Topic.SUGGESTION, 5),
          (Topic.PRAISE, 3), (Topic.PAYMENT, 15), (Topic.NEED, 10), (Topic.OTHER, 9)]  # fmt: skip
REPLIES = ["已当场答复", "已电话告知", "已说明办理流程", "已转工程部安排", "已告知客户处理时限"]
UNKNOWN = [("王先生", "13700001234"), ("刘女士", "13911112222"), ("快递员", "15800003333"),
           ("陈先生", "13622224444"), ("访客赵女士", "18655556666")]  # fmt: skip
NEEDS: dict[str, list[str]] = {
    "parcel": ["出差一周，请代收快递", "工作日白天不在家，快递请放前台"],
    "housekeeping": ["需要预约家政保洁，周六上午", "春节前大扫除，请推荐家政"],
    "key_custody": ["外出旅行，钥匙托管，期间请帮忙浇花", "家中装修，钥匙交管理处托管"],
    "bill_payment": ["请代缴本季度水电费", "请代缴燃气费"],
    "repair_booking": ["预约周末上门检修空调", "预约上门更换门锁"],
    "elderly_care": ["独居老人，请每周上门看望一次", "老人行动不便，请协助取药"],
    "other": ["婚礼当天需协调车辆停放", "请协助联系开锁服务"],
}  # fmt: skip
TICKET_CHANNELS = {"phone": Channel.PHONE, "front_desk": Channel.VISIT, "letter": Channel.LETTER,
                   "wechat": Channel.WECHAT}  # fmt: skip


def _weighted(rng: random.Random, pairs: list[tuple[Any, int]]) -> Any:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _at(day: dt.date, rng: random.Random, *, latest: dt.datetime | None = None) -> dt.datetime:
    moment = timezone.make_aware(
        dt.datetime.combine(day, dt.time(8 + rng.randint(0, 9), rng.randint(0, 59)))
    )
    if latest is not None and moment > latest:
        moment = latest - dt.timedelta(minutes=rng.randint(5, 90))
    return moment


def _households(community: Community) -> list[tuple[Any, Any]]:
    """(customer, room) of current primary occupants; the room's area steward is on the room."""
    from linli.customers.models import Occupancy

    rows = (
        Occupancy.objects.filter(community=community, move_out__isnull=True, is_primary=True,
                                 customer__anonymised_at__isnull=True)
        .select_related("customer", "room__area")
        .order_by("pk")
    )  # fmt: skip
    return [(o.customer, o.room) for o in rows]


def _staff(community: Community) -> dict[str, list[Any]]:
    people: dict[str, list[Any]] = {}
    for person in Staff.objects.filter(community=community, is_active=True).order_by("username"):
        people.setdefault(person.role, []).append(person)
    return people


def _log(community: Community, people: dict[str, list[Any]], homes: list[tuple[Any, Any]],
         rng: random.Random, now: dt.datetime) -> list[ReceptionEntry]:  # fmt: skip
    desk = people.get(Role.RECEPTIONIST) or people.get(Role.STEWARD) or []
    followers = people.get(Role.OFFICE_CUSTOMER_SUPERVISOR, []) + people.get(Role.STEWARD, [])
    if not desk:
        return []
    today = timezone.localdate(now)
    entries = []
    for back in range(LOG_DAYS, -1, -1):
        day = today - dt.timedelta(days=back)
        count = rng.randint(1, 3) if day.weekday() >= 5 else rng.randint(3, 6)
        for _n in range(count):
            at = _at(day, rng, latest=now if back == 0 else None)
            topic = _weighted(rng, TOPICS)
            known = rng.random() < 0.85
            customer, room = rng.choice(homes) if known else (None, None)
            name, phone = ("", "") if known else rng.choice(UNKNOWN)
            channel = _weighted(rng, CHANNELS)
            outcome, reply, closed_at, closed_by = Outcome.ANSWERED, rng.choice(REPLIES), None, None
            roll = rng.random()
            if roll < 0.12:
                outcome, reply = Outcome.FOLLOW_UP, ""
                # Follow-ups of past days were mostly closed the next working day.
                if back > 0 and rng.random() < 0.9:
                    outcome, reply = Outcome.ANSWERED, "已回电答复客户"
                    closed_at = min(at + dt.timedelta(hours=rng.randint(2, 30)), now)
                    closed_by = rng.choice(followers or desk)
            elif roll < 0.2 and topic in (Topic.REPAIR, Topic.COMPLAINT):
                outcome = Outcome.REFERRED
            entries.append(ReceptionEntry(
                community=community, channel=channel, received_at=at, customer=customer, room=room,
                caller_name=customer.name if customer else name, caller_phone=phone, topic=topic,
                subject=rng.choice(SUBJECTS[topic]), outcome=outcome, reply=reply,
                rings=rng.choices([1, 2, 3, 4], weights=[50, 35, 12, 3])[0] if channel == Channel.PHONE else None,
                handled_by=rng.choice(desk), closed_at=closed_at, closed_by=closed_by,
            ))  # fmt: skip
    return entries


def _ticket_entries(community: Community, people: dict[str, list[Any]], now: dt.datetime) -> list[ReceptionEntry]:  # fmt: skip
    """Tickets of the demo that came in by phone, at the desk, by letter or WeChat: logged."""
    from linli.tickets.models import Ticket

    desk = people.get(Role.RECEPTIONIST) or people.get(Role.STEWARD) or []
    since = now - dt.timedelta(days=LOG_DAYS)
    rows = Ticket.objects.filter(
        community=community, opened_at__gte=since, channel__in=list(TICKET_CHANNELS)
    ).select_related("received_by", "customer", "room")
    topics = {"repair": Topic.REPAIR, "complaint": Topic.COMPLAINT, "suggestion": Topic.SUGGESTION,
              "praise": Topic.PRAISE}  # fmt: skip
    return [
        ReceptionEntry(
            community=community, channel=TICKET_CHANNELS[t.channel], received_at=t.opened_at,
            customer=t.customer, room=t.room, caller_name=t.customer.name if t.customer else t.contact_name,
            topic=topics.get(t.kind, Topic.ENQUIRY), subject=t.title[:200], outcome=Outcome.TICKET,
            handled_by=t.received_by if t.received_by and t.received_by.role else desk[0], ticket=t,
        )
        for t in rows.order_by("opened_at")
        if desk or t.received_by
    ]  # fmt: skip


def _needs(community: Community, people: dict[str, list[Any]], homes: list[tuple[Any, Any]],
           types: list[NeedType], rng: random.Random, now: dt.datetime,
           ) -> list[tuple[dt.datetime, PersonalNeed]]:  # fmt: skip
    from linli.core import worktime

    recorders = people.get(Role.RECEPTIONIST, []) + people.get(Role.STEWARD, [])
    fallback = (people.get(Role.STEWARD) or recorders or [None])[0]
    if not recorders:
        return []
    today = timezone.localdate(now)
    plan = []
    for back in range(NEED_DAYS, -1, -1):
        if rng.random() > 0.3:
            continue
        day = today - dt.timedelta(days=back)
        customer, room = rng.choice(homes)
        kind = rng.choice(types)
        assignee = room.area.steward if room.area_id and room.area.steward_id else fallback
        at = _at(day, rng, latest=now if back == 0 else None)
        due = worktime.add_workdays(day, rng.choice([1, 2, 3, 3, 5]))
        status, completed_at, result, feedback = NeedStatus.PENDING, None, "", ""
        if due < today or rng.random() < 0.6:
            roll = rng.random()
            if roll < 0.05:
                status, result = NeedStatus.CANCELLED, "客户自行处理，取消"
            elif roll < 0.25 and today - dt.timedelta(days=20) <= due < today:
                status = rng.choice([NeedStatus.PENDING, NeedStatus.IN_PROGRESS])  # left overdue
            else:
                late = rng.random() < 0.12
                done_day = due + dt.timedelta(days=rng.randint(1, 4)) if late else day + dt.timedelta(
                    days=rng.randint(0, max((due - day).days, 0)))  # fmt: skip
                completed_at = min(_at(min(done_day, today), rng), now)
                status, result = NeedStatus.DONE, "已按客户要求办理"
                feedback = rng.choice(["", "很满意，谢谢", "满意", "办理及时"])
        elif rng.random() < 0.4:
            status = NeedStatus.IN_PROGRESS
        plan.append((at, PersonalNeed(
            community=community, customer=customer, room=room, need_type=kind,
            description=rng.choice(NEEDS.get(kind.code, NEEDS["other"])),
            source=_weighted(rng, [(NeedSource.RECEPTION, 45), (NeedSource.VISIT, 30), (NeedSource.PORTAL, 10),
                                   (NeedSource.TICKET, 5), (NeedSource.OTHER, 10)]),
            assignee=assignee, due_on=due, status=status, result=result, feedback=feedback,
            completed_at=completed_at, created_by=rng.choice(recorders),
        )))  # fmt: skip
    needs = PersonalNeed.objects.bulk_create([n for _at_, n in plan])
    events = []
    for (at, _plan), need in zip(plan, needs, strict=True):
        # bulk_create stamps created_at with now; the report counts by the day it was recorded.
        PersonalNeed.objects.filter(pk=need.pk).update(created_at=at)
        events.append(NeedEvent(community=community, need=need, from_status="", to_status="pending",
                                actor=need.created_by, note="登记", at=at))  # fmt: skip
        if need.status == NeedStatus.IN_PROGRESS or need.completed_at:
            events.append(NeedEvent(community=community, need=need, from_status="pending",
                                    to_status="in_progress", actor=need.assignee,
                                    at=min(at + dt.timedelta(hours=3), now)))  # fmt: skip
        if need.status in (NeedStatus.DONE, NeedStatus.CANCELLED):
            events.append(NeedEvent(
                community=community, need=need,
                from_status="in_progress" if need.completed_at else "pending", to_status=need.status,
                actor=need.assignee, note=need.result, at=need.completed_at or min(at + dt.timedelta(days=1), now),
            ))  # fmt: skip
    NeedEvent.objects.bulk_create(events)
    return [(at, need) for (at, _plan), need in zip(plan, needs, strict=True)]


def _need_entries(community: Community, recorded: list[tuple[dt.datetime, PersonalNeed]],
                  now: dt.datetime) -> int:  # fmt: skip
    """Needs that came in at the front desk have their reception entry (已登记需求)."""
    since = now - dt.timedelta(days=LOG_DAYS)
    pairs = [(at, n) for at, n in recorded if n.source == NeedSource.RECEPTION and at >= since
             and n.created_by and n.created_by.role == Role.RECEPTIONIST]  # fmt: skip
    entries = ReceptionEntry.objects.bulk_create([
        ReceptionEntry(
            community=community, channel=Channel.PHONE if i % 3 else Channel.VISIT, received_at=at,
            customer=n.customer, room=n.room, caller_name=n.customer.name, topic=Topic.NEED,
            subject=n.description[:200], outcome=Outcome.NEED, handled_by=n.created_by, need=n,
        )
        for i, (at, n) in enumerate(pairs)
    ])  # fmt: skip
    for entry, (_when, need) in zip(entries, pairs, strict=True):
        PersonalNeed.objects.filter(pk=need.pk).update(source_ref=str(entry.pk))
    return len(entries)


def _checks(community: Community, people: dict[str, list[Any]], rng: random.Random, now: dt.datetime,
            *, skip_yesterday: bool) -> int:  # fmt: skip
    supervisor = (
        people.get(Role.OFFICE_CUSTOMER_SUPERVISOR) or people.get(Role.OFFICE_MANAGER) or [None]
    )[0]
    if supervisor is None:
        return 0
    today = timezone.localdate(now)
    rows = []
    for back in range(30, 0, -1):
        day = today - dt.timedelta(days=back)
        if (back == 1 and skip_yesterday) or rng.random() < 0.08:
            continue
        checked = timezone.make_aware(
            dt.datetime.combine(day, dt.time(17, 30 + rng.randint(0, 25)))
        )
        rows.append(DailyCheck(community=community, day=day, checked_by=supervisor, checked_at=checked,
                               open_entries=rng.randint(0, 2), visits_owed=rng.randint(0, 3),
                               needs_due=rng.randint(0, 2)))  # fmt: skip
    DailyCheck.objects.bulk_create(rows)
    return len(rows)


def load_demo(seed: int) -> dict[str, int]:
    if ReceptionEntry.objects.exists():
        return {}
    rng = random.Random(f"{seed}-reception")
    now = timezone.now()
    types = list(NeedType.objects.filter(is_active=True).order_by("sort"))
    counts = {"reception entries": 0, "personalised needs": 0, "daily checks": 0}
    for index, community in enumerate(Community.objects.order_by("code")):
        homes = _households(community)
        people = _staff(community)
        if not homes:
            continue
        entries = _log(community, people, homes, rng, now)
        # The end-of-day check has something to show: today's first contacts wait for a call back.
        for entry in [
            e for e in entries if timezone.localdate(e.received_at) == timezone.localdate(now)
        ][:2]:
            entry.outcome, entry.reply, entry.closed_at, entry.closed_by = (
                Outcome.FOLLOW_UP,
                "",
                None,
                None,
            )
        entries += _ticket_entries(community, people, now)
        ReceptionEntry.objects.bulk_create(entries)
        recorded = _needs(community, people, homes, types, rng, now)
        counts["reception entries"] += len(entries) + _need_entries(community, recorded, now)
        counts["personalised needs"] += len(recorded)
        counts["daily checks"] += _checks(community, people, rng, now, skip_yesterday=index == 1)
    return counts
