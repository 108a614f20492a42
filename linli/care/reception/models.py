"""Reception log (来电、来访、来函 接待登记), the daily end-of-day check, personalised needs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.models import BaseModel, CommunityScopedQuerySet


class Channel(models.TextChoices):
    PHONE = "phone", _("来电")
    VISIT = "visit", _("来访")
    LETTER = "letter", _("来函")
    WECHAT = "wechat", _("微信")
    EMAIL = "email", _("邮件")
    OTHER = "other", _("其他")


class Topic(models.TextChoices):
    """What the contact was about; a coarse category for the log and its statistics."""

    ENQUIRY = "enquiry", _("咨询")
    REPAIR = "repair", _("报修")
    COMPLAINT = "complaint", _("投诉")
    SUGGESTION = "suggestion", _("建议")
    PRAISE = "praise", _("表扬")
    NEED = "need", _("个性化需求")
    PAYMENT = "payment", _("缴费")
    OTHER = "other", _("其他")


class Outcome(models.TextChoices):
    ANSWERED = "answered", _("已答复")
    TICKET = "ticket", _("已转诉求")
    NEED = "need", _("已登记需求")
    FOLLOW_UP = "follow_up", _("待跟进")
    REFERRED = "referred", _("已转交相关部门")


OPEN_OUTCOMES = (Outcome.FOLLOW_UP,)


class ReceptionEntry(BaseModel):
    """One contact at the front desk or the hotline (电话接待记录)."""

    community = models.ForeignKey(
        "org.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("小区")
    )
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    received_at = models.DateTimeField(_("接待时间"))
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("客户"),
    )
    room = models.ForeignKey(
        "customers.Room",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("房间"),
    )
    caller_name = models.CharField(_("来访人/来电人"), max_length=50, blank=True)
    caller_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    topic = models.CharField(_("类别"), max_length=20, choices=Topic.choices, default=Topic.ENQUIRY)
    subject = models.CharField(_("事由"), max_length=200)
    outcome = models.CharField(
        _("处理结果"), max_length=20, choices=Outcome.choices, default=Outcome.ANSWERED
    )
    reply = models.TextField(_("答复/处理情况"), blank=True)
    rings = models.PositiveSmallIntegerField(_("响铃次数"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("接待人"),
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("诉求"),
    )
    need = models.ForeignKey(
        "care_reception.PersonalNeed",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("个性化需求"),
    )
    closed_at = models.DateTimeField(_("跟进完成时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("跟进人"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("接待登记")
        verbose_name_plural = _("接待登记")
        indexes = [
            models.Index(fields=["community", "received_at"], name="reception_entry_day_idx"),
            models.Index(
                fields=["community", "received_at"],
                condition=Q(outcome="follow_up"),
                name="reception_entry_open_idx",
            ),
            models.Index(fields=["community", "customer"], name="reception_entry_customer_idx"),
            models.Index(fields=["community", "room"], name="reception_entry_room_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.received_at:%Y-%m-%d %H:%M} {self.subject[:20]}"

    @property
    def is_open(self) -> bool:
        return self.outcome in OPEN_OUTCOMES

    @property
    def who(self) -> str:
        customer = self.customer
        return self.who_of(self.customer_id, customer.name if customer else "", self.caller_name)

    @staticmethod
    def who_of(customer_id: int | None, customer_name: str | None, caller_name: str) -> str:
        """`who` of an entry read as values: the customer's file name, else the caller's."""
        return (customer_name or "") if customer_id is not None else caller_name


class DailyCheck(BaseModel):
    """The supervisor's tick that the day's log, return visits and needs were checked."""

    community = models.ForeignKey(
        "org.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("小区")
    )
    day = models.DateField(_("日期"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("检查人"),
    )
    checked_at = models.DateTimeField(_("检查时间"))
    open_entries = models.PositiveIntegerField(_("未办结登记"), default=0)
    visits_owed = models.PositiveIntegerField(_("到期/超期回访"), default=0)
    needs_due = models.PositiveIntegerField(_("到期个性化需求"), default=0)
    note = models.TextField(_("备注"), blank=True)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("日终检查")
        verbose_name_plural = _("日终检查")
        constraints = [
            models.UniqueConstraint(fields=["community", "day"], name="reception_check_day_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.community_id} {self.day}"


class NeedType(BaseModel):
    """A configurable kind of personalised need (代收快递, 家政服务 …)."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("个性化需求类型")
        verbose_name_plural = _("个性化需求类型")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class NeedStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    IN_PROGRESS = "in_progress", _("处理中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


NEED_TRANSITIONS: dict[str, frozenset[str]] = {
    NeedStatus.PENDING: frozenset({NeedStatus.IN_PROGRESS, NeedStatus.DONE, NeedStatus.CANCELLED}),
    NeedStatus.IN_PROGRESS: frozenset({NeedStatus.DONE, NeedStatus.CANCELLED}),
    NeedStatus.DONE: frozenset(),
    NeedStatus.CANCELLED: frozenset(),
}
OPEN_NEED_STATUSES = (NeedStatus.PENDING, NeedStatus.IN_PROGRESS)


class NeedSource(models.TextChoices):
    RECEPTION = "reception", _("接待登记")
    VISIT = "visit", _("拜访")
    TICKET = "ticket", _("诉求")
    PORTAL = "portal", _("业主端")
    OTHER = "other", _("其他")


class PersonalNeed(BaseModel):
    community = models.ForeignKey(
        "org.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("小区")
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("客户")
    )
    room = models.ForeignKey(
        "customers.Room",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("房间"),
    )
    need_type = models.ForeignKey(
        NeedType, on_delete=models.PROTECT, related_name="+", verbose_name=_("需求类型")
    )
    description = models.TextField(_("需求内容"))
    source = models.CharField(_("来源"), max_length=20, choices=NeedSource.choices)
    source_ref = models.CharField(_("来源编号"), max_length=50, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("负责人"),
    )
    due_on = models.DateField(_("办理期限"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=NeedStatus.choices, default=NeedStatus.PENDING
    )
    result = models.TextField(_("办理结果"), blank=True)
    feedback = models.TextField(_("客户反馈"), blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("个性化需求")
        verbose_name_plural = _("个性化需求")
        indexes = [
            models.Index(
                fields=["community", "due_on"],
                condition=Q(status__in=["pending", "in_progress"]),
                name="reception_need_open_idx",
            ),
            models.Index(fields=["community", "created_at"], name="reception_need_created_idx"),
            models.Index(fields=["community", "customer"], name="reception_need_customer_idx"),
            models.Index(
                fields=["assignee", "status", "due_on"], name="reception_need_assignee_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.need_type} · {self.description[:20]}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_NEED_STATUSES

    def can_transition_to(self, status: str) -> bool:
        return status in NEED_TRANSITIONS.get(self.status, frozenset())

    @property
    def completed_on_time(self) -> bool | None:
        if self.status != NeedStatus.DONE or self.completed_at is None or self.due_on is None:
            return None
        from django.utils import timezone

        return timezone.localdate(self.completed_at) <= self.due_on


class NeedEvent(models.Model):
    """Every change of a need's status (and assignments), for its history and the report."""

    community = models.ForeignKey("org.Community", on_delete=models.PROTECT, related_name="+")
    need = models.ForeignKey(PersonalNeed, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    at = models.DateTimeField()

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["community", "need", "at"], name="reception_need_event_idx")
        ]

    def __str__(self) -> str:
        return f"{self.need_id} {self.from_status}→{self.to_status}"

    @property
    def from_label(self) -> str:
        return str(NeedStatus(self.from_status).label) if self.from_status else ""

    @property
    def to_label(self) -> str:
        return str(NeedStatus(self.to_status).label) if self.to_status else ""
