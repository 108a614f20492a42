"""Statistics of requests and complaints: each figure on a hand-built month of tickets.

March 2026 in 翠湖苑 (CH), looked at on 10 April 2026 at noon. Every expected number below is
counted by hand from the table in `march` and the definitions in `linli.reports.statistics`.
"""

from __future__ import annotations

import datetime as dt
import io
from html.parser import HTMLParser
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from linli.reports import statistics
from linli.reports.periods import make_period, period_bounds, period_choices
from linli.tickets.models import Category, Cause, ReturnVisit, Ticket, TicketEvent

NOW = timezone.make_aware(dt.datetime(2026, 4, 10, 12, 0))
MARCH = make_period("custom", today=dt.date(2026, 4, 10), since=dt.date(2026, 3, 1), until=dt.date(2026, 3, 31))  # fmt: skip


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, month, day, hour, minute))


def ticket(community: Any, kind: str, opened: dt.datetime, **fields: Any) -> Ticket:
    values: dict[str, Any] = {
        "community": community, "kind": kind, "channel": "phone", "title": "t", "description": "d",
        "category": Category.objects.get(code=fields.pop("category", "facilities")),
        "opened_at": opened, "respond_by": opened + dt.timedelta(days=1), "status": "closed",
    }  # fmt: skip
    values.update(fields)
    made = Ticket.objects.create(**values)
    Ticket.objects.filter(pk=made.pk).update(number=f"{community.code}{made.pk:05d}")
    made.refresh_from_db()
    return made


def escalated(t: Ticket, when: dt.datetime) -> None:
    event = TicketEvent.objects.create(community=t.community, ticket=t, kind="escalated")
    TicketEvent.objects.filter(pk=event.pk).update(at=when)  # `at` is auto_now_add


def visit(
    t: Ticket, due: dt.datetime, done: dt.datetime | None = None, score: int | None = None
) -> None:
    ReturnVisit.objects.create(
        community=t.community, ticket=t, due_at=due, done_at=done, satisfaction=score
    )


@pytest.fixture
def march(world: Any) -> dict[str, Ticket]:
    """The hand-built month (CH unless said otherwise).

    T1 repair   on time both ways; visit due 03-11 done 03-09 很满意(5)
    T2 repair   responded late, resolved late (overdue); escalated 03-06; visit due 03-14 done 03-15 一般(2)
    T3 complaint C1 环境卫生, still open past its deadline (overdue); escalated 03-08 and 03-09
    T4 complaint C1 环境卫生 15 days after T3 (repeat by customer+category); resolved on time,
       管理制度 / "A"; visit due 03-24 not done
    T5 complaint C2 环境卫生 marked as a repeat by the rule's reason; resolved on time, 管理制度 / "B";
       visit due 03-15 done 03-14 较满意(3)
    T6 enquiry  not yet responded, deadlines after "now": received only
    T7 praise   responded on time, no resolve deadline
    T8 repair   cancelled (received, nothing else)
    T9 repair   opened in February; escalated 03-01; visit due 03-09 done 03-08 满意(4)
    T10 complaint in 金桂园 (JG): only company roles see it
    T11 repair  opened in April, escalated in April: outside March
    """
    from linli.customers.testing import make_customer

    ch, jg = world.ch, world.jg
    c1 = make_customer(ch, "王一", room="1-1-101")
    c2 = make_customer(ch, "李二", room="1-1-102")
    policy_cause = Cause.objects.get(name="管理制度")
    t = {}
    t["T1"] = ticket(
        ch,
        "repair",
        at(3, 2),
        responded_at=at(3, 2, 9, 30),
        resolve_by=at(3, 5),
        resolved_at=at(3, 4, 10),
    )
    visit(t["T1"], at(3, 11), at(3, 9), 5)
    t["T2"] = ticket(
        ch,
        "repair",
        at(3, 3, 10),
        responded_at=at(3, 4, 12),
        resolve_by=at(3, 6, 10),
        resolved_at=at(3, 7, 10),
    )
    escalated(t["T2"], at(3, 6, 11))
    visit(t["T2"], at(3, 14), at(3, 15), 2)
    t["T3"] = ticket(
        ch,
        "complaint",
        at(3, 5),
        category="environment",
        customer=c1,
        responded_at=at(3, 5),
        resolve_by=at(3, 8),
        status="in_progress",
        validity="valid",
    )
    escalated(t["T3"], at(3, 8, 10))
    escalated(t["T3"], at(3, 9, 10))
    t["T4"] = ticket(
        ch,
        "complaint",
        at(3, 20),
        category="environment",
        customer=c1,
        responded_at=at(3, 20, 9, 10),
        resolve_by=at(3, 23),
        resolved_at=at(3, 21),
        status="resolved",
        validity="valid",
        cause=policy_cause,
        corrective_action="A",
    )
    visit(t["T4"], at(3, 24))
    t["T5"] = ticket(
        ch,
        "complaint",
        at(3, 10),
        category="environment",
        customer=c2,
        responded_at=at(3, 10),
        resolve_by=at(3, 13),
        resolved_at=at(3, 12),
        validity="valid",
        cause=policy_cause,
        corrective_action="B",
        level="company",
        level_reason="30 天内同一客户同类重复投诉",
    )
    visit(t["T5"], at(3, 15), at(3, 14), 3)
    t["T6"] = ticket(
        ch, "enquiry", at(3, 12), respond_by=at(4, 15), resolve_by=at(4, 20), status="accepted"
    )
    t["T7"] = ticket(ch, "praise", at(3, 15), responded_at=at(3, 15, 10), resolved_at=at(3, 15, 11))
    t["T8"] = ticket(ch, "repair", at(3, 18), status="cancelled", resolve_by=at(3, 21))
    t["T9"] = ticket(
        ch, "repair", at(2, 25), responded_at=at(2, 25), resolve_by=at(2, 28), resolved_at=at(3, 2)
    )
    escalated(t["T9"], at(3, 1, 8))
    visit(t["T9"], at(3, 9), at(3, 8), 4)
    t["T10"] = ticket(
        jg,
        "complaint",
        at(3, 10),
        responded_at=at(3, 10),
        resolve_by=at(3, 13),
        resolved_at=at(3, 12),
    )
    t["T11"] = ticket(
        ch, "repair", at(4, 2), responded_at=at(4, 2), resolve_by=at(4, 5), resolved_at=at(4, 3)
    )
    escalated(t["T11"], at(4, 3))
    return t  # fmt: skip


def report(
    user: Any, group: str = "kind", community_id: int | None = None
) -> statistics.TicketReport:
    return statistics.ticket_report(
        user, community_id=community_id, period=MARCH, group=group, now=NOW
    )


def test_each_figure_of_the_month_for_the_office(march, office_manager):
    total = report(office_manager).total
    assert total.received == 8  # T1–T8
    assert (total.respond_on_time, total.respond_due) == (5, 6)  # T6 not yet due, T8 cancelled
    assert total.respond_rate == 83.3
    assert (total.resolve_on_time, total.resolve_due) == (3, 5)  # T1 T4 T5 of T1–T5
    assert total.resolve_rate == 60.0
    assert total.overdue == 2  # T3 open past its deadline, T2 resolved late
    assert total.escalated == 3  # T2, T3 (twice, counted once), T9 (opened in February)
    assert (total.visits_done, total.visits_due) == (4, 5)  # T4's visit is owed
    assert total.visit_rate == 80.0
    assert (total.visits_satisfied, total.visits_rated) == (3, 4)  # T2's 一般 is not satisfied
    assert total.satisfaction_rate == 75.0
    assert (total.complaints, total.repeats) == (3, 2)  # T4 by customer+category, T5 by rule


def test_figures_grouped_by_kind_add_up_to_the_total(march, office_manager):
    rows = {row.key: row for row in report(office_manager).rows}
    assert set(rows) == {"repair", "complaint", "enquiry", "praise"}
    repair, complaint = rows["repair"], rows["complaint"]
    assert (repair.received, repair.respond_on_time, repair.respond_due) == (3, 1, 2)
    assert (repair.resolve_on_time, repair.resolve_due, repair.overdue, repair.escalated) == (
        1,
        2,
        1,
        2,
    )
    assert (
        repair.visits_done,
        repair.visits_due,
        repair.visits_satisfied,
        repair.visits_rated,
    ) == (3, 3, 2, 3)
    assert (complaint.received, complaint.resolve_on_time, complaint.resolve_due) == (3, 2, 3)
    assert (complaint.overdue, complaint.escalated, complaint.repeats) == (1, 1, 2)
    assert (complaint.visits_done, complaint.visits_due, complaint.visits_satisfied) == (1, 2, 1)
    assert rows["enquiry"].received == rows["praise"].received == 1
    assert rows["praise"].resolve_due == 0  # praise has no resolve deadline
    assert rows["complaint"].label == "投诉"


def test_top_causes_list_the_corrective_actions(march, office_manager):
    causes = report(office_manager).causes
    assert [(c.name, c.count) for c in causes] == [("管理制度", 2)]
    assert sorted(causes[0].actions) == [("A", 1), ("B", 1)]


def test_lessons_report_a_cause_repeated_in_a_community_and_category(march, office_manager):
    rows = statistics.repeated_causes(office_manager, community_id=None, period=MARCH)
    assert [(r.community, r.category, r.cause, r.count) for r in rows] == [
        ("翠湖苑", "环境卫生", "管理制度", 2)
    ]
    assert {a[0] for a in rows[0].actions} == {"A", "B"}
    assert (
        statistics.repeated_causes(office_manager, community_id=None, period=MARCH, at_least=3)
        == []
    )


def test_trend_has_twelve_months_with_march_by_kind(march, office_manager):
    month = make_period("month", "2026-03", today=dt.date(2026, 4, 10))
    result = statistics.ticket_report(office_manager, community_id=None, period=month, now=NOW)
    assert len(result.trend_rows) == 12 and result.trend_rows[-1].key == dt.date(2026, 3, 1)
    assert result.trend_kinds["repair"][-1] == 3 and result.trend_kinds["complaint"][-1] == 3
    assert result.trend_kinds["repair"][-2] == 1  # T9 in February
    assert result.trend_rows[-1].received == 8 and result.trend_rows[-1].visits_rated == 4


def test_an_office_sees_its_own_community_and_hq_sees_all(
    march, office_supervisor, hq_admin, outsider
):
    assert report(office_supervisor).total.received == 8
    assert report(hq_admin).total.received == 9  # with T10 in 金桂园
    by_community = {r.label: r.received for r in report(hq_admin, group="community").rows}
    assert by_community == {"翠湖苑": 8, "金桂园": 1}
    assert report(hq_admin, community_id=march["T10"].community_id).total.received == 1
    assert report(outsider).total.received == 1  # a JG account sees only JG, whatever it asks
    assert report(outsider, community_id=march["T1"].community_id).total.received == 0


def test_grouping_by_department_and_person_names_the_missing(march, office_manager):
    assert {r.label for r in report(office_manager, group="department").rows} == {"未派部门"}
    assert {r.label for r in report(office_manager, group="person").rows} == {"未指派"}


def test_the_figures_take_a_handful_of_queries_whatever_the_size(
    march, office_manager, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        report(office_manager, group="category")


# --- the pages --------------------------------------------------------------------------------
class TableText(HTMLParser):
    """The text of each row of one table (the value span of the figure cells)."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id, self.inside, self.rows, self.cell = table_id, False, [], None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "table" and attributes.get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and (
            (tag == "th" and self.rows) or "cell-value" in (attributes.get("class") or "")
        ):
            self.cell = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.inside = False
        if self.cell is not None and tag in ("span", "th"):
            self.rows[-1].append(self.cell.strip())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell += data


QUERY = "?period=custom&since=2026-03-01&until=2026-03-31&group=kind"


def test_excel_matches_the_screen(march, client, office_manager):
    client.force_login(office_manager)
    page = client.get("/reports/tickets/" + QUERY)
    assert page.status_code == 200
    parser = TableText("stats-table")
    parser.feed(page.content.decode())
    screen = [row for row in parser.rows if row]
    response = client.get("/reports/tickets/" + QUERY + "&format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content))["统计"]
    cells = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]

    def shown(value: Any, rate: bool) -> str:
        if value is None or isinstance(value, str):
            return value or "—"
        return f"{value * 100:.1f}%" if rate else str(value)

    rates = [False] + [c.rate for c in statistics.COLUMNS]
    excel = [
        [shown(v, r) if i else str(v) for i, (v, r) in enumerate(zip(row, rates, strict=True))]
        for row in cells
    ]
    assert excel == screen
    assert screen[-1][:2] == ["合计", "8"]


def test_the_page_passes_chart_data_without_inline_script(march, client, office_manager):
    client.force_login(office_manager)
    html = client.get("/reports/tickets/" + QUERY).content.decode()
    assert 'id="chart-trend" type="application/json"' in html
    assert "<script>" not in html and "echarts.min.js" in html and "js/charts.js" in html
    assert "按时解决率" in html and "统计口径" in html


def test_office_roles_cannot_compare_communities(march, client, office_manager, hq_supervisor):
    client.force_login(office_manager)
    page = client.get("/reports/tickets/" + QUERY.replace("kind", "community"))
    assert page.context["report"].dimension.code == "kind"
    client.force_login(hq_supervisor)
    page = client.get("/reports/tickets/" + QUERY.replace("kind", "community"))
    assert [r.label for r in page.context["report"].rows] == ["翠湖苑", "金桂园"]


def test_lessons_page_and_its_excel(march, client, office_manager):
    client.force_login(office_manager)
    page = client.get("/reports/lessons/?period=custom&since=2026-03-01&until=2026-03-31")
    assert "管理制度" in page.content.decode() and page.context["rows"][0].count == 2
    book = load_workbook(
        io.BytesIO(
            client.get(
                "/reports/lessons/?period=custom&since=2026-03-01&until=2026-03-31&format=xlsx"
            ).content
        )
    )
    assert [c.value for c in book.active[5]][:4] == ["翠湖苑", "环境卫生", "管理制度", 2]


def test_a_stale_period_value_falls_back_to_the_current_one(client, office_manager):
    client.force_login(office_manager)
    page = client.get("/reports/tickets/?period=week&which=2026-13&group=nonsense")
    assert page.status_code == 200
    today = timezone.localdate()
    assert page.context["report"].period.first <= today <= page.context["report"].period.last
    assert page.context["report"].dimension.code == "kind"


def test_print_complaint_form_shows_the_ticket_facts(world, client, office_supervisor):
    from linli.tickets import services
    from linli.tickets.testing import make_ticket

    ticket = make_ticket(
        world.ch, actor=office_supervisor, contact_name="赵六", contact_phone="13812345678"
    )
    services.set_validity(ticket, "valid", actor=office_supervisor)
    ticket.refresh_from_db()
    services.dispatch(ticket, actor=office_supervisor, assignee=world.steward, note="请今天处理")
    ticket.refresh_from_db()
    services.resolve(ticket, actor=world.steward, resolution="已更换灯泡", cause=Cause.objects.get(name="设施老化"),
                     corrective_action="楼道灯每月巡检")  # fmt: skip
    visit_row = ReturnVisit.objects.get(ticket=ticket)
    services.record_return_visit(
        visit_row, actor=world.steward, method="phone", satisfaction=4, words="挺好"
    )
    client.force_login(office_supervisor)
    html = client.get(f"/reports/print/tickets/{ticket.pk}/complaint/").content.decode()
    for fact in (ticket.number, "客户投诉处理登记表", "赵六", "138****5678", "楼道灯不亮", "设施设备", "一般",
                 "有效", "已更换灯泡", "设施老化", "楼道灯每月巡检", "派单", "请今天处理", "满意", "@page", "A4"):  # fmt: skip
        assert fact in html, fact
    assert "13812345678" not in html
    rv = client.get(f"/reports/print/tickets/{ticket.pk}/return-visit/").content.decode()
    for fact in (
        "回访记录表",
        ticket.number,
        "138****5678",
        "☑ 满意",
        "☑ 电话",
        "挺好",
        "已更换灯泡",
    ):
        assert fact in rv, fact


def test_print_forms_of_another_community_are_not_found(world, client, outsider, office_supervisor):
    from linli.tickets.testing import make_ticket

    ticket = make_ticket(world.ch, actor=office_supervisor)
    client.force_login(outsider)
    assert client.get(f"/reports/print/tickets/{ticket.pk}/complaint/").status_code == 404
    assert client.get(f"/reports/print/tickets/{ticket.pk}/return-visit/").status_code == 404


def test_a_blank_return_visit_form_before_any_visit(world, client, office_supervisor):
    from linli.tickets.testing import make_ticket

    ticket = make_ticket(world.ch, actor=office_supervisor, kind="repair")
    client.force_login(office_supervisor)
    html = client.get(f"/reports/print/tickets/{ticket.pk}/return-visit/").content.decode()
    assert "☐ 很满意" in html and "☑" not in html


# --- periods ----------------------------------------------------------------------------------
def test_period_bounds_and_choices():
    assert period_bounds("week", "2026-W01") == (dt.date(2025, 12, 29), dt.date(2026, 1, 4))
    assert period_bounds("quarter", "2026-Q4") == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert period_bounds("month", "2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert period_choices("quarter", dt.date(2026, 2, 3))[:2] == [
        ("2026-Q1", "2026年第1季度"),
        ("2025-Q4", "2025年第4季度"),
    ]
    assert len(period_choices("week", dt.date(2026, 2, 3))) == 26
    period = make_period(
        "custom", today=dt.date(2026, 2, 3), since=dt.date(2026, 2, 1), until=dt.date(2026, 1, 1)
    )
    assert (period.first, period.last) == (dt.date(2026, 1, 1), dt.date(2026, 2, 1))  # swapped
    assert make_period("quarter", "2026-Q9", today=dt.date(2026, 5, 5)).value == "2026-Q2"
