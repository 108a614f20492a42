"""Demo households: buildings, rooms and about 300 households per community.

Owners, tenants, family members, a few organisations and shops; some files 机密 and a few
绝密; some incomplete (a few of them overdue). Deterministic for a seed; built through the
same services as hand entry, so the demo data looks exactly like real work.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from linli.core.names import GIVEN_FEMALE, GIVEN_MALE, SURNAMES
from linli.customers import services
from linli.customers.models import Customer, Occupancy, Room, Secrecy
from linli.customers.parsing import RoomCode, id_check_digit
from linli.org.models import Area, Community

COMPANIES = (
    "北京华信科技有限公司",
    "京城餐饮管理有限公司",
    "康达医药连锁有限公司",
    "优选便利店",
    "明德教育培训中心",
)
REGIONS = (
    "110101",
    "110102",
    "110105",
    "110106",
    "110108",
    "130102",
    "370102",
    "410105",
    "510104",
    "320102",
)
PLATES = "京京京京津冀鲁"
PREFERENCES = (
    "喜欢安静，晚上九点后不要打扰",
    "常出差，快递请放物业前台",
    "养了一只金毛犬",
    "关注小区绿化",
    "希望电话联系前先发短信",
    "喜欢参加社区活动",
)
BUILDINGS = {
    "CH": (10, 2, 8),
    "JG": (8, 2, 10),
    "BJ": (9, 2, 9),
}  # buildings, units, floors (2 rooms a floor)


class _Maker:
    def __init__(self, community: Community, rng: random.Random) -> None:
        self.community = community
        self.rng = rng
        self.today = timezone.localdate()
        self.start = community.moved_in_on or dt.date(2018, 1, 1)

    def person(
        self, *, gender: str | None = None, age: tuple[int, int] = (25, 70)
    ) -> dict[str, Any]:
        rng = self.rng
        gender = gender or rng.choice(("male", "female"))
        given = GIVEN_MALE if gender == "male" else GIVEN_FEMALE
        name = rng.choice(SURNAMES) + "".join(
            rng.choice(given) for _ in range(rng.choice((1, 2, 2)))
        )
        birthday = self.today - dt.timedelta(days=rng.randint(age[0] * 365, age[1] * 365))
        seq = rng.randrange(0, 499) * 2 + (1 if gender == "male" else 0)
        first17 = rng.choice(REGIONS) + birthday.strftime("%Y%m%d") + f"{seq:03d}"
        mobile = (
            rng.choice(("138", "139", "135", "136", "186", "188", "158", "159", "177", "150"))
            + f"{rng.randrange(10**8):08d}"
        )
        values: dict[str, Any] = {
            "kind": "person", "name": name, "gender": gender, "id_type": "resident_id",
            "id_number": first17 + id_check_digit(first17), "mobile": mobile, "birthday": birthday,
            "birthday_lunar": birthday.year < 1965 and rng.random() < 0.5,
        }  # fmt: skip
        if rng.random() < 0.97:
            values["emergency_contact_name"] = rng.choice(SURNAMES) + rng.choice(
                GIVEN_MALE + GIVEN_FEMALE
            )
            values["emergency_contact_phone"] = "13" + f"{rng.randrange(10**9):09d}"
        if rng.random() < 0.4:
            values["vehicles"] = (
                f"{rng.choice(PLATES)}{rng.choice('ABCEFGHJKLMNPQ')}{rng.randrange(10000, 99999)}"
            )
        if rng.random() < 0.15:
            values["preferences"] = rng.choice(PREFERENCES)
        return values

    def move_in(self) -> dt.date:
        days = max((self.today - self.start).days, 30)
        return self.start + dt.timedelta(days=self.rng.randint(0, days - 7))


def _rooms(community: Community, areas: list[Area]) -> list[Room]:
    buildings, units, floors = BUILDINGS.get(community.code, (8, 2, 9))
    rooms = []
    for b in range(1, buildings + 1):
        area = areas[(b - 1) % len(areas)]
        for u in range(1, units + 1):
            for f in range(1, floors + 1):
                for r in (1, 2):
                    room, _created = services.ensure_room(
                        community, RoomCode(str(b), str(u), f"{f}{r:02d}"), actor=None
                    )
                    rooms.append(room)
        Room.objects.filter(building__code=str(b), community=community).update(area=area)
        room.building.area = area
        room.building.save(update_fields=["area"])
    shop_area = areas[-1]
    for s in range(1, 7):
        room, _created = services.ensure_room(community, RoomCode("S", "", str(s)), actor=None)
        Room.objects.filter(pk=room.pk).update(
            area=shop_area, use=Room.Use.SHOP, floor_area=60 + 10 * s
        )
        rooms.append(room)
    for room in rooms:
        if room.use == Room.Use.RESIDENTIAL and room.floor_area is None:
            Room.objects.filter(pk=room.pk).update(floor_area=[89, 96, 118, 126, 143][room.pk % 5])
    return list(Room.objects.filter(community=community).order_by("code"))


@transaction.atomic
def load_households(
    community: Community, seed: int = 2026, limit: int | None = None
) -> dict[str, int]:
    """About 300 households in one community (nothing happens when it has customers already)."""
    if Customer.objects.filter(community=community).exists():
        return {"customers": 0}
    rng = random.Random(f"{seed}-{community.code}")
    maker = _Maker(community, rng)
    areas = list(Area.objects.filter(community=community).order_by("code"))
    rooms = _rooms(community, areas)
    if limit is not None:  # a smaller demo (tests): a sample of rooms across all buildings
        step = max(len(rooms) // max(limit, 1), 1)
        rooms = rooms[::step][:limit]
    made = 0
    committee = 0
    for room in rooms:
        if rng.random() < 0.07:
            continue  # vacant
        move_in = maker.move_in()
        if room.use == Room.Use.SHOP:
            org = services.create_customer(
                community,
                {
                    "kind": "organisation",
                    "name": rng.choice(COMPANIES),
                    "mobile": maker.person()["mobile"],
                    "id_type": "business_licence",
                },
                actor=None,
            )
            services.add_occupancy(
                room,
                org,
                role=Occupancy.Role.MERCHANT,
                move_in=move_in,
                is_primary=True,
                actor=None,
            )
            made += 1
            continue
        owner_values = maker.person()
        if rng.random() < 0.05:  # incomplete files: a missing ID or phone
            owner_values.pop(rng.choice(("id_number", "mobile", "emergency_contact_phone")), None)
        owner = services.create_customer(community, owner_values, actor=None)
        made += 1
        rented = rng.random() < 0.18
        services.add_occupancy(
            room,
            owner,
            role=Occupancy.Role.OWNER,
            move_in=move_in,
            is_primary=not rented,
            actor=None,
        )
        if rented:
            tenant = services.create_customer(community, maker.person(age=(22, 45)), actor=None)
            services.add_occupancy(
                room,
                tenant,
                role=Occupancy.Role.TENANT,
                move_in=move_in + dt.timedelta(days=rng.randint(30, 400)),
                is_primary=True,
                actor=None,
            )
            Room.objects.filter(pk=room.pk).update(
                status=Room.Status.RENTED,
                lease_end=maker.today + dt.timedelta(days=rng.randint(-20, 400)),
            )
            made += 1
        else:
            for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
                member = maker.person(age=(18, 80))
                if rng.random() < 0.04:
                    member.pop("id_number")
                family = services.create_customer(community, member, actor=None)
                services.add_occupancy(
                    room, family, role=Occupancy.Role.FAMILY, move_in=move_in, actor=None
                )
                made += 1
        flags = []
        if owner.birthday and owner.birthday.year < 1956 and rng.random() < 0.25:
            flags.append(Customer.CareFlag.ELDERLY_ALONE)
        if rng.random() < 0.02:
            flags.append(
                rng.choice((Customer.CareFlag.DISABLED, Customer.CareFlag.LIMITED_MOBILITY))
            )
        extra: dict[str, Any] = {}
        if flags:
            extra.update(
                care_flags=flags,
                care_notes="独居，子女在外地，每周电话问候"
                if Customer.CareFlag.ELDERLY_ALONE in flags
                else "出行需要协助",
            )
        if rng.random() < 0.05:
            extra["is_important"] = True
        if committee < 5 and rng.random() < 0.05:
            extra["is_committee_member"] = True
            committee += 1
        if extra:
            services.update_customer(owner, extra, actor=None)
        roll = rng.random()
        if roll < 0.01:
            Customer.objects.filter(pk=owner.pk).update(
                secrecy=Secrecy.TOP_SECRET, secrecy_reason="对公司利益有直接影响的客户"
            )
        elif roll < 0.05:
            Customer.objects.filter(pk=owner.pk).update(
                secrecy=Secrecy.CONFIDENTIAL, secrecy_reason="重要客户"
            )
    # A few households that moved in during the last days, their files not yet complete.
    for room in [r for r in rooms if not r.occupancies.exists()][:3]:
        values = maker.person()
        values.pop("id_number")
        values.pop("emergency_contact_phone", None)
        newcomer = services.create_customer(community, values, actor=None)
        services.add_occupancy(
            room,
            newcomer,
            role=Occupancy.Role.OWNER,
            move_in=maker.today - dt.timedelta(days=rng.randint(2, 5)),
            is_primary=True,
            actor=None,
        )
        made += 1
    households = (
        Room.objects.filter(community=community, occupancies__move_out__isnull=True)
        .distinct()
        .count()
    )
    Community.objects.filter(pk=community.pk).update(households=households)
    return {"customers": made, "households": households}
