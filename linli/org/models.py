from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from linli.core.models import BaseModel, CommunityScopedQuerySet
from linli.org.roles import COMPANY_ROLES, OFFICE_ROLES, Role, permissions_for

community_code_validator = RegexValidator(
    r"^[A-Z][A-Z0-9]{1,9}$", _("小区代码为 2–10 位大写字母或数字，以字母开头，例如 CH。")
)


class Company(BaseModel):
    name = models.CharField(_("公司名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("公司")
        verbose_name_plural = _("公司")

    def __str__(self) -> str:
        return self.name


class CommunityQuerySet(models.QuerySet["Community"]):
    def visible_to(self, user: Any) -> CommunityQuerySet:
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_company_wide:
            return self.all()
        return self.filter(pk=user.community_id) if user.community_id else self.none()

    @staticmethod
    def sees(user: Any, pk: int) -> bool:
        """`visible_to`'s rule for one community id, in Python (`org.directory`)."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        return bool(user.is_company_wide or (user.community_id and user.community_id == pk))


class Community(BaseModel):
    """A 小区 and its 管理处: the unit of scoping for office staff."""

    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="communities", verbose_name=_("公司")
    )
    code = models.CharField(
        _("代码"), max_length=10, unique=True, validators=[community_code_validator]
    )
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    households = models.PositiveIntegerField(
        _("户数"), default=0, validators=[MinValueValidator(0)]
    )
    phone = models.CharField(_("管理处电话"), max_length=30, blank=True)
    moved_in_on = models.DateField(_("入伙日期"), null=True, blank=True)
    is_active = models.BooleanField(_("在管"), default=True)

    objects = CommunityQuerySet.as_manager()

    class Meta:
        verbose_name = _("小区")
        verbose_name_plural = _("小区")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Area(BaseModel):
    """A 片区 of a community, looked after by one steward."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="areas", verbose_name=_("小区")
    )
    code = models.CharField(_("片区代码"), max_length=20)
    name = models.CharField(_("片区名称"), max_length=50)
    steward = models.ForeignKey(
        "org.Staff",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="areas",
        verbose_name=_("物管员"),
    )

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("片区")
        verbose_name_plural = _("片区")
        ordering = ["community", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "code"], name="org_area_community_code_uniq"
            )
        ]

    def __str__(self) -> str:
        return self.name


class DepartmentQuerySet(models.QuerySet["Department"]):
    def visible_to(self, user: Any) -> DepartmentQuerySet:
        """Company departments are visible to every staff member; office ones to their office."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_company_wide:
            return self.all()
        return self.filter(Q(community__isnull=True) | Q(community_id=user.community_id))


class Department(BaseModel):
    class Kind(models.TextChoices):
        CUSTOMER_SERVICE = "customer_service", _("客户服务")
        ENGINEERING = "engineering", _("工程维修")
        SECURITY = "security", _("秩序维护")
        CLEANING = "cleaning", _("保洁")
        GREENING = "greening", _("绿化")
        ADMINISTRATION = "administration", _("行政人事")
        OTHER = "other", _("其他")

    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="departments", verbose_name=_("公司")
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="departments",
        verbose_name=_("所属管理处"),
        help_text=_("为空表示公司部门"),
    )
    name = models.CharField(_("部门名称"), max_length=50)
    kind = models.CharField(_("类别"), max_length=30, choices=Kind.choices, default=Kind.OTHER)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["community__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "community", "name"], name="org_department_name_uniq"
            ),
            models.UniqueConstraint(
                fields=["company", "name"],
                condition=Q(community__isnull=True),
                name="org_department_hq_name_uniq",
            ),
        ]
        indexes = [models.Index(fields=["community", "kind"], name="org_dept_community_kind_idx")]

    def __str__(self) -> str:
        return self.name


class StaffQuerySet(CommunityScopedQuerySet):
    def visible_to(self, user: Any) -> StaffQuerySet:
        """Office staff see their office's people and headquarters; company roles see all."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_company_wide:
            return self.all()
        return self.filter(
            Q(community_id=user.community_id) | Q(community__isnull=True, role__gt="")
        )


class StaffManager(UserManager.from_queryset(StaffQuerySet)):  # type: ignore[misc]
    pass


class Staff(AbstractUser):
    """A staff account. The role decides permissions; the community decides scope."""

    name = models.CharField(_("姓名"), max_length=50, blank=True)
    role = models.CharField(_("岗位角色"), max_length=40, choices=Role.choices, blank=True)
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("所属管理处"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("部门"),
    )
    phone = models.CharField(_("手机"), max_length=20, blank=True)
    employee_no = models.CharField(_("工号"), max_length=20, blank=True)

    objects = StaffManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("员工")
        verbose_name_plural = _("员工")
        ordering = ["community__code", "role", "username"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=sorted(OFFICE_ROLES)) | Q(community__isnull=False),
                name="org_staff_office_role_has_community",
            ),
            models.CheckConstraint(
                condition=~Q(role__in=sorted(COMPANY_ROLES)) | Q(community__isnull=True),
                name="org_staff_company_role_has_no_community",
            ),
        ]
        indexes = [models.Index(fields=["community", "role"], name="org_staff_community_role_idx")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_of(self.name, self.username)

    @staticmethod
    def name_of(name: str | None, username: str | None) -> str:
        """`display_name` of a staff member read as values ("" for none)."""
        return name or username or ""

    @property
    def is_company_wide(self) -> bool:
        """Company roles (and a headquarters receptionist) see every community."""
        return bool(self.role) and self.community_id is None

    @cached_property
    def perms(self) -> frozenset[str]:
        return permissions_for(self.role or None) if self.is_active else frozenset()

    def has_perm_code(self, code: str) -> bool:
        return code in self.perms
