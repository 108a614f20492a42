"""`linli import customers FILE --community CODE [--create-rooms] [--dry-run] [--json]`."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from linli.cli import main
from linli.customers.models import ChangeRecord, Customer
from linli.customers.tests.test_import import messy_workbook, simple_workbook

KEYS = {
    "rows",
    "rooms_created",
    "customers_created",
    "customers_updated",
    "occupancies_created",
    "occupancies_updated",
    "errors",
}


@pytest.fixture
def messy(tmp_path):
    path = tmp_path / "业主信息登记表.xlsx"
    path.write_bytes(messy_workbook().getvalue())
    return path


@pytest.fixture
def broken(tmp_path):
    path = tmp_path / "有错.xlsx"
    rows = [["3-2-501", "张三", "业主", "110101199003074510", "138xxxx5678"]]
    path.write_bytes(simple_workbook(rows).getvalue())
    return path


def run(capsys, *args: str) -> tuple[int, dict]:
    try:
        call_command("import", *args)
        code = 0
    except CommandError as error:
        code = error.returncode
    return code, json.loads(capsys.readouterr().out)


def test_a_dry_run_prints_the_counts_and_writes_nothing(world, messy, capsys):
    code, result = run(
        capsys,
        "customers",
        str(messy),
        "--community",
        "CH",
        "--create-rooms",
        "--dry-run",
        "--json",
    )
    assert code == 0
    assert set(result) >= KEYS
    assert result["customers_created"] == 4 and result["rooms_created"] == 4
    assert result["errors"] == [] and result["committed"] is False
    assert Customer.objects.count() == 0


def test_an_import_then_a_second_one_changes_nothing(world, messy, capsys):
    code, first = run(
        capsys, "customers", str(messy), "--community", "ch", "--create-rooms", "--json"
    )
    assert code == 0 and first["committed"] and first["occupancies_created"] == 5
    history = ChangeRecord.objects.count()
    code, second = run(
        capsys, "customers", str(messy), "--community", "CH", "--create-rooms", "--json"
    )
    assert code == 0
    assert {k: second[k] for k in KEYS - {"rows", "errors"}} == dict.fromkeys(
        KEYS - {"rows", "errors"}, 0
    )
    assert ChangeRecord.objects.count() == history


def test_an_invalid_file_exits_1_with_the_errors_located(world, broken, capsys):
    code, result = run(
        capsys, "customers", str(broken), "--community", "CH", "--create-rooms", "--json"
    )
    assert code == 1
    assert result["errors"] == [
        {"sheet": "业主信息", "row": 2, "column": "D", "message": "身份证号校验位不正确。"},
        {"sheet": "业主信息", "row": 2, "column": "E", "message": "电话号码中不能有字母。"},
    ]
    assert Customer.objects.count() == 0


def test_a_missing_room_without_create_rooms_fails(world, messy, capsys):
    code, result = run(capsys, "customers", str(messy), "--community", "CH", "--json")
    assert code == 1
    assert {e["message"].split("。")[0] for e in result["errors"]} >= {"房间 3-2-501 不存在"}


def test_a_file_that_cannot_be_opened_is_an_error_not_a_crash(world, tmp_path, capsys):
    code, result = run(
        capsys, "customers", str(tmp_path / "nope.xlsx"), "--community", "CH", "--json"
    )
    assert code == 1 and "无法打开文件" in result["errors"][0]["message"]


def test_the_linli_entry_point_runs_the_command(world, messy, broken, capsys, monkeypatch):
    # run_from_argv closes every connection when it ends, the test's transaction included.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    assert main(["import", "customers", str(messy), "--community", "CH", "--create-rooms"]) == 0
    out = capsys.readouterr().out
    assert "已导入" in out and "新建客户 4" in out
    with pytest.raises(SystemExit) as exit_info:
        main(["import", "customers", str(broken), "--community", "CH"])
    assert exit_info.value.code == 1
    assert "第 2 行 D 列" in capsys.readouterr().out


def test_an_unknown_community_or_kind_is_a_usage_error(world, messy, capsys, monkeypatch):
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with pytest.raises(CommandError) as error:
        call_command("import", "customers", str(messy), "--community", "XX")
    assert error.value.returncode == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["import", "tickets", str(messy), "--community", "CH"])
    assert exit_info.value.code == 2
