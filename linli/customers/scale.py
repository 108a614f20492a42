"""A generated 业主信息登记表 of any size: the shape of the company's real workbooks (title rows,
a building number merged over its rows, mixed date formats, spaced phones, lower-case x in ID
numbers), for the import's tests and for `linli bench --only import` (100,000 rows ≤ 60 s).

uv run python -m linli.customers.scale 100000 /tmp/100k.xlsx
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from typing import IO

from openpyxl import Workbook

from linli.core.names import GIVEN, SURNAMES
from linli.customers.parsing import EXCEL_EPOCH, id_check_digit

HEADER = ["序号", "楼栋", "单元", "房号", "姓名", "身份", "性别", "身份证号", "联系电话",
          "入住日期", "建筑面积", "车牌", "备注"]  # fmt: skip


def _date(day: dt.date, style: int) -> object:
    return [day, f"{day.year}.{day.month}.{day.day}", day.strftime("%Y/%m/%d"),
            f"{day.year}年{day.month}月{day.day}日", (day - EXCEL_EPOCH).days][style % 5]  # fmt: skip


def scale_workbook(rows: int, target: IO[bytes], *, seed: int = 7) -> None:
    """`rows` data rows: owners, family members and tenants of rooms 1-1-101 …, a building
    number merged over its block of rows, title rows, mixed date formats, spaced phones."""
    rng = random.Random(seed)
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "业主信息"
    ws.append(["业主信息登记表（生成）"])
    ws.merge_cells("A1:M1")
    ws.append(["填表日期：2024.3.1"])
    ws.append(HEADER)
    row, number, building_start, building = 3, 0, 4, None
    room_index, person = 0, 0
    while number < rows:
        b, rest = divmod(room_index, 480)
        u, rest = divmod(rest, 120)
        floor, door = divmod(rest, 4)
        code = (str(b + 1), str(u + 1), f"{floor + 1}{door + 1:02d}")
        if building != code[0]:
            if building is not None and row > building_start:
                ws.merge_cells(f"B{building_start}:B{row}")
            building, building_start = code[0], row + 1
        move_in = dt.date(2010, 1, 1) + dt.timedelta(days=rng.randrange(4000))
        household = rng.choice(
            [("业主",), ("业主", "家庭成员"), ("业主", "家庭成员", "家庭成员"), ("租户",)]
        )
        for role in household:
            if number >= rows:
                break
            person += 1
            born = dt.date(1950, 1, 1) + dt.timedelta(days=person // 1000)
            first17 = f"{110101 + person % 7:06d}{born:%Y%m%d}{person % 1000:03d}"
            mobile = f"13{person:09d}"
            number += 1
            row += 1
            ws.append([
                number, f"{code[0]}栋" if row == building_start else None, f"{code[1]}单元", code[2],
                rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), role,
                "男" if int(first17[16]) % 2 else "女",
                (first17 + id_check_digit(first17)).lower(),
                f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}" if number % 3 else mobile,
                _date(move_in, number), round(60 + rng.random() * 90, 2) if role != "家庭成员" else None,
                f"京A{number % 100000:05d}" if number % 7 == 0 else None, None,
            ])  # fmt: skip
        room_index += 1
    if building is not None and row > building_start:
        ws.merge_cells(f"B{building_start}:B{row}")
    book.save(target)


if __name__ == "__main__":  # pragma: no cover
    with open(sys.argv[2], "wb") as out:
        scale_workbook(int(sys.argv[1]), out)
