"""The customer database (POLICY Ch.3): property register, customers, occupancies, history.

Every table has a direct `community` foreign key and indexes that start with it (DESIGN §4).
Secrecy is part of the read gate: `Customer.objects.visible_to(user)` leaves out the files the
user's clearance (or an approved grant) does not cover.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.models import BaseModel, CommunityScopedQuerySet


class Secrecy(models.IntegerChoices):
    SECRET = 1, _("秘密")
    CONFIDENTIAL = 2, _("机密")
    TOP_SECRET = 3, _("绝密")

    @classmethod
    def from_code(cls, code: str) -> Secrecy:
        return {
            "secret": cls.SECRET,
            "confidential": cls.CONFIDENTIAL,
            "top_secret": cls.TOP_SECRET,
        }[code]


class Building(BaseModel):
    community = models.ForeignKey(
        "org.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("小区")
    )
    code = models.CharField(_("楼栋号"), max_length=20)
    name = models.CharField(_("楼栋名称"), max_length=50, blank=True)
    area = models.ForeignKey(
        "org.Area",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="buildings",
        verbose_name=_("片区"),
    )

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "code"], name="customers_building_code_uniq"
            )
        ]

    def __str__(self) -> str:
        return self.name or f"{self.code}栋"


class Unit(BaseModel):
    community = models.ForeignKey(
        "org.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("小区")
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="units", verbose_name=_("楼栋")
    )
    code = models.CharField(_("单元号"), max_length=20)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("单元")
        verbose_name_plural = _("单元")
        constraints = [
            models.UniqueConstraint(fields=["building", "code"], name="customers_unit_code_uniq")
        ]
        indexes = [
            models.Index(fields=["community", "building"], name="customers_unit_community_idx")
        ]

    def __str__(self) -> str:
        return f"{self.code}单元"


class Room(BaseModel):
    class Use(models.TextChoices):
        RESIDENTIAL = "residential", _("住宅")
        SHOP = "shop", _("商铺")
        PARKING = "parking", _("车位")
        OFFICE = "office", _("办公")

    class Status(models.TextChoices):
        VACANT = "vacant", _("空置")
        OWNER_OCCUPIED = "owner_occupied", _("自住")
        RENTED = "rented", _("出租")
        RENOVATING = "renovating", _("装修")

    community = models.ForeignKey(
        "org.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("小区")
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="rooms", verbose_name=_("楼栋")
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rooms",
        verbose_name=_("单元"),
    )
    number = models.CharField(_("房号"), max_length=20)
    code = models.CharField(
        _("房间编码"), max_length=50, help_text=_("楼栋-单元-房号，例如 3-2-501")
    )
    floor = models.SmallIntegerField(_("楼层"), null=True, blank=True)
    floor_area = models.DecimalField(
        _("建筑面积（㎡）"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    use = models.CharField(_("用途"), max_length=20, choices=Use.choices, default=Use.RESIDENTIAL)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.VACANT
    )
    area = models.ForeignKey(
        "org.Area",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rooms",
        verbose_name=_("片区"),
    )
    lease_end = models.DateField(_("租约到期"), null=True, blank=True)
    renovation_end = models.DateField(_("装修到期"), null=True, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("房间")
        verbose_name_plural = _("房间")
        constraints = [
            models.UniqueConstraint(fields=["community", "code"], name="customers_room_code_uniq")
        ]
        indexes = [
            models.Index(fields=["community", "area", "code"], name="customers_room_area_idx"),
            models.Index(
                fields=["community", "building", "unit"], name="customers_room_building_idx"
            ),
            # Room-code prefix search (`3-2-5…`): `text_pattern_ops` lets PostgreSQL use a
            # b-tree for LIKE 'x%' whatever the database collation (SQLite ignores opclasses).
            models.Index(
                fields=["community", "code"],
                opclasses=["int8_ops", "text_pattern_ops"],
                name="customers_room_code_like_idx",
            ),
            models.Index(
                fields=["code"], opclasses=["text_pattern_ops"], name="customers_room_code_g_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class CustomerQuerySet(CommunityScopedQuerySet):
    def visible_to(self, user: Any, *, now: Any = None) -> CustomerQuerySet:
        """Community scope and secrecy: files above the user's clearance are absent unless
        the user holds an approved, unexpired access grant for that file at its level (at
        `now`, by default the present)."""
        from linli.customers.secrecy import clearance_of, grant_exists

        scoped = super().visible_to(user)
        if not getattr(user, "is_authenticated", False):
            return scoped
        clearance = clearance_of(user)
        allowed = Q(secrecy__lte=clearance)
        if clearance < max(Secrecy.values):
            # In the same statement (no query of its own): an approved, unexpired grant at the
            # file's level. Probed only for the few rows above the clearance; the list's
            # count stays index-only (the live index includes the id).
            allowed |= Q(grant_exists(user, now))
        return scoped.filter(allowed)


class Customer(BaseModel):
    class Kind(models.TextChoices):
        PERSON = "person", _("个人")
        ORGANISATION = "organisation", _("单位")

    class Gender(models.TextChoices):
        MALE = "male", _("男")
        FEMALE = "female", _("女")
        UNKNOWN = "", _("未填")

    class IdType(models.TextChoices):
        RESIDENT_ID = "resident_id", _("居民身份证")
        PASSPORT = "passport", _("护照")
        HK_MACAO = "hk_macao", _("港澳居民来往内地通行证")
        TAIWAN = "taiwan", _("台湾居民来往大陆通行证")
        FOREIGN_RESIDENT = "foreign_resident", _("外国人永久居留身份证")
        BUSINESS_LICENCE = "business_licence", _("统一社会信用代码")
        OTHER = "other", _("其他证件")

    class CareFlag(models.TextChoices):
        ELDERLY_ALONE = "elderly_alone", _("独居老人")
        DISABLED = "disabled", _("残障")
        LIMITED_MOBILITY = "limited_mobility", _("行动不便")
        PREGNANT = "pregnant", _("孕妇")
        INFANT = "infant", _("婴幼儿")
        CHRONIC_ILLNESS = "chronic_illness", _("慢性病")
        OTHER = "other", _("其他关怀")

    community = models.ForeignKey(
        "org.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("小区")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(_("姓名/名称"), max_length=100)
    name_pinyin = models.CharField(_("拼音"), max_length=300, blank=True, editable=False)
    name_initials = models.CharField(_("拼音首字母"), max_length=100, blank=True, editable=False)
    name_sort = models.CharField(_("排序键"), max_length=300, blank=True, editable=False)
    gender = models.CharField(
        _("性别"), max_length=10, choices=Gender.choices, blank=True, default=""
    )
    id_type = models.CharField(
        _("证件类型"), max_length=30, choices=IdType.choices, blank=True, default=""
    )
    id_number = models.CharField(_("证件号码"), max_length=40, blank=True)
    id_tail = models.CharField(max_length=4, blank=True, editable=False)
    mobile = models.CharField(_("手机"), max_length=20, blank=True)
    mobile_tail = models.CharField(max_length=4, blank=True, editable=False)
    phone_other = models.CharField(_("其他电话"), max_length=40, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    address = models.CharField(_("通讯地址"), max_length=200, blank=True)
    birthday = models.DateField(_("出生日期"), null=True, blank=True)
    birthday_lunar = models.BooleanField(_("过农历生日"), default=False)
    preferences = models.TextField(_("喜好与习惯"), blank=True)
    tags = models.JSONField(_("标签"), default=list, blank=True)
    care_flags = models.JSONField(_("特殊关怀"), default=list, blank=True)
    care_notes = models.TextField(_("关怀说明"), blank=True)
    emergency_contact_name = models.CharField(_("紧急联系人"), max_length=50, blank=True)
    emergency_contact_phone = models.CharField(_("紧急联系电话"), max_length=40, blank=True)
    vehicles = models.CharField(
        _("车辆"), max_length=200, blank=True, help_text=_("车牌号，多个用逗号分隔")
    )
    notes = models.TextField(_("备注"), blank=True)
    is_important = models.BooleanField(_("重要客户"), default=False)
    is_committee_member = models.BooleanField(_("业主委员会成员"), default=False)
    secrecy = models.PositiveSmallIntegerField(
        _("密级"), choices=Secrecy.choices, default=Secrecy.SECRET
    )
    secrecy_reason = models.CharField(_("定密理由"), max_length=200, blank=True)
    secrecy_until = models.DateField(_("解密日期"), null=True, blank=True)
    completeness = models.PositiveSmallIntegerField(_("完整度"), default=0, editable=False)
    missing_fields = models.JSONField(default=list, blank=True, editable=False)
    file_due_at = models.DateTimeField(_("建档期限"), null=True, blank=True, editable=False)
    anonymised_at = models.DateTimeField(_("匿名化时间"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("客户")
        verbose_name_plural = _("客户")
        # Search (DESIGN §8, docs/performance.md). Prefix matches (pinyin, initials, a name's
        # first character) need `text_pattern_ops` on PostgreSQL unless the column's collation
        # is "C"; SQLite ignores opclasses. One community: (community, column); company-wide
        # (no community condition): (column, community), which also keeps a single-community
        # query cheap when the planner underestimates a prefix and picks it. Tails are
        # equality lookups: one (tail, community) index serves both. Chinese substrings of 2+
        # characters: a GIN index on the name's bigrams, made by migration 0003 (PostgreSQL).
        indexes = [
            models.Index(
                fields=["community", "name_pinyin"],
                opclasses=["int8_ops", "text_pattern_ops"],
                name="customers_cust_pinyin_idx",
            ),
            models.Index(
                fields=["community", "name_initials"],
                opclasses=["int8_ops", "text_pattern_ops"],
                name="customers_cust_initials_idx",
            ),
            models.Index(
                fields=["name_pinyin", "community"],
                opclasses=["text_pattern_ops", "int8_ops"],
                name="customers_cust_pinyin_g_idx",
            ),
            models.Index(
                fields=["name_initials", "community"],
                opclasses=["text_pattern_ops", "int8_ops"],
                name="customers_cust_initials_g_idx",
            ),
            models.Index(
                fields=["mobile_tail", "community"], name="customers_cust_mobile_tail_idx"
            ),
            models.Index(fields=["id_tail", "community"], name="customers_cust_id_tail_idx"),
            models.Index(
                fields=["community", "name"],
                opclasses=["int8_ops", "text_pattern_ops"],
                name="customers_cust_name_idx",
            ),
            models.Index(fields=["community", "name_sort"], name="customers_cust_sort_idx"),
            # The list's count: (community, secrecy) of live files, counted from the index
            # alone (an index-only scan; a plain scan visits every row of the community).
            # It includes the id, which the grant check of `visible_to` reads.
            models.Index(
                fields=["community", "secrecy"],
                include=["id"],
                condition=Q(anonymised_at__isnull=True),
                name="customers_cust_live_id_idx",
            ),
            models.Index(fields=["community", "completeness"], name="customers_cust_complete_idx"),
            models.Index(
                fields=["secrecy_until"],
                condition=Q(secrecy__gt=1),
                name="customers_cust_declassify_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def surname(self) -> str:
        return self.name[:1] if self.kind == self.Kind.PERSON else self.name


class OccupancyQuerySet(CommunityScopedQuerySet):
    def visible_to(self, user: Any) -> OccupancyQuerySet:
        return super().visible_to(user).filter(customer__in=Customer.objects.visible_to(user))

    def current(self) -> OccupancyQuerySet:
        return self.filter(move_out__isnull=True)


class Occupancy(BaseModel):
    """A customer's link to a room, with a role and dates; moving out ends it, never deletes."""

    class Role(models.TextChoices):
        OWNER = "owner", _("业主")
        TENANT = "tenant", _("租户")
        FAMILY = "family", _("家庭成员")
        MERCHANT = "merchant", _("商户")
        ORGANISATION = "organisation", _("单位")

    community = models.ForeignKey(
        "org.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("小区")
    )
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, related_name="occupancies", verbose_name=_("房间")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="occupancies", verbose_name=_("客户")
    )
    role = models.CharField(_("身份"), max_length=20, choices=Role.choices)
    is_primary = models.BooleanField(_("主要联系人"), default=False)
    move_in = models.DateField(_("入住日期"), null=True, blank=True)
    move_out = models.DateField(_("迁出日期"), null=True, blank=True)
    notes = models.CharField(_("备注"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = OccupancyQuerySet.as_manager()

    class Meta:
        verbose_name = _("入住关系")
        verbose_name_plural = _("入住关系")
        constraints = [
            models.CheckConstraint(
                condition=Q(move_out__isnull=True)
                | Q(move_in__isnull=True)
                | Q(move_out__gte=models.F("move_in")),
                name="customers_occupancy_dates_ordered",
            ),
            models.UniqueConstraint(
                fields=["room", "customer", "role"],
                condition=Q(move_out__isnull=True),
                name="customers_occupancy_current_uniq",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "room"], name="customers_occ_room_idx"),
            models.Index(fields=["community", "customer"], name="customers_occ_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.room} {self.customer} ({self.get_role_display()})"


class ChangeRecord(models.Model):
    """Who changed what, when, old → new. Sensitive values are stored masked."""

    class Action(models.TextChoices):
        CREATED = "created", _("新建")
        CHANGED = "changed", _("修改")
        MOVED_OUT = "moved_out", _("迁出")
        SECRECY = "secrecy", _("密级")
        ANONYMISED = "anonymised", _("匿名化")
        REVIEWED = "reviewed", _("复核")

    community = models.ForeignKey("org.Community", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    object_type = models.CharField(max_length=20)  # customer / room / occupancy
    object_id = models.BigIntegerField()
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, null=True, blank=True, related_name="changes"
    )
    room = models.ForeignKey(
        Room, on_delete=models.CASCADE, null=True, blank=True, related_name="changes"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    field = models.CharField(max_length=50, blank=True)
    old = models.TextField(blank=True)
    new = models.TextField(blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("变更记录")
        verbose_name_plural = _("变更记录")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["community", "customer", "-at"], name="customers_change_cust_idx"),
            models.Index(fields=["community", "room", "-at"], name="customers_change_room_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.object_type}#{self.object_id} {self.action} {self.field}"


class ReviewTask(BaseModel):
    """The periodic review (半年复核) of one area's files by its steward."""

    community = models.ForeignKey("org.Community", on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(
        "org.Area", on_delete=models.PROTECT, related_name="review_tasks", verbose_name=_("片区")
    )
    steward = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="review_tasks",
        verbose_name=_("物管员"),
    )
    period_start = models.DateField(_("复核期开始"))
    due_on = models.DateField(_("完成期限"))
    total = models.PositiveIntegerField(_("应复核户数"), default=0)
    done = models.PositiveIntegerField(_("已复核户数"), default=0)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("资料复核任务")
        verbose_name_plural = _("资料复核任务")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "period_start"], name="customers_review_area_period_uniq"
            )
        ]
        indexes = [models.Index(fields=["community", "due_on"], name="customers_review_due_idx")]

    @property
    def progress(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


class ReviewedRoom(models.Model):
    community = models.ForeignKey("org.Community", on_delete=models.PROTECT, related_name="+")
    task = models.ForeignKey(ReviewTask, on_delete=models.CASCADE, related_name="rooms")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="+")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "room"], name="customers_reviewed_room_uniq")
        ]
        indexes = [models.Index(fields=["community", "room"], name="customers_reviewed_room_idx")]

    def __str__(self) -> str:
        return f"{self.task_id}:{self.room_id}"


class ImportJob(BaseModel):
    """One workbook upload: mapped, previewed (dry run), then committed in the background."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("已上传")
        PREVIEWED = "previewed", _("已预检")
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("导入中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    community = models.ForeignKey(
        "org.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("小区")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("上传人"),
    )
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=200)
    sheet = models.CharField(_("工作表"), max_length=100, blank=True)
    header_row = models.PositiveIntegerField(_("表头行"), null=True, blank=True)
    mapping = models.JSONField(_("列对应"), default=dict, blank=True)
    create_rooms = models.BooleanField(_("自动创建缺少的房间"), default=False)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.UPLOADED
    )
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    counts = models.JSONField(_("统计"), default=dict, blank=True)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    warnings = models.JSONField(_("提示"), default=list, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["community", "-created_at"], name="customers_import_idx")]

    def __str__(self) -> str:
        return self.original_name


class ImportMapping(BaseModel):
    """The column mapping a community used last time, remembered for its next workbook."""

    community = models.OneToOneField("org.Community", on_delete=models.CASCADE, related_name="+")
    mapping = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.community_id}"
