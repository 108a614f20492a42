"""Parsers for what people type and what real workbooks hold.

Each parser takes messy input (full-width digits, stray spaces, Chinese separators, dates as
numbers or text) and returns a clean value or raises `ParseError` with a message that can be
shown next to a field or a workbook cell.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from django.utils.translation import gettext as _


class ParseError(ValueError):
    pass


def normalise(text: object) -> str:
    """NFKC (full-width → half-width), no zero-width characters, single spaces, trimmed."""
    if text is None:
        return ""
    value = unicodedata.normalize("NFKC", str(text))
    value = re.sub(r"[\u200b-\u200f\ufeff]", "", value)
    return re.sub(r"\s+", " ", value).strip()


# --- ID numbers (GB 11643-1999) -------------------------------------------------------------
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def parse_mainland_id(raw: object) -> str:
    """An 18-digit resident ID with a valid check digit and birth date; `x` becomes `X`."""
    value = normalise(raw).replace(" ", "").replace("-", "").upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise ParseError(_("身份证号应为 18 位（最后一位可为 X）。"))
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ParseError(_("身份证号中的出生日期无效。")) from None
    if born.year < 1900 or born > dt.date.today():
        raise ParseError(_("身份证号中的出生日期无效。"))
    if id_check_digit(value[:17]) != value[17]:
        raise ParseError(_("身份证号校验位不正确。"))
    return value


def birthday_from_id(value: str) -> dt.date:
    return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def gender_from_id(value: str) -> str:
    return "male" if int(value[16]) % 2 else "female"


# --- phones ---------------------------------------------------------------------------------
def parse_phone(raw: object, *, mobile: bool = False) -> str:
    """A Chinese phone number in a canonical form: `13812345678` or `010-62881234`.

    Accepts spaces, dashes, brackets, full-width digits and a +86/0086 prefix. Letters are an
    error (people do type `138xxxx5678`).
    """
    text = normalise(raw)
    if not text:
        raise ParseError(_("请填写电话号码。"))
    if re.search(r"[A-Za-z]", text):
        raise ParseError(_("电话号码中不能有字母。"))
    if re.search(r"[^\d\s\-+()（）.]", text):
        raise ParseError(_("电话号码含有无效字符。"))
    digits = re.sub(r"\D", "", text)
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    try:
        number = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        raise ParseError(_("电话号码无效。")) from None
    if not phonenumbers.is_valid_number(number):
        raise ParseError(_("电话号码无效。"))
    kind = phonenumbers.number_type(number)
    is_mobile = kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    if mobile and not is_mobile:
        raise ParseError(_("请填写 11 位手机号码。"))
    national = str(number.national_number)
    if is_mobile and len(national) == 11:
        return national
    area = phonenumbers.length_of_geographical_area_code(number)
    if area:
        return f"0{national[:area]}-{national[area:]}"
    return national


# --- dates ----------------------------------------------------------------------------------
EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_TEXT = re.compile(r"^(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(raw: object) -> dt.date:
    """Dates as workbooks hold them: real dates, Excel serial numbers, `2019.5.1`,
    `2019/05/01`, `2019-5-1`, `2019年5月1日`, `20190501`."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if not 1 <= raw < 2958466:
            raise ParseError(_("日期无效。"))
        return EXCEL_EPOCH + dt.timedelta(days=int(raw))
    text = normalise(raw)
    if not text:
        raise ParseError(_("请填写日期。"))
    match = _DATE_TEXT.match(text) or _DATE_COMPACT.match(text)
    if match is None and re.fullmatch(r"\d{5}(\.0+)?", text):
        return parse_date(float(text))
    if match is None:
        # `2019-05-01 00:00:00`, `2019/5/1 0:00` as text from a datetime cell.
        stamp = re.match(r"^(\d{4}[./\-]\d{1,2}[./\-]\d{1,2})[ T]\d{1,2}:\d{2}(:\d{2})?$", text)
        if stamp:
            return parse_date(stamp.group(1))
        raise ParseError(_("无法识别的日期“%(value)s”，请写成 2019-05-01。") % {"value": text})
    year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ParseError(_("日期“%(value)s”不存在。") % {"value": text}) from None


# --- room codes -----------------------------------------------------------------------------
@dataclass(frozen=True)
class RoomCode:
    building: str
    unit: str  # "" when the building has no units (shops, parking)
    number: str

    @property
    def code(self) -> str:
        return "-".join(p for p in (self.building, self.unit, self.number) if p)


_ROOM_CHINESE = re.compile(
    r"^(?P<b>[0-9A-Z]+)\s*(?:号楼|#楼|栋|幢|座|号|#)\s*(?:(?P<u>[0-9A-Z]+)\s*(?:单元|门))?\s*(?P<n>[0-9A-Z]+)\s*(?:室|号)?$"
)
_ROOM_PARTS = re.compile(r"^[0-9A-Z]+(?:-[0-9A-Z]+){1,2}$")


def parse_room_code(raw: object) -> RoomCode:
    """What people type for a room: `3-2-501`, `3栋2单元501室`, `3号楼2单元501`, `S-12`,
    `P-B1-023`; full-width characters and `—`, `－`, `/` as separators."""
    text = normalise(raw).upper()
    text = re.sub(r"\s*[—–\-/_·]\s*", "-", text)
    match = _ROOM_CHINESE.match(text)
    if match:
        return RoomCode(match["b"], match["u"] or "", match["n"])
    if not _ROOM_PARTS.match(text):
        raise ParseError(
            _("房号“%(value)s”无法识别，请写成 楼栋-单元-房号，例如 3-2-501。")
            % {"value": normalise(raw)}
        )
    parts = text.split("-")
    if len(parts) == 3:
        return RoomCode(*parts)
    return RoomCode(parts[0], "", parts[1])


def looks_like_room_code(text: str) -> bool:
    try:
        parse_room_code(text)
    except ParseError:
        return False
    return True
