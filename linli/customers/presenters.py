"""How a customer's fields are shown: masked by default in every output (DESIGN §4).

Lists, pages, exports and the API all read sensitive values through `shown()`; the clear
value leaves the server only through `privacy.services.unmask_field`, which logs it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

from linli.core.masking import mask_address, mask_date, mask_id_number, mask_phone, mask_text
from linli.customers.models import Customer

SENSITIVE_FIELDS: dict[str, tuple[Any, Callable[[Any], str]]] = {
    "id_number": (_("证件号码"), mask_id_number),
    "mobile": (_("手机"), mask_phone),
    "phone_other": (_("其他电话"), mask_phone),
    "emergency_contact_phone": (_("紧急联系电话"), mask_phone),
    "birthday": (_("出生日期"), mask_date),
    "care_notes": (_("关怀说明"), mask_text),
    "address": (_("通讯地址"), mask_address),
}


def is_masked_for(field: str, customer: Customer, user: Any) -> bool:
    if field not in SENSITIVE_FIELDS:
        return False
    if field == "address":
        # The exact address is masked for users outside the customer's office only.
        return getattr(user, "community_id", None) != customer.community_id
    return True


def clear_text(customer: Customer, field: str) -> str:
    value = getattr(customer, field)
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def shown(customer: Customer, field: str, user: Any) -> str:
    """The text of a field as this user may see it by default."""
    value = getattr(customer, field)
    if is_masked_for(field, customer, user):
        return SENSITIVE_FIELDS[field][1](value)
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def masked_dict(customer: Customer, user: Any, fields: list[str]) -> dict[str, str]:
    return {field: shown(customer, field, user) for field in fields}
