"""Visit plans, visit records and steward handover (POLICY Ch.5).

Every table has a direct `community` FK and indexes that start with it (DESIGN §4). Rows that
name a customer are read through `Customer.objects.visible_to(user)` as well, so a file above
the user's clearance leaves its plan items, visits and tasks out of every page.

- `PlanItem`: one visit a person owes a customer, due by the end of a month (`due_on`) and
  workable from the start of its cadence window (`window_start`). Generated in bulk per
  community and month (`PlanRun`), never per request.
- `Visit`: a visit record; `Commitment`: what the visitor promised, tracked to done;
  `FollowUp`: the ticket or personalised need a visit raised (ids in other chapters).
- `Handover`, `HandoverTask`: an area changes steward; the new steward contacts every customer.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.models import CommunityScopedQuerySet


class VisitorRole(models.TextChoices):
    """Who visits (the cadence's visitor codes, linli.grading.models.VisitCadence.Visitor)."""

    STEWARD = "steward", _("物管员")
    OFFICE_SUPERVISOR = "office_customer_supervisor", _("管理处客户主管")
    OFFICE_MANAGER = "office_manager", _("管理处主任")
    RELATIONSHIP_OFFICER = "relationship_officer", _("客户关系维护")
    COMPANY_LEADER = "company_leader", _("公司领导")


class PlanRun(models.Model):
    """A community's plan for one month was generated (the sweep's idempotency marker)."""

    community = models.ForeignKey("org.Community", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("月份"))
    generated_at = models.DateTimeField(_("生成时间"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    items = models.PositiveIntegerField(_("计划拜访"), default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("拜访计划生成记录")
        verbose_name_plural = _("拜访计划生成记录")
        constraints = [
            models.UniqueConstraint(fields=["community", "month"], name="care_visits_run_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.community_id} {self.month:%Y-%m}"


class PlanItem(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("待拜访")
        DONE = "done", _("已完成")

    community = models.ForeignKey("org.Community", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("计划月份"))  # the first day of the month `due_on` falls in
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="+", verbose_name=_("客户")
    )
    room = models.ForeignKey(
        "customers.Room", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    area = models.ForeignKey(
        "org.Area", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    visitor_role = models.CharField(_("拜访人"), max_length=30, choices=VisitorRole.choices)
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("负责人"),
    )
    window_start = models.DateField(_("可拜访起始"))
    due_on = models.DateField(_("最迟拜访日期"))
    seq = models.PositiveSmallIntegerField(default=0)
    per_months = models.PositiveSmallIntegerField(_("频次周期（月）"), default=1)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    visit = models.ForeignKey(
        "Visit", on_delete=models.SET_NULL, null=True, blank=True, related_name="plan_items"
    )

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("计划拜访")
        verbose_name_plural = _("计划拜访")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "visitor_role", "due_on", "seq"], name="care_visits_item_uniq"
            )
        ]
        indexes = [
            models.Index(
                fields=["community", "month", "visitor_role"], name="care_visits_item_month"
            ),
            models.Index(
                fields=["community", "visitor", "due_on"], name="care_visits_item_visitor"
            ),
            models.Index(fields=["community", "customer", "status"], name="care_visits_item_cust"),
            models.Index(
                fields=["community", "due_on"],
                condition=Q(status="planned"),
                name="care_visits_item_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.visitor_role} {self.due_on}"


class Visit(models.Model):
    class Kind(models.TextChoices):
        REGULAR = "regular", _("定期走访")
        SPECIAL = "special", _("专项走访")
        AD_HOC = "ad_hoc", _("临时走访")
        COMPLAINT_RETURN = "complaint_return", _("投诉回访")
        REPAIR_RETURN = "repair_return", _("维修回访")

    class Method(models.TextChoices):
        DOOR = "door", _("上门")
        PHONE = "phone", _("电话")
        WECHAT = "wechat", _("微信/网络")
        PATROL = "patrol", _("日常巡视")

    community = models.ForeignKey("org.Community", on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("客户")
    )
    room = models.ForeignKey(
        "customers.Room",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("房间"),
    )
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("拜访人"),
    )
    visitor_role = models.CharField(max_length=30, blank=True)  # the role it counts for
    kind = models.CharField(_("拜访类型"), max_length=20, choices=Kind.choices)
    method = models.CharField(_("拜访方式"), max_length=20, choices=Method.choices)
    visited_at = models.DateTimeField(_("拜访时间"))
    people_met = models.CharField(_("接待人"), max_length=200, blank=True)
    raised = models.TextField(_("客户反映的问题与意见"), blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("满意度"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("拜访记录")
        verbose_name_plural = _("拜访记录")
        indexes = [
            models.Index(fields=["community", "visited_at"], name="care_visits_visit_at"),
            models.Index(
                fields=["community", "customer", "visited_at"], name="care_visits_visit_cust"
            ),
            models.Index(
                fields=["community", "visitor", "visited_at"], name="care_visits_visit_who"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.visited_at:%Y-%m-%d}"


class Commitment(models.Model):
    """Something the visitor promised the customer, by a date."""

    community = models.ForeignKey("org.Community", on_delete=models.PROTECT, related_name="+")
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="commitments")
    text = models.CharField(_("承诺事项"), max_length=200)
    due_on = models.DateField(_("承诺期限"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("负责人"),
    )
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    done_note = models.CharField(_("完成情况"), max_length=200, blank=True)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("拜访承诺")
        verbose_name_plural = _("拜访承诺")
        indexes = [
            models.Index(
                fields=["community", "assignee", "due_on"],
                condition=Q(done_at__isnull=True),
                name="care_visits_commit_open",
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class FollowUp(models.Model):
    """A ticket or personalised need raised from a visit (ids in the other chapter)."""

    class Kind(models.TextChoices):
        TICKET = "ticket", _("诉求")
        NEED = "need", _("个性化需求")

    community = models.ForeignKey("org.Community", on_delete=models.PROTECT, related_name="+")
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="follow_ups")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    ref_id = models.BigIntegerField()
    label = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("拜访转办")
        verbose_name_plural = _("拜访转办")
        indexes = [models.Index(fields=["community", "visit"], name="care_visits_follow_visit")]

    def __str__(self) -> str:
        return self.label


class Handover(models.Model):
    """An area changed steward; the new steward contacts every customer of it by `due_on`."""

    community = models.ForeignKey("org.Community", on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey("org.Area", on_delete=models.PROTECT, related_name="+")
    old_steward = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("原物管员"),
    )
    new_steward = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("新物管员"),
    )
    at = models.DateTimeField(_("交接时间"))
    due_on = models.DateField(_("走访完成期限"))
    note = models.CharField(_("交接说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    items_moved = models.PositiveIntegerField(_("转交的计划拜访"), default=0)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("物管员交接")
        verbose_name_plural = _("物管员交接")
        indexes = [models.Index(fields=["community", "at"], name="care_visits_handover_at")]

    def __str__(self) -> str:
        return f"{self.area_id} {self.at:%Y-%m-%d}"


class HandoverTask(models.Model):
    community = models.ForeignKey("org.Community", on_delete=models.PROTECT, related_name="+")
    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="tasks")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey(
        "customers.Room", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("期限"))
    done_at = models.DateTimeField(_("联系时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    method = models.CharField(
        _("联系方式"), max_length=20, choices=Visit.Method.choices, blank=True
    )
    note = models.CharField(_("联系情况"), max_length=200, blank=True)
    visit = models.ForeignKey(
        Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("交接走访任务")
        verbose_name_plural = _("交接走访任务")
        constraints = [
            models.UniqueConstraint(
                fields=["handover", "customer"], name="care_visits_handover_task_uniq"
            )
        ]
        indexes = [
            models.Index(
                fields=["community", "assignee", "due_on"],
                condition=Q(done_at__isnull=True),
                name="care_visits_task_open",
            ),
            models.Index(fields=["community", "customer"], name="care_visits_task_cust"),
        ]

    def __str__(self) -> str:
        return f"{self.handover_id}:{self.customer_id}"
