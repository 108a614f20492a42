"""Customer grading and differentiated service (POLICY Ch.4, Ch.5).

Company-wide configuration: the grade scheme (`Grade`), flags (`Flag`), the rules that propose
a grade (`GradeRule`), and a service plan per grade or flag (`ServicePlan`, `VisitCadence`) —
together the company's VIP strategy (公司 VIP 客户管理策略).

Community-owned rows (direct `community` FK, indexes starting with it): a customer's current
grade and proposal (`CustomerGrade`), its history (`GradeChange`), manual flags
(`CustomerFlag`), fee standing (`FeeStanding`), the periodic re-grading review
(`GradeReview`, `GradeReviewItem`) and the background re-grading jobs (`RegradeJob`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.models import BaseModel, CommunityScopedQuerySet


# --- the scheme (company-wide configuration) -----------------------------------------------------
class Grade(BaseModel):
    code = models.SlugField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=30)
    rank = models.PositiveSmallIntegerField(
        _("级别高低"), unique=True, help_text=_("数字越大等级越高")
    )
    colour = models.CharField(_("颜色"), max_length=7, default="#6c757d")
    needs_approval = models.BooleanField(
        _("需公司审批"), default=False, help_text=_("定为此等级须由公司领导审批（如 VIP）")
    )
    is_default = models.BooleanField(
        _("默认等级"), default=False, help_text=_("没有任何规则命中时的建议等级")
    )
    is_active = models.BooleanField(_("启用"), default=True)
    description = models.TextField(_("说明"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("客户等级")
        verbose_name_plural = _("客户等级")
        ordering = ["-rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="grading_one_default"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Flag(BaseModel):
    """A customer flag. Derived flags are read from the customer file and never stored;
    manual flags are set on the customer's grade page (`CustomerFlag`)."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("人工标记")
        IMPORTANT = "important", _("取自客户资料“重要客户”")
        COMMITTEE = "committee", _("取自客户资料“业主委员会成员”")
        CARE = "care", _("有特殊关怀类型（独居老人等）")
        VACANT = "vacant", _("名下房间均为空置")

    code = models.SlugField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=30)
    source = models.CharField(
        _("来源"), max_length=20, choices=Source.choices, default=Source.MANUAL
    )
    colour = models.CharField(_("颜色"), max_length=7, default="#0d6efd")
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("客户标记")
        verbose_name_plural = _("客户标记")
        ordering = ["sort", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["source"], condition=~Q(source="manual"), name="grading_flag_source_uniq"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_derived(self) -> bool:
        return self.source != self.Source.MANUAL


class GradeRule(BaseModel):
    """One rule: when every condition holds, the customer is proposed `grade`.

    Rules are tried in `priority` order (smallest first); the first that matches decides.
    `conditions` is a list of {"input", "op", "value"} over the fixed vocabulary of
    `linli.grading.rules.INPUTS`, validated by `rules.clean_conditions` before it is saved.
    """

    grade = models.ForeignKey(
        Grade, on_delete=models.PROTECT, related_name="rules", verbose_name=_("建议等级")
    )
    name = models.CharField(_("规则名称"), max_length=50)
    priority = models.PositiveIntegerField(_("顺序"), help_text=_("数字小的先判断"))
    conditions = models.JSONField(_("条件"), default=list)
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("分级规则")
        verbose_name_plural = _("分级规则")
        ordering = ["priority", "pk"]

    def __str__(self) -> str:
        return self.name


class ServicePlan(BaseModel):
    """What a grade (or a flag, e.g. the owners' committee) is owed: visits, care, priority."""

    grade = models.OneToOneField(
        Grade,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="plan",
        verbose_name=_("等级"),
    )
    flag = models.OneToOneField(
        Flag,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="plan",
        verbose_name=_("标记"),
    )
    sla_factor = models.DecimalField(
        _("投诉处理时限系数"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0.1), MaxValueValidator(2)],
        help_text=_("诉求各项时限乘以此系数；小于 1 表示优先处理，空表示不调整"),
    )
    invitations_first = models.BooleanField(_("社区活动优先邀请"), default=False)
    dedicated_steward = models.BooleanField(_("专属物管员"), default=False)
    care_events = models.JSONField(_("关怀活动"), default=list, blank=True)
    notes = models.TextField(_("其他服务内容"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("服务方案")
        verbose_name_plural = _("服务方案")
        constraints = [
            models.CheckConstraint(
                condition=(Q(grade__isnull=False) & Q(flag__isnull=True))
                | (Q(grade__isnull=True) & Q(flag__isnull=False)),
                name="grading_plan_grade_xor_flag",
            )
        ]

    def __str__(self) -> str:
        return str(self.grade or self.flag)

    @property
    def subject(self) -> Grade | Flag:
        return self.grade or self.flag  # type: ignore[return-value]


class VisitCadence(models.Model):
    """ "`times` visits every `per_months` months by `visitor`", or, when `policy_key` names a
    care.visit.* parameter, the number in force for the customer's community."""

    class Visitor(models.TextChoices):
        STEWARD = "steward", _("物管员")
        OFFICE_SUPERVISOR = "office_customer_supervisor", _("管理处客户主管")
        OFFICE_MANAGER = "office_manager", _("管理处主任")
        RELATIONSHIP_OFFICER = "relationship_officer", _("客户关系维护")
        COMPANY_LEADER = "company_leader", _("公司领导")

    plan = models.ForeignKey(ServicePlan, on_delete=models.CASCADE, related_name="cadences")
    visitor = models.CharField(_("拜访人"), max_length=30, choices=Visitor.choices)
    times = models.PositiveSmallIntegerField(_("次数"), default=1)
    per_months = models.PositiveSmallIntegerField(_("每几个月"), default=3)
    policy_key = models.CharField(_("按制度参数"), max_length=60, blank=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("拜访频次")
        verbose_name_plural = _("拜访频次")
        ordering = ["sort", "pk"]

    def __str__(self) -> str:
        return f"{self.get_visitor_display()} {self.times}/{self.per_months}"


# --- per customer (community-owned) --------------------------------------------------------------
class FeeStanding(models.Model):
    """The customer's fee status as the office records it (an input of the grading rules)."""

    class Status(models.TextChoices):
        UNKNOWN = "unknown", _("未登记")
        PAID = "paid", _("按时缴费")
        PREPAID = "prepaid", _("预缴")
        ARREARS = "arrears", _("欠费")

    community = models.ForeignKey("org.Community", on_delete=models.PROTECT, related_name="+")
    customer = models.OneToOneField(
        "customers.Customer",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="fee_standing",
    )
    status = models.CharField(
        _("缴费状况"), max_length=20, choices=Status.choices, default=Status.UNKNOWN
    )
    arrears_months = models.PositiveSmallIntegerField(_("欠费月数"), default=0)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("缴费状况")
        verbose_name_plural = _("缴费状况")
        indexes = [models.Index(fields=["community", "status"], name="grading_fee_status_idx")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.status}"


class CustomerFlag(models.Model):
    community = models.ForeignKey("org.Community", on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="grading_flags"
    )
    flag = models.ForeignKey(Flag, on_delete=models.PROTECT, related_name="customer_flags")
    note = models.CharField(_("备注"), max_length=200, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    set_at = models.DateTimeField(_("标记时间"), auto_now_add=True)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("客户标记")
        verbose_name_plural = _("客户标记")
        constraints = [
            models.UniqueConstraint(fields=["customer", "flag"], name="grading_customer_flag_uniq")
        ]
        indexes = [models.Index(fields=["community", "flag"], name="grading_cflag_flag_idx")]

    def __str__(self) -> str:
        return f"{self.customer_id}:{self.flag_id}"


class ChangeSource(models.TextChoices):
    RULES = "rules", _("确认规则建议")
    REVIEW = "review", _("复评确认")
    OVERRIDE = "override", _("人工调整")


class CustomerGrade(models.Model):
    """A customer's current grade, the rules' latest proposal, and a decision awaiting approval."""

    community = models.ForeignKey(
        "org.Community", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, primary_key=True, related_name="grading"
    )
    grade = models.ForeignKey(
        Grade, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    graded_at = models.DateTimeField(_("定级时间"), null=True, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    is_override = models.BooleanField(_("人工调整"), default=False)
    proposed_grade = models.ForeignKey(
        Grade, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    proposed_rule = models.ForeignKey(
        GradeRule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # A decision for a grade that needs company approval waits here until approved or rejected.
    pending_grade = models.ForeignKey(
        Grade, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    pending_source = models.CharField(max_length=20, choices=ChangeSource.choices, blank=True)
    pending_reason = models.CharField(max_length=300, blank=True)
    pending_rule = models.ForeignKey(
        GradeRule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    pending_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    pending_at = models.DateTimeField(null=True, blank=True)
    pending_item = models.ForeignKey(
        "GradeReviewItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("客户等级")
        verbose_name_plural = _("客户等级")
        indexes = [
            models.Index(fields=["community", "grade"], name="grading_cg_grade_idx"),
            models.Index(fields=["community", "proposed_grade"], name="grading_cg_proposed_idx"),
            models.Index(
                fields=["community", "pending_at"],
                condition=Q(pending_grade__isnull=False),
                name="grading_cg_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.grade_id}"


class GradeChange(models.Model):
    """The grade history: old → new, where it came from, who proposed, decided and approved, why."""

    community = models.ForeignKey(
        "org.Community", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="grade_changes"
    )
    old_grade = models.ForeignKey(
        Grade, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    new_grade = models.ForeignKey(Grade, on_delete=models.PROTECT, related_name="+", db_index=False)
    source = models.CharField(_("来源"), max_length=20, choices=ChangeSource.choices)
    rule = models.ForeignKey(
        GradeRule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    rule_name = models.CharField(_("规则"), max_length=50, blank=True)
    reason = models.CharField(_("理由"), max_length=300, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    review_item = models.ForeignKey(
        "GradeReviewItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    at = models.DateTimeField(_("时间"))

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("等级变更")
        verbose_name_plural = _("等级变更")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["community", "customer", "-at"], name="grading_change_cust_idx"),
            models.Index(fields=["community", "at"], name="grading_change_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.old_grade_id} → {self.new_grade_id}"


class GradeReview(models.Model):
    """The periodic re-grading review (默认半年一次) of one community: a list of proposed changes."""

    community = models.ForeignKey(
        "org.Community",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("小区"),
        db_index=False,
    )
    period_start = models.DateField(_("复评期"))
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    evaluated_at = models.DateTimeField(_("最近评估时间"))
    customers = models.PositiveIntegerField(_("评估客户数"), default=0)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("分级复评")
        verbose_name_plural = _("分级复评")
        ordering = ["-period_start", "community__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "period_start"], name="grading_review_period_uniq"
            )
        ]
        indexes = [
            models.Index(fields=["community", "-period_start"], name="grading_review_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.community_id} {self.period_start:%Y-%m}"


class GradeReviewItem(models.Model):
    class Decision(models.TextChoices):
        PENDING = "pending", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        OVERRIDDEN = "overridden", _("已调整")
        KEPT = "kept", _("维持原级")
        AWAITING_APPROVAL = "awaiting_approval", _("待公司审批")
        REJECTED = "rejected", _("公司未批准")
        SUPERSEDED = "superseded", _("已失效")

    community = models.ForeignKey(
        "org.Community", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    review = models.ForeignKey(
        GradeReview, on_delete=models.CASCADE, related_name="items", db_index=False
    )
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    current_grade = models.ForeignKey(
        Grade, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    proposed_grade = models.ForeignKey(
        Grade, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    rule = models.ForeignKey(
        GradeRule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    rule_name = models.CharField(max_length=50, blank=True)
    matched = models.JSONField(default=list, blank=True)
    inputs = models.JSONField(default=dict, blank=True)
    decision = models.CharField(
        _("处理"), max_length=20, choices=Decision.choices, default=Decision.PENDING
    )
    decided_grade = models.ForeignKey(
        Grade, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    reason = models.CharField(_("理由"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("复评条目")
        verbose_name_plural = _("复评条目")
        constraints = [
            models.UniqueConstraint(fields=["review", "customer"], name="grading_review_item_uniq")
        ]
        indexes = [
            models.Index(
                fields=["community", "review", "decision"], name="grading_item_decision_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review_id}:{self.customer_id}"

    @property
    def is_open(self) -> bool:
        return self.decision == self.Decision.PENDING


class RegradeJob(models.Model):
    """A background re-grading: evaluates the rules for every customer of its communities and
    fills each community's review for the period. `community` is empty for a company-wide job."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("评估中")
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
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    at = models.DateTimeField(_("评估时点"))
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    communities_total = models.PositiveIntegerField(default=0)
    communities_done = models.PositiveIntegerField(default=0)
    customers = models.PositiveIntegerField(_("已评估客户"), default=0)
    proposals = models.PositiveIntegerField(_("建议变更"), default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("分级评估任务")
        verbose_name_plural = _("分级评估任务")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["community", "-created_at"], name="grading_job_idx")]

    def __str__(self) -> str:
        return f"{self.pk} {self.status}"

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.pk,
            "status": self.status,
            "progress": self.progress,
            "customers": self.customers,
            "proposals": self.proposals,
            "communities_done": self.communities_done,
            "communities_total": self.communities_total,
            "seconds": self.seconds,
        }
