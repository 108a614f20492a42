"""Customer requests and complaints (POLICY Ch.6): one intake for every channel and kind.

Deadlines are stored columns computed from the policy in force when the ticket was opened;
every status change writes a TicketEvent, which the timeline and the statistics read.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.models import BaseModel, CommunityScopedQuerySet


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("投诉")
    REPAIR = "repair", _("报修")
    ENQUIRY = "enquiry", _("咨询")
    SUGGESTION = "suggestion", _("建议")
    PRAISE = "praise", _("表扬")


class Channel(models.TextChoices):
    PHONE = "phone", _("电话")
    FRONT_DESK = "front_desk", _("前台来访")
    LETTER = "letter", _("来函")
    PORTAL = "portal", _("业主端")
    WECHAT = "wechat", _("微信")
    HOTLINE_12345 = "hotline_12345", _("12345 转办")
    VISIT = "visit", _("走访")
    INSPECTION = "inspection", _("巡检")


class Severity(models.TextChoices):
    ORDINARY = "ordinary", _("一般")
    URGENT = "urgent", _("紧急")
    MAJOR = "major", _("重大")


class Level(models.TextChoices):
    OFFICE = "office", _("管理处级")
    COMPANY = "company", _("公司级")


class Validity(models.TextChoices):
    UNDETERMINED = "", _("待认定")
    VALID = "valid", _("有效")
    INVALID = "invalid", _("无效")


class Status(models.TextChoices):
    NEW = "new", _("新建")
    ACCEPTED = "accepted", _("已受理")
    DISPATCHED = "dispatched", _("已派单")
    IN_PROGRESS = "in_progress", _("处理中")
    RESOLVED = "resolved", _("已解决")
    RETURN_VISITED = "return_visited", _("已回访")
    CLOSED = "closed", _("已关闭")
    CANCELLED = "cancelled", _("已撤销")


OPEN_STATUSES = (Status.NEW, Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS)
# A ticket is *settled* when none of its statistics figures can change any more with the
# passing of time: cancelled, or closed for work with its response and resolution recorded.
# Settled tickets are counted in the monthly figures (`TicketMonth`, kept by database
# triggers); the statistics read the few unsettled ones live.
# What the statistics' trend reads of a ticket: the covering indexes below include it all.
TREND_COLUMNS = ["id", "kind", "status", "respond_by", "responded_at", "resolve_by", "resolved_at"]
UNSETTLED = ~Q(status=Status.CANCELLED) & (
    Q(status__in=[str(s) for s in OPEN_STATUSES])
    | Q(responded_at__isnull=True)
    | Q(resolve_by__isnull=False, resolved_at__isnull=True)
)
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset(
        {Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS, Status.RESOLVED, Status.CANCELLED}
    ),
    Status.ACCEPTED: frozenset(
        {Status.DISPATCHED, Status.IN_PROGRESS, Status.RESOLVED, Status.CANCELLED}
    ),
    Status.DISPATCHED: frozenset(
        {Status.DISPATCHED, Status.IN_PROGRESS, Status.RESOLVED, Status.CANCELLED}
    ),
    Status.IN_PROGRESS: frozenset({Status.DISPATCHED, Status.RESOLVED, Status.CANCELLED}),
    Status.RESOLVED: frozenset({Status.RETURN_VISITED, Status.CLOSED, Status.IN_PROGRESS}),
    Status.RETURN_VISITED: frozenset({Status.CLOSED, Status.IN_PROGRESS}),
    Status.CLOSED: frozenset({Status.IN_PROGRESS}),  # reopen
    Status.CANCELLED: frozenset(),
}


class Category(BaseModel):
    """A configurable category (设施设备, 环境卫生 …); the department kind it goes to by default."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30)
    department_kind = models.CharField(_("默认部门类别"), max_length=30, blank=True)
    engineering = models.BooleanField(_("工程类"), default=False)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("诉求类别")
        verbose_name_plural = _("诉求类别")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class Cause(BaseModel):
    """Cause categories for lessons learned (经验教训)."""

    name = models.CharField(_("原因"), max_length=30, unique=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("投诉原因")
        verbose_name_plural = _("投诉原因")
        ordering = ["sort", "name"]

    def __str__(self) -> str:
        return self.name


class TicketQuerySet(CommunityScopedQuerySet):
    def open(self) -> TicketQuerySet:
        return self.filter(status__in=OPEN_STATUSES)


class Ticket(BaseModel):
    community = models.ForeignKey(
        "org.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("小区")
    )
    number = models.CharField(_("编号"), max_length=30, unique=True, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("类别")
    )
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("内容"))
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("客户"),
    )
    room = models.ForeignKey(
        "customers.Room",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("房间"),
    )
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    severity = models.CharField(
        _("严重程度"), max_length=20, choices=Severity.choices, default=Severity.ORDINARY
    )
    level = models.CharField(_("级别"), max_length=20, choices=Level.choices, default=Level.OFFICE)
    level_reason = models.CharField(_("升为公司级原因"), max_length=200, blank=True)
    validity = models.CharField(
        _("有效性"), max_length=20, choices=Validity.choices, blank=True, default=""
    )
    invalid_reason = models.CharField(_("无效原因"), max_length=300, blank=True)
    explain_by = models.DateTimeField(_("解释期限"), null=True, blank=True)
    explained_at = models.DateTimeField(_("已向客户解释"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.NEW)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("受理人"),
    )
    received_by_company = models.BooleanField(_("公司直接受理"), default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="owned_tickets",
        verbose_name=_("首问负责人"),
    )  # fmt: skip
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="assigned_tickets",
        verbose_name=_("处理人"),
    )  # fmt: skip
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任部门"),
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="coordinated_tickets",
        verbose_name=_("协调人"),
    )  # fmt: skip
    opened_at = models.DateTimeField(_("受理时间"))
    dispatch_by = models.DateTimeField(_("派单期限"), null=True, blank=True)
    respond_by = models.DateTimeField(_("响应期限"), null=True, blank=True)
    resolve_by = models.DateTimeField(_("解决期限"), null=True, blank=True)
    return_visit_by = models.DateTimeField(_("回访期限"), null=True, blank=True)
    company_check_by = models.DateTimeField(_("公司复核期限"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    responded_at = models.DateTimeField(_("响应时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    company_checked_at = models.DateTimeField(_("公司复核时间"), null=True, blank=True)
    paused_at = models.DateTimeField(_("暂停时间"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("累计暂停秒数"), default=0)
    sla_factor = models.DecimalField(_("时限系数"), max_digits=4, decimal_places=2, default=1)
    escalation_level = models.PositiveSmallIntegerField(_("督办级别"), default=0)
    next_escalation_at = models.DateTimeField(null=True, blank=True)
    remind_at = models.DateTimeField(null=True, blank=True)
    is_overdue = models.BooleanField(_("已超时"), default=False)
    reopened_count = models.PositiveSmallIntegerField(_("重新处理次数"), default=0)
    resolution = models.TextField(_("处理结果"), blank=True)
    cause = models.ForeignKey(
        Cause,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("原因类别"),
    )
    corrective_action = models.TextField(_("纠正措施"), blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("回访满意度"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("客户诉求")
        verbose_name_plural = _("客户诉求")
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["community", "-opened_at"], name="tickets_community_opened_idx"),
            models.Index(
                fields=["community", "status", "resolve_by"], name="tickets_community_status_idx"
            ),
            models.Index(
                fields=["community", "customer", "-opened_at"], name="tickets_customer_idx"
            ),
            models.Index(fields=["community", "room", "-opened_at"], name="tickets_room_idx"),
            # Statistics: complaints with a cause resolved in a period (top causes, lessons
            # learned), per community.
            models.Index(
                fields=["community", "resolved_at"],
                condition=Q(kind="complaint", cause__isnull=False),
                name="tickets_cause_resolved_idx",
            ),
            # Company-wide statistics have no community condition: the cohort of a period by
            # opening time, covering what the trend counts (an index-only scan of the year).
            models.Index(
                fields=["opened_at"],
                include=TREND_COLUMNS,
                name="tickets_opened_cover_idx",
            ),
            models.Index(fields=["assignee", "status"], name="tickets_assignee_idx"),
            models.Index(fields=["owner", "status"], name="tickets_owner_idx"),
            # "My work" ORs assignee, owner and coordinator: each needs an index of its own.
            models.Index(
                fields=["coordinator", "status"],
                condition=Q(coordinator__isnull=False),
                name="tickets_coordinator_idx",
            ),
            models.Index(
                fields=["next_escalation_at"],
                condition=Q(status__in=["new", "accepted", "dispatched", "in_progress"]),
                name="tickets_open_escalation_idx",
            ),
            models.Index(
                fields=["remind_at"],
                condition=Q(status__in=["new", "accepted", "dispatched", "in_progress"]),
                name="tickets_open_remind_idx",
            ),
            models.Index(
                fields=["level", "-opened_at"],
                condition=Q(level="company"),
                name="tickets_company_level_idx",
            ),
            # The statistics' trend reads the unsettled tickets live (a few per community),
            # index-only: company-wide the whole (small) index is read with no heap visits.
            models.Index(
                fields=["community", "opened_at"],
                include=TREND_COLUMNS,
                condition=UNSETTLED,
                name="tickets_unsettled_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def can_transition_to(self, status: str) -> bool:
        return status in TRANSITIONS.get(self.status, frozenset())

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None


class TicketEvent(models.Model):
    class Kind(models.TextChoices):
        OPENED = "opened", _("受理")
        STATUS = "status", _("状态变更")
        DISPATCHED = "dispatched", _("派单")
        TRANSFERRED = "transferred", _("转办")
        HANDED_OVER = "handed_over", _("移交")
        NOTE = "note", _("内部备注")
        REPLY = "reply", _("答复客户")
        PAUSED = "paused", _("暂停计时")
        RESUMED = "resumed", _("恢复计时")
        REMINDED = "reminded", _("到期提醒")
        PRESSED = "pressed", _("催办")
        ESCALATED = "escalated", _("升级督办")
        LEVEL_RAISED = "level_raised", _("升为公司级")
        VALIDITY = "validity", _("有效性认定")
        EXPLAINED = "explained", _("已向客户解释")
        RESOLVED = "resolved", _("解决")
        RETURN_VISIT = "return_visit", _("回访")
        REOPENED = "reopened", _("重新处理")
        COMPANY_CHECKED = "company_checked", _("公司复核")
        CLOSED = "closed", _("关闭")
        CANCELLED = "cancelled", _("撤销")
        ATTACHMENT = "attachment", _("上传照片")

    community = models.ForeignKey("org.Community", on_delete=models.PROTECT, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=50, blank=True)  # the customer (portal) or 系统
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["community", "kind", "at"], name="tickets_event_kind_idx"),
            models.Index(fields=["ticket", "at"], name="tickets_event_ticket_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"


class Attachment(models.Model):
    community = models.ForeignKey("org.Community", on_delete=models.PROTECT, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="tickets/%Y/%m/")
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    original_name = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["community", "ticket"], name="tickets_attachment_idx")]

    def __str__(self) -> str:
        return self.original_name


class Reply(BaseModel):
    """A written reply to the customer: draft → review → approval → sent, where required."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        REVIEWED = "reviewed", _("已审核")
        APPROVED = "approved", _("已审批")
        SENT = "sent", _("已发送")

    community = models.ForeignKey("org.Community", on_delete=models.PROTECT, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="replies")
    body = models.TextField(_("答复内容"))
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["community", "ticket"], name="tickets_reply_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.status}"


class ReturnVisit(BaseModel):
    class Satisfaction(models.IntegerChoices):
        VERY_SATISFIED = 5, _("很满意")
        SATISFIED = 4, _("满意")
        FAIRLY_SATISFIED = 3, _("较满意")
        AVERAGE = 2, _("一般")
        DISSATISFIED = 1, _("不满意")

    class Method(models.TextChoices):
        PHONE = "phone", _("电话")
        VISIT = "visit", _("上门")
        WECHAT = "wechat", _("微信")
        PORTAL = "portal", _("业主端")

    community = models.ForeignKey("org.Community", on_delete=models.PROTECT, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="return_visits")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="return_visits",
        verbose_name=_("回访人"),
    )
    due_at = models.DateTimeField(_("回访期限"))
    done_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    method = models.CharField(_("方式"), max_length=20, choices=Method.choices, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("满意度"), choices=Satisfaction.choices, null=True, blank=True
    )
    words = models.TextField(_("客户意见"), blank=True)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        indexes = [
            models.Index(
                fields=["community", "due_at"],
                condition=Q(done_at__isnull=True),
                name="tickets_rv_open_idx",
            ),
            models.Index(fields=["assigned_to", "due_at"], name="tickets_rv_assignee_idx"),
            # Return-visit rate (board) and the statistics: due and done in a period, covering
            # what the rates count (index-only scans; company-wide with community = ANY(…)).
            models.Index(
                fields=["community", "due_at"],
                include=["id", "done_at"],
                name="tickets_rv_due_idx",
            ),
            models.Index(
                fields=["community", "done_at"],
                include=["id", "satisfaction"],
                name="tickets_rv_done_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.due_at:%Y-%m-%d}"


class CommunityMonth(models.Model):
    """A community's figures for one local month, kept by triggers (`linli.tickets.rollup`)."""

    community = models.ForeignKey("org.Community", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the local month

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class TicketMonth(CommunityMonth):
    """The trend figures of the settled tickets (`UNSETTLED`) opened in a local month, per
    community and kind: what a year's trend reads instead of counting a year of tickets.

    Kept by database triggers on `tickets_ticket` (`linli.tickets.rollup`), so every write —
    service, admin, import, a bulk update — moves the counts in the same transaction;
    `rollup.check` recomputes them from the tickets and repairs any drift (a nightly sweep).
    """

    kind = models.CharField(max_length=20, choices=Kind.choices)
    received = models.IntegerField(db_default=0)
    respond_due = models.IntegerField(db_default=0)
    respond_on_time = models.IntegerField(db_default=0)
    resolve_due = models.IntegerField(db_default=0)
    resolve_on_time = models.IntegerField(db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "month", "kind"], name="tickets_month_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.community_id} {self.month:%Y-%m} {self.kind}"


class ReturnVisitMonth(CommunityMonth):
    """The return-visit figures of the done visits, per community and local month: due and
    done by the month the visit was due, rated and satisfied by the month it was done.
    Kept by triggers on `tickets_returnvisit` like `TicketMonth`; visits not yet done are
    read live."""

    visits_due = models.IntegerField(db_default=0)
    visits_done = models.IntegerField(db_default=0)
    visits_rated = models.IntegerField(db_default=0)
    visits_satisfied = models.IntegerField(db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "month"], name="tickets_rv_month_unique")
        ]

    def __str__(self) -> str:
        return f"{self.community_id} {self.month:%Y-%m}"
