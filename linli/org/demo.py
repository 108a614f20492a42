"""Demo organisation: the company, three communities with areas, departments and staff.

Deterministic for a given seed; idempotent (accounts and communities are matched by
username and code). Later chapters add their demo data after this one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from linli.core.names import GIVEN, SURNAMES
from linli.org.models import Area, Community, Company, Department, Staff
from linli.org.roles import Role

COMPANY_NAME = "示例物业服务有限公司"


@dataclass(frozen=True)
class DemoCommunity:
    code: str
    name: str
    address: str
    households: int
    phone: str
    moved_in: str
    areas: tuple[str, ...]


COMMUNITIES = (
    DemoCommunity(
        "CH",
        "翠湖苑",
        "北京市海淀区翠湖南路 18 号",
        320,
        "010-62881234",
        "2015-06-01",
        ("东区", "西区", "南区", "北区"),
    ),
    DemoCommunity(
        "JG",
        "金桂园",
        "北京市朝阳区金桂路 66 号",
        300,
        "010-84552266",
        "2018-09-15",
        ("一期", "二期", "三期"),
    ),
    DemoCommunity(
        "BJ",
        "滨江花园",
        "北京市通州区滨江东路 9 号",
        310,
        "010-69553388",
        "2021-04-20",
        ("临江区", "花园区", "商业区"),
    ),
)

COMPANY_STAFF = (
    ("gm", Role.GENERAL_MANAGER, ""),
    ("gm_assistant", Role.GM_ASSISTANT, ""),
    ("hr_manager", Role.HR_ADMIN_MANAGER, "人事行政部"),
    ("eng_manager", Role.ENGINEERING_MANAGER, "工程部"),
    ("hq_supervisor", Role.HQ_CUSTOMER_SUPERVISOR, "人事行政部"),
    ("researcher", Role.SURVEY_RESEARCHER, "人事行政部"),
    ("receptionist", Role.RECEPTIONIST, "人事行政部"),
)
OFFICE_STAFF = (
    ("manager", Role.OFFICE_MANAGER, "客户服务中心"),
    ("supervisor", Role.OFFICE_CUSTOMER_SUPERVISOR, "客户服务中心"),
    ("steward1", Role.STEWARD, "客户服务中心"),
    ("steward2", Role.STEWARD, "客户服务中心"),
    ("reception", Role.RECEPTIONIST, "客户服务中心"),
)
HQ_DEPARTMENTS = (
    ("人事行政部", Department.Kind.ADMINISTRATION),
    ("工程部", Department.Kind.ENGINEERING),
)
OFFICE_DEPARTMENTS = (
    ("客户服务中心", Department.Kind.CUSTOMER_SERVICE),
    ("工程维修部", Department.Kind.ENGINEERING),
    ("秩序维护部", Department.Kind.SECURITY),
    ("保洁部", Department.Kind.CLEANING),
    ("绿化部", Department.Kind.GREENING),
)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(rng: random.Random) -> str:
    return rng.choice(("138", "139", "186", "135", "158", "177")) + f"{rng.randrange(10**8):08d}"


def _staff(
    username: str,
    role: str,
    *,
    name: str,
    phone: str,
    community: Community | None,
    department: Department | None,
) -> Staff:
    staff, _ = Staff.objects.update_or_create(
        username=username,
        defaults={
            "name": name,
            "role": role,
            "community": community,
            "department": department,
            "phone": phone,
            "is_active": True,
        },
    )
    staff.set_password(settings.LINLI_DEMO_PASSWORD)
    staff.save(update_fields=["password"])
    return staff


@transaction.atomic
def load_organisation(seed: int = 2026) -> dict[str, int]:
    rng = random.Random(seed)
    company, _ = Company.objects.get_or_create(
        name=COMPANY_NAME, defaults={"short_name": "示例物业"}
    )
    departments = {
        name: Department.objects.get_or_create(
            company=company, community=None, name=name, defaults={"kind": kind}
        )[0]
        for name, kind in HQ_DEPARTMENTS
    }
    for username, role, department in COMPANY_STAFF:
        _staff(
            username,
            role,
            name=_name(rng),
            phone=_phone(rng),
            community=None,
            department=departments.get(department),
        )
    staff_count = len(COMPANY_STAFF)
    for item in COMMUNITIES:
        community, _ = Community.objects.update_or_create(
            code=item.code,
            defaults={
                "company": company,
                "name": item.name,
                "address": item.address,
                "households": item.households,
                "phone": item.phone,
                "moved_in_on": item.moved_in,
            },
        )
        office_departments = {
            name: Department.objects.get_or_create(
                company=company, community=community, name=name, defaults={"kind": kind}
            )[0]
            for name, kind in OFFICE_DEPARTMENTS
        }
        stewards = []
        for suffix, role, department in OFFICE_STAFF:
            staff = _staff(
                f"{item.code.lower()}_{suffix}",
                role,
                name=_name(rng),
                phone=_phone(rng),
                community=community,
                department=office_departments[department],
            )
            staff_count += 1
            if role == Role.STEWARD:
                stewards.append(staff)
        for index, area_name in enumerate(item.areas):
            Area.objects.update_or_create(
                community=community,
                code=f"{item.code}{index + 1:02d}",
                defaults={"name": area_name, "steward": stewards[index % len(stewards)]},
            )
    return {"communities": len(COMMUNITIES), "staff": staff_count}
