"""How a customer's fields are shown: masked by default in every output (DESIGN §4).

Lists, pages, exports and the API all read sensitive values through `shown()`; the clear
value leaves the server only through `privacy.services.unmask_field`, which logs it.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape as _html_escape
from typing import Any

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
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
    return is_masked(field, customer.community_id, user)


def is_masked(field: str, community_id: int | None, user: Any) -> bool:
    """The rule of `is_masked_for` for a customer of `community_id` (rows read as values)."""
    if field not in SENSITIVE_FIELDS:
        return False
    if field == "address":
        # The exact address is masked for users outside the customer's office only.
        return getattr(user, "community_id", None) != community_id
    return True


def clear_text(customer: Customer, field: str) -> str:
    value = getattr(customer, field)
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def shown(customer: Customer, field: str, user: Any) -> str:
    """The text of a field as this user may see it by default."""
    return shown_value(field, getattr(customer, field), customer.community_id, user)


def shown_value(field: str, value: Any, community_id: int | None, user: Any) -> str:
    """`shown` for a value read without its model instance (list pages read `.values()`)."""
    if is_masked(field, community_id, user):
        return SENSITIVE_FIELDS[field][1](value)
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def masked_dict(customer: Customer, user: Any, fields: list[str]) -> dict[str, str]:
    return {field: shown(customer, field, user) for field in fields}


# --- the customer list page (DESIGN §8: a 50-row page with its count ≤ 15 ms) ---------------------
LIST_ROW_FIELDS = ("pk", "community_id", "name", "kind", "mobile", "id_number", "completeness",
                   "secrecy", "is_important", "care_flags")  # fmt: skip
_SECRECY_BADGE = {2: "text-bg-warning", 3: "text-bg-danger"}


def escape(value: Any) -> str:
    """`django.utils.html.escape` without its lazy-string wrapper (same output; a list row
    escapes ten values)."""
    return _html_escape(str(value))


def list_rows(rows: Any, user: Any, *, company_wide: bool = False) -> list[SafeString]:
    """The list page's rows from `.values(*LIST_ROW_FIELDS)` (plus `community__name`
    company-wide) as `<tr>` HTML, masked, labelled and escaped here once per row: fifty rows of
    ten template substitutions cost more than the page's SQL (DESIGN §8)."""
    from linli.customers.models import Secrecy

    care = dict(Customer.CareFlag.choices)
    url = reverse("customers:customer_detail", args=[123456789]).replace("123456789", "{}")
    organisation = escape(_("单位"))
    important = escape(_("重要"))
    secrecy_title = escape(_("密级"))
    result = []
    for row in rows:
        community_id = row["community_id"]
        completeness = int(row["completeness"])
        bar = (
            "bg-danger"
            if completeness < 60
            else "bg-warning"
            if completeness < 100
            else "bg-success"
        )
        name = f'<a href="{url.format(int(row["pk"]))}">{escape(row["name"])}</a>'
        if row["kind"] == Customer.Kind.ORGANISATION:
            name += f' <span class="badge text-bg-light border">{organisation}</span>'
        badges = []
        secrecy = row["secrecy"]
        if secrecy > 1:
            badges.append(
                f'<span class="badge {_SECRECY_BADGE.get(secrecy, "")}" title="{secrecy_title}">'
                f'<i class="bi bi-shield-lock"></i> {escape(Secrecy(secrecy).label)}</span>'
            )
        if row["is_important"]:
            badges.append(f'<span class="badge text-bg-primary">{important}</span>')
        badges += [
            f'<span class="badge text-bg-info">{escape(care.get(flag, flag))}</span>'
            for flag in row["care_flags"] or []
        ]
        mobile = escape(shown_value("mobile", row["mobile"], community_id, user))
        id_number = escape(shown_value("id_number", row["id_number"], community_id, user))
        community = f"<td>{escape(row['community__name'])}</td>" if company_wide else ""
        result.append(
            mark_safe(  # every value escaped above
                f"<tr><td>{name}</td>{community}"
                f'<td class="font-monospace small">{mobile}</td>'
                f'<td class="font-monospace small">{id_number}</td>'
                f'<td style="min-width:7rem"><div class="progress" role="progressbar" '
                f'aria-valuenow="{completeness}" aria-valuemin="0" aria-valuemax="100" '
                f'style="height:.6rem"><div class="progress-bar {bar}" '
                f'style="width:{completeness}%"></div></div>'
                f'<span class="small text-secondary">{completeness}%</span></td>'
                f"<td>{' '.join(badges)}</td></tr>"
            )
        )
    return result


def filter_controls(form: Any) -> dict[str, Any]:
    """The list's filter form as plain values (text box, selects with their options marked,
    checkboxes) for a template loop: rendering each widget through Django's widget templates
    was a third of the list page's time. The choices are the form's own."""
    from django import forms

    text: dict[str, Any] = {}
    selects: list[dict[str, Any]] = []
    checkboxes: list[dict[str, Any]] = []
    for bound in form:
        field, value = bound.field, bound.value()
        control = {
            "name": bound.html_name,
            "id": bound.auto_id,
            "label": field.label,
            "invalid": bool(bound.errors),
        }
        if isinstance(field.widget, forms.CheckboxInput):
            checkboxes.append({**control, "checked": field.widget.check_test(value)})
        elif isinstance(field, forms.ChoiceField):
            chosen = "" if value is None else str(value)
            choices: Any = field.choices
            if isinstance(field, forms.ModelChoiceField):
                # Django iterates a model choice field's queryset with `.iterator()`, a server-side
                # cursor on PostgreSQL: four round trips for a handful of areas.
                objects = [] if field.queryset is None else list(field.queryset)
                empty = [] if field.empty_label is None else [("", field.empty_label)]
                choices = empty + [(obj.pk, field.label_from_instance(obj)) for obj in objects]
            control["options"] = [
                (str(option), str(label), str(option) == chosen) for option, label in choices
            ]
            selects.append(control)
        else:
            text = {
                **control,
                "value": "" if value is None else value,
                "attrs": field.widget.attrs,
                "maxlength": getattr(field, "max_length", None),
            }
    return {"text": text, "selects": selects, "checkboxes": checkboxes}
