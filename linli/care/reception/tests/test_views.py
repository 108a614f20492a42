"""Pages: the desk, the log and its export, the end-of-day check, needs and their report."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from linli.care.reception import services
from linli.care.reception.models import (
    DailyCheck,
    NeedStatus,
    Outcome,
    PersonalNeed,
    ReceptionEntry,
)
from linli.care.reception.testing import household, open_entry, pending_need


@pytest.fixture
def desk(client, world):
    client.force_login(world.steward)
    return client


def test_the_desk_logs_a_known_caller_and_shows_it_in_todays_list(desk, world):
    customer = household(world)
    response = desk.post("/care/reception/", {
        "channel": "visit", "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "customer": customer.pk, "topic": "payment", "subject": "索取物业费发票", "outcome": "answered",
    })  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/care/reception/"
    entry = ReceptionEntry.objects.get()
    assert (entry.customer, entry.room.code, entry.handled_by) == (
        customer,
        "3-2-501",
        world.steward,
    )
    page = desk.get("/care/reception/").content.decode()
    assert "索取物业费发票" in page and 'id="caller-q"' in page and "autofocus" in page


def test_save_then_convert_goes_to_the_prefilled_ticket_form(desk, world):
    from linli.tickets.models import Category, Ticket

    response = desk.post("/care/reception/", {
        "channel": "phone", "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "caller_name": "李四", "caller_phone": "139 0000 1111", "topic": "repair",
        "subject": "楼道灯不亮", "outcome": "answered", "then": "ticket",
    })  # fmt: skip
    entry = ReceptionEntry.objects.get()
    assert response["Location"] == f"/care/reception/log/{entry.pk}/ticket/"
    form = desk.get(response["Location"]).content.decode()
    assert 'value="repair" selected' in form and "楼道灯不亮" in form
    done = desk.post(response["Location"], {"kind": "repair", "category": Category.objects.first().pk,
                                            "severity": "ordinary", "description": "3 栋楼道灯不亮"})  # fmt: skip
    ticket = Ticket.objects.get()
    assert done["Location"] == f"/tickets/{ticket.pk}/"
    assert ticket.contact_name == "李四" and ticket.contact_phone == "13900001111"
    entry.refresh_from_db()
    assert entry.outcome == Outcome.TICKET and entry.ticket == ticket


def test_an_unknown_caller_without_a_name_is_refused_and_nothing_is_saved(desk, world):
    response = desk.post("/care/reception/", {
        "channel": "phone", "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "topic": "enquiry", "subject": "问路", "outcome": "answered",
    })  # fmt: skip
    assert (
        response.status_code == 200
        and "请选择客户，或填写来访人/来电人姓名" in response.content.decode()
    )
    assert not ReceptionEntry.objects.exists()


def test_the_live_search_lists_each_room_of_the_caller_with_a_masked_phone(desk, world):
    customer = household(world)
    body = desk.get("/care/reception/search/", {"q": "3-2-501"}).content.decode()
    assert f'data-customer="{customer.pk}"' in body and "3-2-501" in body
    assert "13812345678" not in body and "138****5678" in body
    card = desk.get(f"/care/reception/callers/{customer.pk}/").content.decode()
    assert "张三" in card and "13812345678" not in card


def test_the_log_filters_and_exports_exactly_the_filtered_rows_masked(desk, world):
    open_entry(world)
    services.log_contact(world.ch, actor=world.steward, channel="letter", subject="来函投诉噪音",
                         caller_name="王先生", caller_phone="13700001234")  # fmt: skip
    page = desk.get("/care/reception/log/", {"open": "on"}).content.decode()
    assert "咨询停水时间" in page and "来函投诉噪音" not in page
    response = desk.get("/care/reception/log/export/", {"channel": "letter"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("接待时间", "小区", "渠道", "来访人/来电人")
    assert len(rows) == 2 and rows[1][2] == "来函" and rows[1][3] == "王先生"
    assert rows[1][5] == "137****1234"
    assert "13700001234" not in str(rows)


def test_the_daily_check_lists_open_work_and_the_supervisor_ticks_it(client, world):
    from linli.tickets.models import ReturnVisit
    from linli.tickets.testing import make_ticket

    entry, need = open_entry(world), pending_need(world)
    PersonalNeed.objects.filter(pk=need.pk).update(due_on=timezone.localdate())
    ticket = make_ticket(world.ch, actor=world.steward)
    ReturnVisit.objects.create(community=world.ch, ticket=ticket, assigned_to=world.steward,
                               due_at=timezone.now() - dt.timedelta(hours=2))  # fmt: skip
    client.force_login(world.office_supervisor)
    page = client.get("/care/reception/check/").content.decode()
    assert entry.subject in page and "每周代收快递" in page and ticket.title in page
    assert "确认日终检查" in page
    today = timezone.localdate().isoformat()
    response = client.post("/care/reception/check/confirm/", {"day": today, "note": "已核对"})
    assert response.status_code == 302
    check = DailyCheck.objects.get(community=world.ch)
    assert (check.open_entries, check.visits_owed, check.needs_due) == (1, 1, 1)
    assert check.checked_by == world.office_supervisor
    assert "已于" in client.get("/care/reception/check/").content.decode()


def test_the_steward_sees_the_check_but_cannot_tick_it(client, world):
    client.force_login(world.steward)
    page = client.get("/care/reception/check/").content.decode()
    assert "确认日终检查" not in page
    today = timezone.localdate().isoformat()
    assert client.post("/care/reception/check/confirm/", {"day": today}).status_code == 403


def test_the_board_shows_whether_yesterday_was_checked(client, world):
    open_entry(world)
    client.force_login(world.office_supervisor)
    page = client.get("/tickets/board/").content.decode()
    assert "今日接待待跟进" in page and "咨询停水时间" in page and "昨日未做日终检查" in page
    services.check_day(
        world.ch, timezone.localdate() - dt.timedelta(days=1), actor=world.office_supervisor
    )
    assert "昨日已日终检查" in client.get("/tickets/board/").content.decode()


def test_a_need_is_handled_to_done_with_feedback_through_its_page(client, world):
    need = pending_need(world)
    client.force_login(world.steward)
    assert "每周代收快递" in client.get("/tickets/my/").content.decode()  # my work
    url = f"/care/reception/needs/{need.pk}/"
    client.post(f"{url}status/", {"status": "in_progress", "version": need.version})
    need.refresh_from_db()
    client.post(
        f"{url}status/", {"status": "done", "result": "已代收 3 件", "version": need.version}
    )
    need.refresh_from_db()
    assert need.status == NeedStatus.DONE and need.result == "已代收 3 件"
    client.post(f"{url}feedback/", {"feedback": "很满意", "version": need.version})
    need.refresh_from_db()
    assert need.feedback == "很满意"
    page = client.get(url).content.decode()
    assert "处理中 → 已完成" in page and "按时" in page


def test_a_stale_form_changes_nothing_and_says_why(client, world):
    need = pending_need(world)
    client.force_login(world.steward)
    response = client.post(f"/care/reception/needs/{need.pk}/status/",
                           {"status": "cancelled", "note": "不需要了", "version": need.version + 1}, follow=True)  # fmt: skip
    assert "已被他人修改" in response.content.decode()
    need.refresh_from_db()
    assert need.status == NeedStatus.PENDING


def test_record_a_need_from_the_needs_page(client, world):
    customer = household(world)
    client.force_login(world.office_supervisor)
    assert "先找到客户" in client.get("/care/reception/needs/new/").content.decode()
    response = client.post("/care/reception/needs/new/", {
        "customer": customer.pk, "need_type": "elderly_care", "description": "独居老人，每周看望",
    })  # fmt: skip
    need = PersonalNeed.objects.get()
    assert response["Location"] == f"/care/reception/needs/{need.pk}/"
    assert need.assignee == world.steward and need.source == "other"
    listed = client.get("/care/reception/needs/", {"need_type": "elderly_care"}).content.decode()
    assert "独居老人" in listed


def test_the_needs_report_counts_by_type_and_exports_the_same(client, world):
    need = pending_need(world)
    done = services.record_need(actor=world.steward, customer=household(world), description="保洁",
                                need_type="housekeeping")  # fmt: skip
    services.set_need_status(done, actor=world.steward, status="done", result="已完成")
    client.force_login(world.office_manager)
    page = client.get("/care/reception/needs/report/").content.decode()
    assert "代收快递" in page and "家政服务" in page and 'data-chart="need-counts"' in page
    response = client.get("/care/reception/needs/report/export/", {"group": "type"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "类型"
    by_label = {r[0]: r for r in rows[1:] if r and r[0] in ("代收快递", "家政服务")}
    assert by_label["代收快递"][1:4] == (1, 1, 0)
    assert by_label["家政服务"][1:5] == (1, 0, 1, 1) and by_label["家政服务"][6] == 1.0
    assert need.pk


def test_the_household_timeline_shows_entries_and_needs(world):
    from linli.core import timeline

    open_entry(world)
    pending_need(world)
    kinds = {e.kind for e in timeline.collect(world.steward, customer=household(world))}
    assert {"reception", "need"} <= kinds
    assert not [e for e in timeline.collect(world.outsider, customer=household(world))
                if e.kind in {"reception", "need"}]  # fmt: skip


def test_the_daily_check_of_an_earlier_day_shows_that_days_open_entries(client, world):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    at = timezone.make_aware(dt.datetime.combine(yesterday, dt.time(10, 0)))
    services.log_contact(world.ch, actor=world.steward, channel="phone", subject="昨天的来电",
                         caller_name="王", outcome="follow_up", received_at=at)  # fmt: skip
    services.log_contact(world.ch, actor=world.steward, channel="phone", subject="今天的来电",
                         caller_name="李", outcome="follow_up")  # fmt: skip
    client.force_login(world.office_supervisor)
    page = client.get("/care/reception/check/", {"day": yesterday.isoformat()}).content.decode()
    assert "昨天的来电" in page and "今天的来电" not in page
    assert f'value="{yesterday.isoformat()}"' in page


def test_after_the_check_time_the_board_says_today_waits_for_its_check(client, world):
    from linli.policy.services import set_parameter

    client.force_login(world.office_supervisor)
    set_parameter("care.reception.daily_check_time", "00:00", actor=world.hq_admin, reason="测试",
                  community=world.ch)  # fmt: skip
    assert "今日待日终检查" in client.get("/tickets/board/").content.decode()
    services.check_day(world.ch, timezone.localdate(), actor=world.office_supervisor)
    assert "今日待日终检查" not in client.get("/tickets/board/").content.decode()


def test_a_link_from_the_household_file_opens_the_desk_with_the_caller_chosen(desk, world):
    customer = household(world)
    page = desk.get("/care/reception/", {"customer": customer.pk}).content.decode()
    assert f'name="customer" value="{customer.pk}"' in page and "张三" in page
    assert f"/care/reception/callers/{customer.pk}/" in page
