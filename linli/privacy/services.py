"""Writes of the secrecy chapter: grants, unmasking, the access register, approvals."""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import uuid
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli import policy
from linli.audit import services as audit
from linli.core.errors import DomainError
from linli.core.http import missing_permission
from linli.core.masking import mask_id_number
from linli.customers.models import Customer, Secrecy
from linli.customers.presenters import SENSITIVE_FIELDS, clear_text
from linli.customers.secrecy import clearance_of
from linli.org.roles import Perm
from linli.privacy import selectors
from linli.privacy.models import (
    AccessGrant,
    AccessLog,
    Decision,
    Disclosure,
    ExportRequest,
    Incident,
    IncidentAction,
    SubjectRequest,
)

logger = logging.getLogger(__name__)


def log_access(
    actor: Any,
    action: str,
    *,
    customer: Customer | None = None,
    community_id: int | None = None,
    field: str = "",
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AccessLog:
    return AccessLog.objects.create(
        community_id=customer.community_id if customer is not None else community_id,
        actor=actor,
        action=action,
        customer=customer,
        customer_name=customer.name if customer else "",
        secrecy=customer.secrecy if customer else None,
        field=field,
        reason=reason[:300],
        detail=detail or {},
    )


def log_open(actor: Any, customer: Customer, *, reason: str = "") -> None:
    """Opening a 机密/绝密 file is registered (档案查阅登记)."""
    if customer.secrecy >= Secrecy.CONFIDENTIAL:
        log_access(actor, AccessLog.Action.OPEN, customer=customer, reason=reason or _("查阅档案"))


@transaction.atomic
def unmask_field(customer: Customer, field: str, *, actor: Any, reason: str) -> str:
    """The clear value of one sensitive field, for a stated reason; logged and audited."""
    if Perm.CUSTOMERS_UNMASK not in actor.perms:
        raise missing_permission(Perm.CUSTOMERS_UNMASK)
    if field not in SENSITIVE_FIELDS:
        raise DomainError(_("该字段无需申请查看。"), field="field")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError(_("请说明查看原因。"), field="reason")
    log_access(actor, AccessLog.Action.UNMASK, customer=customer, field=field, reason=reason)
    audit.record(actor, "privacy.customer.unmasked", customer, {"field": field, "reason": reason})
    return clear_text(customer, field)


# --- access grants ----------------------------------------------------------------------------
def approver_permission(level: int) -> str:
    return (
        Perm.PRIVACY_APPROVE_TOP_SECRET
        if level >= Secrecy.TOP_SECRET
        else Perm.PRIVACY_APPROVE_CONFIDENTIAL
    )


@transaction.atomic
def request_grant(customer: Customer, *, actor: Any, reason: str) -> AccessGrant:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError(_("请说明查阅事由。"), field="reason")
    if (
        customer.secrecy <= clearance_of(actor)
        or Customer.objects.visible_to(actor).filter(pk=customer.pk).exists()
    ):
        raise DomainError(_("您已可查阅该档案，无需申请。"))
    if customer.anonymised_at:
        raise DomainError(_("该客户资料已匿名化，无需申请。"))
    _lock(customer)
    if AccessGrant.objects.filter(
        customer=customer, grantee=actor, status=Decision.PENDING
    ).exists():
        raise DomainError(_("您已提交过该档案的查阅申请，请等待审批。"))
    grant = AccessGrant.objects.create(
        community_id=customer.community_id,
        customer=customer,
        grantee=actor,
        level=customer.secrecy,
        reason=reason[:300],
    )
    audit.record(
        actor,
        "privacy.grant.requested",
        grant,
        {"customer": customer.pk, "level": customer.secrecy},
    )
    notify_staff(
        [
            person
            for person in selectors.approvers_of(
                approver_permission(grant.level), grant.community_id
            )
            if person.pk != actor.pk
        ],
        subject=_("档案查阅申请待审批"),
        body=_("%(who)s 申请查阅一份客户档案，事由：%(reason)s")
        % {"who": actor.display_name, "reason": reason},
        link=reverse("privacy:grant_approvals"),
        kind="privacy.grant.requested",
    )
    return grant


def can_decide(grant: AccessGrant, user: Any) -> bool:
    code = approver_permission(grant.level)
    if code not in user.perms or user.pk == grant.grantee_id:
        return False
    return user.is_company_wide or user.community_id == grant.community_id


@transaction.atomic
def decide_grant(grant: AccessGrant, *, actor: Any, approve: bool, note: str = "") -> AccessGrant:
    if not can_decide(grant, actor):
        if approver_permission(grant.level) not in actor.perms:
            raise missing_permission(approver_permission(grant.level))
        raise DomainError(_("不能审批自己的申请。"))
    note = (note or "").strip()
    if not approve and len(note) < 2:
        raise DomainError(_("驳回时请写明理由。"), field="note")
    now = timezone.now()
    if grant.level >= Secrecy.TOP_SECRET:
        valid_until = now + dt.timedelta(hours=int(policy.value("privacy.top_secret.grant_hours")))
    else:
        valid_until = now + dt.timedelta(days=int(policy.value("privacy.confidential.grant_days")))
    status = Decision.APPROVED if approve else Decision.REJECTED
    updated = AccessGrant.objects.filter(pk=grant.pk, status=Decision.PENDING).update(
        status=status,
        approver=actor,
        decided_at=now,
        decision_note=note[:300],
        valid_until=valid_until if approve else None,
        updated_at=now,
    )
    if updated != 1:
        raise DomainError(_("该申请已处理。"))
    grant.refresh_from_db()
    audit.record(
        actor,
        f"privacy.grant.{'approved' if approve else 'rejected'}",
        grant,
        {
            "grantee": grant.grantee_id,
            "customer": grant.customer_id,
            "valid_until": str(grant.valid_until or ""),
        },
    )
    notify_staff(
        [grant.grantee],
        subject=_("档案查阅申请已批准") if approve else _("档案查阅申请被驳回"),
        body=note or "",
        link=reverse("privacy:grant_mine"),
        kind=f"privacy.grant.{'approved' if approve else 'rejected'}",
    )
    return grant


@transaction.atomic
def revoke_grant(grant: AccessGrant, *, actor: Any, note: str = "") -> AccessGrant:
    if not (can_decide(grant, actor) or actor.pk == grant.grantee_id):
        raise missing_permission(approver_permission(grant.level))
    updated = AccessGrant.objects.filter(pk=grant.pk, status=Decision.APPROVED).update(
        status=Decision.REVOKED, decision_note=note[:300], updated_at=timezone.now()
    )
    if updated != 1:
        raise DomainError(_("只能撤销已批准的授权。"))
    grant.refresh_from_db()
    audit.record(actor, "privacy.grant.revoked", grant, {"note": note})
    return grant


# --- notifications ----------------------------------------------------------------------------
def notify_staff(
    recipients: Iterable[Any], *, subject: str, body: str, link: str = "", kind: str
) -> int:
    """Tell staff at once through linli.notify (in-app and e-mail), in the caller's transaction.

    The notify app is optional for this chapter: without it nothing is sent and a warning is
    logged, so the registers themselves never depend on a channel being configured.
    """
    people = [person for person in recipients if person is not None]
    if not people:
        return 0
    try:
        module = importlib.import_module("linli.notify.services")
    except ModuleNotFoundError as error:
        if not (error.name or "").startswith("linli.notify"):
            raise
        logger.warning("linli.notify is not installed; %s not sent to %d people", kind, len(people))
        return 0
    return int(module.notify_staff(people, subject=subject, body=body, link=link, kind=kind))


def _lock(row: Any) -> None:
    """Serialise writes about one row (a double submission waits for the first, then sees it)."""
    # No ordering and only the primary key: a default ordering across a nullable join (Staff
    # orders by community) makes PostgreSQL refuse FOR UPDATE.
    list(
        row._meta.model._default_manager.select_for_update()
        .filter(pk=row.pk)
        .order_by()
        .values_list("pk", flat=True)
    )


# --- exports ----------------------------------------------------------------------------------
EXPORT_PERMISSIONS = {
    ExportRequest.Kind.CUSTOMERS: Perm.CUSTOMERS_EXPORT,
    ExportRequest.Kind.ROOMS: Perm.CUSTOMERS_EXPORT,
    ExportRequest.Kind.OCCUPANCIES: Perm.CUSTOMERS_EXPORT,
    ExportRequest.Kind.ACCESS_LOG: Perm.PRIVACY_VIEW_ACCESS_LOG,
}
# Kinds whose rows carry sensitive customer fields (clear values may be requested).
MASKABLE_KINDS = {ExportRequest.Kind.CUSTOMERS, ExportRequest.Kind.OCCUPANCIES}


def export_permission(kind: str) -> str:
    if kind not in EXPORT_PERMISSIONS:
        raise DomainError(_("未知的导出内容。"), field="kind")
    return EXPORT_PERMISSIONS[ExportRequest.Kind(kind)]


def _enqueue_export(export_id: int) -> None:
    from linli.privacy.tasks import generate_export

    generate_export.enqueue(export_id)


@transaction.atomic
def request_export(
    kind: str,
    *,
    actor: Any,
    reason: str,
    filters: dict[str, Any],
    filters_label: str = "",
    community_id: int | None = None,
    unmasked: bool = False,
    row_count: int = 0,
) -> ExportRequest:
    """Ask for a bulk export of a filtered list; it is generated once approved."""
    code = export_permission(kind)
    if code not in actor.perms:
        raise missing_permission(code)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError(_("请说明导出用途。"), field="reason")
    if unmasked and kind not in MASKABLE_KINDS:
        unmasked = False
    if unmasked and Perm.CUSTOMERS_UNMASK not in actor.perms:
        raise DomainError(_("您的岗位不能申请导出明文。"), field="unmasked")
    if not actor.is_company_wide:
        community_id = actor.community_id
    approver_role = selectors.export_approver_role()
    if approver_role == "office_manager" and community_id is None:
        raise DomainError(
            _("导出由管理处主任审批，请先在页面顶部选择一个小区，再导出该小区的数据。"),
            field="community",
        )
    _lock(actor)
    same: dict[str, Any] = {"kind": kind, "filters": filters, "community_id": community_id}
    if ExportRequest.objects.filter(
        requested_by=actor,
        **same,
        status__in=[
            ExportRequest.Status.PENDING,
            ExportRequest.Status.QUEUED,
            ExportRequest.Status.RUNNING,
        ],
    ).exists():
        raise DomainError(_("您已提交过相同的导出申请，请在“我的导出”中查看进度。"))
    limit = int(policy.value("privacy.export.max_rows_without_approval"))
    automatic = 0 < row_count <= limit and not unmasked
    export = ExportRequest.objects.create(
        community_id=community_id,
        kind=kind,
        filters=filters,
        filters_label=filters_label[:300],
        reason=reason[:300],
        unmasked=unmasked,
        row_count=row_count,  # the estimate at request time; generation sets the real count
        requested_by=actor,
        status=ExportRequest.Status.QUEUED if automatic else ExportRequest.Status.PENDING,
        decided_at=timezone.now() if automatic else None,
        decision_note=_("行数未超过免审批上限，自动放行") if automatic else "",
    )
    audit.record(
        actor,
        "privacy.export.requested",
        export,
        {"kind": kind, "filters": filters, "unmasked": unmasked, "rows": row_count},
    )
    if automatic:
        transaction.on_commit(partial(_enqueue_export, export.pk))
    else:
        approvers = [
            person
            for person in selectors.approvers_of_role(approver_role, community_id)
            if person.pk != actor.pk
        ]
        notify_staff(
            approvers,
            subject=_("批量导出申请待审批"),
            body=_("%(who)s 申请导出%(kind)s（%(n)s 行），用途：%(reason)s")
            % {
                "who": actor.display_name,
                "kind": export.get_kind_display(),
                "n": row_count,
                "reason": reason,
            },
            link=reverse("privacy:export_approvals"),
            kind="privacy.export.requested",
        )
    return export


def check_export_approver(export: ExportRequest, user: Any) -> None:
    """The role the policy names approves; an office approver only for their own community."""
    if not selectors.may_approve_exports(user):
        raise missing_permission(Perm.PRIVACY_APPROVE_EXPORT)
    if not user.is_company_wide and export.community_id != user.community_id:
        raise missing_permission(Perm.PRIVACY_APPROVE_EXPORT)
    if user.pk == export.requested_by_id:
        raise DomainError(_("不能审批自己的导出申请。"))


@transaction.atomic
def decide_export(
    export: ExportRequest, *, actor: Any, approve: bool, note: str = "", unmasked: bool = False
) -> ExportRequest:
    check_export_approver(export, actor)
    note = (note or "").strip()
    if not approve and len(note) < 2:
        raise DomainError(_("驳回时请写明理由。"), field="note")
    now = timezone.now()
    updated = ExportRequest.objects.filter(
        pk=export.pk, status=ExportRequest.Status.PENDING
    ).update(
        status=ExportRequest.Status.QUEUED if approve else ExportRequest.Status.REJECTED,
        approver=actor,
        decided_at=now,
        decision_note=note[:300],
        approved_unmasked=bool(approve and unmasked and export.unmasked),
        updated_at=now,
    )
    if updated != 1:
        raise DomainError(_("该导出申请已处理。"))
    export.refresh_from_db()
    audit.record(
        actor,
        f"privacy.export.{'approved' if approve else 'rejected'}",
        export,
        {"unmasked": export.approved_unmasked, "note": note},
    )
    if approve:
        transaction.on_commit(partial(_enqueue_export, export.pk))
    notify_staff(
        [export.requested_by],
        subject=_("导出申请已批准，文件正在生成") if approve else _("导出申请被驳回"),
        body=note,
        link=reverse("privacy:export_detail", args=[export.pk]),
        kind=f"privacy.export.{'approved' if approve else 'rejected'}",
    )
    return export


def start_export(export_id: int) -> ExportRequest | None:
    """Claim a queued export for generation (compare-and-set: one worker only)."""
    claimed = ExportRequest.objects.filter(pk=export_id, status=ExportRequest.Status.QUEUED).update(
        status=ExportRequest.Status.RUNNING, progress=0, error="", updated_at=timezone.now()
    )
    if claimed != 1:
        return None
    return ExportRequest.objects.select_related("requested_by", "approver", "community").get(
        pk=export_id
    )


def set_export_progress(export_id: int, progress: int) -> None:
    ExportRequest.objects.filter(pk=export_id, status=ExportRequest.Status.RUNNING).update(
        progress=max(0, min(progress, 99))
    )


@transaction.atomic
def finish_export(export: ExportRequest, *, file_name: str, row_count: int) -> ExportRequest:
    now = timezone.now()
    updated = ExportRequest.objects.filter(
        pk=export.pk, status=ExportRequest.Status.RUNNING
    ).update(
        status=ExportRequest.Status.DONE,
        file=file_name,
        row_count=row_count,
        progress=100,
        finished_at=now,
        updated_at=now,
    )
    if updated != 1:
        raise DomainError(_("导出任务状态已变化。"))
    export.refresh_from_db()
    audit.record(None, "privacy.export.generated", export, {"rows": row_count})
    notify_staff(
        [export.requested_by],
        subject=_("导出文件已生成"),
        body=_("共 %(n)s 行，请在导出记录中下载。") % {"n": row_count},
        link=reverse("privacy:export_detail", args=[export.pk]),
        kind="privacy.export.generated",
    )
    return export


def fail_export(export_id: int, error: str) -> None:
    failed = ExportRequest.objects.filter(
        pk=export_id,
        status__in=[ExportRequest.Status.QUEUED, ExportRequest.Status.RUNNING],
    ).update(
        status=ExportRequest.Status.FAILED,
        error=error[:2000],
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
    export = ExportRequest.objects.filter(pk=export_id).first()
    if failed and export is not None:
        audit.record(None, "privacy.export.failed", export, {"error": error[:200]})


@transaction.atomic
def record_export_download(export: ExportRequest, *, actor: Any) -> ExportRequest:
    """Only the requester downloads; every download is registered (档案查阅登记, EXPORT)."""
    if actor.pk != export.requested_by_id:
        raise PermissionDenied(_("只有申请人本人可以下载导出文件。"))
    if export.status != ExportRequest.Status.DONE or not export.file:
        raise DomainError(_("导出文件尚未生成。"))
    ExportRequest.objects.filter(pk=export.pk).update(downloads=F("downloads") + 1)
    export.refresh_from_db()
    log_access(
        actor,
        AccessLog.Action.EXPORT,
        community_id=export.community_id,
        reason=export.reason,
        detail={
            "export": export.pk,
            "kind": export.kind,
            "rows": export.row_count,
            "unmasked": export.approved_unmasked,
            "filters": export.filters_label,
            "download": export.downloads,
        },
    )
    audit.record(
        actor,
        "privacy.export.downloaded",
        export,
        {"rows": export.row_count, "n": export.downloads},
    )
    return export


# --- disclosures to outside parties -----------------------------------------------------------
LETTER_SIGNATURES = (
    (b"%PDF-", "pdf"),
    (b"\xff\xd8\xff", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
)
LETTER_MAX_BYTES = 10 * 1024 * 1024


def letter_kind(upload: UploadedFile) -> str:
    """The scan's type by its content (PDF, JPEG or PNG), never by its name."""
    if upload.size and upload.size > LETTER_MAX_BYTES:
        raise DomainError(_("扫描件不能超过 10 MB。"), field="letter")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, extension in LETTER_SIGNATURES:
        if head.startswith(signature):
            return extension
    raise DomainError(_("扫描件只能是 PDF、JPEG 或 PNG 文件。"), field="letter")


@transaction.atomic
def register_disclosure(
    customer: Customer,
    *,
    actor: Any,
    organisation: str,
    letter_reference: str,
    investigator_name: str,
    investigator_id: str,
    purpose: str,
    fields_requested: str,
    letter: UploadedFile | None = None,
) -> Disclosure:
    if Perm.PRIVACY_VIEW_ACCESS_LOG not in actor.perms:
        raise missing_permission(Perm.PRIVACY_VIEW_ACCESS_LOG)
    values = {
        "organisation": organisation,
        "letter_reference": letter_reference,
        "investigator_name": investigator_name,
        "investigator_id": investigator_id,
        "purpose": purpose,
        "fields_requested": fields_requested,
    }
    values = {name: (value or "").strip() for name, value in values.items()}
    for name, value in values.items():
        if not value:
            raise DomainError(_("请填写此项。"), field=name)
    if len(values["investigator_id"]) < 6:
        raise DomainError(_("请填写完整的经办人证件号。"), field="investigator_id")
    _lock(customer)
    if Disclosure.objects.filter(
        customer=customer,
        letter_reference=values["letter_reference"],
        status__in=[Disclosure.Status.REQUESTED, Disclosure.Status.APPROVED],
    ).exists():
        raise DomainError(_("这份公函已登记过。"), field="letter_reference")
    disclosure = Disclosure(
        community_id=customer.community_id, customer=customer, requested_by=actor, **values
    )
    if letter is not None:
        extension = letter_kind(letter)
        disclosure.letter.save(f"{uuid.uuid4().hex}.{extension}", letter, save=False)
    disclosure.save()
    audit.record(
        actor,
        "privacy.disclosure.requested",
        disclosure,
        {
            "customer": customer.pk,
            "organisation": values["organisation"],
            "letter": values["letter_reference"],
            "investigator_id": mask_id_number(values["investigator_id"]),
        },
    )
    notify_staff(
        [
            person
            for person in selectors.approvers_of(
                Perm.PRIVACY_APPROVE_DISCLOSURE, customer.community_id
            )
            if person.pk != actor.pk
        ],
        subject=_("对外提供客户信息申请待审批"),
        body=_("%(org)s（%(ref)s）申请调取客户信息，用途：%(purpose)s")
        % {
            "org": values["organisation"],
            "ref": values["letter_reference"],
            "purpose": values["purpose"],
        },
        link=reverse("privacy:disclosure_detail", args=[disclosure.pk]),
        kind="privacy.disclosure.requested",
    )
    return disclosure


@transaction.atomic
def decide_disclosure(
    disclosure: Disclosure, *, actor: Any, approve: bool, note: str = ""
) -> Disclosure:
    if Perm.PRIVACY_APPROVE_DISCLOSURE not in actor.perms:
        raise missing_permission(Perm.PRIVACY_APPROVE_DISCLOSURE)
    if actor.pk == disclosure.requested_by_id:
        raise DomainError(_("不能审批自己登记的申请。"))
    note = (note or "").strip()
    if not approve and len(note) < 2:
        raise DomainError(_("驳回时请写明理由。"), field="note")
    now = timezone.now()
    updated = Disclosure.objects.filter(
        pk=disclosure.pk, status=Disclosure.Status.REQUESTED
    ).update(
        status=Disclosure.Status.APPROVED if approve else Disclosure.Status.REJECTED,
        approver=actor,
        decided_at=now,
        decision_note=note[:300],
        updated_at=now,
    )
    if updated != 1:
        raise DomainError(_("该申请已处理。"))
    disclosure.refresh_from_db()
    audit.record(
        actor, f"privacy.disclosure.{'approved' if approve else 'rejected'}", disclosure, {}
    )
    notify_staff(
        [disclosure.requested_by],
        subject=_("对外提供客户信息申请已批准") if approve else _("对外提供客户信息申请被驳回"),
        body=note,
        link=reverse("privacy:disclosure_detail", args=[disclosure.pk]),
        kind=f"privacy.disclosure.{'approved' if approve else 'rejected'}",
    )
    return disclosure


@transaction.atomic
def release_disclosure(disclosure: Disclosure, *, actor: Any, note: str) -> Disclosure:
    """Record what was handed over; the release is registered (档案查阅登记, DISCLOSE)."""
    if Perm.PRIVACY_VIEW_ACCESS_LOG not in actor.perms:
        raise missing_permission(Perm.PRIVACY_VIEW_ACCESS_LOG)
    note = (note or "").strip()
    if len(note) < 2:
        raise DomainError(_("请写明实际提供的内容。"), field="note")
    now = timezone.now()
    updated = Disclosure.objects.filter(pk=disclosure.pk, status=Disclosure.Status.APPROVED).update(
        status=Disclosure.Status.RELEASED,
        released_by=actor,
        released_at=now,
        release_note=note[:300],
        updated_at=now,
    )
    if updated != 1:
        raise DomainError(_("只有已批准的申请可以登记提供。"))
    disclosure.refresh_from_db()
    log_access(
        actor,
        AccessLog.Action.DISCLOSE,
        customer=disclosure.customer,
        reason=f"{disclosure.organisation}（{disclosure.letter_reference}）：{disclosure.purpose}",
        detail={
            "disclosure": disclosure.pk,
            "fields": disclosure.fields_requested,
            "released": note[:300],
            "investigator": disclosure.investigator_name,
        },
    )
    audit.record(actor, "privacy.disclosure.released", disclosure, {"note": note})
    return disclosure


# --- leak incidents ---------------------------------------------------------------------------
def _require(actor: Any, code: str) -> None:
    if code not in actor.perms:
        raise missing_permission(code)


@transaction.atomic
def record_incident(
    *,
    actor: Any,
    title: str,
    description: str,
    severity: str,
    discovered_at: dt.datetime,
    occurred_at: dt.datetime | None = None,
    affected_count: int = 0,
    community_id: int | None = None,
) -> Incident:
    """Record a suspected leak and tell the responsible people at once."""
    _require(actor, Perm.PRIVACY_INCIDENTS)
    title, description = (title or "").strip(), (description or "").strip()
    if not title:
        raise DomainError(_("请填写事件名称。"), field="title")
    if not description:
        raise DomainError(_("请写明事件经过。"), field="description")
    if severity not in Incident.Severity.values:
        raise DomainError(_("严重程度无效。"), field="severity")
    now = timezone.now()
    if discovered_at > now + dt.timedelta(minutes=5):
        raise DomainError(_("发现时间不能晚于现在。"), field="discovered_at")
    if occurred_at and occurred_at > discovered_at:
        raise DomainError(_("发生时间不能晚于发现时间。"), field="occurred_at")
    if affected_count < 0:
        raise DomainError(_("涉及客户数不能为负数。"), field="affected_count")
    if not actor.is_company_wide:
        community_id = actor.community_id
    _lock(actor)
    same: dict[str, Any] = {"community_id": community_id, "title": title[:100]}
    if Incident.objects.filter(
        reported_by=actor,
        **same,
        created_at__gte=now - dt.timedelta(minutes=10),
    ).exists():
        raise DomainError(_("刚刚已登记过同名事件，请勿重复提交。"), field="title")
    incident = Incident.objects.create(
        community_id=community_id,
        title=title[:100],
        description=description,
        severity=severity,
        discovered_at=discovered_at,
        occurred_at=occurred_at,
        affected_count=affected_count,
        reported_by=actor,
    )
    audit.record(
        actor,
        "privacy.incident.recorded",
        incident,
        {"severity": severity, "affected": affected_count},
    )
    notify_staff(
        [p for p in selectors.incident_recipients(community_id) if p.pk != actor.pk],
        subject=_("【%(severity)s】客户信息泄漏事件：%(title)s")
        % {"severity": incident.get_severity_display(), "title": incident.title},
        body=_("%(who)s 登记了一起疑似客户信息泄漏事件，涉及客户约 %(n)s 位，请立即处理。")
        % {"who": actor.display_name, "n": affected_count},
        link=reverse("privacy:incident_detail", args=[incident.pk]),
        kind="privacy.incident.recorded",
    )
    return incident


def _open_incident(incident: Incident) -> None:
    if incident.status != Incident.Status.OPEN:
        raise DomainError(_("事件已结案。"))


@transaction.atomic
def add_incident_action(
    incident: Incident, *, actor: Any, description: str, owner: Any, due_on: dt.date
) -> IncidentAction:
    _require(actor, Perm.PRIVACY_INCIDENTS)
    _open_incident(incident)
    description = (description or "").strip()
    if not description:
        raise DomainError(_("请填写整改措施。"), field="description")
    if owner is None or not selectors.action_owners(incident).filter(pk=owner.pk).exists():
        raise DomainError(_("请选择本管理处或公司的在岗员工作为责任人。"), field="owner")
    if due_on < timezone.localdate():
        raise DomainError(_("完成期限不能早于今天。"), field="due_on")
    action = IncidentAction.objects.create(
        community_id=incident.community_id,
        incident=incident,
        description=description[:300],
        owner=owner,
        due_on=due_on,
    )
    audit.record(
        actor,
        "privacy.incident.action_added",
        incident,
        {"action": action.pk, "owner": owner.pk, "due_on": str(due_on)},
    )
    if owner.pk != actor.pk:
        notify_staff(
            [owner],
            subject=_("信息泄漏事件整改任务：%(title)s") % {"title": incident.title},
            body=_("%(what)s（期限 %(due)s）") % {"what": action.description, "due": due_on},
            link=reverse("privacy:incident_detail", args=[incident.pk]),
            kind="privacy.incident.action_added",
        )
    return action


@transaction.atomic
def complete_incident_action(
    action: IncidentAction, *, actor: Any, result: str = ""
) -> IncidentAction:
    if Perm.PRIVACY_INCIDENTS not in actor.perms and actor.pk != action.owner_id:
        raise missing_permission(Perm.PRIVACY_INCIDENTS)
    result = (result or "").strip()
    if len(result) < 2:
        raise DomainError(_("请写明完成情况。"), field="result")
    now = timezone.now()
    updated = IncidentAction.objects.filter(pk=action.pk, done_at__isnull=True).update(
        done_at=now, result=result[:300], updated_at=now
    )
    if updated != 1:
        raise DomainError(_("该整改措施已完成。"))
    action.refresh_from_db()
    audit.record(
        actor,
        "privacy.incident.action_done",
        action.incident,
        {"action": action.pk, "result": result},
    )
    return action


@transaction.atomic
def close_incident(incident: Incident, *, actor: Any, conclusion: str) -> Incident:
    _require(actor, Perm.PRIVACY_INCIDENTS)
    conclusion = (conclusion or "").strip()
    if len(conclusion) < 2:
        raise DomainError(_("请填写结案结论。"), field="conclusion")
    outstanding = IncidentAction.objects.filter(incident=incident, done_at__isnull=True).count()
    if outstanding:
        raise DomainError(_("还有 %(n)s 项整改措施未完成，完成后才能结案。") % {"n": outstanding})
    now = timezone.now()
    updated = Incident.objects.filter(pk=incident.pk, status=Incident.Status.OPEN).update(
        status=Incident.Status.CLOSED, closed_at=now, conclusion=conclusion, updated_at=now
    )
    if updated != 1:
        raise DomainError(_("事件已结案。"))
    incident.refresh_from_db()
    audit.record(actor, "privacy.incident.closed", incident, {"conclusion": conclusion[:200]})
    return incident


# --- data-subject requests (PIPL) -------------------------------------------------------------
@transaction.atomic
def record_subject_request(
    customer: Customer, *, actor: Any, kind: str, details: str, received_on: dt.date
) -> SubjectRequest:
    _require(actor, Perm.CUSTOMERS_UNMASK)
    if kind not in SubjectRequest.Kind.values:
        raise DomainError(_("请求类型无效。"), field="kind")
    details = (details or "").strip()
    if len(details) < 2:
        raise DomainError(_("请写明请求内容。"), field="details")
    if received_on > timezone.localdate():
        raise DomainError(_("收到日期不能晚于今天。"), field="received_on")
    if customer.anonymised_at:
        raise DomainError(_("该客户资料已匿名化。"), field="customer")
    _lock(customer)
    if SubjectRequest.objects.filter(
        customer=customer, kind=kind, status=SubjectRequest.Status.OPEN
    ).exists():
        raise DomainError(_("该客户已有一项处理中的同类请求。"), field="kind")
    request = SubjectRequest.objects.create(
        community_id=customer.community_id,
        customer=customer,
        kind=kind,
        details=details,
        received_on=received_on,
        recorded_by=actor,
    )
    audit.record(
        actor, "privacy.subject_request.recorded", request, {"kind": kind, "customer": customer.pk}
    )
    return request


SUBJECT_CLOSING = {SubjectRequest.Status.DONE, SubjectRequest.Status.REFUSED}


@transaction.atomic
def close_subject_request(
    request: SubjectRequest, *, actor: Any, status: str, outcome: str
) -> SubjectRequest:
    """Close with what was provided or corrected (or why it was refused)."""
    _require(actor, Perm.CUSTOMERS_UNMASK)
    if status not in SUBJECT_CLOSING:
        raise DomainError(_("办理结果无效。"), field="status")
    outcome = (outcome or "").strip()
    if len(outcome) < 2:
        raise DomainError(_("请写明办理结果。"), field="outcome")
    if (
        request.kind == SubjectRequest.Kind.DELETE
        and status == SubjectRequest.Status.DONE
        and request.customer.anonymised_at is None
    ):
        raise DomainError(_("删除请求须先对客户资料做匿名化处理。"), field="status")
    now = timezone.now()
    updated = SubjectRequest.objects.filter(
        pk=request.pk, status=SubjectRequest.Status.OPEN
    ).update(status=status, outcome=outcome, handled_by=actor, handled_at=now, updated_at=now)
    if updated != 1:
        raise DomainError(_("该请求已办结。"))
    request.refresh_from_db()
    audit.record(actor, "privacy.subject_request.closed", request, {"status": status})
    return request


@transaction.atomic
def erase_for_subject_request(
    request: SubjectRequest, *, actor: Any, confirm_name: str
) -> SubjectRequest:
    """A deletion request: the customer's personal fields are anonymised, statistics and audit
    rows stay, and the request is closed in the same transaction."""
    from linli.customers.services import anonymise_customer

    _require(actor, Perm.CUSTOMERS_UNMASK)
    if request.kind != SubjectRequest.Kind.DELETE:
        raise DomainError(_("只有删除请求可以匿名化客户资料。"))
    if request.status != SubjectRequest.Status.OPEN:
        raise DomainError(_("该请求已办结。"))
    customer = request.customer
    if (confirm_name or "").strip() != customer.name:
        raise DomainError(_("请输入客户姓名以确认。"), field="confirm_name")
    anonymise_customer(
        customer, actor=actor, reason=_("个人信息删除请求 #%(pk)s") % {"pk": request.pk}
    )
    request.customer.refresh_from_db()
    return close_subject_request(
        request,
        actor=actor,
        status=SubjectRequest.Status.DONE,
        outcome=_("已按请求删除个人信息（客户资料已匿名化，统计与审计记录保留）。"),
    )
