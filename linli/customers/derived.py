"""Values derived from a customer's own fields: search columns and completeness."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from pypinyin import lazy_pinyin

from linli import policy

# Surnames whose reading differs from the character's common reading (曾 is zeng as a surname,
# not ceng). Applied to the first character(s) of a person's name only.
SURNAME_READINGS = {
    "万俟": ["mo", "qi"], "尉迟": ["yu", "chi"], "单于": ["chan", "yu"],
    "曾": ["zeng"], "单": ["shan"], "仇": ["qiu"], "解": ["xie"], "区": ["ou"], "查": ["zha"],
    "朴": ["piao"], "翟": ["zhai"], "乐": ["yue"], "盖": ["ge"], "缪": ["miao"], "覃": ["qin"],
    "任": ["ren"], "沈": ["shen"], "石": ["shi"], "种": ["chong"], "秘": ["bi"], "尉": ["wei"],
    "召": ["shao"], "纪": ["ji"], "祭": ["zhai"], "繁": ["po"], "员": ["yun"], "宓": ["fu"],
    "柏": ["bai"], "薄": ["bo"], "卜": ["bu"], "长孙": ["zhang", "sun"], "令狐": ["ling", "hu"],
}  # fmt: skip


def pinyin_syllables(name: str, *, person: bool = True) -> list[str]:
    return list(_syllables(name, person))


@functools.lru_cache(maxsize=65536)
def _syllables(name: str, person: bool) -> tuple[str, ...]:
    """Names repeat (张伟, 王芳 …): an import of 100,000 people converts each distinct name
    once instead of twice per person (pinyin and sort key) — a fifth of the import's time."""
    syllables = None
    rest = name
    if person:
        for surname in sorted(SURNAME_READINGS, key=len, reverse=True):
            if name.startswith(surname):
                syllables = list(SURNAME_READINGS[surname])
                rest = name[len(surname) :]
                break
    tail = [s.lower() for s in lazy_pinyin(rest, errors="default") if s.strip()]
    return (*(syllables or []), *tail)


def pinyin_of(name: str, *, person: bool = True) -> tuple[str, str]:
    """(`zhangsan`, `zs`) for 张三; letters and digits in the name are kept as they are."""
    syllables = pinyin_syllables(name, person=person)
    full = "".join(syllables)
    initials = "".join(s[0] for s in syllables if s[0].isalnum())
    return full[:300], initials[:100]


def sort_key_of(name: str, *, person: bool = True) -> str:
    """`chen fang yun`: syllables apart, so 陈 (chen) sorts before 程 (cheng) whatever follows."""
    return " ".join(pinyin_syllables(name, person=person))[:300]


FIELD_PRESENT = {
    "mobile": lambda c: bool(c.mobile),
    "id_number": lambda c: bool(c.id_number),
    "birthday": lambda c: c.birthday is not None,
    "emergency_contact": lambda c: bool(c.emergency_contact_name and c.emergency_contact_phone),
    "gender": lambda c: bool(c.gender) or c.kind == "organisation",
    "address": lambda c: bool(c.address),
    "email": lambda c: bool(c.email),
    "vehicles": lambda c: bool(c.vehicles),
}


def completeness_of(
    customer: Any, *, has_occupancy: bool, at: dt.datetime | None = None
) -> tuple[int, list[str]]:
    """Percentage of required fields present and the names of those missing.

    Name, room, role and move-in date are always required (an occupancy with a move-in date);
    the policy parameter `customers.file.required_fields` names the rest. Organisations have
    no birthday or ID card: those fields do not count against them.
    """
    required = list(
        policy.value("customers.file.required_fields", at=at, community=customer.community_id)
    )
    if customer.kind == "organisation":
        required = [f for f in required if f not in ("birthday", "gender")]
    missing = [f for f in required if not FIELD_PRESENT[f](customer)]
    if not has_occupancy:
        missing.append("occupancy")
    total = len(required) + 1
    return round(100 * (total - len(missing)) / total), missing
