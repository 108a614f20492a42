"""Surveys (POLICY Ch.7): plans and rounds, versioned questionnaires, the sample (invitations),
responses and answers, audits and comment follow-ups.

A questionnaire version that a round has used is never edited: `QuestionnaireVersion.locked_at`
is set when a round freezes its scope, and the services refuse edits of a locked version — a
change makes a new version. Invitations are the sample: one per drawn household, carrying the
stratum it was drawn in and a one-time token (only its SHA-256 is stored).
"""

from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.models import BaseModel, CommunityScopedQuerySet


class Scale(models.TextChoices):
    """The policy's 5-level scale (codes as in scoring.SCALE, best first)."""

    VERY_SATISFIED = "very_satisfied", _("很满意")
    SATISFIED = "satisfied", _("满意")
    FAIRLY_SATISFIED = "fairly_satisfied", _("较满意")
    NEUTRAL = "neutral", _("一般")
    DISSATISFIED = "dissatisfied", _("不满意")


class Dimension(BaseModel):
    """A service dimension (客户服务, 秩序维护, 保洁…) — the company's editable list."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["sort", "id"]
        verbose_name = _("服务维度")
        verbose_name_plural = _("服务维度")

    def __str__(self) -> str:
        return self.name


class Questionnaire(BaseModel):
    name = models.CharField(_("问卷名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    is_template = models.BooleanField(_("标准模板"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-is_template", "name"]
        verbose_name = _("问卷")
        verbose_name_plural = _("问卷")

    def __str__(self) -> str:
        return self.name


class QuestionnaireVersion(BaseModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        APPROVED = "approved", _("已批准")
        RETIRED = "retired", _("已停用")

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    intro = models.TextField(_("致业主的话"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    locked_at = models.DateTimeField(_("已被调查轮次使用"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["questionnaire", "-number"]
        verbose_name = _("问卷版本")
        verbose_name_plural = _("问卷版本")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"], name="surveys_version_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire.name} v{self.number}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT and self.locked_at is None


class Section(models.Model):
    questionnaire_version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="sections"
    )
    dimension = models.ForeignKey(
        Dimension, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("标题"), max_length=60)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        SCALE = "scale", _("五级满意度")
        SINGLE = "single", _("单选")
        MULTIPLE = "multiple", _("多选")
        TEXT = "text", _("文字意见")

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("题型"), max_length=20, choices=Kind.choices, default=Kind.SCALE)
    text = models.CharField(_("题目"), max_length=200)
    required = models.BooleanField(_("必答"), default=False)
    weight = models.DecimalField(_("权重"), max_digits=5, decimal_places=2, default=1)
    choices = models.JSONField(_("选项"), default=list, blank=True)  # single/multiple: labels
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.text


class PlanQuerySet(CommunityScopedQuerySet):
    def office_scope(self, community_id: int) -> Q:
        """Company plans are visible to every office; office plans to their office."""
        return Q(community__isnull=True) | Q(community_id=community_id)


class RoundQuerySet(CommunityScopedQuerySet):
    def office_scope(self, community_id: int) -> Q:
        """A company round is visible to the offices it surveys (their own households only:
        invitations and responses are community rows); an office round to its office."""
        return Q(community_id=community_id) | Q(community__isnull=True, communities=community_id)

    def visible_to(self, user: Any) -> Self:
        return super().visible_to(user).distinct()


class SurveyPlan(BaseModel):
    """《年度客户调查方案》 (company, community empty) or a 管理处客户调查方案."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已退回")

    community = models.ForeignKey(
        "org.Community",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("管理处"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=100)
    purpose = models.TextField(_("调查目的"))
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "community_id", "id"]
        verbose_name = _("调查方案")
        verbose_name_plural = _("调查方案")
        indexes = [models.Index(fields=["community", "year"], name="surveys_plan_idx")]

    def __str__(self) -> str:
        return self.title


class SurveyRound(BaseModel):
    """One round of a plan: its population, questionnaire, sample design, channels and dates."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("准备中")
        FROZEN = "frozen", _("范围已锁定")
        SAMPLED = "sampled", _("已抽样")
        OPEN = "open", _("发放回收中")
        CLOSED = "closed", _("已结束")
        REPORTED = "reported", _("已出报告")

    class Method(models.TextChoices):
        FORMULA = "formula", _("按公式抽样")
        COVERAGE = "coverage", _("覆盖式发放")
        CENSUS = "census", _("全部住户")

    class Strata(models.TextChoices):
        COMMUNITY = "community", _("按小区")
        BUILDING = "building", _("按楼栋")
        GRADE = "grade", _("按客户等级")

    plan = models.ForeignKey(SurveyPlan, on_delete=models.CASCADE, related_name="rounds")
    community = models.ForeignKey(  # office plans: the office; company rounds: empty
        "org.Community", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("轮次名称"), max_length=100)
    communities = models.ManyToManyField(
        "org.Community", related_name="+", verbose_name=_("调查小区")
    )
    grades = models.JSONField(_("客户等级（空=全部）"), default=list, blank=True)
    owners_only = models.BooleanField(_("只调查业主"), default=False)
    questionnaire_version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="rounds"
    )
    method = models.CharField(
        _("样本量"), max_length=20, choices=Method.choices, default=Method.FORMULA
    )
    strata = models.CharField(
        _("分层"), max_length=20, choices=Strata.choices, default=Strata.COMMUNITY
    )
    special_flag = models.CharField(_("保证比例的特殊群体"), max_length=30, blank=True)
    channels = models.JSONField(_("发放渠道"), default=list)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("调查人员")
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    frozen_at = models.DateTimeField(_("范围锁定时间"), null=True, blank=True)
    # the sample design in force when it was drawn (policy parameters at that moment)
    population = models.PositiveIntegerField(_("总体户数"), null=True, blank=True)
    sample_target = models.PositiveIntegerField(_("样本量"), null=True, blank=True)
    design = models.JSONField(_("抽样参数"), default=dict, blank=True)
    seed = models.BigIntegerField(_("随机种子"), null=True, blank=True)
    sampled_at = models.DateTimeField(_("抽样时间"), null=True, blank=True)
    audit_failed = models.BooleanField(_("真实性核查未通过"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "id"]
        verbose_name = _("调查轮次")
        verbose_name_plural = _("调查轮次")
        indexes = [models.Index(fields=["community", "starts_on"], name="surveys_round_idx")]

    def __str__(self) -> str:
        return self.name


class Invitation(models.Model):
    """One household in the sample."""

    class Channel(models.TextChoices):
        LINK = "link", _("短信/微信链接")
        PAPER = "paper", _("纸质问卷")
        PHONE = "phone", _("电话访问")
        PORTAL = "portal", _("业主端")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发放")
        ISSUED = "issued", _("已发放")
        PARTIAL = "partial", _("已部分作答")
        RETURNED = "returned", _("已回收")
        VOID = "void", _("作废")

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="invitations")
    community = models.ForeignKey("org.Community", on_delete=models.PROTECT, related_name="+")
    room = models.ForeignKey("customers.Room", on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    stratum = models.CharField(_("分层"), max_length=60)
    special = models.BooleanField(_("特殊群体"), default=False)
    channel = models.CharField(
        _("发放方式"), max_length=20, choices=Channel.choices, default=Channel.LINK
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField(_("发放时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("再次推送时间"), null=True, blank=True)
    returned_at = models.DateTimeField(_("回收时间"), null=True, blank=True)
    phone_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("问卷发放")
        verbose_name_plural = _("问卷发放")
        constraints = [
            models.UniqueConstraint(fields=["round", "room"], name="surveys_invitation_room_unique")
        ]
        indexes = [
            models.Index(fields=["community", "round", "status"], name="surveys_inv_status_idx"),
            models.Index(fields=["community", "room"], name="surveys_inv_room_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.room_id}"


class Response(models.Model):
    """A form: answered online, keyed in from paper (optionally twice), or by phone."""

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="response")
    community = models.ForeignKey("org.Community", on_delete=models.PROTECT, related_name="+")
    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("方式"), max_length=20, choices=Invitation.Channel.choices)
    started_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    keyed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_by = models.ForeignKey(  # double entry: the second keyer, whose entry matched
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paper_number = models.CharField(_("纸质问卷编号"), max_length=30, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("问卷答卷")
        verbose_name_plural = _("问卷答卷")
        indexes = [
            models.Index(fields=["community", "round", "submitted_at"], name="surveys_resp_idx")
        ]

    def __str__(self) -> str:
        return f"{self.invitation_id}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    value = models.CharField(max_length=30, blank=True)  # a scale code or a choice index
    values = models.JSONField(default=list, blank=True)  # multiple choice
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="surveys_answer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"


class CommentFollowUp(models.Model):
    """Every written comment gets a return call within the policy's days (POLICY Ch.7)."""

    community = models.ForeignKey("org.Community", on_delete=models.PROTECT, related_name="+")
    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="comments")
    answer = models.OneToOneField(Answer, on_delete=models.CASCADE, related_name="follow_up")
    dimension = models.CharField(_("服务维度"), max_length=30, blank=True)
    due_on = models.DateField(_("回访期限"))
    done_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    result = models.TextField(_("回访结果"), blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("意见回访")
        verbose_name_plural = _("意见回访")
        indexes = [
            models.Index(fields=["community", "round", "done_at"], name="surveys_comment_idx"),
            models.Index(fields=["community", "due_on"], name="surveys_comment_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.answer_id}"


class AuditCheck(models.Model):
    """Authenticity audit: phone households that did not return; check keyed forms against paper."""

    class Kind(models.TextChoices):
        NON_RETURN = "non_return", _("电话核实未回收户")
        KEYED = "keyed", _("纸质问卷与录入核对")

    class Result(models.TextChoices):
        PENDING = "pending", _("待核查")
        PASSED = "passed", _("属实")
        FAILED = "failed", _("不属实")

    community = models.ForeignKey("org.Community", on_delete=models.PROTECT, related_name="+")
    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="audits")
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("核查方式"), max_length=20, choices=Kind.choices)
    result = models.CharField(
        _("结果"), max_length=20, choices=Result.choices, default=Result.PENDING
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(_("核查时间"), null=True, blank=True)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("真实性核查")
        verbose_name_plural = _("真实性核查")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "invitation", "kind"], name="surveys_audit_unique"
            )
        ]
        indexes = [models.Index(fields=["community", "round"], name="surveys_audit_idx")]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.invitation_id}/{self.kind}"


class Rectification(models.Model):
    """A figure below the company target: the office's rectification, followed up by the company."""

    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        SUBMITTED = "submitted", _("已提交整改措施")
        VERIFIED = "verified", _("公司已验证")

    community = models.ForeignKey("org.Community", on_delete=models.PROTECT, related_name="+")
    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="rectifications")
    dimension = models.CharField(_("项目"), max_length=30)  # a dimension name, or 总体
    rate = models.DecimalField(_("满意率"), max_digits=5, decimal_places=1)
    target = models.DecimalField(_("目标"), max_digits=5, decimal_places=1)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.OPEN)
    due_on = models.DateField(_("整改期限"))
    measures = models.TextField(_("整改措施"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verification = models.TextField(_("验证意见"), blank=True)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("满意度整改")
        verbose_name_plural = _("满意度整改")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "community", "dimension"], name="surveys_rectification_unique"
            )
        ]
        indexes = [models.Index(fields=["community", "status"], name="surveys_rect_idx")]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.community_id}/{self.dimension}"


class SurveyReport(models.Model):
    """《客户调研报告》 of a round, per office (community) or company-wide (community empty);
    generated in the background, kept with the round as Word and PDF."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="reports")
    community = models.ForeignKey(
        "org.Community", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=60, blank=True)
    docx = models.FileField(upload_to="surveys/reports/", blank=True)
    pdf = models.FileField(upload_to="surveys/reports/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("客户调研报告")
        verbose_name_plural = _("客户调研报告")
        indexes = [models.Index(fields=["community", "round"], name="surveys_report_idx")]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.community_id or 'company'}"
