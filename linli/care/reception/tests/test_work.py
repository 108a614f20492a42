"""Personalised needs on "my work"; the reception log and overdue needs on the office board
(linli.care.reception.work)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from conftest import make_staff
from linli import policy
from linli.care.reception import services
from linli.care.reception.models import NeedStatus, Outcome, PersonalNeed
from linli.care.reception.testing import household
from linli.core.work import board_sections, my_work_items
from linli.customers.models import Customer
from linli.customers.testing import make_customer


def _need(world, description: str, *, customer=None, due_on=None, assignee=None) -> PersonalNeed:
    return services.record_need(
        actor=world.office_supervisor, customer=customer or household(world), description=description,
        need_type="parcel", source="reception", assignee=assignee or world.steward, due_on=due_on,
    )  # fmt: skip


def _section(user, community, title):
    return next(s for s in board_sections(user, community.pk) if s.title == title)


def test_my_open_needs_are_on_my_work_with_type_room_and_customer(world):
    need = _need(world, "每周代收快递" * 10, due_on=dt.date(2030, 1, 1))
    done = _need(world, "已办完的事")
    PersonalNeed.objects.filter(pk=done.pk).update(status=NeedStatus.DONE)
    (item,) = [i for i in my_work_items(world.steward) if i.kind == "need"]
    assert item.title == f"{need.need_type.name}：{('每周代收快递' * 10)[:40]}"
    assert item.subtitle == "3-2-501 · 张三"
    assert item.link == f"/care/reception/needs/{need.pk}/"
    assert item.due is not None and timezone.localtime(item.due).date() == dt.date(2030, 1, 1)
    assert [i for i in my_work_items(world.office_supervisor) if i.kind == "need"] == []


def test_the_board_lists_the_first_overdue_needs_and_counts_them_all(world):
    past = timezone.localdate() - dt.timedelta(days=3)
    needs = [_need(world, f"超期需求{n}") for n in range(7)]
    for n, need in enumerate(needs):  # recorded earlier, now overdue
        need.due_on = past + dt.timedelta(days=n % 2)
        PersonalNeed.objects.filter(pk=need.pk).update(due_on=need.due_on)
    _need(world, "还没到期", due_on=timezone.localdate() + dt.timedelta(days=3))
    PersonalNeed.objects.filter(pk=needs[-1].pk).update(status=NeedStatus.CANCELLED)
    section = _section(world.office_supervisor, world.ch, "个性化需求超期")
    assert section.count == 6 and section.figure == "6 项超期"
    assert len(section.items) == 5
    open_by_due = sorted(needs[:-1], key=lambda n: (n.due_on, n.pk))
    assert [i.link for i in section.items] == [f"/care/reception/needs/{n.pk}/" for n in open_by_due[:5]]  # fmt: skip
    assert section.link == "/care/reception/needs/?overdue=1"
    # An overdue need of JG (written directly: CH's supervisor may not record one there).
    jg_need = PersonalNeed.objects.get(pk=needs[0].pk)
    jg_need.pk, jg_need.community, jg_need.room = None, world.jg, None
    jg_need.customer = make_customer(world.jg, "钱七", room="2-1-201")
    jg_need.save()
    assert _section(world.office_supervisor, world.jg, "个性化需求超期").count == 0
    jg_supervisor = make_staff("jg_supervisor", "office_customer_supervisor", world.jg)
    assert _section(jg_supervisor, world.jg, "个性化需求超期").count == 1


def test_a_need_of_a_file_above_the_clearance_stays_off_the_board(world):
    secret = make_customer(world.ch, "李四", room="3-2-502")
    need = _need(world, "保密客户的需求", customer=secret)
    PersonalNeed.objects.filter(pk=need.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))  # fmt: skip
    assert _section(world.office_supervisor, world.ch, "个性化需求超期").count == 1
    Customer.objects.filter(pk=secret.pk).update(
        secrecy=4
    )  # 绝密: above the supervisor's clearance
    section = _section(world.office_supervisor, world.ch, "个性化需求超期")
    assert section.count == 0 and section.items == []


def test_todays_follow_ups_name_the_caller_and_count_beyond_the_first_five(world):
    customer = household(world)
    for n in range(6):
        services.log_contact(
            world.ch, actor=world.steward, channel="phone", subject=f"来电{n}",
            customer=customer if n else None, caller_name="" if n else "路人甲",
            outcome=Outcome.FOLLOW_UP,
        )  # fmt: skip
    section = _section(world.office_supervisor, world.ch, "今日接待待跟进")
    assert section.count == 6 and len(section.items) == 5
    first = section.items[0]
    assert first.title == "来电0" and first.subtitle == "路人甲" and first.kind_label == "来电"
    assert section.items[1].subtitle == "3-2-501 · 张三"
    # After the day's check time (a policy parameter) the figure also says today's is due.
    after_check_time = timezone.localtime().time() >= policy.value(
        "care.reception.daily_check_time", community=world.ch.pk
    )
    assert section.figure == "昨日未做日终检查" + (" · 今日待日终检查" if after_check_time else "")
