"""The care calendar: occasions, plans, the daily sweep, messages, ticking off, figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from lunardate import LunarDate

from linli.care.outreach import greetings, plans, selectors
from linli.care.outreach.models import GreetingTask
from linli.care.outreach.testing import graded_customer
from linli.core.errors import DomainError
from linli.customers.models import Customer
from linli.customers.testing import make_customer, make_room
from linli.grading.plans import service_plan_for
from linli.notify.models import Message
from linli.org.models import Area

pytestmark = pytest.mark.django_db

Status = GreetingTask.Status


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_a_vip_lunar_birthday_greeting_is_due_on_the_right_day_in_2026(world):
    # born 1987 闰六月十五: 2026 has no 闰六月, so the birthday is 六月十五 = 28 July 2026
    birthday = LunarDate(1987, 6, 15, True).to_solar_date()
    make_room(world.ch, "1-1-101", area=Area.objects.get(code="CH01"))
    vip = graded_customer(world.ch, "王建国", "vip", room="1-1-101", gender="male",
                          birthday=birthday, birthday_lunar=True)  # fmt: skip
    graded_customer(world.ch, "赵敏", "b", room="1-1-102", birthday=birthday, birthday_lunar=True)
    assert greetings.create_greetings(dt.date(2026, 7, 27)) == 0
    assert greetings.create_greetings(dt.date(2026, 7, 28)) == 1
    task = GreetingTask.objects.get(occasion="birthday")
    assert (task.customer, task.due_on, task.method) == (vip, dt.date(2026, 7, 28), "message")
    assert task.steward == world.steward  # the steward of the room's area
    assert greetings.send_greetings(dt.date(2026, 7, 28), now=at(dt.date(2026, 7, 28))) == 1
    message = Message.objects.get(kind="care.greeting")
    assert message.address == vip.mobile and message.channel == "sms"
    assert message.body.startswith("王先生，今天是您的生日，翠湖苑物业服务中心")


def test_solar_birthday_and_29_february(world):
    leap_baby = graded_customer(world.ch, "李娜", "vip", room="1-1-101", gender="female",
                                birthday=dt.date(1988, 2, 29))  # fmt: skip
    greetings.create_greetings(dt.date(2026, 2, 28))
    assert list(GreetingTask.objects.values_list("customer_id", "occasion")) == [
        (leap_baby.pk, "birthday")
    ]
    assert GreetingTask.objects.get().years == 38


def test_lead_days_move_the_due_day_before_the_occasion(world):
    from linli.policy.services import set_parameter

    graded_customer(world.ch, "王建国", "vip", room="1-1-101", birthday=dt.date(1970, 5, 10))
    set_parameter("care.greeting.lead_days", 2, reason="测试", actor=world.hq_admin)
    greetings.create_greetings(dt.date(2026, 5, 8))
    task = GreetingTask.objects.get()
    assert (task.due_on, task.occasion_on) == (dt.date(2026, 5, 8), dt.date(2026, 5, 10))


def test_move_in_anniversary_counts_the_years_and_skips_moved_out_rooms(world):
    from linli.customers import services as customer_services

    stayer = graded_customer(world.ch, "周杰", "vip", room="2-1-101", move_in=dt.date(2019, 6, 1))
    leaver = graded_customer(world.ch, "孙悦", "vip", room="2-1-102", move_in=dt.date(2019, 6, 1))
    occupancy = leaver.occupancies.get()
    customer_services.move_out(occupancy, on=dt.date(2025, 1, 1), actor=None)
    greetings.create_greetings(dt.date(2026, 6, 1))
    task = GreetingTask.objects.get(occasion="move_in_anniversary")
    assert (task.customer, task.years) == (stayer, 7)


def test_festivals_greet_by_plan_and_the_vip_festival_visit_is_in_person(world):
    vip = graded_customer(world.ch, "王建国", "vip", room="1-1-101")
    b = graded_customer(world.ch, "赵敏", "b", room="1-1-102")
    c = graded_customer(world.ch, "钱多", "c", room="1-1-103")
    greetings.create_greetings(dt.date(2026, 9, 25))  # 中秋
    rows = set(GreetingTask.objects.values_list("customer_id", "care_event", "method"))
    assert rows == {
        (vip.pk, "mid_autumn", "message"),
        (vip.pk, "festival_visit", "in_person"),
        (b.pk, "mid_autumn", "message"),
    }
    assert c.pk not in {r[0] for r in rows}  # the C plan greets only at the spring festival


def test_double_ninth_greets_only_the_elderly(world):
    old = graded_customer(world.ch, "王老伯", "vip", room="1-1-101", birthday=dt.date(1950, 3, 1))
    graded_customer(world.ch, "王小明", "vip", room="1-1-102", birthday=dt.date(1990, 3, 1))
    alone = graded_customer(world.ch, "李奶奶", "vip", room="1-1-103", care_flags=["elderly_alone"])
    greetings.create_greetings(dt.date(2026, 10, 18))
    assert set(GreetingTask.objects.values_list("customer_id", flat=True)) == {old.pk, alone.pk}


def test_no_mobile_means_in_person(world):
    graded_customer(
        world.ch, "王建国", "vip", room="1-1-101", mobile="", birthday=dt.date(1970, 5, 10)
    )
    greetings.create_greetings(dt.date(2026, 5, 10))
    assert GreetingTask.objects.get().method == "in_person"


def test_the_bulk_plan_filter_agrees_with_service_plan_for(world):
    people = [
        graded_customer(world.ch, "甲", "vip", room="1-1-101"),
        graded_customer(world.ch, "乙", "a", room="1-1-102"),
        graded_customer(world.ch, "丙", "b", room="1-1-103", is_committee_member=True),
        graded_customer(world.ch, "丁", "c", room="1-1-104", is_important=True),
        make_customer(world.ch, "戊", room="1-1-105", care_flags=["disabled"]),
    ]
    ids = [p.pk for p in people]
    for event in greetings.CARE_EVENT_OCCASIONS:
        bulk = set(
            Customer.objects.filter(pk__in=ids)
            .filter(plans.with_care_event(event))
            .values_list("pk", flat=True)
        )
        one_by_one = {p.pk for p in people if event in service_plan_for(p).care_events}
        assert bulk == one_by_one, event
    bulk = set(
        Customer.objects.filter(pk__in=ids)
        .filter(plans.invited_first())
        .values_list("pk", flat=True)
    )
    assert bulk == {p.pk for p in people if service_plan_for(p).invitations_first}


def test_running_the_sweep_twice_makes_one_task_and_one_message(world):
    graded_customer(
        world.ch, "王建国", "vip", room="1-1-101", gender="male", birthday=dt.date(1970, 5, 10)
    )
    now = at(dt.date(2026, 5, 10))
    first = greetings.run_daily(now)
    second = greetings.run_daily(now)
    assert first == "created 1, sent 1, missed 0" and second == "created 0, sent 0, missed 0"
    assert (
        GreetingTask.objects.count() == 1
        and Message.objects.filter(kind="care.greeting").count() == 1
    )
    assert GreetingTask.objects.get().status == Status.SENT


def test_a_second_worker_finds_nothing_left_to_send(world):
    graded_customer(world.ch, "王建国", "vip", room="1-1-101", birthday=dt.date(1970, 5, 10))
    greetings.create_greetings(dt.date(2026, 5, 10))
    task = GreetingTask.objects.get()
    # another worker claimed the row between our read and our update
    GreetingTask.objects.filter(pk=task.pk).update(status=Status.SENT, claim="other")
    assert greetings.send_greetings(dt.date(2026, 5, 10), now=at(dt.date(2026, 5, 10))) == 0
    assert not Message.objects.exists()


def test_messages_wait_for_office_hours(world):
    graded_customer(world.ch, "王建国", "vip", room="1-1-101", birthday=dt.date(1970, 5, 10))
    greetings.create_greetings(dt.date(2026, 5, 10))
    assert greetings.send_greetings(dt.date(2026, 5, 10), now=at(dt.date(2026, 5, 10), hour=6)) == 0
    assert greetings.send_greetings(dt.date(2026, 5, 10), now=at(dt.date(2026, 5, 10), hour=9)) == 1


def test_salutations_use_surname_and_title_or_the_organisation():
    def person(name: str, gender: str = "", kind: str = "person") -> Customer:
        return Customer(name=name, gender=gender, kind=kind)

    assert greetings.salutation(person("王建国", "male")) == "王先生"
    assert greetings.salutation(person("李娜", "female")) == "李女士"
    assert greetings.salutation(person("欧阳修", "male")) == "欧阳先生"
    assert greetings.salutation(person("张三")) == "张三"
    assert (
        greetings.salutation(person("翠湖科技有限公司", kind="organisation")) == "翠湖科技有限公司"
    )


def test_templates_are_editable_and_checked(world):
    customer = graded_customer(
        world.ch, "李娜", "vip", room="1-1-101", gender="female", birthday=dt.date(1970, 5, 10)
    )
    with pytest.raises(DomainError, match="未知的占位符"):
        greetings.save_template("birthday", "birthday", "{姓名}生日快乐", actor=world.hq_supervisor)
    with pytest.raises(DomainError, match="花括号"):
        greetings.save_template("birthday", "birthday", "{称呼生日快乐", actor=world.hq_supervisor)
    greetings.save_template(
        "birthday", "birthday", "{称呼}，{小区}祝您{年数}岁生日快乐！", actor=world.hq_supervisor
    )
    greetings.run_daily(at(dt.date(2026, 5, 10)))
    assert Message.objects.get(kind="care.greeting").body == "李女士，翠湖苑祝您56岁生日快乐！"
    assert customer.greetings.count() == 1


def test_in_person_greetings_are_ticked_off_once_and_missed_after_the_day(world):
    today = timezone.localdate()
    customer = graded_customer(world.ch, "王建国", "vip", room="1-1-101", mobile="")
    task = GreetingTask.objects.create(
        community=world.ch, customer=customer, occasion="birthday", care_event="birthday",
        occasion_on=today, due_on=today, method="in_person", steward=world.steward,
    )  # fmt: skip
    greetings.complete_greeting(task, actor=world.steward, note="送了蛋糕")
    task.refresh_from_db()
    assert (task.status, task.done_by, task.note) == (Status.DONE, world.steward, "送了蛋糕")
    with pytest.raises(DomainError):
        greetings.complete_greeting(task, actor=world.steward)
    old = GreetingTask.objects.create(
        community=world.ch, customer=customer, occasion="lantern", care_event="festival_visit",
        occasion_on=today - dt.timedelta(days=3), due_on=today - dt.timedelta(days=3), method="in_person",
    )  # fmt: skip
    assert greetings.mark_missed(today) == 1
    old.refresh_from_db()
    assert old.status == Status.MISSED
    with pytest.raises(DomainError):
        greetings.complete_greeting(old, actor=world.steward)


def test_done_and_missed_are_counted_per_community_and_month(world):
    customer = graded_customer(world.ch, "王建国", "vip", room="1-1-101")
    for day, status in [
        (dt.date(2026, 3, 1), "done"),
        (dt.date(2026, 3, 2), "missed"),
        (dt.date(2026, 4, 1), "done"),
    ]:
        GreetingTask.objects.create(community=world.ch, customer=customer, occasion="birthday", care_event="birthday",
                                    occasion_on=day, due_on=day, method="in_person", status=status)  # fmt: skip
    failed = Message.objects.create(
        channel="sms", kind="care.greeting", subject="x", status="failed"
    )
    GreetingTask.objects.create(community=world.ch, customer=customer, occasion="year_end", care_event="year_end_card",
                                occasion_on=dt.date(2026, 4, 2), due_on=dt.date(2026, 4, 2), method="message",
                                status="sent", message=failed)  # fmt: skip
    [row] = selectors.greeting_stats(world.office_supervisor, None, 2026)
    assert (row["done"], row["missed"], row["rate"]) == (2, 2, 50)
    assert (row["months"][2]["done"], row["months"][2]["missed"]) == (1, 1)
    assert (row["months"][3]["done"], row["months"][3]["missed"]) == (1, 1)
    assert selectors.greeting_stats(world.outsider, None, 2026) == []


def test_the_calendar_shows_festivals_recorded_greetings_and_planned_ones(world):
    vip = graded_customer(world.ch, "王建国", "vip", room="1-1-101", birthday=dt.date(1970, 12, 20))
    today = timezone.localdate()
    weeks = selectors.month_calendar(world.office_supervisor, world.ch.pk, 2026, 12)
    days = {d["date"]: d for week in weeks for d in week if d}
    assert len(days) == 31 and all(len(week) == 7 for week in weeks)
    assert "年终" in [str(f) for f in days[dt.date(2026, 12, 31)]["festivals"]]
    if today < dt.date(2026, 12, 20):
        assert [p["pk"] for p in days[dt.date(2026, 12, 20)]["planned"]] == [vip.pk]
    planned = days[dt.date(2026, 12, 31)]["planned"] if today < dt.date(2026, 12, 31) else []
    assert not planned or planned[0]["count"] == 1
