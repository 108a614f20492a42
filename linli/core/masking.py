"""Masking of sensitive values for every output (GB/T 35273 §7.2 style).

Masking keeps just enough to recognise a value when talking to its owner (the phone's first
three and last four digits, the ID number's region code and last four) and nothing more.
"""

from __future__ import annotations

import datetime as dt

MASK = "*"


def mask_phone(value: str | None) -> str:
    """`13812345678` → `138****5678`; short numbers keep only their last two digits."""
    if not value:
        return ""
    digits = value.strip()
    if len(digits) >= 11:
        return digits[:3] + MASK * 4 + digits[-4:]
    if len(digits) > 4:
        return MASK * (len(digits) - 2) + digits[-2:]
    return MASK * len(digits)


def mask_id_number(value: str | None) -> str:
    """`110101199003074518` → `110101********4518` (region code and last four kept)."""
    if not value:
        return ""
    text = value.strip()
    if len(text) >= 15:
        return text[:6] + MASK * (len(text) - 10) + text[-4:]
    if len(text) > 4:
        return MASK * (len(text) - 4) + text[-4:]
    return MASK * len(text)


def mask_date(value: dt.date | None) -> str:
    return "****-**-**" if value else ""


def mask_text(value: str | None) -> str:
    """Free text that must not show (special-care notes): only that something is there."""
    return "••••••" if value else ""


def mask_address(value: str | None) -> str:
    """Keep the first characters (district, street) and hide the door number."""
    if not value:
        return ""
    keep = max(len(value) // 2, 1)
    return value[:keep] + MASK * 4


def mask_email(value: str | None) -> str:
    if not value or "@" not in value:
        return mask_text(value)
    local, domain = value.split("@", 1)
    return (local[:1] + MASK * 3) + "@" + domain
