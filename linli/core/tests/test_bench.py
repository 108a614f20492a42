"""`linli bench`: the generated data set looks like the services' own (no timing here)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import models

from linli.core import bench as harness
from linli.customers import bench, selectors, services
from linli.customers.models import Customer, Occupancy, Room
from linli.org.models import Community, Staff


@pytest.fixture
def dataset(db):
    return bench.build(0.0002, seed=7)


def test_a_tiny_data_set_has_the_planned_shape(dataset):
    counts = dataset["counts"]
    assert counts["communities"] == Community.objects.count() == 3
    assert counts["customers"] == Customer.objects.count() > 50
    assert counts["rooms"] == Room.objects.count()
    assert counts["occupancies"] == Occupancy.objects.count()
    assert Customer.objects.filter(secrecy__gt=1).exists() or counts["customers"] < 100
    # every customer lives (or lived) somewhere, and each community has its households
    assert not Customer.objects.filter(occupancies__isnull=True).exists()
    assert all(c.households > 0 for c in Community.objects.all())
    # the accounts the bench logs in as
    assert Staff.objects.get(username="ch_steward1").community.code == "CH"
    assert Staff.objects.get(username="hq_supervisor").community_id is None


def test_derived_columns_are_the_services_own(dataset):
    for customer in Customer.objects.order_by("pk")[:200]:
        probe = Customer(
            kind=customer.kind,
            name=customer.name,
            mobile=customer.mobile,
            id_number=customer.id_number,
        )
        services._derive(probe)
        assert (customer.name_pinyin, customer.name_initials, customer.name_sort) == (
            probe.name_pinyin,
            probe.name_initials,
            probe.name_sort,
        )
        assert (customer.mobile_tail, customer.id_tail) == (probe.mobile_tail, probe.id_tail)


def test_completeness_is_what_the_services_compute(dataset):
    for customer in Customer.objects.order_by("pk")[:100]:
        stored = (customer.completeness, customer.missing_fields, customer.file_due_at)
        services.refresh_completeness(customer)
        assert (customer.completeness, customer.missing_fields, customer.file_due_at) == stored


def test_a_generated_customer_is_found_by_the_search(dataset):
    steward = Staff.objects.get(username="ch_steward1")
    hq = Staff.objects.get(username="hq_supervisor")
    customer = (
        Customer.objects.filter(
            community__code="CH", secrecy=1, kind="person", occupancies__move_out__isnull=True
        )
        .exclude(mobile="")
        .order_by("pk")
        .first()
    )
    assert customer is not None
    for user in (steward, hq):
        by_pinyin = selectors.search_customers(user, customer.name_pinyin, limit=500)
        assert customer in by_pinyin
        by_tail = selectors.search_customers(user, customer.mobile_tail, limit=500)
        assert customer in by_tail
        by_name = selectors.search_customers(user, customer.name, limit=500)
        assert customer in by_name
    room = Occupancy.objects.select_related("room").get(customer=customer).room
    assert customer in selectors.search_customers(steward, room.code, limit=500)
    # 3栋2单元501 reads as a name and as a room: both readings in one IN (… UNION …)
    building, unit, number = room.code.split("-")
    spoken = f"{building}栋{unit}单元{number}"
    for user in (steward, hq):
        assert customer in selectors.search_customers(user, spoken, limit=500)
    given = customer.name[1:]
    if len(given) >= 2:  # a substring of 2+ characters (bigram index on PostgreSQL)
        assert customer in selectors.search_customers(hq, given, limit=5000)


def test_bigrams_are_the_two_character_pieces():
    assert selectors.bigrams("张建国") == ["建国", "张建"]
    assert selectors.bigrams("王芳芳") == ["王芳", "芳芳"]
    assert selectors.bigrams("张") == []


def test_the_marker_tells_a_filled_database_from_an_empty_one(dataset):
    assert bench.read_marker() is None
    bench.write_marker(dataset)
    marker = bench.read_marker()
    assert bench.matches(marker, 0.0002, 7)
    assert not bench.matches(marker, 1.0, 7)


def test_percentiles_and_the_budget_rule():
    samples = [float(v) for v in range(1, 101)]
    assert harness.percentile(samples, 50) == pytest.approx(50.5)
    assert harness.percentile(samples, 95) == pytest.approx(95.05)
    # ≤ max(2 × SQL, SQL + slack) and ≤ the absolute budget
    assert harness.allowed(sql_p95=1.0, slack=8.0) == 9.0
    assert harness.allowed(sql_p95=12.0, slack=8.0) == 24.0


def test_tickets_of_the_bench_look_like_the_services_own(dataset):
    from linli.reports import statistics
    from linli.reports.periods import make_period
    from linli.tickets import bench as tickets
    from linli.tickets.models import OPEN_STATUSES, ReturnVisit, Status, Ticket, TicketEvent

    marker = tickets.build(0.0002, seed=7)
    counts = marker["counts"]
    assert counts["tickets"] == Ticket.objects.count() >= 500
    assert counts["return_visits"] == ReturnVisit.objects.count() > 0
    assert counts["escalations"] == TicketEvent.objects.filter(kind="escalated").count()
    # every ticket belongs to its customer's and room's community
    assert not Ticket.objects.exclude(customer__community=models.F("community")).exists()
    assert not Ticket.objects.exclude(room__community=models.F("community")).exists()
    # open ones are not resolved; resolved ones have a resolution time; visits follow resolution
    assert not Ticket.objects.filter(status__in=OPEN_STATUSES, resolved_at__isnull=False).exists()
    assert not Ticket.objects.filter(
        status__in=[Status.RESOLVED, Status.RETURN_VISITED, Status.CLOSED],
        resolved_at__isnull=True,
    ).exists()
    assert not ReturnVisit.objects.filter(done_at__lt=models.F("ticket__resolved_at")).exists()
    assert not ReturnVisit.objects.exclude(community=models.F("ticket__community")).exists()
    # the marker: built once, found again
    tickets.write_marker(marker)
    assert tickets.matches(tickets.read_marker(), 0.0002, 7)
    assert not tickets.matches(tickets.read_marker(), 1.0, 7)
    # the statistics read them (company-wide, one community)
    hq = Staff.objects.get(username="hq_supervisor")
    period = make_period("year", "", today=dt.date.today())
    report = statistics.ticket_report(hq, community_id=None, period=period, group="community")
    assert (
        report.total.received
        == Ticket.objects.filter(opened_at__gte=period.start, opened_at__lt=period.end).count()
    )
    ch = Community.objects.get(code="CH")
    local = statistics.ticket_report(hq, community_id=ch.pk, period=period, group="kind")
    assert local.total.received <= report.total.received


def test_the_import_case_imports_a_whole_workbook_and_removes_it_again(world):
    messages: list[str] = []
    result = bench.measure_import(rows=60, log=messages.append)
    assert result["counts"]["customers_created"] == result["counts"]["occupancies_created"] == 60
    assert result["commit_seconds"] > 0 and result["pass"] is True
    community = Community.objects.get(code=bench.IMPORT_COMMUNITY)
    assert not Customer.objects.filter(community=community).exists()
    assert not Room.objects.filter(community=community).exists()
    assert any("PASS" in m for m in messages)
    again = bench.measure_import(rows=60, log=messages.append)  # the same community, emptied
    assert again["counts"]["customers_created"] == 60
