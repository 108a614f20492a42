from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from linli.audit import services as audit
from linli.core.errors import DomainError
from linli.org.models import Area, Staff
from linli.org.roles import COMPANY_ROLES, OFFICE_ROLES, Role

STAFF_AUDITED_FIELDS = [
    "username",
    "name",
    "role",
    "community_id",
    "department_id",
    "phone",
    "employee_no",
    "is_active",
]


def _check_actor_may_manage(actor: Any, role: str, community_id: int | None) -> None:
    if actor.is_company_wide:
        return
    if role in COMPANY_ROLES or community_id != actor.community_id:
        raise DomainError(_("管理处只能管理本管理处的岗位。"))


@transaction.atomic
def save_staff(
    staff: Staff, *, actor: Any, password: str = "", old_values: dict[str, Any] | None = None
) -> Staff:
    """Create or update a staff account from a validated form instance."""
    if staff.role in OFFICE_ROLES and staff.community_id is None:
        raise DomainError(_("管理处岗位必须选择所属管理处。"), field="community")
    if staff.role in COMPANY_ROLES and staff.community_id is not None:
        raise DomainError(_("公司岗位不属于任何管理处。"), field="community")
    _check_actor_may_manage(actor, staff.role, staff.community_id)
    if staff.pk == actor.pk and not staff.is_active:
        raise DomainError(_("不能停用自己的账号。"), field="is_active")
    creating = staff.pk is None
    if password:
        staff.set_password(password)
    staff.save()
    new_values = {f: getattr(staff, f) for f in STAFF_AUDITED_FIELDS}
    if creating:
        audit.record(actor, "org.staff.created", staff, {"values": new_values})
    else:
        changes = {
            f: [old, new_values[f]]
            for f, old in (old_values or {}).items()
            if f in new_values and old != new_values[f]
        }
        if password:
            changes["password"] = ["***", "***"]
        if changes:
            audit.record(actor, "org.staff.changed", staff, {"changes": changes})
    return staff


@transaction.atomic
def assign_area_steward(area: Area, steward: Staff | None, *, actor: Any) -> Area:
    if steward is not None and (
        steward.role != Role.STEWARD or steward.community_id != area.community_id
    ):
        raise DomainError(_("只能指派本管理处的物管员负责该片区。"), field="steward")
    old = area.steward_id
    if old == (steward.pk if steward else None):
        return area
    area.steward = steward
    area.save(update_fields=["steward", "updated_at"])
    audit.record(actor, "org.area.steward_changed", area, {"old": old, "new": area.steward_id})
    return area
