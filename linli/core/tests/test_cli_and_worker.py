from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from django.utils import timezone

from linli.cli import main
from linli.core import sweeps
from linli.core.models import SweepRun


def test_workdays_add_prints_iso_date(capsys):
    assert main(["workdays", "add", "2025-09-30", "3"]) == 0
    assert capsys.readouterr().out.strip() == "2025-10-11"


def test_workdays_add_rejects_a_bad_date(capsys):
    assert main(["workdays", "add", "2025-13-01", "3"]) == 2
    assert "not a date" in capsys.readouterr().err


def test_a_sweep_slot_is_claimed_by_exactly_one_worker(db):
    calls = []
    name = "test.counting_sweep"

    def counting() -> str:
        calls.append(1)
        return "ok"

    sweeps.SWEEPS[name] = sweeps.Sweep(name, dt.timedelta(hours=1), counting)
    try:
        now = timezone.now()
        sweeps.ensure_schedule(now)
        assert sweeps.claim(name, now) is True
        assert sweeps.claim(name, now) is False  # the second worker loses the compare-and-set
        later = now + dt.timedelta(hours=1, seconds=1)
        first = sweeps.run_due_sweeps(later)
        second = sweeps.run_due_sweeps(later)
        assert name in first and name not in second
        assert calls == [1]
        assert SweepRun.objects.get(name=name).last_result == "ok"
    finally:
        del sweeps.SWEEPS[name]


def test_a_failing_sweep_is_recorded_and_others_still_run(db):
    def broken() -> str:
        raise RuntimeError("boom")

    sweeps.SWEEPS["test.broken"] = sweeps.Sweep("test.broken", dt.timedelta(hours=1), broken)
    try:
        ran = sweeps.run_due_sweeps()
        assert "test.broken" in ran and "org.purge_expired_sessions" in ran
        assert "boom" in SweepRun.objects.get(name="test.broken").last_error
    finally:
        del sweeps.SWEEPS["test.broken"]


def test_worker_once_runs_the_housekeeping_sweeps(world, capsys):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=world.steward)
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - dt.timedelta(days=3))
    call_command("worker", "--once")
    assert "org.purge_expired_api_tokens" in capsys.readouterr().out
    assert not Token.objects.filter(pk=token.pk).exists()


def test_demo_creates_the_named_accounts_and_is_idempotent(db):
    from linli.org.models import Area, Community, Staff

    call_command("demo", "--seed", "7", "--households", "12")
    names = set(Staff.objects.values_list("username", flat=True))
    expected = {
        "gm",
        "gm_assistant",
        "hr_manager",
        "eng_manager",
        "hq_supervisor",
        "researcher",
        "receptionist",
    }
    for code in ("ch", "jg", "bj"):
        expected |= {
            f"{code}_manager",
            f"{code}_supervisor",
            f"{code}_steward1",
            f"{code}_steward2",
            f"{code}_reception",
        }
    assert names == expected
    assert Staff.objects.get(username="ch_steward1").check_password("Linli@2026")
    assert dict(Community.objects.values_list("code", "name")) == {
        "CH": "翠湖苑",
        "JG": "金桂园",
        "BJ": "滨江花园",
    }
    assert not Area.objects.filter(steward__isnull=True).exists()
    names_before = list(Staff.objects.order_by("username").values_list("name", flat=True))
    from linli.customers.models import Customer, Occupancy

    customers = Customer.objects.count()
    assert customers >= 3 * 12 and Occupancy.objects.filter(role="owner").exists()
    assert Customer.objects.filter(completeness__lt=100).exists()
    call_command("demo", "--seed", "7", "--households", "12")
    assert Customer.objects.count() == customers
    assert Staff.objects.count() == len(expected)
    assert list(Staff.objects.order_by("username").values_list("name", flat=True)) == names_before


def test_demo_if_empty_leaves_existing_data_alone(world, capsys):
    call_command("demo", "--if-empty")
    assert "nothing loaded" in capsys.readouterr().out
