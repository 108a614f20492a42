"""Every write to the customer database: validate, change, history, audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from linli import policy
from linli.audit import services as audit
from linli.core.errors import DomainError
from linli.core.masking import mask_address, mask_date, mask_id_number, mask_phone, mask_text
from linli.customers.derived import completeness_of, pinyin_of, sort_key_of
from linli.customers.models import (
    Building,
    ChangeRecord,
    Customer,
    Occupancy,
    ReviewedRoom,
    ReviewTask,
    Room,
    Secrecy,
    Unit,
)
from linli.customers.parsing import ParseError, RoomCode, parse_mainland_id, parse_phone

CUSTOMER_FIELDS = [
    "kind",
    "name",
    "gender",
    "id_type",
    "id_number",
    "mobile",
    "phone_other",
    "email",
    "address",
    "birthday",
    "birthday_lunar",
    "preferences",
    "tags",
    "care_flags",
    "care_notes",
    "emergency_contact_name",
    "emergency_contact_phone",
    "vehicles",
    "notes",
    "is_important",
    "is_committee_member",
]
ROOM_FIELDS = [
    "floor",
    "floor_area",
    "use",
    "status",
    "area_id",
    "lease_end",
    "renovation_end",
    "notes",
]
OCCUPANCY_FIELDS = ["role", "is_primary", "move_in", "move_out", "notes"]

# History keeps sensitive values masked: the change log must not become a copy of the secrets.
SENSITIVE_IN_HISTORY: dict[str, Callable[[Any], str]] = {
    "id_number": mask_id_number,
    "mobile": mask_phone,
    "phone_other": mask_phone,
    "emergency_contact_phone": mask_phone,
    "birthday": lambda v: mask_date(v),
    "care_notes": mask_text,
    "address": mask_address,
}


def _history_text(field: str, value: Any) -> str:
    if value in (None, "", []):
        return ""
    if field in SENSITIVE_IN_HISTORY:
        return SENSITIVE_IN_HISTORY[field](value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date | Decimal):
        return str(value)
    return str(value)[:500]


def _record_changes(
    *,
    actor: Any,
    obj: Any,
    object_type: str,
    old: dict[str, Any],
    new: dict[str, Any],
    customer: Customer | None = None,
    room: Room | None = None,
) -> dict[str, list[str]]:
    changed = {}
    rows = []
    for field, value in new.items():
        if old.get(field) != value:
            before, after = _history_text(field, old.get(field)), _history_text(field, value)
            changed[field] = [before, after]
            rows.append(
                ChangeRecord(
                    community_id=obj.community_id,
                    actor=actor if getattr(actor, "pk", None) else None,
                    object_type=object_type,
                    object_id=obj.pk,
                    customer=customer,
                    room=room,
                    action=ChangeRecord.Action.CHANGED,
                    field=field,
                    old=before,
                    new=after,
                )
            )
    ChangeRecord.objects.bulk_create(rows)
    return changed


# --- validation -------------------------------------------------------------------------------
def clean_customer_values(values: dict[str, Any]) -> dict[str, Any]:
    """Normalise and check the fields that have rules; raise DomainError naming the field."""
    clean = dict(values)
    for field in ("name", "id_number", "mobile", "phone_other", "emergency_contact_phone"):
        if field in clean and isinstance(clean[field], str):
            clean[field] = clean[field].strip()
    if not clean.get("name"):
        raise DomainError(_("请填写姓名或单位名称。"), field="name")
    if clean.get("id_number"):
        if not clean.get("id_type"):
            clean["id_type"] = Customer.IdType.RESIDENT_ID
        if clean["id_type"] == Customer.IdType.RESIDENT_ID:
            try:
                clean["id_number"] = parse_mainland_id(clean["id_number"])
            except ParseError as error:
                raise DomainError(str(error), field="id_number") from error
    for field, mobile_only in (
        ("mobile", True),
        ("phone_other", False),
        ("emergency_contact_phone", False),
    ):
        if clean.get(field):
            try:
                clean[field] = parse_phone(clean[field], mobile=mobile_only)
            except ParseError as error:
                raise DomainError(str(error), field=field) from error
    if clean.get("birthday") and clean["birthday"] > timezone.localdate():
        raise DomainError(_("出生日期不能晚于今天。"), field="birthday")
    for field in ("tags", "care_flags"):
        if field in clean and clean[field] is None:
            clean[field] = []
    if clean.get("care_flags"):
        unknown = set(clean["care_flags"]) - set(Customer.CareFlag.values)
        if unknown:
            raise DomainError(
                _("未知的特殊关怀类型：%(v)s") % {"v": "、".join(sorted(unknown))},
                field="care_flags",
            )
    return clean


def _derive(customer: Customer) -> None:
    person = customer.kind != Customer.Kind.ORGANISATION
    customer.name_pinyin, customer.name_initials = pinyin_of(customer.name, person=person)
    customer.name_sort = sort_key_of(customer.name, person=person)
    customer.mobile_tail = customer.mobile[-4:] if customer.mobile else ""
    customer.id_tail = customer.id_number[-4:] if customer.id_number else ""


def refresh_completeness(customer: Customer) -> None:
    has_occupancy = customer.occupancies.filter(
        move_out__isnull=True, move_in__isnull=False
    ).exists()
    score, missing = completeness_of(customer, has_occupancy=has_occupancy)
    first_move_in = customer.occupancies.aggregate(first=Min("move_in"))["first"]
    due = None
    if first_move_in:
        hours = int(
            policy.value("customers.file.complete_within_hours", community=customer.community_id)
        )
        start = timezone.make_aware(dt.datetime.combine(first_move_in, dt.time(0, 0)))
        due = start + dt.timedelta(hours=hours)
    Customer.objects.filter(pk=customer.pk).update(
        completeness=score, missing_fields=missing, file_due_at=due
    )
    customer.completeness, customer.missing_fields, customer.file_due_at = score, missing, due


# --- customers --------------------------------------------------------------------------------
@transaction.atomic
def create_customer(community: Any, values: dict[str, Any], *, actor: Any) -> Customer:
    clean = clean_customer_values(values)
    level = Secrecy.from_code(policy.value("privacy.default_level", community=community))
    customer = Customer(
        community=community, created_by=actor if getattr(actor, "pk", None) else None, secrecy=level
    )
    for field in CUSTOMER_FIELDS:
        if field in clean:
            setattr(customer, field, clean[field])
    _derive(customer)
    customer.save()
    ChangeRecord.objects.create(
        community_id=customer.community_id,
        actor=actor if getattr(actor, "pk", None) else None,
        object_type="customer",
        object_id=customer.pk,
        customer=customer,
        action=ChangeRecord.Action.CREATED,
        new=customer.name,
    )
    refresh_completeness(customer)
    audit.record(actor, "customers.customer.created", customer, {"name": customer.name})
    return customer


@transaction.atomic
def create_customer_with_room(
    community: Any,
    values: dict[str, Any],
    *,
    room_code: str,
    role: str,
    move_in: dt.date | None,
    actor: Any,
) -> Customer:
    """A new file from the form: the customer and, when a room is named, their occupancy.

    The room must already be registered (the import's "create missing rooms" is for onboarding)."""
    room = None
    if room_code:
        room = Room.objects.filter(community=community, code=room_code).first()
        if room is None:
            raise DomainError(
                _("房号 %(code)s 不存在，请先在房屋档案中登记。") % {"code": room_code},
                field="room_code",
            )
    customer = create_customer(community, values, actor=actor)
    if room is not None:
        is_primary = not room.occupancies.filter(move_out__isnull=True, is_primary=True).exists()
        add_occupancy(
            room, customer, role=role, move_in=move_in, is_primary=is_primary, actor=actor
        )
    return customer


@transaction.atomic
def update_customer(
    customer: Customer, values: dict[str, Any], *, actor: Any, expected_version: int | None = None
) -> Customer:
    if customer.anonymised_at:
        raise DomainError(_("该客户资料已匿名化，不能再修改。"))
    clean = clean_customer_values({**{f: getattr(customer, f) for f in CUSTOMER_FIELDS}, **values})
    old = {f: getattr(customer, f) for f in CUSTOMER_FIELDS}
    new = {f: clean.get(f, old[f]) for f in CUSTOMER_FIELDS}
    if old == new:
        return customer
    version = customer.version if expected_version is None else expected_version
    updates = dict(new)
    probe = Customer(
        kind=new["kind"], name=new["name"], mobile=new["mobile"], id_number=new["id_number"]
    )
    _derive(probe)
    updates.update(
        name_pinyin=probe.name_pinyin,
        name_initials=probe.name_initials,
        name_sort=probe.name_sort,
        mobile_tail=probe.mobile_tail,
        id_tail=probe.id_tail,
    )
    count = Customer.objects.filter(pk=customer.pk, version=version).update(
        **updates, version=F("version") + 1, updated_at=timezone.now()
    )
    if count != 1:
        raise DomainError(_("该客户资料已被他人修改，请刷新后再改。"))
    customer.refresh_from_db()
    changed = _record_changes(
        actor=actor, obj=customer, object_type="customer", old=old, new=new, customer=customer
    )
    refresh_completeness(customer)
    audit.record(actor, "customers.customer.changed", customer, {"changes": changed})
    return customer


@transaction.atomic
def set_secrecy(
    customer: Customer, level: int, *, actor: Any, reason: str, until: dt.date | None = None
) -> Customer:
    from linli.customers.secrecy import clearance_of

    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写定密理由。"), field="reason")
    if level not in Secrecy.values:
        raise DomainError(_("密级无效。"), field="level")
    if until and until <= timezone.localdate():
        raise DomainError(_("解密日期应晚于今天。"), field="until")
    if level > clearance_of(actor):
        # After a write the object must still be visible to the actor (DESIGN §4).
        raise DomainError(_("不能把档案定为高于本人查阅权限的密级。"), field="level")
    old_level, old_until = customer.secrecy, customer.secrecy_until
    Customer.objects.filter(pk=customer.pk).update(
        secrecy=level, secrecy_reason=reason, secrecy_until=until, updated_at=timezone.now()
    )
    customer.secrecy, customer.secrecy_reason, customer.secrecy_until = level, reason, until
    ChangeRecord.objects.create(
        community_id=customer.community_id,
        actor=actor,
        object_type="customer",
        object_id=customer.pk,
        customer=customer,
        action=ChangeRecord.Action.SECRECY,
        field="secrecy",
        old=str(Secrecy(old_level).label),
        new=str(Secrecy(level).label),
        note=reason[:200],
    )
    audit.record(
        actor,
        "customers.customer.secrecy_set",
        customer,
        {
            "old": old_level,
            "new": level,
            "until": str(until or ""),
            "old_until": str(old_until or ""),
            "reason": reason,
        },
    )
    return customer


def declassify_expired(today: dt.date | None = None) -> int:
    """Files whose secrecy period ended revert to the default level (a sweep; idempotent)."""
    today = today or timezone.localdate()
    count = 0
    for customer in Customer.objects.filter(secrecy__gt=Secrecy.SECRET, secrecy_until__lte=today):
        default = Secrecy.from_code(
            policy.value("privacy.default_level", community=customer.community_id)
        )
        with transaction.atomic():
            updated = Customer.objects.filter(
                pk=customer.pk, secrecy=customer.secrecy, secrecy_until=customer.secrecy_until
            ).update(secrecy=default, secrecy_until=None, secrecy_reason="")
            if updated != 1:
                continue
            ChangeRecord.objects.create(
                community_id=customer.community_id,
                actor=None,
                object_type="customer",
                object_id=customer.pk,
                customer=customer,
                action=ChangeRecord.Action.SECRECY,
                field="secrecy",
                old=str(Secrecy(customer.secrecy).label),
                new=str(Secrecy(default).label),
                note=_("解密期限已到"),
            )
            audit.record(
                None,
                "customers.customer.declassified",
                customer,
                {"old": customer.secrecy, "new": int(default)},
            )
            count += 1
    return count


ANONYMISED_NAME = "已注销客户"


@transaction.atomic
def anonymise_customer(customer: Customer, *, actor: Any, reason: str) -> Customer:
    """PIPL deletion: personal fields are erased; rooms, occupancies (dates, roles), statistics
    and audit rows stay so counts and history remain true."""
    if customer.anonymised_at:
        return customer
    blank: dict[str, Any] = {
        "name": ANONYMISED_NAME,
        "name_pinyin": "",
        "name_initials": "",
        "name_sort": "",
        "gender": "",
        "id_type": "",
        "id_number": "",
        "id_tail": "",
        "mobile": "",
        "mobile_tail": "",
        "phone_other": "",
        "email": "",
        "address": "",
        "birthday": None,
        "birthday_lunar": False,
        "preferences": "",
        "tags": [],
        "care_flags": [],
        "care_notes": "",
        "emergency_contact_name": "",
        "emergency_contact_phone": "",
        "vehicles": "",
        "notes": "",
    }
    Customer.objects.filter(pk=customer.pk).update(
        **blank, anonymised_at=timezone.now(), version=F("version") + 1
    )
    ChangeRecord.objects.filter(customer=customer).update(old="", new="")
    ChangeRecord.objects.create(
        community_id=customer.community_id,
        actor=actor,
        object_type="customer",
        object_id=customer.pk,
        customer=customer,
        action=ChangeRecord.Action.ANONYMISED,
        note=reason[:200],
    )
    audit.record(actor, "customers.customer.anonymised", customer, {"reason": reason})
    customer.refresh_from_db()
    return customer


# --- property register ------------------------------------------------------------------------
def ensure_room(community: Any, code: RoomCode, *, actor: Any) -> tuple[Room, bool]:
    """The room of a parsed code, creating its building, unit and room when missing."""
    building, _created = Building.objects.get_or_create(community=community, code=code.building)
    unit = None
    if code.unit:
        unit, _created = Unit.objects.get_or_create(
            community=community, building=building, code=code.unit
        )
    room = Room.objects.filter(community=community, code=code.code).first()
    if room is not None:
        return room, False
    floor = None
    digits = "".join(ch for ch in code.number if ch.isdigit())
    if len(digits) >= 3:
        floor = int(digits[:-2])
    room = Room.objects.create(
        community=community,
        building=building,
        unit=unit,
        number=code.number,
        code=code.code,
        floor=floor,
        area=building.area,
    )
    ChangeRecord.objects.create(
        community_id=community.pk if hasattr(community, "pk") else community,
        actor=actor if getattr(actor, "pk", None) else None,
        object_type="room",
        object_id=room.pk,
        room=room,
        action=ChangeRecord.Action.CREATED,
        new=room.code,
    )
    audit.record(actor, "customers.room.created", room, {"code": room.code})
    return room, True


@transaction.atomic
def create_room(community: Any, code: RoomCode, values: dict[str, Any], *, actor: Any) -> Room:
    """A new room by its code (building and unit made when missing); `values` are ROOM_FIELDS."""
    if Room.objects.filter(community=community, code=code.code).exists():
        raise DomainError(_("房号 %(code)s 已存在。") % {"code": code.code}, field="code")
    room, _created = ensure_room(community, code, actor=actor)
    rest = {k: v for k, v in values.items() if k in ROOM_FIELDS}
    return update_room(room, rest, actor=actor) if rest else room


@transaction.atomic
def update_room(
    room: Room, values: dict[str, Any], *, actor: Any, expected_version: int | None = None
) -> Room:
    old = {f: getattr(room, f) for f in ROOM_FIELDS}
    new = {f: values.get(f, old[f]) for f in ROOM_FIELDS}
    if new["area_id"] is not None:
        from linli.org.models import Area

        if not Area.objects.filter(pk=new["area_id"], community_id=room.community_id).exists():
            raise DomainError(_("片区不属于该小区。"), field="area")
    if old == new:
        return room
    version = room.version if expected_version is None else expected_version
    if (
        Room.objects.filter(pk=room.pk, version=version).update(
            **new, version=F("version") + 1, updated_at=timezone.now()
        )
        != 1
    ):
        raise DomainError(_("该房间资料已被他人修改，请刷新后再改。"))
    room.refresh_from_db()
    changed = _record_changes(
        actor=actor, obj=room, object_type="room", old=old, new=new, room=room
    )
    audit.record(actor, "customers.room.changed", room, {"changes": changed})
    return room


# --- occupancies ------------------------------------------------------------------------------
def _check_dates(move_in: dt.date | None, move_out: dt.date | None) -> None:
    if move_in and move_out and move_out < move_in:
        raise DomainError(_("迁出日期不能早于入住日期。"), field="move_out")
    if move_in and move_in > timezone.localdate() + dt.timedelta(days=366):
        raise DomainError(_("入住日期不合理。"), field="move_in")


@transaction.atomic
def add_occupancy(
    room: Room,
    customer: Customer,
    *,
    role: str,
    actor: Any,
    move_in: dt.date | None = None,
    is_primary: bool = False,
    notes: str = "",
) -> Occupancy:
    if room.community_id != customer.community_id:
        raise DomainError(_("客户与房间不在同一小区。"), field="room")
    if role not in Occupancy.Role.values:
        raise DomainError(_("身份无效。"), field="role")
    _check_dates(move_in, None)
    if Occupancy.objects.filter(
        room=room, customer=customer, role=role, move_out__isnull=True
    ).exists():
        raise DomainError(
            _("该客户已是此房间的%(role)s。") % {"role": Occupancy.Role(role).label}, field="role"
        )
    if is_primary:
        Occupancy.objects.filter(room=room, move_out__isnull=True, is_primary=True).update(
            is_primary=False
        )
    occupancy = Occupancy.objects.create(
        community_id=room.community_id,
        room=room,
        customer=customer,
        role=role,
        move_in=move_in,
        is_primary=is_primary,
        notes=notes,
    )
    ChangeRecord.objects.create(
        community_id=room.community_id,
        actor=actor if getattr(actor, "pk", None) else None,
        object_type="occupancy",
        object_id=occupancy.pk,
        customer=customer,
        room=room,
        action=ChangeRecord.Action.CREATED,
        new=f"{room.code} {occupancy.get_role_display()} {move_in or ''}".strip(),
    )
    if role == Occupancy.Role.TENANT and room.status == Room.Status.VACANT:
        Room.objects.filter(pk=room.pk).update(status=Room.Status.RENTED)
    elif role == Occupancy.Role.OWNER and room.status == Room.Status.VACANT and move_in:
        Room.objects.filter(pk=room.pk).update(status=Room.Status.OWNER_OCCUPIED)
    refresh_completeness(customer)
    audit.record(actor, "customers.occupancy.created", occupancy, {"room": room.code, "role": role})
    return occupancy


@transaction.atomic
def update_occupancy(occupancy: Occupancy, values: dict[str, Any], *, actor: Any) -> Occupancy:
    old = {f: getattr(occupancy, f) for f in OCCUPANCY_FIELDS}
    new = {f: values.get(f, old[f]) for f in OCCUPANCY_FIELDS}
    _check_dates(new["move_in"], new["move_out"])
    if old == new:
        return occupancy
    if new["is_primary"] and not old["is_primary"]:
        Occupancy.objects.filter(
            room_id=occupancy.room_id, move_out__isnull=True, is_primary=True
        ).update(is_primary=False)
    Occupancy.objects.filter(pk=occupancy.pk).update(
        **new, version=F("version") + 1, updated_at=timezone.now()
    )
    occupancy.refresh_from_db()
    changed = _record_changes(
        actor=actor,
        obj=occupancy,
        object_type="occupancy",
        old=old,
        new=new,
        customer=occupancy.customer,
        room=occupancy.room,
    )
    refresh_completeness(occupancy.customer)
    audit.record(actor, "customers.occupancy.changed", occupancy, {"changes": changed})
    return occupancy


@transaction.atomic
def move_out(occupancy: Occupancy, *, on: dt.date, actor: Any, note: str = "") -> Occupancy:
    """End an occupancy; the customer, the room and all history stay."""
    if occupancy.move_out is not None:
        raise DomainError(_("该入住关系已于 %(d)s 迁出。") % {"d": occupancy.move_out})
    _check_dates(occupancy.move_in, on)
    Occupancy.objects.filter(pk=occupancy.pk, move_out__isnull=True).update(
        move_out=on, is_primary=False, version=F("version") + 1, updated_at=timezone.now()
    )
    occupancy.refresh_from_db()
    ChangeRecord.objects.create(
        community_id=occupancy.community_id,
        actor=actor,
        object_type="occupancy",
        object_id=occupancy.pk,
        customer=occupancy.customer,
        room=occupancy.room,
        action=ChangeRecord.Action.MOVED_OUT,
        new=str(on),
        note=note[:200],
    )
    room = occupancy.room
    if not room.occupancies.filter(move_out__isnull=True).exists():
        Room.objects.filter(pk=room.pk).update(status=Room.Status.VACANT)
    refresh_completeness(occupancy.customer)
    audit.record(actor, "customers.occupancy.moved_out", occupancy, {"on": str(on)})
    return occupancy


# --- periodic review (半年复核) ---------------------------------------------------------------
def review_period_start(today: dt.date, months: int) -> dt.date:
    """The start of the review period containing `today` (periods count from January)."""
    index = (today.month - 1) // months
    return dt.date(today.year, index * months + 1, 1)


def create_due_review_tasks(today: dt.date | None = None) -> int:
    """One review task per area and period for its steward (idempotent)."""
    from linli.org.models import Area

    today = today or timezone.localdate()
    created = 0
    for area in Area.objects.select_related("community").all():
        months = int(policy.value("customers.review.interval_months", community=area.community_id))
        start = review_period_start(today, months)
        end_month = start.month + months
        due = dt.date(
            start.year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1
        ) - dt.timedelta(days=1)
        if ReviewTask.objects.filter(area=area, period_start=start).exists():
            continue
        total = (
            Room.objects.filter(area=area, occupancies__move_out__isnull=True).distinct().count()
        )
        with transaction.atomic():
            _task, made = ReviewTask.objects.get_or_create(
                area=area,
                period_start=start,
                defaults={
                    "community_id": area.community_id,
                    "steward": area.steward,
                    "due_on": due,
                    "total": total,
                },
            )
        created += int(made)
    return created


@transaction.atomic
def mark_room_reviewed(task: ReviewTask, room: Room, *, actor: Any, note: str = "") -> ReviewTask:
    if room.area_id != task.area_id:
        raise DomainError(_("该房间不在此复核任务的片区内。"))
    _row, made = ReviewedRoom.objects.get_or_create(
        task=task,
        room=room,
        defaults={"community_id": task.community_id, "reviewed_by": actor, "note": note},
    )
    if made:
        ReviewTask.objects.filter(pk=task.pk).update(done=F("done") + 1)
        task.refresh_from_db()
        if task.done >= task.total and task.completed_at is None:
            ReviewTask.objects.filter(pk=task.pk).update(completed_at=timezone.now())
            task.refresh_from_db()
        ChangeRecord.objects.create(
            community_id=room.community_id,
            actor=actor,
            object_type="room",
            object_id=room.pk,
            room=room,
            action=ChangeRecord.Action.REVIEWED,
            note=note[:200] or _("资料复核无误"),
        )
    return task
