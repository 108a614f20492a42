"""Property tests of the parsers that read what people type and what workbooks hold."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linli.customers.parsing import (
    EXCEL_EPOCH,
    ParseError,
    RoomCode,
    id_check_digit,
    parse_date,
    parse_mainland_id,
    parse_phone,
    parse_room_code,
)

FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")


def full_width(text: str) -> str:
    return text.translate(FULL_WIDTH)


# --- ID numbers ------------------------------------------------------------------------------
births = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2024, 12, 31))
regions = st.from_regex(r"[1-8][0-9]{5}", fullmatch=True)
sequences = st.from_regex(r"[0-9]{3}", fullmatch=True)


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    first17 = draw(regions) + draw(births).strftime("%Y%m%d") + draw(sequences)
    return first17 + id_check_digit(first17)


@given(resident_ids(), st.sampled_from(["plain", "lower", "spaced", "full-width"]))
def test_valid_ids_round_trip_in_any_spelling(number, spelling):
    written = {
        "plain": number,
        "lower": number.lower(),
        "spaced": f" {number[:6]} {number[6:14]} {number[14:]} ",
        "full-width": full_width(number.lower()),
    }[spelling]
    assert parse_mainland_id(written) == number


@given(resident_ids(), st.integers(min_value=0, max_value=17), st.data())
def test_a_changed_character_fails(number, position, data):
    alphabet = "0123456789X" if position == 17 else "0123456789"
    replacement = data.draw(st.sampled_from([c for c in alphabet if c != number[position]]))
    changed = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(ParseError):
        parse_mainland_id(changed)


def test_an_id_born_in_the_future_is_refused():
    first17 = "110101" + "20991231" + "123"
    with pytest.raises(ParseError, match="出生日期"):
        parse_mainland_id(first17 + id_check_digit(first17))


@pytest.mark.parametrize("raw", ["", "11010119900307451", "1101011990030745XX", "abc"])
def test_malformed_ids_are_refused(raw):
    with pytest.raises(ParseError):
        parse_mainland_id(raw)


# --- phones ----------------------------------------------------------------------------------
MOBILE_PREFIXES = [*range(130, 140), 150, 151, 152, 153, 155, 156, 157, 158, 159]
MOBILE_PREFIXES += [166, 176, 177, 178, *range(180, 190), 198, 199]
mobiles = st.builds(
    lambda prefix, rest: f"{prefix}{rest}",
    st.sampled_from(MOBILE_PREFIXES),
    st.from_regex(r"[0-9]{8}", fullmatch=True),
)


@given(mobiles, st.sampled_from(["plain", "spaced", "dashed", "+86", "0086", "full-width"]))
def test_mobiles_round_trip_in_any_spelling(number, spelling):
    written = {
        "plain": number,
        "spaced": f"{number[:3]} {number[3:7]} {number[7:]}",
        "dashed": f"{number[:3]}-{number[3:7]}-{number[7:]}",
        "+86": f"+86 {number}",
        "0086": f"0086-{number}",
        "full-width": full_width(number),
    }[spelling]
    assert parse_phone(written) == number
    assert parse_phone(written, mobile=True) == number


landlines = st.builds(
    lambda area, first, rest: (area, f"{first}{rest}"),
    st.sampled_from(["10", "20", "21", "22", "23", "24", "25", "27", "28", "29"]),
    st.sampled_from("234567"),  # 8xxxxxxx is not a Beijing or Shanghai fixed line
    st.from_regex(r"[0-9]{7}", fullmatch=True),
)


@given(landlines, st.sampled_from(["dashed", "brackets", "spaced", "plain"]))
def test_landlines_round_trip_and_are_not_mobiles(number, spelling):
    area, subscriber = number
    written = {
        "dashed": f"0{area}-{subscriber}",
        "brackets": f"(0{area}){subscriber}",
        "spaced": f"0{area} {subscriber[:4]} {subscriber[4:]}",
        "plain": f"0{area}{subscriber}",
    }[spelling]
    assert parse_phone(written) == f"0{area}-{subscriber}"
    with pytest.raises(ParseError):
        parse_phone(written, mobile=True)


@given(mobiles, st.integers(min_value=0, max_value=10), st.sampled_from("xXoOlabc"))
def test_a_phone_with_letters_fails(number, position, letter):
    with pytest.raises(ParseError, match="字母"):
        parse_phone(number[:position] + letter + number[position + 1 :])


# --- dates -----------------------------------------------------------------------------------
dates = st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2099, 12, 31))
DATE_SPELLINGS = [
    "date",
    "datetime",
    "serial",
    "serial-float",
    "serial-text",
    "dots",
    "slashes",
    "dashes",
    "chinese",
    "compact",
    "stamp",
    "slash-stamp",
    "full-width",
]


def spell(day: dt.date, spelling: str) -> object:
    serial = (day - EXCEL_EPOCH).days
    return {
        "date": day,
        "datetime": dt.datetime.combine(day, dt.time(0, 0)),
        "serial": serial,
        "serial-float": float(serial) + 0.25,
        "serial-text": str(serial) if serial >= 10000 else serial,  # 4 digits read as a year
        "dots": f"{day.year}.{day.month}.{day.day}",
        "slashes": day.strftime("%Y/%m/%d"),
        "dashes": f"{day.year}-{day.month}-{day.day}",
        "chinese": f"{day.year}年{day.month}月{day.day}日",
        "compact": day.strftime("%Y%m%d"),
        "stamp": day.strftime("%Y-%m-%d 00:00:00"),
        "slash-stamp": f"{day.year}/{day.month}/{day.day} 0:00",
        "full-width": full_width(day.strftime("%Y-%m-%d")),
    }[spelling]


@given(dates, st.sampled_from(DATE_SPELLINGS))
def test_every_date_spelling_round_trips(day, spelling):
    assert parse_date(spell(day, spelling)) == day


@pytest.mark.parametrize("raw", ["2019.13.1", "2019年2月30日", "五月一日", "", "2019-5"])
def test_impossible_or_unreadable_dates_fail(raw):
    with pytest.raises(ParseError):
        parse_date(raw)


# --- room codes ------------------------------------------------------------------------------
parts = st.from_regex(r"[0-9A-Z]{1,4}", fullmatch=True)
room_codes = st.builds(RoomCode, parts, st.one_of(st.just(""), parts), parts)


@given(room_codes)
def test_a_room_code_round_trips(code):
    assert parse_room_code(code.code) == code


@given(room_codes, st.sampled_from(["chinese", "full-width", "slashes", "spaced", "lower"]))
def test_room_codes_are_read_in_any_spelling(code, spelling):
    b, u, n = code.building, code.unit, code.number
    written = {
        "chinese": f"{b}栋{u}单元{n}室" if u else f"{b}栋{n}室",
        "full-width": full_width(code.code),
        "slashes": "/".join(p for p in (b, u, n) if p),
        "spaced": " - ".join(p for p in (b, u, n) if p),
        "lower": code.code.lower(),
    }[spelling]
    assert parse_room_code(written).code == code.code


@pytest.mark.parametrize(
    ("raw", "code"),
    [("3#楼2单元501", "3-2-501"), ("3#2单元501", "3-2-501"), ("A座1201", "A-1201")],
)
def test_hash_marked_buildings_are_understood(raw, code):
    assert parse_room_code(raw).code == code


phone_texts = st.one_of(
    mobiles,
    st.from_regex(r"1[0-9]{10}", fullmatch=True),
    st.from_regex(r"1[0-9]{2}[ -]?[0-9]{4}[ -]?[0-9]{4}", fullmatch=True),
    st.text(alphabet="0123456789 -+()xX", max_size=16),
)


@given(st.lists(phone_texts, min_size=1, max_size=8))
def test_the_importers_memoised_phone_parser_agrees_with_parse_phone(texts):
    from linli.customers.importer import _parse_phone

    for text in texts:
        try:
            expected: object = parse_phone(text)
        except ParseError as error:
            expected = ("error", str(error))
        try:
            actual: object = _parse_phone(text)
        except ParseError as error:
            actual = ("error", str(error))
        assert actual == expected
