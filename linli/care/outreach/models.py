"""Care calendar greetings, notices and community events (POLICY Ch.5).

Every table has a direct `community` foreign key and indexes that start with it (DESIGN §4).
Messages go through the outbox (`notify.Message`); the rows here point at them, so delivery
figures are read from the outbox's own statuses.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.models import BaseModel, CommunityScopedQuerySet


class Occasion(models.TextChoices):
    BIRTHDAY = "birthday", _("生日")
    MOVE_IN_ANNIVERSARY = "move_in_anniversary", _("入住周年")
    YEAR_END = "year_end", _("年终")
    NEW_YEAR = "new_year", _("元旦")
    SPRING_FESTIVAL = "spring_festival", _("春节")
    LANTERN = "lantern", _("元宵节")
    DRAGON_BOAT = "dragon_boat", _("端午节")
    MID_AUTUMN = "mid_autumn", _("中秋节")
    DOUBLE_NINTH = "double_ninth", _("重阳节")
    NATIONAL_DAY = "national_day", _("国庆节")


class GreetingTemplate(BaseModel):
    """The text sent for one occasion and care event (company-wide); `{称呼}` etc. are filled in."""

    occasion = models.CharField(_("节日/纪念日"), max_length=30, choices=Occasion.choices)
    care_event = models.CharField(_("关怀活动"), max_length=30)
    text = models.TextField(_("短信/微信内容"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("问候模板")
        verbose_name_plural = _("问候模板")
        constraints = [
            models.UniqueConstraint(
                fields=["care_event", "occasion"], name="outreach_template_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.care_event}:{self.occasion}"


class GreetingDay(models.Model):
    """A day whose greetings have been created: the sweep claims the day by inserting this row in
    the same transaction as the tasks, so the day's customers are looked up once, by one worker."""

    day = models.DateField(primary_key=True)
    tasks = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("问候生成记录")
        verbose_name_plural = _("问候生成记录")

    def __str__(self) -> str:
        return str(self.day)


class GreetingTask(BaseModel):
    """One greeting owed to one customer on one day, sent through the outbox or done in person."""

    class Method(models.TextChoices):
        MESSAGE = "message", _("短信/微信")
        IN_PERSON = "in_person", _("上门/电话")

    class Status(models.TextChoices):
        PENDING = "pending", _("待问候")
        SENT = "sent", _("已发出")
        DONE = "done", _("已问候")
        MISSED = "missed", _("未问候")

    community = models.ForeignKey(
        "org.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("小区")
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="greetings",
        verbose_name=_("客户"),
    )
    occasion = models.CharField(_("节日/纪念日"), max_length=30, choices=Occasion.choices)
    care_event = models.CharField(_("关怀活动"), max_length=30)
    occasion_on = models.DateField(_("纪念日"))
    due_on = models.DateField(_("问候日期"))
    years = models.PositiveSmallIntegerField(_("周年"), null=True, blank=True)
    method = models.CharField(_("方式"), max_length=20, choices=Method.choices)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    steward = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("物管员"),
    )
    message = models.ForeignKey(
        "notify.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    claim = models.CharField(max_length=32, blank=True, editable=False)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("问候人"),
    )
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("关怀问候")
        verbose_name_plural = _("关怀问候")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "care_event", "occasion", "due_on"],
                name="outreach_greeting_once",
            )
        ]
        indexes = [
            models.Index(fields=["community", "due_on"], name="outreach_greeting_day_idx"),
            models.Index(
                fields=["community", "steward", "due_on"],
                condition=Q(status="pending"),
                name="outreach_greeting_open_idx",
            ),
            models.Index(fields=["community", "customer"], name="outreach_greeting_cust_idx"),
            # The company-wide daily sweep (all communities at once) reads the day's open rows.
            models.Index(
                fields=["due_on", "method"],
                condition=Q(status="pending"),
                name="outreach_greeting_sweep_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.occasion} {self.due_on}"


class Notice(BaseModel):
    """An emergency or outage notice to chosen buildings/units, sent in one step."""

    class Kind(models.TextChoices):
        WATER = "water", _("停水")
        POWER = "power", _("停电")
        ELEVATOR = "elevator", _("电梯停运")
        GAS = "gas", _("停气")
        EMERGENCY = "emergency", _("紧急通知")
        OTHER = "other", _("其他通知")

    community = models.ForeignKey(
        "org.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("小区")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("内容"))
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    buildings = models.ManyToManyField(
        "customers.Building", blank=True, related_name="+", verbose_name=_("楼栋")
    )
    units = models.ManyToManyField(
        "customers.Unit", blank=True, related_name="+", verbose_name=_("单元")
    )
    published_at = models.DateTimeField(_("发布时间"))
    deliver_by = models.DateTimeField(_("送达时限"))
    recipients = models.PositiveIntegerField(_("通知人数"), default=0)
    unreachable = models.PositiveIntegerField(_("无手机号"), default=0)
    rooms = models.PositiveIntegerField(_("涉及房间"), default=0)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="outreach_notice_period"
            )
        ]
        indexes = [
            models.Index(fields=["community", "-published_at"], name="outreach_notice_idx"),
            models.Index(fields=["community", "ends_at"], name="outreach_notice_current_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class NoticeDelivery(models.Model):
    """One occupant reached by a notice (`message` is empty when they have no phone)."""

    community = models.ForeignKey("org.Community", on_delete=models.PROTECT, related_name="+")
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="deliveries")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey("customers.Room", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(
        "notify.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notice", "customer"], name="outreach_delivery_once")
        ]
        indexes = [
            models.Index(fields=["community", "notice"], name="outreach_delivery_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id}:{self.customer_id}"


class Event(BaseModel):
    """A community event or an owners' forum (社区活动 / 业主座谈会)."""

    class Kind(models.TextChoices):
        ACTIVITY = "activity", _("社区活动")
        FORUM = "forum", _("业主座谈会")

    class Audience(models.TextChoices):
        ALL = "all", _("全体住户")
        OWNERS = "owners", _("业主")
        PRIORITY = "priority", _("优先邀请客户（重要客户/VIP）")
        COMMITTEE = "committee", _("业主委员会成员")
        ELDERLY = "elderly", _("老年住户")

    class Status(models.TextChoices):
        PLANNED = "planned", _("筹备中")
        INVITED = "invited", _("已邀请")
        HELD = "held", _("已举办")
        CANCELLED = "cancelled", _("已取消")

    community = models.ForeignKey(
        "org.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("小区")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=100)
    starts_at = models.DateTimeField(_("时间"))
    place = models.CharField(_("地点"), max_length=100)
    capacity = models.PositiveIntegerField(
        _("邀请人数上限"), default=0, help_text=_("0 表示不限，按优先顺序邀请全部目标客户")
    )
    audience = models.CharField(
        _("邀请对象"), max_length=20, choices=Audience.choices, default=Audience.ALL
    )
    description = models.TextField(_("活动内容"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    invited_at = models.DateTimeField(_("邀请时间"), null=True, blank=True)
    held_at = models.DateTimeField(_("登记签到时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("社区活动")
        verbose_name_plural = _("社区活动")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["community", "starts_at"], name="outreach_event_idx")]

    def __str__(self) -> str:
        return self.title


class Invitation(models.Model):
    community = models.ForeignKey("org.Community", on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invitations")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="event_invitations"
    )
    position = models.PositiveIntegerField(_("邀请顺序"))
    priority = models.BooleanField(_("优先邀请"), default=False)
    grade_name = models.CharField(_("等级"), max_length=30, blank=True)
    message = models.ForeignKey(
        "notify.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    attended = models.BooleanField(_("出席"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("评价"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    feedback = models.TextField(_("意见反馈"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("活动邀请")
        verbose_name_plural = _("活动邀请")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["event", "customer"], name="outreach_invite_once"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="outreach_rating_range",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "event"], name="outreach_invite_idx"),
            models.Index(fields=["community", "customer"], name="outreach_invite_cust_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id}:{self.customer_id}"
