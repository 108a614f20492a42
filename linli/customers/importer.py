"""Excel import of a community's 业主信息登记表 workbooks (POLICY Ch.3, issue item 6).

The pipeline, each step usable on its own (the web upload, the background task and
`linli import customers` all run the same code):

    open_workbook   size limit, content check (zip / old .xls / password-protected / corrupt)
    read_sheet      every row of a sheet, merged cells filled from their top-left cell
    find_header     the header row among the first rows, a proposed mapping column → field
    parse_row       one row → a Record with per-cell errors and warnings
    build_plan      match rooms, customers and occupancies against the database; counts
    apply_plan      one transaction of bulk writes with the services' derived values and history

A dry run stops after `build_plan`; a commit runs `build_plan` and `apply_plan` in one
transaction and writes nothing when any row has an error (all or nothing per file).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import itertools
import logging
import re
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace
from typing import IO, Any, cast
from xml.parsers import expat

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connections, models, transaction
from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import from_excel, from_ISO8601

from linli import policy
from linli.audit import services as audit
from linli.core.errors import DomainError
from linli.customers.derived import completeness_of
from linli.customers.models import (
    Building,
    ChangeRecord,
    Customer,
    ImportJob,
    ImportMapping,
    Occupancy,
    Room,
    Secrecy,
    Unit,
)
from linli.customers.parsing import (
    ParseError,
    RoomCode,
    birthday_from_id,
    gender_from_id,
    normalise,
    parse_date,
    parse_mainland_id,
    parse_phone,
    parse_room_code,
)
from linli.customers.services import CUSTOMER_FIELDS, _history_text
from linli.customers.services import _derive as derive_search_columns
from linli.policy.selectors import snapshot as policy_snapshot

logger = logging.getLogger("linli.customers.import")

HEADER_SCAN_ROWS = 20
MAX_COLUMNS = 80
STORED_ISSUES = 500  # errors/warnings kept on the job; the error report has all of them
BATCH = 1000


# --- fields and header synonyms -----------------------------------------------------------
@dataclass(frozen=True)
class Target:
    key: str
    label: Any
    synonyms: tuple[str, ...]


TARGETS: tuple[Target, ...] = tuple(
    Target(key, label, tuple(words.split()))
    for key, label, words in (
        (
            "room_code",
            gettext_lazy("房屋编号（如 3-2-501）"),
            "房屋编号 房号全称 房间编码 房屋编码 房间编号 完整房号 房产编号",
        ),
        ("building", gettext_lazy("楼栋"), "楼栋 楼栋号 楼号 栋 栋号 幢 幢号 楼座 座 楼 楼宇"),
        ("unit", gettext_lazy("单元"), "单元 单元号"),
        ("number", gettext_lazy("房号"), "房号 室号 房间号 门牌号 户号 房间"),
        (
            "name",
            gettext_lazy("姓名/单位名称"),
            "姓名 业主姓名 客户姓名 住户姓名 户主姓名 名称 客户名称 业主名称 业主 住户 客户",
        ),
        (
            "role",
            gettext_lazy("身份（业主/租户…）"),
            "身份 类型 客户类型 住户类型 客户身份 住户身份 人员类型 人员类别 与业主关系 关系",
        ),
        ("gender", gettext_lazy("性别"), "性别"),
        ("id_type", gettext_lazy("证件类型"), "证件类型 证件类别 证件种类"),
        (
            "id_number",
            gettext_lazy("证件号码"),
            "身份证号 身份证号码 证件号码 证件号 身份证 身份证件号码 证件编号",
        ),
        (
            "mobile",
            gettext_lazy("手机"),
            "手机 手机号 手机号码 联系电话 电话 联系方式 移动电话 电话号码 联系手机",
        ),
        (
            "phone_other",
            gettext_lazy("其他电话"),
            "其他电话 固定电话 座机 备用电话 其他联系电话 家庭电话 办公电话",
        ),
        ("birthday", gettext_lazy("出生日期"), "出生日期 生日 出生年月日"),
        (
            "move_in",
            gettext_lazy("入住日期"),
            "入住日期 交房日期 入伙日期 收房日期 入住时间 交房时间 入伙时间 迁入日期",
        ),
        ("move_out", gettext_lazy("迁出日期"), "迁出日期 迁出时间 搬离日期 退租日期"),
        ("emergency_contact_name", gettext_lazy("紧急联系人"), "紧急联系人 紧急联系人姓名"),
        (
            "emergency_contact_phone",
            gettext_lazy("紧急联系电话"),
            "紧急联系电话 紧急联系人电话 紧急电话",
        ),
        ("floor_area", gettext_lazy("建筑面积"), "建筑面积 面积 房屋面积 产权面积"),
        ("use", gettext_lazy("房屋用途"), "用途 房屋用途 房屋类型 物业类型 房屋性质"),
        ("vehicles", gettext_lazy("车牌"), "车牌 车牌号 车牌号码 车辆 车辆信息"),
        ("email", gettext_lazy("电子邮箱"), "邮箱 电子邮箱 电子邮件 email e-mail"),
        ("address", gettext_lazy("通讯地址"), "通讯地址 联系地址 地址 家庭住址"),
        ("notes", gettext_lazy("备注"), "备注 说明"),
    )
)
TARGET_LABELS = {t.key: t.label for t in TARGETS}
_SYNONYMS = {s: t.key for t in TARGETS for s in t.synonyms}
ROOM_TARGETS = ("room_code", "building", "unit", "number", "floor_area", "use")
OCCUPANCY_TARGETS = ("role", "move_in", "move_out")

ROLE_WORDS: dict[str, str] = {
    Occupancy.Role.OWNER: "业主 户主 产权人 本人 房主 业主本人",
    Occupancy.Role.TENANT: "租户 租客 承租人 租住 租赁",
    Occupancy.Role.FAMILY: "家庭成员 家属 家人 亲属 配偶 妻子 丈夫 夫妻 子女 儿子 女儿 父亲 母亲 "
    "父母 祖父 祖母 孙子 孙女 兄弟 姐妹 其他家庭成员",
    Occupancy.Role.MERCHANT: "商户 商家 经营者 店主",
    Occupancy.Role.ORGANISATION: "单位 公司 企业 机构",
}
GENDER_WORDS: dict[str, str] = {
    Customer.Gender.MALE: "男 男性 m male",
    Customer.Gender.FEMALE: "女 女性 f female",
}
ID_TYPE_WORDS: dict[str, str] = {
    Customer.IdType.RESIDENT_ID: "身份证 居民身份证 二代身份证 大陆身份证",
    Customer.IdType.PASSPORT: "护照",
    Customer.IdType.HK_MACAO: "港澳通行证 回乡证 港澳居民来往内地通行证",
    Customer.IdType.TAIWAN: "台胞证 台湾居民来往大陆通行证",
    Customer.IdType.FOREIGN_RESIDENT: "外国人永久居留身份证 永居证 永久居留证",
    Customer.IdType.BUSINESS_LICENCE: "营业执照 统一社会信用代码 社会信用代码",
    Customer.IdType.OTHER: "其他 其他证件",
}
USE_WORDS: dict[str, str] = {
    Room.Use.RESIDENTIAL: "住宅 住房 住家 公寓",
    Room.Use.SHOP: "商铺 商业 门面 店铺 商用",
    Room.Use.PARKING: "车位 车库 停车位",
    Room.Use.OFFICE: "办公 写字楼 办公室",
}


def _choice_index(words: dict[str, str], model_choices: Any) -> dict[str, str]:
    """Cell text (lower case) → choice value: the words above, the labels, the values."""
    index = {w.lower(): str(k) for k, values in words.items() for w in values.split()}
    for value, label in model_choices:
        if value:
            index.setdefault(str(label).lower(), value)
            index.setdefault(str(value).lower(), value)
    return index


# --- issues -------------------------------------------------------------------------------
def issue(sheet: str, row: int | None, column: str, message: str) -> dict[str, Any]:
    """One error or warning: where it is (sheet, row, column letter) and what is wrong."""
    return {"sheet": sheet, "row": row, "column": column, "message": str(message)}


def describe(item: dict[str, Any]) -> str:
    """`工作表“业主信息”第 12 行 F 列：身份证号校验位不正确。`"""
    where = ""
    if item.get("sheet"):
        where = _("工作表“%(sheet)s”") % {"sheet": item["sheet"]}
    if item.get("row"):
        where += _("第 %(row)s 行") % {"row": item["row"]}
    if item.get("column"):
        where += _(" %(column)s 列") % {"column": item["column"]}
    return f"{where}：{item['message']}" if where else item["message"]


class ImportFileError(DomainError):
    """The whole file cannot be read: not an .xlsx, too big, corrupt, encrypted, no header."""

    def as_issue(self) -> dict[str, Any]:
        return issue("", None, "", self.message)


# --- opening a workbook safely --------------------------------------------------------------
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARKS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))


def max_upload_mb() -> int:
    return int(getattr(settings, "LINLI_IMPORT_MAX_MB", 20))


def check_size(size: int) -> None:
    limit = max_upload_mb()
    if size > limit * 1024 * 1024:
        raise ImportFileError(
            _("文件有 %(size).1f MB，超过了 %(limit)s MB 的上限。请按楼栋拆分成几个文件分别导入。")
            % {"size": size / 1024 / 1024, "limit": limit}
        )
    if size == 0:
        raise ImportFileError(_("文件是空的。"))


def _not_xlsx(head: bytes, stream: IO[bytes]) -> ImportFileError:
    if head.startswith(OLE_MAGIC):
        stream.seek(0)
        content = stream.read()
        if any(mark in content for mark in _ENCRYPTED_MARKS):
            return ImportFileError(
                _(
                    "工作簿设有打开密码，无法读取。请在 Excel 或 WPS 中取消密码"
                    "（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）后再上传。"
                )
            )
        return ImportFileError(
            _("这是旧版 Excel 97-2003（.xls）文件。请在 Excel 或 WPS 中“另存为” .xlsx 后再上传。")
        )
    return ImportFileError(
        _("文件不是 Excel 工作簿（.xlsx）。请上传用 Excel 或 WPS 保存的 .xlsx 文件。")
    )


def _corrupt() -> ImportFileError:
    return ImportFileError(
        _("工作簿已损坏或不完整，无法读取。请在 Excel 中打开确认无误、重新保存后再上传。")
    )


@dataclass
class OpenedWorkbook:
    book: Any
    archive: zipfile.ZipFile
    sheet_names: list[str]
    _merges: dict[str, list[tuple[int, int, int, int]]] = field(default_factory=dict)

    def close(self) -> None:
        self.book.close()
        self.archive.close()


def open_workbook(stream: IO[bytes]) -> OpenedWorkbook:
    """Check size and content before openpyxl parses anything (defusedxml guards the XML)."""
    stream.seek(0, io.SEEK_END)
    check_size(stream.tell())
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if not head.startswith(ZIP_MAGIC):
        raise _not_xlsx(head, stream)
    try:
        archive = zipfile.ZipFile(stream)
        names = set(archive.namelist())
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _corrupt() from None
    if "xl/workbook.xml" not in names:
        raise ImportFileError(
            _("文件不是 Excel 工作簿（.xlsx）。请上传用 Excel 或 WPS 保存的 .xlsx 文件。")
        )
    if unpacked > max_upload_mb() * 1024 * 1024 * 40:  # a zip bomb, not a spreadsheet
        raise _corrupt()
    try:
        stream.seek(0)
        book = load_workbook(stream, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for broken parts
        logger.info("unreadable workbook", exc_info=True)
        raise _corrupt() from None
    return OpenedWorkbook(book=book, archive=archive, sheet_names=list(book.sheetnames))


_MERGE = re.compile(
    rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref="([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})"'
)


def merged_ranges(wb: OpenedWorkbook, title: str) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of each merged range; read-only openpyxl does not
    report them, so they are found in the tail of the sheet's XML (after the cell data)."""
    if title in wb._merges:
        return wb._merges[title]
    path = getattr(wb.book[title], "_worksheet_path", None)
    found: list[tuple[int, int, int, int]] = []
    if path:
        tail, buffer, collecting = b"", b"", False
        with wb.archive.open(path) as src:
            while chunk := src.read(1 << 20):
                if collecting:
                    buffer += chunk
                    continue
                data = tail + chunk
                at = data.find(b"mergeCells")
                if at >= 0:
                    collecting, buffer = True, data[max(0, at - 32) :]
                else:
                    tail = data[-64:]
        for c1, r1, c2, r2 in _MERGE.findall(buffer):
            found.append(
                (
                    column_index_from_string(c1.decode()),
                    int(r1),
                    column_index_from_string(c2.decode()),
                    int(r2),
                )
            )
    wb._merges[title] = found
    return found


class _Stop(Exception):
    pass


class _Forbidden(Exception):
    pass


class _SheetReader:
    """The cell values of one worksheet's XML, streamed with expat.

    openpyxl opens the workbook (sheet list, shared strings, styles, epoch) and would read the
    cells too, but its read-only cell parsing takes ~12 s for 100,000 rows; this reader does
    the same in ~3 s (a test compares the two). DTDs and entities are refused, as defusedxml
    does for openpyxl.
    """

    def __init__(self, wb: OpenedWorkbook, title: str, max_row: int | None) -> None:
        ws, book = wb.book[title], wb.book
        self.strings = ws._shared_strings
        self.dates = book._date_formats
        self.epoch = book.epoch
        self.path = ws._worksheet_path
        self.max_row = max_row
        self.rows: list[list[Any]] = []
        self.row: list[Any] = []
        self.number = self.col = self.style = 0
        self.kind = "n"
        self.text: list[str] | None = None
        self.capture = False
        self.names: dict[str, str] = {}

    def local(self, name: str) -> str:
        found = self.names.get(name)
        if found is None:
            found = self.names[name] = name.rsplit("}", 1)[-1].rsplit(":", 1)[-1]
        return found

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = self.names.get(name) or self.local(name)
        if tag == "c":
            ref = attrs.get("r")
            self.col = column_index_from_string(ref.rstrip("0123456789")) if ref else self.col + 1
            self.kind, self.style, self.text = attrs.get("t", "n"), int(attrs.get("s", 0)), None
        elif tag in ("v", "t"):
            self.capture = True
            if self.text is None:
                self.text = []
        elif tag == "row":
            number = int(attrs.get("r", self.number + 1))
            if self.max_row is not None and number > self.max_row:
                raise _Stop
            while self.number < number - 1:
                self.rows.append([])
                self.number += 1
            self.row, self.number, self.col = [], number, 0

    def end(self, name: str) -> None:
        tag = self.names.get(name) or self.local(name)
        if tag in ("v", "t"):
            self.capture = False
        elif tag == "c" and self.text and self.col <= MAX_COLUMNS:
            text = "".join(self.text)
            if not text:  # a formula never calculated: no cached value
                return
            value = self.value(text)
            row = self.row
            if len(row) < self.col - 1:
                row.extend([None] * (self.col - 1 - len(row)))
            row.append(value)
        elif tag == "row":
            self.rows.append(self.row)

    def chars(self, data: str) -> None:
        if self.capture and self.text is not None:
            self.text.append(data)

    def value(self, text: str) -> Any:
        kind = self.kind
        if kind == "s":
            return self.strings[int(text)]
        if kind == "n":
            number: float = (
                float(text) if ("." in text or "E" in text or "e" in text) else int(text)
            )
            if self.style in self.dates:
                try:
                    return from_excel(number, self.epoch)
                except (ValueError, OverflowError):
                    return number
            return number
        if kind == "b":
            return text == "1"
        if kind == "d":
            return from_ISO8601(text)
        return text  # str (a formula's text), inlineStr, e (an error such as #N/A)

    def read(self, archive: zipfile.ZipFile, progress: Callable[[int], None] | None) -> None:
        parser = expat.ParserCreate(namespace_separator="}")
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = self.forbid
        parser.buffer_text = True
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.chars
        with archive.open(self.path) as src:
            while chunk := src.read(1 << 20):
                parser.Parse(chunk, False)
                if progress:
                    progress(len(self.rows))
            parser.Parse(b"", True)

    def forbid(self, *args: Any) -> None:
        raise _Forbidden


def read_sheet(
    wb: OpenedWorkbook,
    title: str,
    *,
    max_row: int | None = None,
    progress: Callable[[float], None] | None = None,
) -> list[list[Any]]:
    """The sheet's rows (row 1 first) as lists of cell values, merged cells filled in."""
    estimate = wb.book[title].max_row or 0  # from the sheet's dimension, when it has one

    def report(rows: int) -> None:
        if progress and estimate:
            progress(min(1.0, rows / estimate))

    reader = _SheetReader(wb, title, max_row)
    try:
        reader.read(wb.archive, report)
    except _Stop:
        pass
    except Exception:
        logger.info("unreadable sheet", exc_info=True)
        raise _corrupt() from None
    rows = reader.rows
    width = max((len(r) for r in rows), default=0)
    for row in rows:
        row.extend([None] * (width - len(row)))
    for c1, r1, c2, r2 in merged_ranges(wb, title):
        if r1 > len(rows) or c1 > width:
            continue
        value = rows[r1 - 1][c1 - 1]
        for r in range(r1, min(r2, len(rows)) + 1):
            for c in range(c1, min(c2, width) + 1):
                rows[r - 1][c - 1] = value
    return rows


# --- header and mapping ---------------------------------------------------------------------
_HEADER_NOTE = re.compile(r"[(\[【].*?[)\]】]")
_HEADER_NOISE = re.compile(r"[\s*:#]")


def header_key(value: object) -> str:
    """A header cell as compared: `联系电话（必填）*` → `联系电话`."""
    text = normalise(value).lower()
    return _HEADER_NOISE.sub("", _HEADER_NOTE.sub("", text))


def guess_target(header: object, remembered: dict[str, str]) -> str:
    key = header_key(header)
    if not key:
        return ""
    if key in remembered:
        return remembered[key]
    if key in _SYNONYMS:
        return _SYNONYMS[key]
    if len(key) > 12:  # a title row, not a header
        return ""
    best = ""
    for synonym in _SYNONYMS:
        if len(synonym) >= 2 and synonym in key and len(synonym) > len(best):
            best = synonym
    return _SYNONYMS.get(best, "")


def propose_mapping(header: list[Any], remembered: dict[str, str]) -> dict[str, str]:
    """Column letter → target for one header row; each target at most once."""
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for index, cell in enumerate(header):
        target = guess_target(cell, remembered)
        if target in used and target == "mobile":
            target = "phone_other"
        if target and target not in used:
            mapping[get_column_letter(index + 1)] = target
            used.add(target)
    return mapping


def mapping_problems(mapping: dict[str, str]) -> list[str]:
    targets = [t for t in mapping.values() if t]
    problems = []
    for target in sorted({t for t in targets if targets.count(t) > 1}):
        problems.append(_("“%(label)s”对应了不止一列。") % {"label": TARGET_LABELS[target]})
    if "name" not in targets:
        problems.append(_("请指定“姓名”所在的列。"))
    if "room_code" not in targets and "number" not in targets:
        problems.append(_("请指定“房号”（或“房屋编号”）所在的列。"))
    return problems


def find_header(rows: list[list[Any]], remembered: dict[str, str]) -> tuple[int, dict[str, str]]:
    """(1-based header row, mapping) of the best-matching row among the first rows."""
    best: tuple[int, dict[str, str]] | None = None
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        mapping = propose_mapping(row, remembered)
        if mapping_problems(mapping):
            continue
        if best is None or len(mapping) > len(best[1]):
            best = (index + 1, mapping)
    if best is None:
        raise ImportFileError(_("前 %(n)s 行中找不到表头。") % {"n": HEADER_SCAN_ROWS})
    return best


def remembered_mapping(community: Any) -> dict[str, str]:
    row = ImportMapping.objects.filter(community=community).first()
    return dict((row.mapping or {}).get("headers", {})) if row else {}


def remember_mapping(community: Any, header: list[Any], mapping: dict[str, str]) -> None:
    headers = remembered_mapping(community)
    for index, cell in enumerate(header):
        key = header_key(cell)
        if key:
            headers[key] = mapping.get(get_column_letter(index + 1), "")
    ImportMapping.objects.update_or_create(
        community=community, defaults={"mapping": {"headers": headers}}
    )


@dataclass
class Layout:
    """Where the data is: the chosen sheet, its header row and mapping, and the other sheets
    with the same header (a workbook per community often has one sheet per building)."""

    sheet: str
    header_row: int
    mapping: dict[str, str]
    sheets: list[tuple[str, int]]  # (title, header row) of every sheet imported
    header: list[Any]


def _header_signature(header: list[Any], mapping: dict[str, str]) -> tuple[str, ...]:
    return tuple(
        header_key(header[column_index_from_string(c) - 1])
        if column_index_from_string(c) <= len(header)
        else ""
        for c in sorted(mapping, key=column_index_from_string)
    )


def detect_layout(
    wb: OpenedWorkbook,
    remembered: dict[str, str],
    *,
    sheet: str = "",
    header_row: int | None = None,
    mapping: dict[str, str] | None = None,
) -> Layout:
    """The layout to import: given (a saved job) or found (the first sheet with a header)."""
    heads = {}
    for title in wb.sheet_names:
        heads[title] = read_sheet(wb, title, max_row=HEADER_SCAN_ROWS)
    if sheet and sheet not in heads:
        raise ImportFileError(_("工作簿中没有名为“%(sheet)s”的工作表。") % {"sheet": sheet})
    found: dict[str, tuple[int, dict[str, str]]] = {}
    for title, rows in heads.items():
        try:
            found[title] = find_header(rows, remembered)
        except ImportFileError:
            continue
    if not sheet:
        sheet = next((t for t in wb.sheet_names if t in found), "")
    if not sheet:
        raise ImportFileError(
            _(
                "在工作表 %(sheets)s 的前 %(n)s 行中都找不到可识别的表头。表头至少要有“姓名”和"
                "“房号”（或“楼栋、单元、房号”、“房屋编号”）这几列。"
            )
            % {"sheets": "、".join(f"“{t}”" for t in wb.sheet_names), "n": HEADER_SCAN_ROWS}
        )
    if header_row is not None and mapping is None:  # the user chose the header row
        rows = heads[sheet]
        mapping = propose_mapping(
            rows[header_row - 1] if header_row <= len(rows) else [], remembered
        )
    if header_row is None or mapping is None:
        if sheet not in found:
            raise ImportFileError(
                _("工作表“%(sheet)s”的前 %(n)s 行中找不到表头（至少要有“姓名”和“房号”列）。")
                % {"sheet": sheet, "n": HEADER_SCAN_ROWS}
            )
        header_row, mapping = found[sheet]
    mapping = {c: t for c, t in mapping.items() if t}
    rows = heads[sheet]
    header = rows[header_row - 1] if header_row <= len(rows) else []
    signature = _header_signature(header, mapping)
    sheets = [(sheet, header_row)]
    for title, (row, _mapping) in found.items():
        if title != sheet and _header_signature(heads[title][row - 1], mapping) == signature:
            sheets.append((title, row))
    return Layout(sheet, header_row, mapping, sheets, header)


# --- rows → records -------------------------------------------------------------------------
@dataclass
class Record:
    sheet: str
    row: int
    columns: dict[str, str]  # target → column letter
    room: RoomCode | None = None
    role: str = Occupancy.Role.OWNER
    values: dict[str, Any] = field(default_factory=dict)  # customer fields
    room_values: dict[str, Any] = field(default_factory=dict)
    move_in: dt.date | None = None
    move_out: dt.date | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    skipped: bool = False  # an exact duplicate of an earlier row
    soft: set[str] = field(default_factory=set)  # values derived from the ID number

    def error(self, target: str, message: str) -> None:
        self.errors.append(issue(self.sheet, self.row, self.columns.get(target, ""), message))

    def warn(self, target: str, message: str) -> None:
        self.warnings.append(issue(self.sheet, self.row, self.columns.get(target, ""), message))

    @property
    def where(self) -> str:
        return _("工作表“%(sheet)s”第 %(row)s 行") % {"sheet": self.sheet, "row": self.row}


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return normalise(value)


def _plain(value: object) -> str:
    """The text of a cell from `row_cells` (strings there are normalised already)."""
    return value if isinstance(value, str) else cell_text(value)


def _word(value: object, index: dict[str, str], message: Any) -> str:
    text = _plain(value).replace(" ", "").lower()
    if text in index:
        return index[text]
    raise ParseError(str(message) % {"value": _plain(value)})


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}


def _chinese_number(text: str) -> str:
    """`十二` → `12`, `二十` → `20`, `三` → `3` (building and unit numbers up to 99)."""
    if "十" not in text:
        return "".join(str(_CN_DIGITS[ch]) for ch in text)
    tens, _sep, ones = text.partition("十")
    return str((_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0))


_CHINESE_NUMBER = re.compile(r"[零〇一二两三四五六七八九]?十?[零〇一二两三四五六七八九]?")
_CODE_PART = re.compile(r"[0-9A-Z]{1,20}")
BUILDING_SUFFIX = re.compile(r"^第|(?:号楼|#楼|栋|幢|座|楼|号|#)$")
UNIT_SUFFIX = re.compile(r"^第|(?:单元|门|号)$")
NUMBER_SUFFIX = re.compile(r"^第|(?:室|号|房)$")


def _room_part(value: object, suffixes: re.Pattern[str], what: Any) -> str:
    raw = _plain(value)
    text = suffixes.sub("", raw.upper().replace(" ", ""))
    if text and _CHINESE_NUMBER.fullmatch(text):
        text = _chinese_number(text)
    if not _CODE_PART.fullmatch(text):
        raise ParseError(
            _("%(what)s“%(value)s”无法识别，请只写编号，例如 3。") % {"what": what, "value": raw}
        )
    return text


def _room_of(record: Record, cells: dict[str, Any]) -> RoomCode | None:
    if "room_code" in cells:
        try:
            return parse_room_code(cells["room_code"])
        except ParseError as error:
            record.error("room_code", str(error))
            return None
    number = cells.get("number")
    if number is None:
        target = "number" if "number" in record.columns else "room_code"
        record.error(target, _("缺少房号。"))
        return None
    if "building" not in cells:
        try:
            return parse_room_code(number)  # the number column holds a full code (3-2-501)
        except ParseError:
            target = "building" if "building" in record.columns else "number"
            record.error(target, _("缺少楼栋（或把房号写全，例如 3-2-501）。"))
            return None
    try:
        building = _room_part(cells["building"], BUILDING_SUFFIX, BUILDING)
        unit = _room_part(cells["unit"], UNIT_SUFFIX, UNIT) if "unit" in cells else ""
        room_number = _room_part(number, NUMBER_SUFFIX, NUMBER)
    except ParseError as error:
        record.error("building", str(error))
        return None
    return RoomCode(building, unit, room_number)


def _text(limit: int) -> Callable[[object], str]:
    def parse(value: object) -> str:
        text = _plain(value)
        if len(text) > limit:
            raise ParseError(_("内容过长（最多 %(n)s 个字）。") % {"n": limit})
        return text

    return parse


_AREA_UNIT = re.compile(r"(㎡|m2|m²|平方米|平米|平方)$")
_LIST_SEPARATOR = re.compile(r"\s*[,，、;；/]\s*")
_NAME_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
_PHONE_SEPARATOR = re.compile(r"[,，、;；/]|\s{2,}")
_MOBILE = re.compile(r"1\d{10}")
_PHONE_NOISE = re.compile(r"[\s\-]")


def _area(value: object) -> Decimal:
    text = _AREA_UNIT.sub("", _plain(value).lower()).strip()
    try:
        area = Decimal(text).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ParseError(_("面积“%(v)s”不是数字。") % {"v": _plain(value)}) from None
    if not Decimal("0") < area < Decimal("10000000"):
        raise ParseError(_("面积“%(v)s”不合理。") % {"v": _plain(value)})
    return area


def _email(value: object) -> str:
    text = _plain(value).replace(" ", "")
    try:
        validate_email(text)
    except ValidationError:
        raise ParseError(_("电子邮箱“%(v)s”格式不对。") % {"v": text}) from None
    return text


def _vehicles(value: object) -> str:
    text = _LIST_SEPARATOR.sub(",", _plain(value).upper()).strip(",")
    if len(text) > 200:
        raise ParseError(_("内容过长（最多 %(n)s 个字）。") % {"n": 200})
    return text


def _date_of(value: object) -> dt.date:
    day = parse_date(value)
    if day.year < 1900:
        raise ParseError(_("日期“%(v)s”不合理。") % {"v": _plain(value)})
    return day


# Messages built for every row are lazy: translating 10^6 strings costs seconds.
UNKNOWN_ROLE = gettext_lazy("身份“%(value)s”无法识别，请写业主、租户、家庭成员、商户或单位。")
UNKNOWN_GENDER = gettext_lazy("性别“%(value)s”无法识别，请写“男”或“女”。")
UNKNOWN_USE = gettext_lazy("用途“%(value)s”无法识别，请写住宅、商铺、车位或办公。")
UNKNOWN_ID_TYPE = gettext_lazy("证件类型“%(value)s”无法识别。")
BUILDING, UNIT, NUMBER = gettext_lazy("楼栋"), gettext_lazy("单元"), gettext_lazy("房号")
_ROLES = _choice_index(ROLE_WORDS, Occupancy.Role.choices)
_GENDERS = _choice_index(GENDER_WORDS, Customer.Gender.choices)
_ID_TYPES = _choice_index(ID_TYPE_WORDS, Customer.IdType.choices)
_USES = _choice_index(USE_WORDS, Room.Use.choices)


# Plain customer fields: target → parser of a non-empty cell.
def _name(value: object) -> str:
    """`王 五` → `王五`: a space between Chinese characters is a typing slip; `John Smith` stays."""
    text = _NAME_GAP.sub("", _plain(value))
    return _text(100)(text)


FIELD_PARSERS: dict[str, Callable[[object], Any]] = {
    "name": _name,
    "email": _email,
    "address": _text(200),
    "emergency_contact_name": _text(50),
    "emergency_contact_phone": lambda v: parse_phone(v),
    "vehicles": _vehicles,
    "notes": _text(2000),
    "birthday": _date_of,
    "gender": lambda v: _word(v, _GENDERS, UNKNOWN_GENDER),
}


ROOM_PARSERS: dict[str, Callable[[object], Any]] = {
    "floor_area": _area,
    "use": lambda v: _word(v, _USES, UNKNOWN_USE),
}


def _phones(text: str) -> list[str]:
    return [p for p in _PHONE_SEPARATOR.split(text) if p.strip()]


_VALID_MOBILE_PREFIXES: dict[str, bool] = {}


def _parse_phone(text: str) -> str:
    """`parsing.parse_phone`, with the verdict on an 11-digit mobile number remembered by its
    first seven digits: phonenumbers decides Chinese mobile numbers by their leading digits
    alone (≤ 5), and calling it 10^5 times is a third of an import's parsing."""
    digits = _PHONE_NOISE.sub("", text)
    if _MOBILE.fullmatch(digits):
        prefix = digits[:7]
        verdict = _VALID_MOBILE_PREFIXES.get(prefix)
        if verdict is None:
            try:
                verdict = parse_phone(digits) == digits
            except ParseError:
                verdict = False
            _VALID_MOBILE_PREFIXES[prefix] = verdict
        if verdict:
            return digits
    return parse_phone(text)


def _parse_contact(record: Record, cells: dict[str, Any]) -> None:
    """Mobile and other phone: several numbers in one cell, a landline in the mobile column."""
    found: dict[str, list[str]] = {"mobile": [], "phone_other": []}
    for target in found:
        if target in cells:
            try:
                found[target] = [_parse_phone(p) for p in _phones(_plain(cells[target]))]
            except ParseError as error:
                record.error(target, str(error))
    mobile = next((n for n in found["mobile"] if _MOBILE.fullmatch(n)), "")
    if mobile:
        record.values["mobile"] = mobile
    leftovers = list(dict.fromkeys(n for n in found["mobile"] if n != mobile))
    candidates = list(dict.fromkeys(found["phone_other"] + leftovers))
    if candidates:
        record.values["phone_other"] = candidates[0]
        if candidates[0] in leftovers and not _MOBILE.fullmatch(candidates[0]):
            record.warn("mobile", _("%(n)s 不是手机号，已填入“其他电话”。") % {"n": candidates[0]})
    for number in candidates[1:]:
        record.warn("mobile", _("号码 %(n)s 没有位置存放，未导入。") % {"n": number})


def _parse_identity(record: Record, cells: dict[str, Any]) -> None:
    id_type = ""
    if "id_type" in cells:
        try:
            id_type = _word(cells["id_type"], _ID_TYPES, UNKNOWN_ID_TYPE)
        except ParseError as error:
            record.error("id_type", str(error))
            return
    raw = cells.get("id_number")
    if raw is None:
        if id_type:
            record.values["id_type"] = id_type
        return
    if not id_type:
        id_type = Customer.IdType.RESIDENT_ID
        record.soft.add("id_type")
    record.values["id_type"] = id_type
    if id_type != Customer.IdType.RESIDENT_ID:
        number = _plain(raw).replace(" ", "").upper()
        if len(number) > 40:
            record.error("id_number", _("证件号码过长。"))
        record.values["id_number"] = number
        return
    try:
        number = parse_mainland_id(_plain(raw))
    except ParseError as error:
        hint = ""
        if isinstance(raw, int | float):
            hint = _(
                "（该单元格是数字格式，Excel 会改掉 15 位以后的数字；请把这一列设为文本后重新录入）"
            )
        record.error("id_number", str(error) + hint)
        return
    record.values["id_number"] = number
    gender, birthday = gender_from_id(number), birthday_from_id(number)
    given_gender = record.values.get("gender")
    if given_gender and given_gender != gender:
        record.warn(
            "gender",
            _("性别与身份证号不符（身份证号显示为%(g)s）。") % {"g": Customer.Gender(gender).label},
        )
    if not given_gender:
        record.values["gender"] = gender
        record.soft.add("gender")
    given_birthday = record.values.get("birthday")
    if given_birthday and given_birthday != birthday:
        record.warn(
            "birthday", _("出生日期与身份证号不符（身份证号显示为 %(d)s）。") % {"d": birthday}
        )
    if not given_birthday:
        record.values["birthday"] = birthday
        record.soft.add("birthday")


def row_cells(values: list[Any], columns: list[tuple[int, str]]) -> dict[str, Any]:
    """The mapped, non-empty cells of a row: text normalised once, dates and numbers as they are."""
    cells: dict[str, Any] = {}
    for index, target in columns:
        value = values[index] if index < len(values) else None
        if isinstance(value, str):
            value = normalise(value)
        if value is not None and value != "":
            cells[target] = value
    return cells


def parse_row(
    sheet: str, row: int, cells: dict[str, Any], columns: dict[str, str], today: dt.date
) -> Record | None:
    """One data row's cells (`row_cells`) → a Record, None for an empty row. Errors name the
    sheet, the row and the column (`columns`: target → column letter)."""
    if not set(cells) - {"building", "unit"}:
        return None  # an empty row (a merged building cell alone is not data)
    record = Record(sheet=sheet, row=row, columns=columns)
    record.room = _room_of(record, cells)
    if "role" in cells:
        try:
            record.role = _word(cells["role"], _ROLES, UNKNOWN_ROLE)
        except ParseError as error:
            record.error("role", str(error))
    for target in ("move_in", "move_out"):
        if target in cells:
            try:
                setattr(record, target, _date_of(cells[target]))
            except ParseError as error:
                record.error(target, str(error))
    if record.move_in and record.move_in > today + dt.timedelta(days=366):
        record.error(
            "move_in", _("入住日期 %(d)s 不合理（晚于一年以后）。") % {"d": record.move_in}
        )
    if record.move_in and record.move_out and record.move_out < record.move_in:
        record.error(
            "move_out",
            _("迁出日期 %(out)s 早于入住日期 %(in)s。")
            % {"out": record.move_out, "in": record.move_in},
        )
    for target, room_parser in ROOM_PARSERS.items():
        if target in cells:
            try:
                record.room_values[target] = room_parser(cells[target])
            except ParseError as error:
                record.error(target, str(error))
    for target, parser in FIELD_PARSERS.items():
        if target in cells:
            try:
                record.values[target] = parser(cells[target])
            except ParseError as error:
                record.error(target, str(error))
    if record.values.get("birthday") and record.values["birthday"] > today:
        record.error("birthday", _("出生日期不能晚于今天。"))
    _parse_contact(record, cells)
    _parse_identity(record, cells)
    person_fields = set(cells) - set(ROOM_TARGETS) - {"move_in", "move_out"}
    if "name" not in cells and person_fields - {"role"}:
        record.error("name", _("请填写姓名或单位名称。"))
    if (
        record.role == Occupancy.Role.ORGANISATION
        or record.values.get("id_type") == Customer.IdType.BUSINESS_LICENCE
    ):
        record.values["kind"] = Customer.Kind.ORGANISATION
        record.values.pop("gender", None)
    return record


def read_records(
    wb: OpenedWorkbook,
    layout: Layout,
    *,
    progress: Callable[[float], None] | None = None,
    keep_rows: dict[str, list[list[Any]]] | None = None,
) -> tuple[list[Record], int]:
    """Every non-empty data row of the layout's sheets; exact duplicate rows are skipped with
    a warning. Returns (records, number of duplicate rows)."""
    today = timezone.localdate()
    records: list[Record] = []
    seen: dict[tuple[Any, ...], Record] = {}
    duplicates = 0
    columns = {target: letter for letter, target in layout.mapping.items()}
    order = sorted((column_index_from_string(c) - 1, t) for c, t in layout.mapping.items())
    for number, (title, header_row) in enumerate(layout.sheets):
        share = 1 / len(layout.sheets)

        def report(fraction: float, number: int = number, share: float = share) -> None:
            if progress:
                progress((number + fraction) * share)

        rows = read_sheet(wb, title, progress=report)
        if keep_rows is not None:
            keep_rows[title] = rows
        for offset, values in enumerate(rows[header_row:], start=header_row + 1):
            cells = row_cells(values, order)
            record = parse_row(title, offset, cells, columns, today)
            if record is None:
                continue
            signature = tuple(cells.items())
            first = seen.get(signature)
            if first is not None:
                duplicates += 1
                record.warnings = [
                    issue(
                        title,
                        offset,
                        "",
                        _("与%(where)s完全相同，已跳过。") % {"where": first.where},
                    )
                ]
                record.errors, record.skipped = [], True
                records.append(record)
                continue
            seen[signature] = record
            records.append(record)
    return records, duplicates


# --- matching and counts (the dry run) ------------------------------------------------------
COUNT_KEYS = (
    "rows",
    "rooms_created",
    "customers_created",
    "customers_updated",
    "occupancies_created",
    "occupancies_updated",
)
COUNT_LABELS = {
    "rows": gettext_lazy("数据行"),
    "rooms_created": gettext_lazy("新建房间"),
    "customers_created": gettext_lazy("新建客户"),
    "customers_updated": gettext_lazy("更新客户"),
    "occupancies_created": gettext_lazy("新建入住关系"),
    "occupancies_updated": gettext_lazy("更新入住关系"),
}
SOFT_FIELDS = ("gender", "birthday", "id_type")  # derived from the ID number: fill blanks only
_WRITABLE = frozenset(CUSTOMER_FIELDS)


@dataclass(eq=False)
class Person:
    """One customer as the file describes them, possibly over several rows."""

    values: dict[str, Any]
    origin: dict[str, Record]
    records: list[Record]
    existing: Customer | None = None
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    alias: Person | None = None
    obj: Any = None  # the customer written: the existing instance or the inserted row

    @classmethod
    def of(cls, record: Record) -> Person:
        return cls(dict(record.values), dict.fromkeys(record.values, record), [record])

    def merge(self, record: Record) -> None:
        self.records.append(record)
        for name, value in record.values.items():
            if self.values.get(name) in (None, ""):
                self.values[name], self.origin[name] = value, record
            elif self.values[name] != value and name in TARGET_LABELS:
                record.warn(
                    name,
                    _("与%(where)s的“%(label)s”不同，以%(where)s为准。")
                    % {"where": self.origin[name].where, "label": TARGET_LABELS[name]},
                )

    def final(self) -> Person:
        person = self
        while person.alias is not None:
            person = person.alias
        return person


@dataclass(eq=False)
class Step:
    """One occupancy the file names: created, or matched to an existing one (maybe changed)."""

    record: Record
    person: Person
    room_code: str
    existing: Occupancy | None = None
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    is_primary: bool = False


@dataclass
class Plan:
    community: Any
    actor: Any
    records: list[Record]
    duplicates: int
    rooms: dict[str, Room] = field(default_factory=dict)  # by code, existing and new
    buildings: dict[str, Building] = field(default_factory=dict)
    units: dict[tuple[str, str], Unit] = field(default_factory=dict)
    new_rooms: dict[str, Room] = field(default_factory=dict)
    new_buildings: list[Building] = field(default_factory=list)
    new_units: list[Unit] = field(default_factory=list)
    room_changes: dict[str, dict[str, tuple[Any, Any]]] = field(default_factory=dict)
    people: list[Person] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    occupancies: list[Occupancy] = field(default_factory=list)  # all of the community

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [e for r in self.records for e in sorted(r.errors, key=_by_column)]

    @property
    def warnings(self) -> list[dict[str, Any]]:
        return [w for r in self.records for w in sorted(r.warnings, key=_by_column)]

    def counts(self) -> dict[str, int]:
        people = [p for p in self.people if p.alias is None]
        return {
            "rows": len(self.records),
            "rooms_created": len(self.new_rooms),
            "customers_created": sum(1 for p in people if p.existing is None),
            "customers_updated": sum(1 for p in people if p.existing is not None and p.changes),
            "occupancies_created": sum(1 for s in self.steps if s.existing is None),
            "occupancies_updated": sum(1 for s in self.steps if s.existing and s.changes),
            "duplicates": self.duplicates,
        }


def _by_column(item: dict[str, Any]) -> int:
    return column_index_from_string(item["column"]) if item["column"] else 0


def _valid(records: Iterable[Record]) -> Iterable[Record]:
    return (r for r in records if not r.skipped and not r.errors)


def _floor_of(number: str) -> int | None:
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) >= 3 and int(digits[:-2]) <= 999:
        return int(digits[:-2])
    return None


def _plan_rooms(plan: Plan, *, create_rooms: bool) -> None:
    community = plan.community
    plan.rooms = {r.code: r for r in Room.objects.filter(community=community)}
    plan.buildings = {b.code: b for b in Building.objects.filter(community=community)}
    plan.units = {
        (u.building.code, u.code): u
        for u in Unit.objects.filter(community=community).select_related("building")
    }
    for record in plan.records:
        if record.skipped or record.room is None:
            continue
        code = record.room
        if len(code.code) > 50 or max(len(code.building), len(code.unit), len(code.number)) > 20:
            record.error(
                "room_code" if "room_code" in record.columns else "number", _("房号过长。")
            )
        elif code.code not in plan.rooms and not create_rooms:
            target = "room_code" if "room_code" in record.columns else "number"
            record.error(
                target,
                _("房间 %(code)s 不存在。新接管的小区请勾选“自动创建缺少的房间”。")
                % {"code": code.code},
            )
    values_from: dict[tuple[str, str], Record] = {}
    for record in _valid(plan.records):
        if record.room is None:
            continue
        code = record.room
        room = plan.rooms.get(code.code)
        if room is None:
            room = _new_room(plan, code)
        for name, value in record.room_values.items():
            first = values_from.setdefault((code.code, name), record)
            if first is not record:
                if first.room_values[name] != value:
                    record.warn(
                        name, _("与%(where)s不同，以%(where)s为准。") % {"where": first.where}
                    )
                continue
            if room.pk is None:
                setattr(room, name, value)
            elif getattr(room, name) != value:
                plan.room_changes.setdefault(code.code, {})[name] = (getattr(room, name), value)


def _new_room(plan: Plan, code: RoomCode) -> Room:
    community = plan.community
    building = plan.buildings.get(code.building)
    if building is None:
        building = Building(community=community, code=code.building)
        plan.buildings[code.building] = building
        plan.new_buildings.append(building)
    unit = None
    if code.unit:
        unit = plan.units.get((code.building, code.unit))
        if unit is None:
            unit = Unit(community=community, building=building, code=code.unit)
            plan.units[(code.building, code.unit)] = unit
            plan.new_units.append(unit)
    room = Room(
        community=community,
        building=building,
        unit=unit,
        number=code.number,
        code=code.code,
        floor=_floor_of(code.number),
        area_id=building.area_id,
    )
    plan.rooms[code.code] = plan.new_rooms[code.code] = room
    return room


def _person_keys(record: Record) -> list[tuple[str, ...]]:
    values, keys = record.values, list[tuple[str, ...]]()
    if values.get("id_number"):
        keys.append(("id", values["id_number"]))
    if values.get("mobile"):
        keys.append(("nm", values["name"], values["mobile"]))
    if record.room is not None:
        keys.append(("nr", values["name"], record.room.code))
    return keys


def _same_id(a: dict[str, Any], b: Any) -> bool:
    """False when both sides carry an ID number and the numbers differ (two people)."""
    other = b.get("id_number") if isinstance(b, dict) else b.id_number
    return not (a.get("id_number") and other and a["id_number"] != other)


def _plan_people(plan: Plan) -> dict[int, Person]:
    """Group the rows into people (same ID; else same name and mobile; else same name and
    room), then match each to an existing customer of the community the same way."""
    of_record: dict[int, Person] = {}
    index: dict[tuple[str, ...], Person] = {}
    for record in _valid(plan.records):
        if not record.values.get("name"):
            continue
        keys = _person_keys(record)
        person = next(
            (index[k] for k in keys if k in index and _same_id(record.values, index[k].values)),
            None,
        )
        if person is not None and person.values["name"] != record.values["name"]:
            record.error(
                "id_number",
                _("证件号码与%(where)s相同，姓名却不同（%(a)s / %(b)s），请核对。")
                % {
                    "where": person.records[0].where,
                    "a": person.values["name"],
                    "b": record.values["name"],
                },
            )
            continue
        if person is None:
            person = Person.of(record)
            plan.people.append(person)
        else:
            person.merge(record)
        for key in keys:
            index.setdefault(key, person)
        of_record[id(record)] = person
    _match_customers(plan)
    return of_record


def _match_customers(plan: Plan) -> None:
    customers = Customer.objects.filter(community=plan.community, anonymised_at__isnull=True)
    by_id: dict[str, Customer] = {}
    by_mobile: dict[tuple[str, str], Customer] = {}
    by_pk: dict[int, Customer] = {}
    for customer in customers.order_by("pk"):
        by_pk[customer.pk] = customer
        if customer.id_number:
            by_id.setdefault(customer.id_number, customer)
        if customer.mobile:
            by_mobile.setdefault((customer.name, customer.mobile), customer)
    plan.occupancies = list(Occupancy.objects.filter(community=plan.community))
    codes = {r.pk: code for code, r in plan.rooms.items() if r.pk}
    by_room: dict[tuple[str, str], Customer] = {}
    for occupancy in plan.occupancies:
        customer = by_pk.get(occupancy.customer_id)
        if occupancy.move_out is None and customer is not None:
            by_room.setdefault((customer.name, codes[occupancy.room_id]), customer)
    claimed: dict[int, Person] = {}
    for person in plan.people:
        values = person.values
        found = by_id.get(values.get("id_number") or "")
        if found is None and values.get("mobile"):
            found = by_mobile.get((values["name"], values["mobile"]))
        for record in person.records:
            if found is None and record.room is not None:
                found = by_room.get((values["name"], record.room.code))
        if found is None or not _same_id(values, found):
            continue
        if found.pk in claimed:  # two groups of rows turn out to be one customer
            other = claimed[found.pk]
            for record in person.records:
                other.merge(record)
            person.alias = other
            continue
        claimed[found.pk] = person
        person.existing = found
        if found.name != values["name"]:
            person.records[0].warn(
                "name",
                _("系统中证件号码相同的客户名为“%(old)s”，将改为“%(new)s”。")
                % {"old": found.name, "new": values["name"]},
            )
    for person in plan.people:
        if person.existing is not None and person.alias is None:
            person.changes = _customer_changes(person)
    _check_clearance(plan)


def _customer_changes(person: Person) -> dict[str, tuple[Any, Any]]:
    customer = person.existing
    assert customer is not None
    changes = {}
    for name, value in person.values.items():
        if value in (None, "") or name not in _WRITABLE:
            continue
        old = getattr(customer, name)
        if name in SOFT_FIELDS and old not in (None, "") and _soft(person, name):
            continue
        if old != value:
            changes[name] = (old, value)
    return changes


def _soft(person: Person, name: str) -> bool:
    """True when the value was derived (gender/birthday from the ID), not typed in a column."""
    return name in person.origin[name].soft


def _check_clearance(plan: Plan) -> None:
    """An import may not change a file above the uploader's clearance (DESIGN §4)."""
    changed = [p for p in plan.people if p.existing is not None and p.changes]
    if not changed or not getattr(plan.actor, "pk", None):
        return
    visible = set(
        Customer.objects.visible_to(plan.actor)
        .filter(pk__in=[p.existing.pk for p in changed if p.existing])
        .values_list("pk", flat=True)
    )
    for person in changed:
        if person.existing and person.existing.pk not in visible:
            person.records[0].error(
                "name",
                _("该客户档案的密级高于您的查阅权限，不能通过导入修改，请由有权限的同事处理。"),
            )


def _plan_occupancies(plan: Plan, of_record: dict[int, Person]) -> None:
    current: dict[tuple[int, int, str], Occupancy] = {}
    ended: dict[tuple[int, int, str, dt.date | None], Occupancy] = {}
    for occupancy in plan.occupancies:
        key = (occupancy.room_id, occupancy.customer_id, occupancy.role)
        if occupancy.move_out is None:
            current[key] = occupancy
        else:
            ended[(*key, occupancy.move_in)] = occupancy
    seen: dict[tuple[str, int, str], Step] = {}
    for record in list(_valid(plan.records)):
        person = of_record.get(id(record))
        if person is None or record.room is None:
            continue
        person = person.final()
        ident = (record.room.code, id(person), record.role)
        if ident in seen:
            first = seen[ident].record
            if (first.move_in, first.move_out) != (record.move_in, record.move_out):
                record.error(
                    "move_in",
                    _("同一人在同一房间以同一身份出现在%(where)s，但日期不同。")
                    % {"where": first.where},
                )
            continue
        step = seen[ident] = Step(record, person, record.room.code)
        room, customer = plan.rooms[record.room.code], person.existing
        if room.pk and customer is not None:
            _match_occupancy(step, room, customer, current, ended)
        if not record.errors:
            plan.steps.append(step)
    _choose_primaries(plan)


def _match_occupancy(
    step: Step,
    room: Room,
    customer: Customer,
    current: dict[tuple[int, int, str], Occupancy],
    ended: dict[tuple[int, int, str, dt.date | None], Occupancy],
) -> None:
    record = step.record
    key = (room.pk, customer.pk, record.role)
    found = current.get(key)
    if found is not None:
        step.existing = found
        if record.move_in and record.move_in != found.move_in:
            step.changes["move_in"] = (found.move_in, record.move_in)
        if record.move_out:
            step.changes["move_out"] = (None, record.move_out)
            start = record.move_in or found.move_in
            if start and record.move_out < start:
                record.error(
                    "move_out",
                    _("迁出日期 %(out)s 早于系统中的入住日期 %(in)s。")
                    % {"out": record.move_out, "in": start},
                )
        return
    past = ended.get((*key, record.move_in))
    if past is not None:
        step.existing = past
        if record.move_out and record.move_out != past.move_out:
            step.changes["move_out"] = (past.move_out, record.move_out)
        elif not record.move_out:
            record.warn(
                "move_out",
                _("系统中此人已于 %(d)s 迁出，本行未重新登记入住。") % {"d": past.move_out},
            )


def _choose_primaries(plan: Plan) -> None:
    """A new occupancy becomes the room's primary contact when the room has none: owners
    first, then tenants, merchants and organisations, then family members."""
    ending = {id(s.existing) for s in plan.steps if s.existing and "move_out" in s.changes}
    has_primary = {
        o.room_id
        for o in plan.occupancies
        if o.is_primary and o.move_out is None and id(o) not in ending
    }
    rank: dict[str, int] = {Occupancy.Role.OWNER: 0, Occupancy.Role.FAMILY: 2}
    best: dict[str, Step] = {}
    for step in plan.steps:
        if step.existing is not None or step.record.move_out:
            continue
        room = plan.rooms[step.room_code]
        if room.pk in has_primary and room.pk:
            continue
        chosen = best.get(step.room_code)
        if chosen is None or rank.get(step.record.role, 1) < rank.get(chosen.record.role, 1):
            best[step.room_code] = step
    for step in best.values():
        step.is_primary = True


def build_plan(
    community: Any,
    records: list[Record],
    *,
    actor: Any,
    create_rooms: bool,
    duplicates: int = 0,
) -> Plan:
    """Everything the import would do, decided without writing (the dry run)."""
    plan = Plan(community=community, actor=actor, records=records, duplicates=duplicates)
    _plan_rooms(plan, create_rooms=create_rooms)
    of_record = _plan_people(plan)
    _plan_occupancies(plan, of_record)
    return plan


# --- fast bulk writes -------------------------------------------------------------------------
# Django's bulk_create prepares every value through the field machinery (~5 µs each): for an
# import of 100,000 rows, 45 customer columns and 300,000 history rows that alone is more than
# the minute the budget allows. Here values are passed as they are, except for the field types
# whose database form differs (dates, decimals, JSON), and rows go in with executemany. Ids are
# reserved first (PostgreSQL: the table's sequence; SQLite: above the highest id, under the
# write lock `run_import` takes), so the objects can be linked and logged like saved ones.
# Other databases fall back to Django's bulk_create and bulk_update.
_AS_IS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField)


def _fast(connection: Any) -> bool:
    return connection.vendor in ("sqlite", "postgresql")


def _prepare(field: Any, connection: Any) -> Callable[[Any], Any]:
    """The field's database form of a value; the same object (the commit's `now`, None) twice
    in a row is converted once."""
    last: list[Any] = [object(), None]

    def convert(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, field.get_db_prep_save(value, connection)
        return last[1]

    return convert


def _rows(
    objs: Iterable[Any],
    fields: list[Any],
    connection: Any,
    tail: tuple[str, ...] = (),
    ready: Callable[[Any], None] | None = None,
) -> Iterator[list[Any]]:
    """Each object's values for `fields` (plus `tail` attributes) in their database form,
    produced as they are consumed: `ready` finishes an object just before its row is made,
    so on PostgreSQL the server indexes rows while the next ones are being computed."""
    convert = []
    for index, f in enumerate(fields):
        plain = isinstance(f, _AS_IS) or (f.is_relation and isinstance(f.target_field, _AS_IS))
        if not plain or isinstance(f, models.JSONField):
            convert.append((index, _prepare(f, connection)))
    names = [f.attname for f in fields] + list(tail)
    for obj in objs:
        if ready is not None:
            ready(obj)
        row = [getattr(obj, name) for name in names]
        for index, converter in convert:
            row[index] = converter(row[index])
        yield row


def _executemany(connection: Any, sql: str, rows: Iterator[list[Any]]) -> None:
    with connection.cursor() as cursor:
        while chunk := list(itertools.islice(rows, 5 * BATCH)):
            cursor.executemany(sql, chunk)


def _reserve_ids(connection: Any, model: Any, count: int) -> list[int]:
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, count],
            )
            return [row[0] for row in cursor.fetchall()]
        quoted = connection.ops.quote_name
        cursor.execute(f"SELECT MAX({quoted(pk)}) FROM {quoted(table)}")
        top = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(top, row[0] if row else 0) + 1
        return list(range(start, start + count))


def _copy(connection: Any, table: str, columns: list[str], rows: Iterable[list[Any]]) -> None:
    """PostgreSQL's COPY: ~7× faster than executemany for 10^5 rows into indexed tables."""
    quoted = connection.ops.quote_name
    sql = f"COPY {quoted(table)} ({', '.join(quoted(c) for c in columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def insert(
    model: Any,
    objs: list[Any],
    *,
    now: dt.datetime,
    prepare: Callable[[Any], None] | None = None,
) -> None:
    """INSERT unsaved model instances or `row_of` rows, giving each its id; `prepare` finishes
    each one as it is written, auto_now and auto_now_add fields are set to `now`."""
    if not objs:
        return
    connection = connections[model.objects.db]
    meta = model._meta
    stamped = [
        f.attname
        for f in meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]

    def ready(obj: Any) -> None:
        if prepare is not None:
            prepare(obj)
        for name in stamped:
            if getattr(obj, name) is None:
                setattr(obj, name, now)

    if not _fast(connection):
        for obj in objs:
            ready(obj)
        instances = [o if isinstance(o, models.Model) else model(**vars(o)) for o in objs]
        model.objects.bulk_create(instances, batch_size=BATCH)
        for obj, instance in zip(objs, instances, strict=True):
            setattr(obj, meta.pk.attname, instance.pk)
        return
    for obj, pk in zip(objs, _reserve_ids(connection, model, len(objs)), strict=True):
        setattr(obj, meta.pk.attname, pk)
        if isinstance(obj, models.Model):
            obj._state.adding = False
    fields = list(meta.concrete_fields)
    rows = _rows(objs, fields, connection, ready=ready)
    if connection.vendor == "postgresql":
        _copy(connection, meta.db_table, [f.column for f in fields], rows)
        return
    quoted = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quoted(meta.db_table),
        ", ".join(quoted(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    _executemany(connection, sql, rows)


def update(model: Any, objs: list[Any], names: Iterable[str]) -> None:
    """UPDATE the named fields of saved model instances (PostgreSQL: COPY into a temporary
    table, then one UPDATE … FROM; SQLite: one statement per row)."""
    names = sorted(names)
    if not objs or not names:
        return
    connection = connections[model.objects.db]
    if not _fast(connection):
        model.objects.bulk_update(objs, names, batch_size=BATCH)
        return
    meta = model._meta
    fields = [meta.get_field(name) for name in names]
    quoted = connection.ops.quote_name
    table, pk = quoted(meta.db_table), quoted(meta.pk.column)
    rows = _rows(objs, fields, connection, tail=(meta.pk.attname,))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            temp = quoted("linli_import_update")
            columns = [*(f.column for f in fields), meta.pk.column]
            types = [*(f.db_type(connection) for f in fields), "bigint"]
            cursor.execute(
                f"CREATE TEMPORARY TABLE {temp} ("
                + ", ".join(f"{quoted(c)} {t}" for c, t in zip(columns, types, strict=True))
                + ") ON COMMIT DROP"
            )
            _copy(connection, "linli_import_update", columns, rows)
            assignments = ", ".join(f"{quoted(f.column)} = u.{quoted(f.column)}" for f in fields)
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM {temp} u WHERE {table}.{pk} = u.{pk}"
            )
            cursor.execute(f"DROP TABLE {temp}")
            return
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        table, ", ".join(f"{quoted(f.column)} = %s" for f in fields), pk
    )
    _executemany(connection, sql, rows)


# --- writing (the commit) ---------------------------------------------------------------------
def _derive(customer: Any) -> None:
    """The search columns (pinyin, initials, sort key, tails), by the services' own function."""
    derive_search_columns(customer)


@functools.cache
def _derived_fields() -> tuple[str, ...]:
    """The columns `_derive` sets, written back when an existing customer changes."""
    probe = SimpleNamespace(kind="person", name="张三", mobile="13800000000", id_number="1")
    before = set(vars(probe))
    derive_search_columns(cast(Any, probe))
    return tuple(sorted(set(vars(probe)) - before))


def _room_statuses(plan: Plan) -> dict[str, str]:
    """Room status after the import, by the rules of `add_occupancy` and `move_out`."""
    live: dict[int, int] = {}
    for occupancy in plan.occupancies:
        if occupancy.move_out is None:
            live[occupancy.room_id] = live.get(occupancy.room_id, 0) + 1
    status: dict[str, str] = {}
    count: dict[str, int] = {}
    for step in plan.steps:
        code, room, record = step.room_code, plan.rooms[step.room_code], step.record
        current = status.get(code, room.status)
        n = count.get(code, live.get(room.pk, 0) if room.pk else 0)
        if step.existing is None:
            if record.role == Occupancy.Role.TENANT and current == Room.Status.VACANT:
                current = Room.Status.RENTED
            elif (
                record.role == Occupancy.Role.OWNER
                and current == Room.Status.VACANT
                and record.move_in
            ):
                current = Room.Status.OWNER_OCCUPIED
            if record.move_out is None:
                n += 1
            elif n == 0:
                current = Room.Status.VACANT
        elif "move_out" in step.changes and step.existing.move_out is None:
            n -= 1
            if n == 0:
                current = Room.Status.VACANT
        status[code], count[code] = current, n
    return status


def row_of(model: Any, defaults: dict[str, Any], **values: Any) -> SimpleNamespace:
    """A row to `insert`: every concrete field's attribute, without a model instance (building
    10^5 instances costs more than writing them). Defaults are shared: rows are not mutated."""
    return SimpleNamespace(**{**defaults, **values})


def _defaults(model: Any) -> dict[str, Any]:
    return {f.attname: f.get_default() for f in model._meta.concrete_fields}


class _Writer:
    """The bulk writes of one commit and the history rows they leave, like the services'."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.now = timezone.now()
        self.actor_id = plan.actor.pk if getattr(plan.actor, "pk", None) else None
        self.history: list[SimpleNamespace] = []
        community = plan.community
        self.hours = int(policy.value("customers.file.complete_within_hours", community=community))
        self.level = Secrecy.from_code(policy.value("privacy.default_level", community=community))
        self.blank = {m: _defaults(m) for m in (ChangeRecord, Customer, Occupancy)}
        self.roles = {value: str(label) for value, label in Occupancy.Role.choices}

    def log(self, object_type: str, object_id: int, action: str, **values: Any) -> None:
        self.history.append(
            row_of(
                ChangeRecord,
                self.blank[ChangeRecord],
                **{
                    "community_id": self.plan.community.pk,
                    "actor_id": self.actor_id,
                    "object_type": object_type,
                    "object_id": object_id,
                    "action": action,
                    **values,
                },
            )
        )

    def log_changes(
        self, object_type: str, object_id: int, changes: dict[str, tuple[Any, Any]], **to: Any
    ) -> None:
        for name, (old, new) in changes.items():
            self.log(
                object_type,
                object_id,
                ChangeRecord.Action.CHANGED,
                field=name,
                old=_history_text(name, old),
                new=_history_text(name, new),
                **to,
            )

    def rooms(self) -> None:
        plan, statuses = self.plan, _room_statuses(self.plan)
        for code, room in plan.new_rooms.items():
            room.status = statuses.get(code, room.status)
        insert(Building, plan.new_buildings, now=self.now)
        for unit in plan.new_units:
            unit.building_id = unit.building.pk
        insert(Unit, plan.new_units, now=self.now)
        for room in plan.new_rooms.values():
            room.building_id = room.building.pk
            room.unit_id = room.unit.pk if room.unit else None
        insert(Room, list(plan.new_rooms.values()), now=self.now)
        for room in plan.new_rooms.values():
            self.log("room", room.pk, ChangeRecord.Action.CREATED, room_id=room.pk, new=room.code)
        touched = {}
        for code, changes in plan.room_changes.items():
            room = touched[code] = plan.rooms[code]
            for name, (_old, new) in changes.items():
                setattr(room, name, new)
            room.version += 1
            room.updated_at = self.now
            self.log_changes("room", room.pk, changes, room_id=room.pk)
        for code, status in statuses.items():
            room = plan.rooms[code]
            if code not in plan.new_rooms and room.status != status:
                room.status = status
                touched[code] = room
        fields = ["floor_area", "use", "status", "version", "updated_at"]
        update(Room, list(touched.values()), fields)

    def spans(self) -> dict[Any, list[tuple[dt.date | None, dt.date | None]]]:
        """Every customer's occupancies (move-in, move-out) as they will be after the import."""
        changed = {id(s.existing): s for s in self.plan.steps if s.existing and s.changes}
        spans: dict[Any, list[tuple[dt.date | None, dt.date | None]]] = {}
        for occupancy in self.plan.occupancies:
            move_in, move_out = occupancy.move_in, occupancy.move_out
            step = changed.get(id(occupancy))
            if step is not None:
                move_in = step.changes.get("move_in", (None, move_in))[1]
                move_out = step.changes.get("move_out", (None, move_out))[1]
            spans.setdefault(occupancy.customer_id, []).append((move_in, move_out))
        for step in self.plan.steps:
            if step.existing is None:
                key = step.person.existing.pk if step.person.existing else id(step.person)
                spans.setdefault(key, []).append((step.record.move_in, step.record.move_out))
        return spans

    def file_state(self, customer: Any, spans: list[tuple[dt.date | None, dt.date | None]]) -> None:
        """Completeness and filing deadline, as `services.refresh_completeness` computes them."""
        has_occupancy = any(start and end is None for start, end in spans)
        customer.completeness, customer.missing_fields = completeness_of(
            customer, has_occupancy=has_occupancy
        )
        starts = [start for start, _end in spans if start]
        customer.file_due_at = None
        if starts:
            midnight = timezone.make_aware(dt.datetime.combine(min(starts), dt.time(0, 0)))
            customer.file_due_at = midnight + dt.timedelta(hours=self.hours)

    def new_customer(self, person: Person) -> SimpleNamespace:
        values = {k: v for k, v in person.values.items() if k in _WRITABLE}
        return row_of(
            Customer,
            self.blank[Customer],
            **{
                **values,
                "community_id": self.plan.community.pk,
                "created_by_id": self.actor_id,
                "secrecy": self.level,
            },
        )

    def customers(self) -> None:
        plan, spans = self.plan, self.spans()
        touched = {id(s.person) for s in plan.steps}
        created, updated, fields = [], [], {"completeness", "missing_fields", "file_due_at"}
        pending: dict[int, list[tuple[Any, Any]]] = {}
        for person in plan.people:
            if person.alias is not None:
                continue
            if person.existing is None:
                person.obj = self.new_customer(person)
                pending[id(person.obj)] = spans.get(id(person), [])
                created.append(person.obj)
                continue
            customer = person.obj = person.existing
            if not person.changes and id(person) not in touched:
                continue
            before = (customer.completeness, customer.missing_fields, customer.file_due_at)
            if person.changes:
                for name, (_old, new) in person.changes.items():
                    setattr(customer, name, new)
                    fields.add(name)
                _derive(customer)
                customer.version += 1
                customer.updated_at = self.now
                fields |= {*_derived_fields(), "version"}
                fields.add("updated_at")
            self.file_state(customer, spans.get(customer.pk, []))
            after = (customer.completeness, customer.missing_fields, customer.file_due_at)
            if person.changes or before != after:
                updated.append(customer)

        def finish(customer: Any) -> None:  # pinyin, completeness: while the rows stream
            _derive(customer)
            self.file_state(customer, pending[id(customer)])

        insert(Customer, created, now=self.now, prepare=finish)
        update(Customer, updated, fields)
        for customer in created:
            self.log(
                "customer",
                customer.id,
                ChangeRecord.Action.CREATED,
                customer_id=customer.id,
                new=customer.name,
            )
        for person in plan.people:
            if person.alias is None and person.existing is not None and person.changes:
                pk = person.existing.pk
                self.log_changes("customer", pk, person.changes, customer_id=pk)

    def occupancies(self) -> None:
        plan, created, updated = self.plan, [], []
        for step in plan.steps:
            record, customer = step.record, step.person.obj
            if step.existing is None:
                occupancy = row_of(
                    Occupancy,
                    self.blank[Occupancy],
                    community_id=plan.community.pk,
                    room_id=plan.rooms[step.room_code].pk,
                    customer_id=customer.pk if isinstance(customer, Customer) else customer.id,
                    role=record.role,
                    move_in=record.move_in,
                    move_out=record.move_out,
                    is_primary=step.is_primary,
                )
                created.append((step, occupancy))
            elif step.changes:
                existing = step.existing
                if "move_out" in step.changes and existing.move_out is None:
                    existing.is_primary = False
                for name, (_old, new) in step.changes.items():
                    setattr(existing, name, new)
                existing.version += 1
                existing.updated_at = self.now
                updated.append(existing)
        insert(Occupancy, [row for _step, row in created], now=self.now)
        update(Occupancy, updated, ["move_in", "move_out", "is_primary", "version", "updated_at"])
        for step, row in created:
            self.log_occupancy_created(step, row)
        for step in plan.steps:
            if step.existing is not None and step.changes:
                self.log_occupancy_changed(step)

    def log_occupancy_created(self, step: Step, row: SimpleNamespace) -> None:
        to = {"customer_id": row.customer_id, "room_id": row.room_id}
        label = f"{step.room_code} {self.roles[row.role]} {row.move_in or ''}".strip()
        self.log("occupancy", row.id, ChangeRecord.Action.CREATED, new=label, **to)
        if row.move_out:
            self.log(
                "occupancy", row.id, ChangeRecord.Action.MOVED_OUT, new=str(row.move_out), **to
            )

    def log_occupancy_changed(self, step: Step) -> None:
        occupancy, changes = step.existing, dict(step.changes)
        assert occupancy is not None
        to = {"customer_id": occupancy.customer_id, "room_id": occupancy.room_id}
        old_out, new_out = changes.get("move_out", (None, None))
        if "move_out" in changes and old_out is None:
            del changes["move_out"]
            self.log(
                "occupancy", occupancy.pk, ChangeRecord.Action.MOVED_OUT, new=str(new_out), **to
            )
        self.log_changes("occupancy", occupancy.pk, changes, **to)


def apply_plan(plan: Plan, *, job: ImportJob | None = None, name: str = "") -> None:
    """Write a plan without errors: bulk creates and updates, their history rows, one audit
    event. The caller holds the transaction."""
    writer = _Writer(plan)
    writer.rooms()
    writer.customers()
    writer.occupancies()
    insert(ChangeRecord, writer.history, now=writer.now)
    target = job if job is not None else plan.community
    data = {**plan.counts(), "file": name or (job.original_name if job else "")}
    audit.record(
        plan.actor, "customers.import.committed", target, data, community_id=plan.community.pk
    )


# --- one run: dry run or commit ---------------------------------------------------------------
@dataclass
class Outcome:
    counts: dict[str, int]
    errors: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    layout: Layout | None = None
    committed: bool = False

    @classmethod
    def failed(cls, error: ImportFileError, layout: Layout | None = None) -> Outcome:
        return cls(dict.fromkeys(COUNT_KEYS, 0), [error.as_issue()], [], layout)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_json(self) -> dict[str, Any]:
        return {
            **{key: self.counts.get(key, 0) for key in COUNT_KEYS},
            "errors": self.errors,
            "warnings": self.warnings,
            "committed": self.committed,
        }


def _outcome(plan: Plan, layout: Layout, *, committed: bool = False) -> Outcome:
    return Outcome(plan.counts(), plan.errors, plan.warnings, layout, committed)


def run_import(community: Any, stream: IO[bytes], **options: Any) -> Outcome:
    """Read, validate and match a workbook; with `dry_run=False` also write it, all or nothing.
    The policy (completeness rules, deadlines, default secrecy) is read once for the run."""
    with policy_snapshot():
        return _run_import(community, stream, **options)


def _run_import(
    community: Any,
    stream: IO[bytes],
    *,
    actor: Any,
    create_rooms: bool = False,
    dry_run: bool = True,
    sheet: str = "",
    header_row: int | None = None,
    mapping: dict[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
    job: ImportJob | None = None,
    name: str = "",
    keep_rows: dict[str, list[list[Any]]] | None = None,
) -> Outcome:
    from linli.org.models import Community

    def report(fraction: float) -> None:
        if progress:
            progress(5 + int(55 * fraction))

    layout = None
    try:
        wb = open_workbook(stream)
        try:
            layout = detect_layout(
                wb,
                remembered_mapping(community),
                sheet=sheet,
                header_row=header_row,
                mapping=mapping,
            )
            problems = mapping_problems(layout.mapping)
            if problems:
                raise ImportFileError(" ".join(problems))
            records, duplicates = read_records(wb, layout, progress=report, keep_rows=keep_rows)
        finally:
            wb.close()
    except ImportFileError as error:
        return Outcome.failed(error, layout)
    if progress:
        progress(65)
    options = {"actor": actor, "create_rooms": create_rooms, "duplicates": duplicates}
    if dry_run:
        return _outcome(build_plan(community, records, **options), layout)
    with transaction.atomic():
        # One import per community at a time: this no-op UPDATE takes the community's row lock
        # (PostgreSQL) or the database's write lock (SQLite) until the commit.
        Community.objects.filter(pk=community.pk).update(updated_at=F("updated_at"))
        plan = build_plan(community, records, **options)
        if plan.errors:
            return _outcome(plan, layout)
        apply_plan(plan, job=job, name=name)
    return _outcome(plan, layout, committed=True)


# --- import jobs (the web flow) -------------------------------------------------------------
def access_import_job(user: Any, pk: int) -> ImportJob:
    """404 for a missing job and for another community's alike."""
    return get_object_or_404(
        ImportJob.objects.visible_to(user).select_related("community", "uploaded_by"), pk=pk
    )


def recent_jobs(user: Any, community_id: int | None = None) -> QuerySet[ImportJob]:
    return (
        ImportJob.objects.visible_to(user)
        .in_community(community_id)
        .select_related("community", "uploaded_by")
    )


def store_outcome(job: ImportJob, outcome: Outcome) -> None:
    """Counts, the first problems and the layout of a run, on its job (not saved here)."""
    sheets = [title for title, _row in outcome.layout.sheets] if outcome.layout else []
    job.counts = {
        **outcome.counts,
        "error_count": len(outcome.errors),
        "warning_count": len(outcome.warnings),
        "sheets": sheets,
    }
    job.errors = outcome.errors[:STORED_ISSUES]
    job.warnings = outcome.warnings[:STORED_ISSUES]
    if outcome.layout is not None:
        job.sheet, job.header_row = outcome.layout.sheet, outcome.layout.header_row
        job.mapping = outcome.layout.mapping


def start_import(
    community: Any, upload: Any, *, actor: Any, create_rooms: bool = False
) -> ImportJob:
    """Check the uploaded file, keep it, propose the mapping and run the first dry run.
    A file that cannot be read raises ImportFileError and nothing is kept."""
    check_size(upload.size or 0)
    wb = open_workbook(upload)
    try:
        layout = detect_layout(wb, remembered_mapping(community))
    finally:
        wb.close()
    job = ImportJob(
        community=community,
        uploaded_by=actor,
        original_name=(upload.name or "")[:200],
        sheet=layout.sheet,
        header_row=layout.header_row,
        mapping=layout.mapping,
        create_rooms=create_rooms,
    )
    upload.seek(0)
    job.file.save(f"{uuid.uuid4().hex}.xlsx", upload, save=False)
    job.save()
    audit.record(actor, "customers.import.uploaded", job, {"file": job.original_name})
    return preview_import(job, actor=actor)


def preview_import(
    job: ImportJob,
    *,
    actor: Any,
    sheet: str | None = None,
    header_row: int | None = None,
    mapping: dict[str, str] | None = None,
    create_rooms: bool | None = None,
) -> ImportJob:
    """The dry run of a job with its (changed) sheet, header row, mapping and options."""
    if job.status not in (ImportJob.Status.UPLOADED, ImportJob.Status.PREVIEWED):
        raise DomainError(_("该导入已提交，不能再修改。"))
    if sheet is not None and sheet != job.sheet:  # another sheet: find its header afresh
        job.sheet, job.header_row, job.mapping = sheet, None, {}
    elif header_row is not None and header_row != job.header_row:
        job.header_row, job.mapping = header_row, {}
    elif mapping is not None:
        job.mapping = {column: target for column, target in mapping.items() if target}
    if create_rooms is not None:
        job.create_rooms = create_rooms
    with job.file.open("rb") as stream:
        outcome = run_import(
            job.community,
            stream,
            actor=actor,
            create_rooms=job.create_rooms,
            sheet=job.sheet,
            header_row=job.header_row,
            mapping=job.mapping or None,
        )
    store_outcome(job, outcome)
    job.status = ImportJob.Status.PREVIEWED
    job.save()
    if mapping is not None and outcome.layout is not None:
        remember_mapping(job.community, outcome.layout.header, job.mapping)
    return job


def queue_import(job: ImportJob, *, actor: Any) -> ImportJob:
    """Hand a clean dry run to the background worker (django-tasks)."""
    from linli.customers.tasks import run_import as task

    if job.status != ImportJob.Status.PREVIEWED:
        raise DomainError(_("该导入已提交，不能重复提交。"))
    if job.errors:
        raise DomainError(_("预检还有错误，请修正工作簿后重新上传。"))
    queued = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEWED).update(
        status=ImportJob.Status.QUEUED, progress=0, updated_at=timezone.now()
    )
    if queued == 1:
        audit.record(actor, "customers.import.queued", job, {"file": job.original_name})
        task.enqueue(job.pk)
    job.refresh_from_db()
    return job


# --- what the preview page shows --------------------------------------------------------------
@dataclass
class ColumnInfo:
    letter: str
    header: str
    target: str
    samples: list[str]

    @property
    def label(self) -> Any:
        return TARGET_LABELS.get(self.target, "")


@dataclass
class Sample:
    sheet_names: list[str]
    columns: list[ColumnInfo]
    rows: list[tuple[int, list[str]]]


def preview_sample(job: ImportJob, *, limit: int = 8) -> Sample:
    """The chosen sheet's columns (header, mapping, first values) and its first data rows."""
    with job.file.open("rb") as stream:
        wb = open_workbook(stream)
        try:
            sheet = job.sheet if job.sheet in wb.sheet_names else wb.sheet_names[0]
            header_row = job.header_row or 1
            rows = read_sheet(wb, sheet, max_row=header_row + 5 * limit)
        finally:
            wb.close()
    header = rows[header_row - 1] if header_row <= len(rows) else []
    data = [
        (number, [cell_text(v) for v in values])
        for number, values in enumerate(rows[header_row:], start=header_row + 1)
        if any(cell_text(v) for v in values)
    ][:limit]
    width = max([len(header)] + [len(values) for _n, values in data])
    while (
        width
        and not cell_text(header[width - 1] if width <= len(header) else None)
        and not any(width <= len(values) and values[width - 1] for _n, values in data)
    ):
        width -= 1
    columns = []
    for index in range(width):
        letter = get_column_letter(index + 1)
        samples = [values[index] for _n, values in data if index < len(values) and values[index]]
        columns.append(
            ColumnInfo(
                letter,
                cell_text(header[index]) if index < len(header) else "",
                job.mapping.get(letter, ""),
                samples[:3],
            )
        )
    rows_out = [(number, (values + [""] * width)[:width]) for number, values in data]
    return Sample(list(wb.sheet_names), columns, rows_out)


# --- the error report workbook ----------------------------------------------------------------
_BAD = PatternFill("solid", fgColor="F8D7DA")
_WARN = PatternFill("solid", fgColor="FFF3CD")
_BOLD = Font(bold=True)
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _cell(ws: Any, value: Any, *, fill: PatternFill | None = None, bold: bool = False) -> Any:
    if isinstance(value, str):
        value = _ILLEGAL.sub("", value)
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
        cell.data_type = "s"  # text, never a formula
    if fill is not None:
        cell.fill = fill
    if bold:
        cell.font = _BOLD
    return cell


def error_report(job: ImportJob, *, actor: Any) -> bytes:
    """An .xlsx: a list of every problem, then the imported sheets' rows with an error and a
    warning column and the offending cells highlighted. Generated on request."""
    rows: dict[str, list[list[Any]]] = {}
    with job.file.open("rb") as stream:
        outcome = run_import(
            job.community,
            stream,
            actor=actor,
            create_rooms=job.create_rooms,
            sheet=job.sheet,
            header_row=job.header_row,
            mapping=job.mapping or None,
            keep_rows=rows,
        )
    audit.record(
        actor,
        "customers.import.error_report",
        job,
        {"errors": len(outcome.errors), "warnings": len(outcome.warnings)},
    )
    return report_workbook(outcome, rows)


def report_workbook(outcome: Outcome, rows: dict[str, list[list[Any]]]) -> bytes:
    book = Workbook(write_only=True)
    summary = book.create_sheet(_("问题汇总"))
    titles = [_("工作表"), _("行"), _("列"), _("类型"), _("说明")]
    summary.append([_cell(summary, t, bold=True) for t in titles])
    for kind, items in ((_("错误"), outcome.errors), (_("提示"), outcome.warnings)):
        for item in items:
            values = [item["sheet"], item["row"], item["column"], kind, item["message"]]
            summary.append([_cell(summary, v) for v in values])
    if outcome.layout is not None:
        for title, header_row in outcome.layout.sheets:
            _report_sheet(book, title, header_row, rows.get(title, []), outcome)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _report_sheet(
    book: Any, title: str, header_row: int, rows: list[list[Any]], outcome: Outcome
) -> None:
    errors: dict[int, list[dict[str, Any]]] = {}
    warnings: dict[int, list[dict[str, Any]]] = {}
    for target, items in ((errors, outcome.errors), (warnings, outcome.warnings)):
        for item in items:
            if item["sheet"] == title and item["row"]:
                target.setdefault(item["row"], []).append(item)
    ws = book.create_sheet(f"{title[:28]}·{_('核对')}"[:31])
    header = rows[header_row - 1] if header_row <= len(rows) else []
    head = [_("原行号"), *[cell_text(v) for v in header], _("错误"), _("提示")]
    ws.append([_cell(ws, v, bold=True) for v in head])
    for number, values in enumerate(rows[header_row:], start=header_row + 1):
        if not any(cell_text(v) for v in values):
            continue
        bad = {item["column"] for item in errors.get(number, [])}
        cells = [_cell(ws, number)]
        for index, value in enumerate(values):
            letter = get_column_letter(index + 1)
            cells.append(_cell(ws, value, fill=_BAD if letter in bad else None))
        messages = [
            "；".join(
                (f"{i['column']}：" if i["column"] else "") + i["message"]
                for i in group.get(number, [])
            )
            for group in (errors, warnings)
        ]
        cells.append(_cell(ws, messages[0], fill=_BAD if messages[0] else None))
        cells.append(_cell(ws, messages[1], fill=_WARN if messages[1] else None))
        ws.append(cells)


# --- the blank workbook offered for download ------------------------------------------------
TEMPLATE_COLUMNS = [
    ("楼栋", "3"),
    ("单元", "2"),
    ("房号", "501"),
    ("姓名", "张三"),
    ("身份", "业主"),
    ("性别", "男"),
    ("证件类型", "居民身份证"),
    ("证件号码", "110101199003074515"),
    ("手机", "13812345678"),
    ("其他电话", ""),
    ("出生日期", "1990-03-07"),
    ("入住日期", "2019-05-01"),
    ("迁出日期", ""),
    ("紧急联系人", "李四"),
    ("紧急联系电话", "13912345678"),
    ("建筑面积", "89.50"),
    ("用途", "住宅"),
    ("车牌", "粤B12345"),
    ("电子邮箱", ""),
    ("备注", ""),
]


def template_workbook() -> bytes:
    """A 业主信息登记表 with the recognised headers, one example row, text-formatted columns."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = _("业主信息")
    ws.append([header for header, _example in TEMPLATE_COLUMNS])  # recognised as they are
    ws.append([example for _header, example in TEMPLATE_COLUMNS])
    for index, (header, _example) in enumerate(TEMPLATE_COLUMNS, start=1):
        letter = get_column_letter(index)
        ws[f"{letter}1"].font = _BOLD
        ws.column_dimensions[letter].width = max(10, len(header) * 2 + 4)
        ws.column_dimensions[letter].number_format = "@"  # text: IDs and phones keep every digit
        ws[f"{letter}2"].number_format = "@"
    ws.column_dimensions["H"].width = 22
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
