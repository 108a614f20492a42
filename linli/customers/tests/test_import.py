"""The Excel import of real 业主信息登记表 workbooks: households, re-import, bad input."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from openpyxl import Workbook

from linli.audit.models import AuditEvent
from linli.customers import importer, services
from linli.customers.derived import completeness_of
from linli.customers.models import (
    Building,
    ChangeRecord,
    Customer,
    Occupancy,
    Room,
    Secrecy,
    Unit,
)
from linli.customers.parsing import id_check_digit
from linli.customers.testing import make_customer, make_room, valid_id

HEADER = [
    "序号",
    "楼栋",
    "单元",
    "房号",
    "业主姓名",
    "身份",
    "性别",
    "身份证号",
    "联系电话",
    "入住日期",
    "建筑面积（㎡）",
    "车牌",
    "备注",
]


def id_ending_in_x(birth: str = "19850612") -> str:
    """A valid resident ID of a man whose check digit is X, written with a lower-case x."""
    for seq in range(1000):
        first17 = f"440305{birth}{seq:03d}"
        if id_check_digit(first17) == "X" and seq % 2:
            return (first17 + "x").lower()
    raise AssertionError("no ID with an X check digit")


ZHANG_ID = id_ending_in_x()
LI_ID = valid_id("19870304", "440305", "022")
WANG_ID = valid_id("19920101", "110101", "013")


def xlsx(book: Workbook) -> io.BytesIO:
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    return stream


def messy_workbook() -> io.BytesIO:
    """Title rows, merged building cells, full-width digits, mixed dates, a lower-case x,
    phones with spaces and dashes, a person in two rooms, a duplicate row, empty rows,
    a second sheet of explanations."""
    book = Workbook()
    ws = book.active
    ws.title = "业主信息"
    ws.append(["翠湖苑业主信息登记表"])
    ws.merge_cells("A1:M1")
    ws.append(["填表单位：翠湖苑管理处", None, None, None, None, None, "填表日期：2024.3.1"])
    ws.append(HEADER)
    rows = [
        [1, "３栋", "2单元", 501, "张三", "业主", "男", ZHANG_ID, "138 1234 5678",
         dt.datetime(2019, 5, 1), 89.5, "粤B·12345", "老业主"],
        [2, None, 2, "501", "李丽", "家庭成员", "女", LI_ID, "139-8765-4321",
         "2019.5.1", None, None, None],
        [None, None, None, None, None, None, None, None, None, None, None, None, None],
        [3, None, "２", "５０２", "王 五", "租户", None, WANG_ID, "13700001111",
         43586, "96.00", None, None],
        [3, None, "２", "５０２", "王 五", "租户", None, WANG_ID, "13700001111",
         43586, "96.00", None, None],
        [4, None, "1", "101", "张三", "业主", "男", ZHANG_ID.upper(), "13812345678",
         "2019年5月1日", None, None, None],
    ]  # fmt: skip
    for row in rows:
        ws.append(row)
    ws.merge_cells("B4:B9")
    ws.append([5, "5号楼", "一单元", "1201室", "赵六", None, "女", None, "021-5888 1234",
               "2020/05/01", 120, None, None])  # fmt: skip
    ws.append([])
    ws.append([None, None, None, None, None])
    notes = book.create_sheet("填表说明")
    notes.append(["请按实际情况填写，身份证号请设为文本格式。"])
    return xlsx(book)


def simple_workbook(rows: list[list[Any]], header: list[str] | None = None) -> io.BytesIO:
    book = Workbook()
    ws = book.active
    ws.title = "业主信息"
    ws.append(header or ["房屋编号", "姓名", "身份", "身份证号", "手机", "入住日期", "迁出日期"])
    for row in rows:
        ws.append(row)
    return xlsx(book)


def run(world: Any, stream: io.BytesIO, **options: Any) -> importer.Outcome:
    options.setdefault("actor", world.office_manager)
    return importer.run_import(world.ch, stream, **options)


def snapshot() -> tuple[int, ...]:
    return (
        Building.objects.count(),
        Unit.objects.count(),
        Room.objects.count(),
        Customer.objects.count(),
        Occupancy.objects.count(),
        ChangeRecord.objects.count(),
        AuditEvent.objects.count(),
    )


def households(community: Any) -> dict[str, set[tuple[str, str]]]:
    result: dict[str, set[tuple[str, str]]] = {}
    for occupancy in Occupancy.objects.filter(community=community).select_related(
        "room", "customer"
    ):
        result.setdefault(occupancy.room.code, set()).add((occupancy.customer.name, occupancy.role))
    return result


def test_a_messy_workbook_imports_the_right_households(world):
    outcome = run(world, messy_workbook(), dry_run=False, create_rooms=True)
    assert outcome.errors == []
    assert outcome.committed
    assert households(world.ch) == {
        "3-2-501": {("张三", "owner"), ("李丽", "family")},
        "3-2-502": {("王五", "tenant")},
        "3-1-101": {("张三", "owner")},
        "5-1-1201": {("赵六", "owner")},
    }
    assert {k: outcome.counts[k] for k in importer.COUNT_KEYS} == {
        "rows": 6,
        "rooms_created": 4,
        "customers_created": 4,
        "customers_updated": 0,
        "occupancies_created": 5,
        "occupancies_updated": 0,
    }
    assert set(Building.objects.values_list("code", flat=True)) == {"3", "5"}
    assert set(Unit.objects.values_list("building__code", "code")) == {
        ("3", "2"),
        ("3", "1"),
        ("5", "1"),
    }
    zhang = Customer.objects.get(name="张三")
    assert zhang.id_number == ZHANG_ID.upper() and zhang.id_number.endswith("X")
    assert zhang.mobile == "13812345678" and zhang.vehicles == "粤B·12345"
    assert zhang.occupancies.count() == 2
    li = Customer.objects.get(name="李丽")
    assert li.mobile == "13987654321" and li.gender == "female"
    wang = Customer.objects.get(name="王五")  # "王 五" with a stray space
    assert wang.birthday == dt.date(1992, 1, 1)  # from the ID number
    zhao = Customer.objects.get(name="赵六")
    assert zhao.mobile == "" and zhao.phone_other == "021-58881234"
    dates = set(Occupancy.objects.values_list("move_in", flat=True))
    assert dates == {dt.date(2019, 5, 1), dt.date(2020, 5, 1)}
    assert Room.objects.get(code="3-2-501").floor_area == 89.5
    assert Room.objects.get(code="5-1-1201").floor == 12
    messages = [w["message"] for w in outcome.warnings]
    assert any("完全相同，已跳过" in m for m in messages)
    assert any("不是手机号" in m for m in messages)
    assert not any("性别" in m for m in messages)


def test_importing_the_same_file_twice_changes_nothing(world):
    first = run(world, messy_workbook(), dry_run=False, create_rooms=True)
    assert first.committed
    before = snapshot()
    versions = list(Customer.objects.order_by("pk").values_list("version", "updated_at"))
    second = run(world, messy_workbook(), dry_run=False, create_rooms=True)
    assert second.committed and second.errors == []
    counts = {k: second.counts[k] for k in importer.COUNT_KEYS if k != "rows"}
    assert counts == dict.fromkeys(counts, 0)
    assert snapshot()[:6] == before[:6]  # only the audit event of the second commit is new
    assert list(Customer.objects.order_by("pk").values_list("version", "updated_at")) == versions


def test_imported_files_look_like_hand_entered_ones(world):
    run(world, messy_workbook(), dry_run=False, create_rooms=True)
    zhang = Customer.objects.get(name="张三")
    assert (zhang.name_pinyin, zhang.name_initials) == ("zhangsan", "zs")
    typed = services.create_customer(world.jg, {"name": "张三"}, actor=None)
    assert zhang.name_sort == typed.name_sort == "zhang san"
    assert zhang.mobile_tail == "5678" and zhang.id_tail == ZHANG_ID[-4:].upper()
    assert zhang.secrecy == Secrecy.SECRET and zhang.created_by == world.office_manager
    for customer in Customer.objects.filter(community=world.ch):
        has_occupancy = customer.occupancies.filter(
            move_out__isnull=True, move_in__isnull=False
        ).exists()
        score, missing = completeness_of(customer, has_occupancy=has_occupancy)
        assert (customer.completeness, customer.missing_fields) == (score, missing)
        assert customer.file_due_at is not None
    created = ChangeRecord.objects.filter(action=ChangeRecord.Action.CREATED, community=world.ch)
    assert created.filter(object_type="customer").count() == 4
    assert created.filter(object_type="room").count() == 4
    assert created.filter(object_type="occupancy").count() == 5
    assert (
        created.get(object_type="occupancy", room__code="3-2-502").new == "3-2-502 租户 2019-05-01"
    )
    assert Room.objects.get(code="3-2-502").status == Room.Status.RENTED
    assert Room.objects.get(code="3-2-501").status == Room.Status.OWNER_OCCUPIED
    primaries = Occupancy.objects.filter(is_primary=True).values_list(
        "room__code", "customer__name"
    )
    assert set(primaries) == {
        ("3-2-501", "张三"),
        ("3-2-502", "王五"),
        ("3-1-101", "张三"),
        ("5-1-1201", "赵六"),
    }
    event = AuditEvent.objects.get(action="customers.import.committed")
    assert event.data["customers_created"] == 4 and event.community_id == world.ch.pk


def test_a_changed_file_updates_and_never_duplicates(world):
    existing = make_customer(world.ch, "张三", room="3-2-501", mobile="13812345678")
    outcome = run(world, messy_workbook(), dry_run=False, create_rooms=True)
    assert outcome.committed
    assert Customer.objects.filter(name="张三").count() == 1  # matched by name and mobile
    existing.refresh_from_db()
    assert existing.id_number == ZHANG_ID.upper() and existing.version == 2
    assert outcome.counts["customers_updated"] == 1
    assert outcome.counts["occupancies_created"] == 4  # 张三 already lives in 3-2-501
    fields = set(
        ChangeRecord.objects.filter(customer=existing, action="changed").values_list(
            "field", flat=True
        )
    )
    assert {"id_number", "id_type", "vehicles", "notes"} <= fields
    masked = ChangeRecord.objects.get(customer=existing, field="id_number").new
    assert ZHANG_ID.upper() not in masked  # history keeps sensitive values masked


def test_a_customer_is_matched_by_id_number_first(world):
    existing = make_customer(world.ch, "王五", room=None, mobile="13900000000", id_number=WANG_ID)
    stream = simple_workbook([["3-2-502", "王五", "租户", WANG_ID, "13700001111", "2019-05-01"]])
    outcome = run(world, stream, dry_run=False, create_rooms=True)
    assert outcome.committed and outcome.counts["customers_created"] == 0
    existing.refresh_from_db()
    assert existing.mobile == "13700001111"


def test_a_move_out_date_ends_the_existing_occupancy(world):
    customer = make_customer(world.ch, "王五", room="3-2-502", role="tenant", mobile="13700001111")
    stream = simple_workbook(
        [["3-2-502", "王五", "租户", "", "13700001111", "2020-05-01", "2023-06-30"]]
    )
    outcome = run(world, stream, dry_run=False)
    assert outcome.committed and outcome.counts["occupancies_updated"] == 1
    occupancy = customer.occupancies.get()
    assert occupancy.move_out == dt.date(2023, 6, 30) and not occupancy.is_primary
    assert Room.objects.get(code="3-2-502").status == Room.Status.VACANT
    assert ChangeRecord.objects.filter(object_type="occupancy", action="moved_out").count() == 1
    again = run(world, simple_workbook(
        [["3-2-502", "王五", "租户", "", "13700001111", "2020-05-01", "2023-06-30"]]
    ), dry_run=False)  # fmt: skip
    assert again.committed and again.counts["occupancies_updated"] == 0
    assert customer.occupancies.count() == 1


def test_an_unknown_room_is_a_row_error_unless_rooms_may_be_created(world):
    make_room(world.ch, "3-2-501")
    stream = simple_workbook([["3-2-501", "张三"], ["9-9-909", "李四"]])
    outcome = run(world, stream, dry_run=False)
    assert not outcome.committed
    assert outcome.errors == [
        {
            "sheet": "业主信息",
            "row": 3,
            "column": "A",
            "message": "房间 9-9-909 不存在。新接管的小区请勾选“自动创建缺少的房间”。",
        }
    ]
    assert Customer.objects.count() == 0
    assert run(
        world, simple_workbook([["9-9-909", "李四"]]), dry_run=False, create_rooms=True
    ).committed


def test_a_dry_run_counts_without_writing(world):
    before = snapshot()
    outcome = run(world, messy_workbook(), create_rooms=True)
    assert outcome.errors == [] and not outcome.committed
    assert outcome.counts["customers_created"] == 4
    assert snapshot() == before


def corrupt_xlsx() -> io.BytesIO:
    data = messy_workbook().getvalue()
    return io.BytesIO(data[: len(data) // 2])


def zip_without_workbook() -> io.BytesIO:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    stream.seek(0)
    return stream


def ole_file(encrypted: bool) -> io.BytesIO:
    body = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    if encrypted:
        body += "EncryptionInfo".encode("utf-16-le") + b"\0" * 64
    return io.BytesIO(body + b"\0" * 1024)


def no_header_workbook() -> io.BytesIO:
    book = Workbook()
    book.active.title = "数据"
    book.active.append(["甲", "乙", "丙"])
    book.active.append(["1", "2", "3"])
    return xlsx(book)


FILE_ERRORS = [
    ("not-xlsx", lambda: io.BytesIO("姓名,房号\n张三,3-2-501\n".encode()), "不是 Excel 工作簿"),
    ("zip-not-xlsx", zip_without_workbook, "不是 Excel 工作簿"),
    ("old-xls", lambda: ole_file(False), "另存为” .xlsx"),
    ("password", lambda: ole_file(True), "设有打开密码"),
    ("corrupt", corrupt_xlsx, "已损坏或不完整"),
    ("empty", lambda: io.BytesIO(b""), "文件是空的"),
    ("no-header", no_header_workbook, "找不到可识别的表头"),
]


@pytest.mark.parametrize(("case", "make", "expected"), FILE_ERRORS, ids=[c[0] for c in FILE_ERRORS])
def test_an_unreadable_file_gets_a_clear_message_and_nothing_is_written(
    world, case, make, expected
):
    before = snapshot()
    outcome = run(world, make(), dry_run=False, create_rooms=True)
    assert not outcome.committed and len(outcome.errors) == 1
    assert expected in outcome.errors[0]["message"]
    assert snapshot() == before


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(world, settings):
    settings.LINLI_IMPORT_MAX_MB = 1
    stream = io.BytesIO(b"PK\x03\x04" + b"\0" * (1024 * 1024 + 1))
    outcome = run(world, stream, dry_run=False)
    assert "超过了 1 MB 的上限" in outcome.errors[0]["message"]
    assert importer.max_upload_mb() == 1


ROW_ERRORS = [
    (
        "id-check-digit",
        ["3-2-501", "张三", "业主", LI_ID[:-1] + ("1" if LI_ID[-1] != "1" else "2"), "13812345678"],
        "D",
        "身份证号校验位不正确。",
    ),
    (
        "phone-letters",
        ["3-2-501", "张三", "业主", "", "138xxxx5678"],
        "E",
        "电话号码中不能有字母。",
    ),
    (
        "move-out-before-move-in",
        ["3-2-501", "张三", "业主", "", "13812345678", "2020-05-01", "2019.1.1"],
        "G",
        "迁出日期 2019-01-01 早于入住日期 2020-05-01。",
    ),
    (
        "bad-date",
        ["3-2-501", "张三", "业主", "", "", "2019年13月1日"],
        "F",
        "日期“2019年13月1日”不存在。",
    ),
    ("bad-role", ["3-2-501", "张三", "房东的朋友"], "C", "身份“房东的朋友”无法识别"),
    ("no-name", ["3-2-501", "", "", "", "13812345678"], "B", "请填写姓名或单位名称。"),
]


@pytest.mark.parametrize(
    ("case", "row", "column", "message"), ROW_ERRORS, ids=[c[0] for c in ROW_ERRORS]
)
def test_a_bad_row_is_named_by_sheet_row_and_column_and_nothing_is_written(
    world, case, row, column, message
):
    make_room(world.ch, "3-2-501")
    good = ["3-2-501", "李四", "业主", "", "13900001111"]
    before = snapshot()
    outcome = run(world, simple_workbook([good, row]), dry_run=False)
    assert not outcome.committed
    assert [(e["sheet"], e["row"], e["column"]) for e in outcome.errors] == [
        ("业主信息", 3, column)
    ]
    assert message in outcome.errors[0]["message"]
    assert snapshot() == before  # all or nothing: the good row is not written either
    assert "工作表“业主信息”第 3 行" in importer.describe(outcome.errors[0])


def test_an_id_number_stored_as_a_number_gets_a_hint(world):
    stream = simple_workbook([["3-2-501", "张三", "业主", 110101199003074000]])
    outcome = run(world, stream, create_rooms=True)
    assert "设为文本" in outcome.errors[0]["message"]


def test_a_customer_above_the_uploaders_clearance_is_not_changed(world):
    make_customer(
        world.ch, "王五", room="3-2-502", mobile="13700001111", secrecy=Secrecy.TOP_SECRET
    )
    stream = simple_workbook([["3-2-502", "王五", "租户", WANG_ID, "13700001111"]])
    outcome = run(world, stream, actor=world.office_supervisor)
    assert "密级高于您的查阅权限" in outcome.errors[0]["message"]


def test_the_header_is_found_below_title_rows_and_the_mapping_is_remembered(world):
    outcome = run(world, messy_workbook(), create_rooms=True)
    assert outcome.layout is not None
    assert outcome.layout.header_row == 3
    assert outcome.layout.mapping == {
        "B": "building",
        "C": "unit",
        "D": "number",
        "E": "name",
        "F": "role",
        "G": "gender",
        "H": "id_number",
        "I": "mobile",
        "J": "move_in",
        "K": "floor_area",
        "L": "vehicles",
        "M": "notes",
    }
    header = ["户号", "住户", "手机号码", "老板电话"]
    importer.remember_mapping(world.ch, header, {"A": "number", "B": "name", "D": "mobile"})
    assert importer.propose_mapping(header, importer.remembered_mapping(world.ch)) == {
        "A": "number",
        "B": "name",
        "D": "mobile",
    }


def test_sheets_with_the_same_header_are_imported_together(world):
    book = Workbook()
    for index, title in enumerate(["1栋", "2栋"], start=1):
        ws = book.active if index == 1 else book.create_sheet(title)
        ws.title = title
        ws.append([f"{title}业主名册"])
        ws.append(["房屋编号", "姓名", "手机"])
        ws.append([f"{index}-1-101", f"业主{index}", f"1380000000{index}"])
    outcome = run(world, xlsx(book), dry_run=False, create_rooms=True)
    assert outcome.committed and outcome.counts["customers_created"] == 2
    assert outcome.layout is not None and [t for t, _r in outcome.layout.sheets] == ["1栋", "2栋"]


def test_the_sheet_reader_reads_what_openpyxl_reads(world):
    from openpyxl import load_workbook

    from linli.customers.scale import scale_workbook

    book = Workbook()
    ws = book.active
    ws.title = "类型"
    ws.append(["文字", " 有空格 ", "全角１２３", 0, -7, 3.25, 1e20, True, False, None, "=不是公式"])
    ws.append([dt.datetime(2019, 5, 1), dt.date(1990, 3, 7), dt.datetime(2020, 1, 2, 13, 45)])
    ws["D2"] = 43586
    ws["D2"].number_format = "yyyy/m/d"
    ws["E2"] = "=1+1"
    ws["Z9"] = "远处的单元格"
    ws.append([])
    ws.merge_cells("A5:B6")
    ws["A5"] = "合并"
    ws.cell(row=40, column=2, value="稀疏")
    stream = xlsx(book)
    generated = io.BytesIO()
    scale_workbook(200, generated)
    for source in (stream, messy_workbook(), generated):
        wb = importer.open_workbook(source)
        try:
            for title in wb.sheet_names:
                ours = [list(row) for row in importer.read_sheet(wb, title)]
                source.seek(0)
                theirs = load_workbook(source, data_only=True)[title]
                width = theirs.max_column
                expected = [list(r) for r in theirs.iter_rows(values_only=True)]
                for merged in theirs.merged_cells.ranges:  # read_sheet fills merged cells
                    top = expected[merged.min_row - 1][merged.min_col - 1]
                    for r in range(merged.min_row, merged.max_row + 1):
                        for c in range(merged.min_col, merged.max_col + 1):
                            expected[r - 1][c - 1] = top
                for row in ours:
                    assert len(row) <= width
                ours = [row + [None] * (width - len(row)) for row in ours]
                while ours and not any(v is not None for v in ours[-1]):
                    ours.pop()  # empty rows at the end are nothing to import
                assert ours == expected
        finally:
            wb.close()


def test_an_organisation_is_filed_as_one(world):
    stream = simple_workbook(
        [["S-12", "翠湖便利店有限公司", "单位", "", "13812345678", "2021-01-01"]]
    )
    outcome = run(world, stream, dry_run=False, create_rooms=True)
    assert outcome.committed
    shop = Customer.objects.get()
    assert shop.kind == Customer.Kind.ORGANISATION and shop.gender == ""
    score, missing = completeness_of(shop, has_occupancy=True)
    assert (shop.completeness, shop.missing_fields) == (score, missing)
    assert "birthday" not in shop.missing_fields


def test_one_id_number_with_two_names_is_an_error(world):
    stream = simple_workbook(
        [["3-2-501", "张三", "业主", WANG_ID, "13800000001"], ["3-2-502", "张山", "业主", WANG_ID]]
    )
    outcome = run(world, stream, create_rooms=True)
    assert [(e["row"], e["column"]) for e in outcome.errors] == [(3, "D")]
    assert "姓名却不同（张三 / 张山）" in outcome.errors[0]["message"]


def test_a_corrected_name_updates_the_file_found_by_its_id_number(world):
    customer = make_customer(world.ch, "王伍", room="3-2-502", id_number=WANG_ID)
    stream = simple_workbook([["3-2-502", "王五", "业主", WANG_ID]])
    outcome = run(world, stream, dry_run=False)
    assert outcome.committed and outcome.counts["customers_updated"] == 1
    assert "将改为“王五”" in outcome.warnings[0]["message"]
    customer.refresh_from_db()
    assert customer.name == "王五" and customer.name_pinyin == "wangwu"
