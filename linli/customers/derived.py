"""Values derived from a customer's own fields: search columns and completeness."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pypinyin import lazy_pinyin

from linli import policy


def pinyin_of(name: str) -> tuple[str, str]:
    """(`zhangsan`, `zs`) for 张三; letters and digits in the name are kept as they are."""
    syllables = [s.lower() for s in lazy_pinyin(name, errors="default") if s.strip()]
    full = "".join(syllables)
    initials = "".join(s[0] for s in syllables if s[0].isalnum())
    return full[:300], initials[:100]


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
    the policy parameter `customers.file.required_fields` names the rest.
    """
    required = list(
        policy.value("customers.file.required_fields", at=at, community=customer.community_id)
    )
    missing = [f for f in required if not FIELD_PRESENT[f](customer)]
    if not has_occupancy:
        missing.append("occupancy")
    total = len(required) + 1
    return round(100 * (total - len(missing)) / total), missing
