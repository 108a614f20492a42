"""Secrecy of customer information (POLICY Ch.3a): grants, access log, exports, disclosures,
leak incidents and data-subject requests."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.models import BaseModel, CommunityScopedQuerySet
from linli.customers.models import Secrecy


class Decision(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")
    REVOKED = "revoked", _("已撤销")


class AccessGrant(BaseModel):
    """Permission for one person to open one file above their clearance, for a limited time."""

    community = models.ForeignKey(
        "org.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("小区")
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="grants",
        verbose_name=_("客户"),
    )
    grantee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="access_grants",
        verbose_name=_("申请人"),
    )
    level = models.PositiveSmallIntegerField(_("密级"), choices=Secrecy.choices)
    reason = models.CharField(_("查阅事由"), max_length=300)
    status = models.CharField(
        _("状态"), max_length=20, choices=Decision.choices, default=Decision.PENDING
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审批人"),
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)
    valid_until = models.DateTimeField(_("有效期至"), null=True, blank=True)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("档案查阅授权")
        verbose_name_plural = _("档案查阅授权")
        indexes = [
            models.Index(
                fields=["community", "status", "-created_at"], name="privacy_grant_status_idx"
            ),
            models.Index(
                fields=["grantee", "status", "valid_until"], name="privacy_grant_grantee_idx"
            ),
        ]


class AccessLog(models.Model):
    """档案查阅登记: every opening of a 机密/绝密 file, every unmask, export and print."""

    class Action(models.TextChoices):
        OPEN = "open", _("查阅档案")
        UNMASK = "unmask", _("查看明文")
        EXPORT = "export", _("导出")
        PRINT = "print", _("打印")
        DISCLOSE = "disclose", _("对外提供")

    community = models.ForeignKey(
        "org.Community",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("小区"),
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("查阅人"),
    )
    action = models.CharField(_("动作"), max_length=20, choices=Action.choices)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("客户"),
    )
    customer_name = models.CharField(
        _("客户"), max_length=100, blank=True
    )  # kept if the file is anonymised
    secrecy = models.PositiveSmallIntegerField(
        _("密级"), choices=Secrecy.choices, null=True, blank=True
    )
    field = models.CharField(_("字段"), max_length=50, blank=True)
    reason = models.CharField(_("事由"), max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("档案查阅登记")
        verbose_name_plural = _("档案查阅登记")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["community", "-at"], name="privacy_log_community_at_idx"),
            models.Index(fields=["community", "customer", "-at"], name="privacy_log_customer_idx"),
            models.Index(fields=["actor", "-at"], name="privacy_log_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.customer_name}"


class ExportRequest(BaseModel):
    """A bulk export: requested with a reason, approved, generated in the background."""

    class Kind(models.TextChoices):
        CUSTOMERS = "customers", _("客户")
        ROOMS = "rooms", _("房间")
        OCCUPANCIES = "occupancies", _("入住关系")
        ACCESS_LOG = "access_log", _("档案查阅登记")

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        REJECTED = "rejected", _("已驳回")
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    community = models.ForeignKey(
        "org.Community",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("小区"),
    )
    kind = models.CharField(_("内容"), max_length=20, choices=Kind.choices)
    filters = models.JSONField(_("筛选条件"), default=dict, blank=True)
    filters_label = models.CharField(_("筛选说明"), max_length=300, blank=True)
    reason = models.CharField(_("用途"), max_length=300)
    unmasked = models.BooleanField(_("申请导出明文"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="export_requests",
        verbose_name=_("申请人"),
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审批人"),
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)
    approved_unmasked = models.BooleanField(_("批准导出明文"), default=False)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    row_count = models.PositiveIntegerField(_("行数"), default=0)
    file = models.FileField(_("文件"), upload_to="exports/%Y/%m/", blank=True)
    error = models.TextField(_("错误"), blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    downloads = models.PositiveIntegerField(_("下载次数"), default=0)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("导出申请")
        verbose_name_plural = _("导出申请")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["community", "status", "-created_at"], name="privacy_export_status_idx"
            )
        ]


class Disclosure(BaseModel):
    """Customer data given to an outside party (police, court, other organisation)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")
        RELEASED = "released", _("已提供")

    community = models.ForeignKey(
        "org.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("小区")
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="disclosures",
        verbose_name=_("客户"),
    )
    organisation = models.CharField(_("来函单位"), max_length=100)
    letter_reference = models.CharField(_("公函文号"), max_length=100)
    investigator_name = models.CharField(_("经办人"), max_length=50)
    investigator_id = models.CharField(_("经办人证件号"), max_length=40)
    purpose = models.CharField(_("用途"), max_length=300)
    fields_requested = models.CharField(_("所需信息"), max_length=300)
    letter = models.FileField(_("公函扫描件"), upload_to="disclosures/%Y/", blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("登记人"),
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审批人"),
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提供人"),
    )
    released_at = models.DateTimeField(_("提供时间"), null=True, blank=True)
    release_note = models.CharField(_("提供内容"), max_length=300, blank=True)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("对外提供客户信息")
        verbose_name_plural = _("对外提供客户信息")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["community", "status", "-created_at"], name="privacy_disclosure_idx"
            )
        ]


class Incident(BaseModel):
    """A suspected leak of customer information and what was done about it."""

    class Status(models.TextChoices):
        OPEN = "open", _("处理中")
        CLOSED = "closed", _("已结案")

    class Severity(models.TextChoices):
        LOW = "low", _("一般")
        HIGH = "high", _("严重")
        CRITICAL = "critical", _("重大")

    community = models.ForeignKey(
        "org.Community",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("小区"),
    )
    title = models.CharField(_("事件"), max_length=100)
    description = models.TextField(_("经过"))
    severity = models.CharField(
        _("严重程度"), max_length=20, choices=Severity.choices, default=Severity.LOW
    )
    occurred_at = models.DateTimeField(_("发生时间"), null=True, blank=True)
    discovered_at = models.DateTimeField(_("发现时间"))
    affected_count = models.PositiveIntegerField(_("涉及客户数"), default=0)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("报告人"),
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    conclusion = models.TextField(_("结论"), blank=True)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("信息泄漏事件")
        verbose_name_plural = _("信息泄漏事件")
        ordering = ["-discovered_at"]
        indexes = [
            models.Index(
                fields=["community", "status", "-discovered_at"], name="privacy_incident_idx"
            )
        ]


class IncidentAction(BaseModel):
    community = models.ForeignKey(
        "org.Community", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(_("整改措施"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("责任人"),
    )
    due_on = models.DateField(_("完成期限"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    result = models.CharField(_("完成情况"), max_length=300, blank=True)

    class Meta:
        ordering = ["due_on", "id"]


class SubjectRequest(BaseModel):
    """A resident's request (PIPL) to see, correct or delete their personal data."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("查阅复制")
        CORRECT = "correct", _("更正")
        DELETE = "delete", _("删除")

    class Status(models.TextChoices):
        OPEN = "open", _("处理中")
        DONE = "done", _("已办结")
        REFUSED = "refused", _("不予办理")

    community = models.ForeignKey(
        "org.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("小区")
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="subject_requests",
        verbose_name=_("客户"),
    )
    kind = models.CharField(_("请求类型"), max_length=20, choices=Kind.choices)
    details = models.TextField(_("请求内容"))
    received_on = models.DateField(_("收到日期"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.OPEN)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("登记人"),
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办理人"),
    )
    handled_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    outcome = models.TextField(_("办理结果"), blank=True)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("个人信息权利请求")
        verbose_name_plural = _("个人信息权利请求")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["community", "status", "-received_on"], name="privacy_subject_idx")
        ]
