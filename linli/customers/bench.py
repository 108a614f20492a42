"""The data set of `linli bench`: a large company's customer database, built fast.

At scale 1.0: 200 communities (the demo's CH, JG and BJ and 197 more), about 322,000 rooms of
which about 300,000 are lived in, and about 800,000 customers with their occupancies — owners,
family members, tenants, shops, previous owners who moved out; some 机密 and 绝密 files, a few
anonymised ones. Deterministic for a seed.

Rows go straight into the tables (PostgreSQL COPY; `bulk_create` on other databases, for the
tests), not through the services, but with exactly the derived columns the services compute:
pinyin, initials and sort key from `derived.pinyin_of` / `derived.sort_key_of` (cached by name,
since names repeat), phone and ID tails, completeness and the filing deadline.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from types import SimpleNamespace
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from linli import policy
from linli.core.names import GIVEN_FEMALE, GIVEN_MALE
from linli.customers.derived import completeness_of, pinyin_of, sort_key_of
from linli.customers.models import Building, Customer, Occupancy, Room, Secrecy, Unit
from linli.customers.parsing import id_check_digit
from linli.customers.services import ANONYMISED_NAME
from linli.org.models import Area, Community, Company
from linli.policy.selectors import snapshot

GENERATOR_VERSION = 2
FULL_COMMUNITIES = 200
FULL_ROOMS = 322_000  # about 93 % lived in: ~300,000 households, ~800,000 customers

# Surnames with roughly their share of the population (per mille); 王李张 are ~7 % each.
SURNAME_WEIGHTS = (
    ("王", 71), ("李", 70), ("张", 67), ("刘", 54), ("陈", 45), ("杨", 31), ("黄", 20), ("赵", 20),
    ("吴", 18), ("周", 17), ("徐", 13), ("孙", 12), ("马", 11), ("朱", 11), ("胡", 10), ("郭", 10),
    ("何", 9), ("高", 9), ("林", 9), ("罗", 8), ("郑", 8), ("梁", 7), ("谢", 6), ("宋", 5), ("唐", 5),
    ("许", 5), ("韩", 5), ("冯", 5), ("邓", 5), ("曹", 5), ("彭", 4), ("曾", 4), ("肖", 4), ("田", 4),
    ("董", 4), ("袁", 4), ("潘", 4), ("于", 4), ("蒋", 4), ("蔡", 4), ("余", 4), ("杜", 4), ("叶", 4),
    ("程", 3), ("苏", 3), ("魏", 3), ("吕", 3), ("丁", 3), ("任", 3), ("沈", 3), ("姚", 3), ("卢", 3),
    ("姜", 3), ("崔", 3), ("钟", 3), ("谭", 3), ("陆", 3), ("汪", 3), ("范", 3), ("金", 3), ("石", 3),
    ("廖", 3), ("贾", 3), ("夏", 2), ("韦", 2), ("付", 2), ("方", 2), ("白", 2), ("邹", 2), ("孟", 2),
    ("熊", 2), ("秦", 2), ("邱", 2), ("江", 2), ("尹", 2), ("薛", 2), ("闫", 2), ("段", 2), ("雷", 2),
    ("侯", 2), ("龙", 2), ("史", 2), ("陶", 1), ("黎", 1), ("贺", 1), ("顾", 1), ("毛", 1), ("郝", 1),
    ("龚", 1), ("邵", 1), ("万", 1), ("钱", 1), ("严", 1), ("覃", 1), ("武", 1), ("戴", 1), ("莫", 1),
    ("孔", 1), ("向", 1), ("汤", 1), ("单", 1), ("仇", 1), ("解", 1), ("查", 1), ("翟", 1), ("乐", 1),
    ("欧阳", 1), ("司马", 1), ("诸葛", 1), ("上官", 1),
)  # fmt: skip
MOBILE_PREFIXES = ("138", "139", "135", "136", "137", "186", "188", "158", "159", "177", "150", "151", "182", "187", "199")  # fmt: skip
REGIONS = ("110101", "110102", "110105", "110106", "110108", "130102", "370102", "410105", "510104", "320102", "440106", "330106", "420102", "610113")  # fmt: skip
COMMUNITY_WORDS = ("翠湖", "金桂", "滨江", "锦绣", "华府", "阳光", "碧水", "紫荆", "御景", "幸福", "和平", "书香", "海棠", "丽都", "枫林", "望京", "东湖", "西山", "南苑", "北辰")  # fmt: skip
COMMUNITY_KINDS = ("苑", "园", "花园", "家园", "小区", "公寓", "名邸", "雅居", "新城", "华庭")
AREA_NAMES = ("东区", "西区", "南区", "北区")
SHOP_NAMES = ("便利店", "超市", "药房", "餐饮管理有限公司", "教育培训中心", "洗衣店", "美容美发店", "水果店", "房产经纪有限公司", "科技有限公司")  # fmt: skip
PLATES = "京京京京津冀鲁沪粤"
PREFERENCES = (
    "喜欢安静，晚上九点后不要打扰",
    "常出差，快递请放物业前台",
    "养了一只金毛犬",
    "关注小区绿化",
    "希望电话联系前先发短信",
    "喜欢参加社区活动",
)
MARKER_TABLE = "linli_bench_marker"
# The tables the generator fills; their secondary indexes are dropped during the load and
# rebuilt afterwards (PostgreSQL), which is several times faster than maintaining them row by row.
LOADED_MODELS: tuple[type[models.Model], ...] = (Building, Unit, Room, Customer, Occupancy)


@dataclass(frozen=True)
class Plan:
    scale: float
    communities: int
    rooms: int

    @classmethod
    def for_scale(cls, scale: float) -> Plan:
        communities = min(FULL_COMMUNITIES, max(3, round(FULL_COMMUNITIES * scale)))
        rooms = max(communities * 6, round(FULL_ROOMS * scale))
        return cls(scale=scale, communities=communities, rooms=rooms)


@cache
def derived_names(name: str, person: bool) -> tuple[str, str, str]:
    """(pinyin, initials, sort key) exactly as `services._derive` computes them."""
    full, initials = pinyin_of(name, person=person)
    return full, initials, sort_key_of(name, person=person)


# --- writing rows ---------------------------------------------------------------------------
class _Writer:
    """Appends rows (dicts keyed by attname) per model and writes them in bulk."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.rows: dict[type[models.Model], list[dict[str, Any]]] = {m: [] for m in LOADED_MODELS}
        self.written: dict[str, int] = {}
        self.next_ids = {m: _max_id(m) + 1 for m in LOADED_MODELS}
        self.defaults: dict[type[models.Model], dict[str, Any]] = {}
        for model in LOADED_MODELS:
            self.defaults[model] = {
                f.attname: _plain(f.get_default())
                for f in model._meta.concrete_fields
                if not f.primary_key
            }

    def new_id(self, model: type[models.Model]) -> int:
        value = self.next_ids[model]
        self.next_ids[model] = value + 1
        return value

    def add(self, model: type[models.Model], row: dict[str, Any]) -> None:
        self.rows[model].append(row)

    def flush(self) -> None:
        for model in LOADED_MODELS:  # parents first (matters only where FKs are checked)
            rows = self.rows[model]
            if not rows:
                continue
            if self.postgres:
                self._copy(model, rows)
            else:
                defaults = self.defaults[model]
                model._default_manager.bulk_create(
                    [model(**{**defaults, **row}) for row in rows], batch_size=500
                )
            self.written[model._meta.label] = self.written.get(model._meta.label, 0) + len(rows)
            self.rows[model] = []

    def _copy(self, model: type[models.Model], rows: list[dict[str, Any]]) -> None:
        fields = list(model._meta.concrete_fields)
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in fields)
        json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
        attnames = [f.attname for f in fields]
        defaults = self.defaults[model]
        sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                values = []
                for name in attnames:
                    value = row[name] if name in row else defaults[name]
                    if name in json_fields:
                        value = json.dumps(value, ensure_ascii=False)
                    values.append(value)
                copy.write_row(values)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _max_id(model: type[models.Model]) -> int:
    return model._default_manager.aggregate(top=models.Max("pk"))["top"] or 0


# --- people ---------------------------------------------------------------------------------
_SURNAMES = [s for s, _w in SURNAME_WEIGHTS]
_SURNAME_CUM = []
_total = 0
for _s, _w in SURNAME_WEIGHTS:
    _total += _w
    _SURNAME_CUM.append(_total)


def _person_name(rng: random.Random, gender: str) -> str:
    surname = rng.choices(_SURNAMES, cum_weights=_SURNAME_CUM)[0]
    pool = GIVEN_MALE if gender == "male" else GIVEN_FEMALE
    given = rng.choice(pool) if rng.random() < 0.25 else rng.choice(pool) + rng.choice(pool)
    return surname + given


def _mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _id_number(rng: random.Random, birthday: dt.date, gender: str) -> str:
    seq = rng.randrange(0, 499) * 2 + (1 if gender == "male" else 0)
    first17 = rng.choice(REGIONS) + birthday.strftime("%Y%m%d") + f"{seq:03d}"
    return first17 + id_check_digit(first17)


@dataclass
class _Community:
    """What the generator needs of one community while it makes its rows."""

    pk: int
    code: str
    areas: list[int]
    rooms: int
    due_hours: int = 24
    households: int = 0


class _Generator:
    def __init__(self, seed: int, writer: _Writer) -> None:
        self.seed = seed
        self.writer = writer
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.completeness: dict[tuple[Any, ...], tuple[int, list[str]]] = {}

    # one customer ------------------------------------------------------------------------
    def person(
        self, rng: random.Random, c: _Community, *, age: tuple[int, int], adult: bool = True
    ) -> dict[str, Any]:
        gender = rng.choice(("male", "female"))
        name = _person_name(rng, gender)
        birthday = self.today - dt.timedelta(days=rng.randint(age[0] * 365, age[1] * 365))
        row: dict[str, Any] = {"kind": "person", "name": name, "gender": gender}
        row["birthday"] = birthday
        row["birthday_lunar"] = birthday.year < 1965 and rng.random() < 0.5
        if rng.random() < (0.92 if adult else 0.6):
            row["id_type"] = "resident_id"
            row["id_number"] = _id_number(rng, birthday, gender)
        if rng.random() < (0.95 if adult else 0.1):
            row["mobile"] = _mobile(rng)
        if adult and rng.random() < 0.85:
            row["emergency_contact_name"] = _person_name(rng, rng.choice(("male", "female")))
            row["emergency_contact_phone"] = _mobile(rng)
        if adult and rng.random() < 0.35:
            row["vehicles"] = (
                f"{rng.choice(PLATES)}{rng.choice('ABCEFGHJKLMNPQ')}{rng.randrange(10000, 99999)}"
            )
        if adult and rng.random() < 0.1:
            row["email"] = f"user{rng.randrange(10**7)}@example.cn"
        if rng.random() < 0.12:
            row["preferences"] = rng.choice(PREFERENCES)
        return row

    def organisation(self, rng: random.Random, c: _Community) -> dict[str, Any]:
        name = rng.choice(COMMUNITY_WORDS) + rng.choice(SHOP_NAMES)
        return {
            "kind": "organisation",
            "name": name,
            "id_type": "business_licence",
            "mobile": _mobile(rng),
        }

    def customer(
        self,
        c: _Community,
        values: dict[str, Any],
        *,
        first_move_in: dt.date,
        current: bool,
        secrecy: int = Secrecy.SECRET,
        anonymised: bool = False,
    ) -> int:
        """Complete one customer row (derived columns as the services compute them); its id."""
        person = values["kind"] != "organisation"
        pinyin, initials, sort_key = derived_names(values["name"], person)
        if anonymised:  # as services.anonymise_customer leaves a file: no name, no search keys
            values = {"kind": values["kind"], "name": ANONYMISED_NAME}
            pinyin = initials = sort_key = ""
        row = {
            "community_id": c.pk,
            **values,
            "name_pinyin": pinyin,
            "name_initials": initials,
            "name_sort": sort_key,
            "mobile_tail": values.get("mobile", "")[-4:],
            "id_tail": values.get("id_number", "")[-4:],
            "secrecy": int(secrecy),
            "created_at": self.now,
            "updated_at": self.now,
        }
        if secrecy == Secrecy.CONFIDENTIAL:
            row["secrecy_reason"] = "重要客户"
        elif secrecy == Secrecy.TOP_SECRET:
            row["secrecy_reason"] = "对公司利益有直接影响的客户"
        if anonymised:
            row["anonymised_at"] = self.now
        row["completeness"], row["missing_fields"] = self._completeness(c, row, current)
        row["file_due_at"] = timezone.make_aware(
            dt.datetime.combine(first_move_in, dt.time(0, 0))
        ) + dt.timedelta(hours=c.due_hours)
        pk = self.writer.new_id(Customer)
        row["id"] = pk
        self.writer.add(Customer, row)
        return pk

    def _completeness(
        self, c: _Community, row: dict[str, Any], has_occupancy: bool
    ) -> tuple[int, list[str]]:
        probe = SimpleNamespace(
            community_id=c.pk,
            kind=row["kind"],
            mobile=row.get("mobile", ""),
            id_number=row.get("id_number", ""),
            birthday=row.get("birthday"),
            emergency_contact_name=row.get("emergency_contact_name", ""),
            emergency_contact_phone=row.get("emergency_contact_phone", ""),
            gender=row.get("gender", ""),
            address=row.get("address", ""),
            email=row.get("email", ""),
            vehicles=row.get("vehicles", ""),
        )
        key = (
            c.pk,
            probe.kind,
            has_occupancy,
            *(bool(getattr(probe, f)) for f in ("mobile", "id_number", "birthday", "gender")),
            *(bool(getattr(probe, f)) for f in ("address", "email", "vehicles")),
            bool(probe.emergency_contact_name and probe.emergency_contact_phone),
        )
        if key not in self.completeness:
            score, missing = completeness_of(probe, has_occupancy=has_occupancy)
            self.completeness[key] = (score, list(missing))
        score, missing = self.completeness[key]
        return score, list(missing)

    def occupancy(
        self,
        c: _Community,
        room_id: int,
        customer_id: int,
        role: str,
        *,
        move_in: dt.date,
        move_out: dt.date | None = None,
        primary: bool = False,
    ) -> None:
        self.writer.add(
            Occupancy,
            {
                "id": self.writer.new_id(Occupancy),
                "community_id": c.pk,
                "room_id": room_id,
                "customer_id": customer_id,
                "role": role,
                "is_primary": primary,
                "move_in": move_in,
                "move_out": move_out,
                "created_at": self.now,
                "updated_at": self.now,
            },
        )

    # one community -----------------------------------------------------------------------
    def community(self, c: _Community) -> None:
        rng = random.Random(f"{self.seed}-{c.code}")
        shops = max(1, round(c.rooms * 0.02)) if c.rooms >= 20 else 0
        units = rng.choice((1, 2, 2, 3))
        floors = rng.choice((6, 11, 18, 18, 26, 33))
        per_floor = 2 if floors > 11 else rng.choice((2, 3, 4))
        start = dt.date(rng.randint(2000, 2021), rng.randint(1, 12), 1)
        residential = c.rooms - shops
        made = 0
        building_no = 0
        while made < residential:
            building_no += 1
            area = c.areas[(building_no - 1) % len(c.areas)] if c.areas else None
            building_id = self._building(c, str(building_no), area)
            for u in range(1, units + 1):
                if made >= residential:
                    break
                unit_id = self._unit(c, building_id, str(u))
                for floor in range(1, floors + 1):
                    for r in range(1, per_floor + 1):
                        if made >= residential:
                            break
                        number = f"{floor}{r:02d}"
                        code = f"{building_no}-{u}-{number}"
                        self._household(
                            rng, c, start, building_id, unit_id, area, code, number, floor
                        )
                        made += 1
        if shops:
            area = c.areas[-1] if c.areas else None
            building_id = self._building(c, "S", area)
            for s in range(1, shops + 1):
                self._shop(rng, c, start, building_id, area, s)

    def _building(self, c: _Community, code: str, area: int | None) -> int:
        pk = self.writer.new_id(Building)
        self.writer.add(
            Building,
            {
                "id": pk,
                "community_id": c.pk,
                "code": code,
                "name": "",
                "area_id": area,
                "created_at": self.now,
                "updated_at": self.now,
            },
        )
        return pk

    def _unit(self, c: _Community, building_id: int, code: str) -> int:
        pk = self.writer.new_id(Unit)
        self.writer.add(
            Unit,
            {
                "id": pk,
                "community_id": c.pk,
                "building_id": building_id,
                "code": code,
                "created_at": self.now,
                "updated_at": self.now,
            },
        )
        return pk

    def _room(self, c: _Community, **values: Any) -> int:
        pk = self.writer.new_id(Room)
        self.writer.add(
            Room,
            {"id": pk, "community_id": c.pk, "created_at": self.now, "updated_at": self.now}
            | values,
        )
        return pk

    def _move_in(self, rng: random.Random, start: dt.date) -> dt.date:
        days = max((self.today - start).days - 7, 30)
        return start + dt.timedelta(days=rng.randint(0, days))

    def _household(
        self,
        rng: random.Random,
        c: _Community,
        start: dt.date,
        building_id: int,
        unit_id: int,
        area: int | None,
        code: str,
        number: str,
        floor: int,
    ) -> None:
        room: dict[str, Any] = {
            "building_id": building_id,
            "unit_id": unit_id,
            "area_id": area,
            "number": number,
            "code": code,
            "floor": floor,
            "floor_area": Decimal(rng.choice((68, 89, 96, 118, 126, 143, 168))),
            "use": Room.Use.RESIDENTIAL,
        }
        vacant = rng.random() < 0.065
        previous = rng.random() < 0.14
        room["status"] = Room.Status.VACANT if vacant else Room.Status.OWNER_OCCUPIED
        rented = not vacant and rng.random() < 0.18
        if rented:
            room["status"] = Room.Status.RENTED
            room["lease_end"] = self.today + dt.timedelta(days=rng.randint(-20, 400))
        elif not vacant and rng.random() < 0.02:
            room["status"] = Room.Status.RENOVATING
            room["renovation_end"] = self.today + dt.timedelta(days=rng.randint(5, 120))
        room_id = self._room(c, **room)
        move_in = self._move_in(rng, start)
        if previous:  # an earlier owner who sold and moved out: history, not a current file
            earlier = max(start, move_in - dt.timedelta(days=rng.randint(200, 2000)))
            moved_out = min(move_in, self.today - dt.timedelta(days=1))
            moved_out = max(moved_out, earlier)
            values = self.person(rng, c, age=(30, 80))
            pk = self.customer(
                c, values, first_move_in=earlier, current=False, anonymised=rng.random() < 0.05
            )
            self.occupancy(
                c, room_id, pk, Occupancy.Role.OWNER, move_in=earlier, move_out=moved_out
            )
        if vacant:
            return
        c.households += 1
        roll = rng.random()
        secrecy = (
            Secrecy.TOP_SECRET
            if roll < 0.01
            else Secrecy.CONFIDENTIAL
            if roll < 0.05
            else Secrecy.SECRET
        )
        owner_values = self.person(rng, c, age=(25, 85))
        if rng.random() < 0.04:
            owner_values["care_flags"] = ["elderly_alone"]
            owner_values["care_notes"] = "独居，子女在外地，每周电话问候"
        owner_values["is_important"] = rng.random() < 0.05
        owner = self.customer(c, owner_values, first_move_in=move_in, current=True, secrecy=secrecy)
        self.occupancy(c, room_id, owner, Occupancy.Role.OWNER, move_in=move_in, primary=not rented)
        if rented:
            lease_start = move_in + dt.timedelta(days=rng.randint(30, 400))
            lease_start = min(lease_start, self.today)
            tenant = self.customer(
                c, self.person(rng, c, age=(22, 50)), first_move_in=lease_start, current=True
            )
            self.occupancy(
                c, room_id, tenant, Occupancy.Role.TENANT, move_in=lease_start, primary=True
            )
            for _ in range(rng.choice((0, 0, 1, 2))):
                member = self.customer(
                    c,
                    self.person(rng, c, age=(3, 50), adult=False),
                    first_move_in=lease_start,
                    current=True,
                )
                self.occupancy(c, room_id, member, Occupancy.Role.FAMILY, move_in=lease_start)
            return
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
            adult = rng.random() < 0.6
            values = self.person(rng, c, age=(18, 85) if adult else (1, 17), adult=adult)
            member = self.customer(c, values, first_move_in=move_in, current=True)
            self.occupancy(c, room_id, member, Occupancy.Role.FAMILY, move_in=move_in)

    def _shop(
        self,
        rng: random.Random,
        c: _Community,
        start: dt.date,
        building_id: int,
        area: int | None,
        number: int,
    ) -> None:
        vacant = rng.random() < 0.1
        room_id = self._room(
            c,
            building_id=building_id,
            unit_id=None,
            area_id=area,
            number=str(number),
            code=f"S-{number}",
            floor=None,
            floor_area=Decimal(60 + 10 * (number % 8)),
            use=Room.Use.SHOP,
            status=Room.Status.VACANT if vacant else Room.Status.RENTED,
        )
        if vacant:
            return
        c.households += 1
        move_in = self._move_in(rng, start)
        org = self.customer(c, self.organisation(rng, c), first_move_in=move_in, current=True)
        self.occupancy(c, room_id, org, Occupancy.Role.MERCHANT, move_in=move_in, primary=True)


# --- the whole data set ---------------------------------------------------------------------
def _communities(plan: Plan, seed: int) -> list[Community]:
    """The demo organisation (company, CH/JG/BJ, staff) and enough more communities."""
    from linli.org.demo import COMPANY_NAME, load_organisation

    load_organisation(seed)
    company = Company.objects.get(name=COMPANY_NAME)
    existing = {c.code for c in Community.objects.all()}
    rng = random.Random(f"{seed}-communities")
    new: list[Community] = []
    number = 4
    while len(existing) + len(new) < plan.communities:
        code = f"C{number:03d}"
        number += 1
        if code in existing:
            continue
        new.append(
            Community(
                company=company,
                code=code,
                name=rng.choice(COMMUNITY_WORDS) + rng.choice(COMMUNITY_KINDS) + f"{number}期",
                address=f"北京市某区某路 {rng.randint(1, 300)} 号",
                moved_in_on=dt.date(rng.randint(2000, 2022), rng.randint(1, 12), 1),
            )
        )
    Community.objects.bulk_create(new)
    communities = list(Community.objects.order_by("pk"))[: plan.communities]
    areas = []
    have_areas = set(Area.objects.values_list("community_id", flat=True))
    for community in communities:
        if community.pk in have_areas:
            continue
        for index, name in enumerate(AREA_NAMES):
            areas.append(
                Area(community=community, code=f"{community.code}{index + 1:02d}", name=name)
            )
    Area.objects.bulk_create(areas)
    return communities


def _room_counts(plan: Plan, n: int, seed: int) -> list[int]:
    rng = random.Random(f"{seed}-sizes")
    weights = [rng.uniform(0.5, 1.5) for _ in range(n)]
    total = sum(weights)
    return [max(6, round(plan.rooms * w / total)) for w in weights]


def _secondary_indexes() -> list[tuple[str, str]]:
    """(name, definition) of the loaded tables' indexes that back no constraint (PostgreSQL)."""
    tables = [m._meta.db_table for m in LOADED_MODELS]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.relname, pg_get_indexdef(i.oid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            ORDER BY i.relname
            """,
            [tables],
        )
        return [(name, sql) for name, sql in cursor.fetchall()]


def build(
    scale: float = 1.0, *, seed: int = 2026, log: Callable[[str], None] = lambda _m: None
) -> dict[str, Any]:
    """Fill the current database (expected empty of customers) with the bench data set."""
    plan = Plan.for_scale(scale)
    started = time.perf_counter()
    postgres = connection.vendor == "postgresql"
    with snapshot():
        communities = _communities(plan, seed)
        areas: dict[int, list[int]] = {}
        for area_id, community_id in Area.objects.order_by("code").values_list(
            "pk", "community_id"
        ):
            areas.setdefault(community_id, []).append(area_id)
        sizes = _room_counts(plan, len(communities), seed)
        targets = [
            _Community(
                pk=c.pk,
                code=c.code,
                areas=areas.get(c.pk, []),
                rooms=size,
                due_hours=int(policy.value("customers.file.complete_within_hours", community=c.pk)),
            )
            for c, size in zip(communities, sizes, strict=True)
        ]
        dropped: list[tuple[str, str]] = []
        if postgres:
            dropped = _secondary_indexes()
            with connection.cursor() as cursor:
                for name, _sql in dropped:
                    cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
                # Rows are consistent by construction; skip the per-row FK trigger checks.
                cursor.execute("SET session_replication_role = replica")
        writer = _Writer()
        generator = _Generator(seed, writer)
        try:
            batch = max(1, len(targets) // 20)
            for start in range(0, len(targets), batch):
                with transaction.atomic():
                    for target in targets[start : start + batch]:
                        generator.community(target)
                    writer.flush()
                log(
                    f"  {min(start + batch, len(targets))}/{len(targets)} communities, "
                    f"{writer.written.get('customers.Customer', 0):,} customers "
                    f"({time.perf_counter() - started:.0f} s)"
                )
        finally:
            if postgres:
                with connection.cursor() as cursor:
                    cursor.execute("SET session_replication_role = origin")
        for target in targets:
            Community.objects.filter(pk=target.pk).update(households=target.households)
        if postgres:
            log(f"  rebuilding {len(dropped)} indexes …")
            with connection.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '1GB'")
                for _name, sql in dropped:
                    cursor.execute(sql)
                cursor.execute("RESET maintenance_work_mem")
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), list(LOADED_MODELS)):
                cursor.execute(sql)
    if postgres:
        # VACUUM sets the visibility map (index-only scans) and cannot run in a transaction
        # (the tests build inside one): ANALYZE alone there.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        log(f"  {command} …")
        with connection.cursor() as cursor:
            analysed: list[type[models.Model]] = [*LOADED_MODELS, Community, Area]
            tables = [m._meta.db_table for m in analysed]
            for table in tables:
                cursor.execute(f"{command} {connection.ops.quote_name(table)}")
    counts = {
        "communities": len(targets),
        "rooms": writer.written.get("customers.Room", 0),
        "households": sum(t.households for t in targets),
        "customers": writer.written.get("customers.Customer", 0),
        "occupancies": writer.written.get("customers.Occupancy", 0),
    }
    return {
        "version": GENERATOR_VERSION,
        "scale": scale,
        "seed": seed,
        "counts": counts,
        "build_seconds": round(time.perf_counter() - started, 1),
        "built_at": timezone.now().isoformat(timespec="seconds"),
    }


# --- the marker: which data set this database holds -----------------------------------------
def read_marker() -> dict[str, Any] | None:
    with connection.cursor() as cursor:
        if MARKER_TABLE not in connection.introspection.table_names(cursor):
            return None
        cursor.execute(f"SELECT value FROM {MARKER_TABLE} WHERE key = 'dataset'")
        row = cursor.fetchone()
    return json.loads(row[0]) if row else None


def write_marker(info: dict[str, Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (key varchar(50) PRIMARY KEY, value text)"
        )
        cursor.execute(f"DELETE FROM {MARKER_TABLE} WHERE key = 'dataset'")
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} (key, value) VALUES ('dataset', %s)", [json.dumps(info)]
        )


def matches(marker: dict[str, Any] | None, scale: float, seed: int) -> bool:
    return bool(
        marker
        and marker.get("version") == GENERATOR_VERSION
        and float(marker.get("scale", -1)) == float(scale)
        and marker.get("seed") == seed
    )


def sample(values: Iterable[Any], n: int, seed: str) -> list[Any]:
    """n values drawn without replacement from the rows (so a common name — 张伟 — is drawn
    as often as people search for it), deterministic for the seed."""
    pool = sorted(values)
    return random.Random(seed).sample(pool, min(n, len(pool)))


# --- what the bench searches for --------------------------------------------------------------
def _typed_prefix(sort_key: str) -> str:
    """What people type for a pinyin search: the surname and the next initial (`zhangj`)."""
    syllables = sort_key.split()
    return syllables[0] + (syllables[1][:1] if len(syllables) > 1 else "")


def sample_queries(
    seed: int = 2026, n: int = 20, community_code: str = "CH"
) -> dict[str, list[str]]:
    """Search inputs taken from the data set, so every one finds something: for one community
    (a steward's) and company-wide (files up to 机密, an hq supervisor's clearance)."""
    local = list(
        Customer.objects.filter(
            community__code=community_code,
            kind=Customer.Kind.PERSON,
            anonymised_at__isnull=True,
            secrecy=Secrecy.SECRET,
        ).values_list("name", "name_sort", "name_initials", "mobile_tail")
    )
    rooms = Room.objects.filter(
        community__code=community_code,
        use=Room.Use.RESIDENTIAL,
        occupancies__move_out__isnull=True,
    ).values_list("code", flat=True)
    top = _max_id(Customer)
    rng = random.Random(f"{seed}-company")
    picks = rng.sample(range(1, top + 1), min(top, 4000))
    company = list(
        Customer.objects.filter(
            pk__in=picks,
            kind=Customer.Kind.PERSON,
            anonymised_at__isnull=True,
            secrecy__lte=Secrecy.CONFIDENTIAL,
        ).values_list("name", "name_pinyin", "mobile_tail")
    )
    three = [name for name, _p, _t in company if len(name) == 3]
    return {
        "name": sample((r[0] for r in local), n, f"{seed}-name"),
        "pinyin": sample((_typed_prefix(r[1]) for r in local), n, f"{seed}-pinyin"),
        "initials": sample((r[2] for r in local if len(r[2]) >= 2), n, f"{seed}-initials"),
        "tail": sample((r[3] for r in local if r[3]), n, f"{seed}-tail"),
        "room": sample(rooms, n, f"{seed}-room"),
        "company_pinyin": sample((p for _n, p, _t in company), n, f"{seed}-cpinyin"),
        "company_tail": sample((t for _n, _p, t in company if t), n, f"{seed}-ctail"),
        "substring2": sample((name[1:] for name in three), n, f"{seed}-sub2"),
        "substring3": sample(three, n, f"{seed}-sub3"),
    }


# --- the import of 100,000 rows (DESIGN §8, issue 3 item 11) ---------------------------------
IMPORT_COMMUNITY = "ZBENCHIMP"
IMPORT_ROWS = 100_000
IMPORT_BUDGET_SECONDS = 60.0
# What an import writes, children first: the bench removes its own rows again afterwards.
IMPORT_TABLES = ("customers_changerecord", "customers_occupancy", "customers_customer",
                 "customers_room", "customers_unit", "customers_building")  # fmt: skip


def _clear_import_community() -> Community:
    """The community the bench imports into, emptied of what an earlier run wrote. It stays
    between runs: the import's audit events refer to it, and audit rows are never deleted."""
    company = Company.objects.order_by("pk").first()
    community, _created = Community.objects.get_or_create(
        code=IMPORT_COMMUNITY, defaults={"company": company, "name": "导入基准小区"}
    )
    with transaction.atomic(), connection.cursor() as cursor:
        for table in IMPORT_TABLES:
            cursor.execute(f"DELETE FROM {table} WHERE community_id = %s", [community.pk])
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # 100,000 dead rows in the customer indexes slow the next run's searches by half.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {', '.join(IMPORT_TABLES)}")
    return community


def measure_import(
    *, rows: int = IMPORT_ROWS, seed: int = 2026, log: Callable[[str], None] = print
) -> dict[str, Any]:
    """Import a generated 业主信息登记表 of `rows` rows into a new community of the data set,
    exactly as the committed web import does (read, validate, match, create the rooms, write,
    commit), then remove what it wrote. Preview (dry run) and commit are timed apart."""
    import io

    from linli.customers.importer import run_import
    from linli.customers.scale import scale_workbook

    community = _clear_import_community()
    try:
        log(f"import: generating a workbook of {rows:,} rows …")
        workbook = io.BytesIO()
        scale_workbook(rows, workbook, seed=seed)
        size_mb = workbook.getbuffer().nbytes / 1e6
        timings: dict[str, float] = {}
        outcomes = {}
        for name, dry_run in (("preview", True), ("commit", False)):
            log(f"import: {name} …")
            workbook.seek(0)
            started = time.perf_counter()
            outcomes[name] = run_import(
                community, workbook, actor=None, create_rooms=True, dry_run=dry_run
            )
            timings[name] = time.perf_counter() - started
        committed = outcomes["commit"]
        complete = (
            committed.committed
            and not committed.errors
            and committed.counts["customers_created"] == rows
        )
        passed = complete and timings["commit"] <= IMPORT_BUDGET_SECONDS
        log(
            f"import of {rows:,} rows ({size_mb:.1f} MB .xlsx, {committed.counts['rooms_created']:,} "
            f"new rooms): preview {timings['preview']:.1f} s, commit {timings['commit']:.1f} s "
            f"(budget {IMPORT_BUDGET_SECONDS:.0f} s): {'PASS' if passed else 'FAIL'}"
            + ("" if complete else f" — not imported whole: {committed.errors[:3]}")
        )
        return {
            "rows": rows, "workbook_mb": round(size_mb, 1), "counts": committed.counts,
            "preview_seconds": round(timings["preview"], 2), "commit_seconds": round(timings["commit"], 2),
            "budget_seconds": IMPORT_BUDGET_SECONDS, "pass": passed,
        }  # fmt: skip
    finally:
        log("import: removing the imported rows …")
        _clear_import_community()
