"""Every write of the grading chapter: validate, change (compare-and-set), history, audit."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.audit import services as audit
from linli.core.errors import DomainError
from linli.customers.models import Customer
from linli.grading.models import (
    ChangeSource,
    CustomerFlag,
    CustomerGrade,
    FeeStanding,
    Flag,
    Grade,
    GradeChange,
    GradeReview,
    GradeReviewItem,
    GradeRule,
    ServicePlan,
    VisitCadence,
)
from linli.grading.plans import CADENCE_PARAMETERS, CARE_EVENTS
from linli.grading.rules import clean_conditions
from linli.org.roles import Perm

T = TypeVar("T")
Decision = GradeReviewItem.Decision
STALE = _("该客户的等级刚被他人调整，请刷新后再试。")
HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def _perms(actor: Any) -> frozenset[str]:
    return getattr(actor, "perms", frozenset())


def _who(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _chunks(items: list[T], size: int = 500) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _require(actor: Any, code: str) -> None:
    from linli.core.http import missing_permission

    if code not in _perms(actor):
        raise DomainError(str(missing_permission(code)))


# --- the scheme ----------------------------------------------------------------------------------
GRADE_FIELDS = ("code", "name", "rank", "colour", "needs_approval", "is_default", "is_active",
                "description")  # fmt: skip


@transaction.atomic
def save_grade(
    grade: Grade | None, values: dict[str, Any], *, actor: Any, expected_version: int | None = None
) -> Grade:
    """Create or change a grade; exactly one active grade is the default."""
    _require(actor, Perm.GRADING_CONFIGURE)
    clean = {f: values[f] for f in GRADE_FIELDS if f in values}
    clean["code"] = str(clean.get("code", grade.code if grade else "")).strip().lower()
    clean["name"] = str(clean.get("name", grade.name if grade else "")).strip()
    if not re.fullmatch(r"[a-z0-9_-]{1,20}", clean["code"]):
        raise DomainError(_("代码只能用小写字母、数字、- 和 _。"), field="code")
    if not clean["name"]:
        raise DomainError(_("请填写等级名称。"), field="name")
    if "colour" in clean and not HEX.match(str(clean["colour"])):
        raise DomainError(_("颜色应为 #RRGGBB 形式。"), field="colour")
    others = Grade.objects.exclude(pk=grade.pk) if grade else Grade.objects.all()
    if others.filter(code=clean["code"]).exists():
        raise DomainError(_("代码“%(c)s”已被其他等级使用。") % {"c": clean["code"]}, field="code")
    if "rank" in clean and others.filter(rank=clean["rank"]).exists():
        raise DomainError(_("已有等级使用这个级别高低数字，请换一个。"), field="rank")
    becomes_default = clean.get("is_default", grade.is_default if grade else False)
    active = clean.get("is_active", grade.is_active if grade else True)
    if becomes_default and not active:
        raise DomainError(_("默认等级必须启用。"), field="is_active")
    if not becomes_default and not others.filter(is_default=True, is_active=True).exists():
        raise DomainError(
            _("必须有一个默认等级（没有规则命中时的建议等级）；请先把另一个等级设为默认。"),
            field="is_default",
        )
    if grade and not active and grade.is_active:
        in_use = CustomerGrade.objects.filter(Q(grade=grade) | Q(pending_grade=grade)).exists()
        if in_use:
            raise DomainError(
                _("仍有客户处于“%(g)s”，不能停用；请先通过复评调整这些客户。") % {"g": grade.name},
                field="is_active",
            )
    if becomes_default:
        others.filter(is_default=True).update(is_default=False)
    if grade is None:
        grade = Grade.objects.create(**clean)
        ServicePlan.objects.create(grade=grade)
        audit.record(actor, "grading.grade.created", grade, {"code": grade.code})
        return grade
    version = grade.version if expected_version is None else expected_version
    old = {f: getattr(grade, f) for f in clean}
    if Grade.objects.filter(pk=grade.pk, version=version).update(**clean, version=F("version") + 1, updated_at=timezone.now()) != 1:  # fmt: skip
        raise DomainError(_("该等级已被他人修改，请刷新后再改。"))
    grade.refresh_from_db()
    changed = {f: [str(old[f]), str(v)] for f, v in clean.items() if old[f] != v}
    audit.record(actor, "grading.grade.changed", grade, {"changes": changed})
    return grade


@transaction.atomic
def save_rule(
    rule: GradeRule | None, *, grade: Grade, name: str, priority: int, conditions: Any,
    is_active: bool = True, note: str = "", actor: Any, expected_version: int | None = None,
) -> GradeRule:  # fmt: skip
    """Create or change a rule; conditions are validated against the input vocabulary."""
    _require(actor, Perm.GRADING_CONFIGURE)
    name = (name or "").strip()
    if not name:
        raise DomainError(_("请填写规则名称。"), field="name")
    if grade is None or not grade.is_active:
        raise DomainError(_("请选择一个启用的等级。"), field="grade")
    try:
        priority = int(priority)
    except (TypeError, ValueError):
        raise DomainError(_("顺序应为整数。"), field="priority") from None
    if priority < 0:
        raise DomainError(_("顺序应为整数。"), field="priority")
    clean = clean_conditions(conditions)
    values = {"grade": grade, "name": name[:50], "priority": priority, "conditions": clean,
              "is_active": bool(is_active), "note": (note or "").strip()[:200]}  # fmt: skip
    if rule is None:
        rule = GradeRule.objects.create(**values)
        audit.record(actor, "grading.rule.created", rule, _rule_data(rule))
        return rule
    version = rule.version if expected_version is None else expected_version
    if GradeRule.objects.filter(pk=rule.pk, version=version).update(**values, version=F("version") + 1, updated_at=timezone.now()) != 1:  # fmt: skip
        raise DomainError(_("该规则已被他人修改，请刷新后再改。"))
    before = _rule_data(rule)
    rule.refresh_from_db()
    audit.record(actor, "grading.rule.changed", rule, {"before": before, "after": _rule_data(rule)})
    return rule


def _rule_data(rule: GradeRule) -> dict[str, Any]:
    return {"grade": rule.grade_id, "name": rule.name, "priority": rule.priority,
            "conditions": rule.conditions, "is_active": rule.is_active}  # fmt: skip


@transaction.atomic
def delete_rule(rule: GradeRule, *, actor: Any) -> None:
    """History keeps the rule's name; proposals that pointed at it lose the link only."""
    _require(actor, Perm.GRADING_CONFIGURE)
    data = _rule_data(rule)
    audit.record(actor, "grading.rule.deleted", rule, data)
    rule.delete()


@transaction.atomic
def save_flag(
    flag: Flag | None, values: dict[str, Any], *, actor: Any
) -> Flag:  # fmt: skip
    _require(actor, Perm.GRADING_CONFIGURE)
    clean = {k: values[k] for k in ("code", "name", "source", "colour", "sort", "is_active", "description") if k in values}  # fmt: skip
    clean["code"] = str(clean.get("code", flag.code if flag else "")).strip().lower()
    clean["name"] = str(clean.get("name", flag.name if flag else "")).strip()
    if not re.fullmatch(r"[a-z0-9_-]{1,20}", clean["code"]):
        raise DomainError(_("代码只能用小写字母、数字、- 和 _。"), field="code")
    if not clean["name"]:
        raise DomainError(_("请填写标记名称。"), field="name")
    if "colour" in clean and not HEX.match(str(clean["colour"])):
        raise DomainError(_("颜色应为 #RRGGBB 形式。"), field="colour")
    source = clean.get("source", flag.source if flag else Flag.Source.MANUAL)
    if source not in Flag.Source.values:
        raise DomainError(_("来源无效。"), field="source")
    others = Flag.objects.exclude(pk=flag.pk) if flag else Flag.objects.all()
    if others.filter(code=clean["code"]).exists():
        raise DomainError(_("代码“%(c)s”已被其他标记使用。") % {"c": clean["code"]}, field="code")
    if source != Flag.Source.MANUAL and others.filter(source=source).exists():
        raise DomainError(_("已有标记取自同一来源。"), field="source")
    becomes_derived = flag is not None and flag.source == Flag.Source.MANUAL != source
    if becomes_derived and flag is not None and flag.customer_flags.exists():
        raise DomainError(
            _("已有客户被人工标记为“%(f)s”，不能改为自动来源。") % {"f": flag.name},
            field="source",
        )
    if flag is None:
        flag = Flag.objects.create(**clean)
        ServicePlan.objects.create(flag=flag)
        audit.record(actor, "grading.flag.created", flag, {"code": flag.code})
        return flag
    for key, value in clean.items():
        setattr(flag, key, value)
    flag.save()
    audit.record(actor, "grading.flag.changed", flag, {k: str(v) for k, v in clean.items()})
    return flag


@transaction.atomic
def save_plan(
    plan: ServicePlan, values: dict[str, Any], *, cadences: list[dict[str, Any]], actor: Any,
    expected_version: int | None = None,
) -> ServicePlan:  # fmt: skip
    """A grade's or flag's service plan with its visit cadences (replaced as a whole)."""
    _require(actor, Perm.GRADING_CONFIGURE)
    factor = values.get("sla_factor")
    if factor in ("", None):
        factor = None
    else:
        try:
            factor = Decimal(str(factor)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            raise DomainError(_("时限系数应为数字。"), field="sla_factor") from None
        if not Decimal("0.1") <= factor <= Decimal(2):
            raise DomainError(_("时限系数应在 0.1 到 2 之间。"), field="sla_factor")
    events = list(values.get("care_events") or [])
    unknown = [e for e in events if e not in CARE_EVENTS]
    if unknown:
        raise DomainError(
            _("未知的关怀活动：%(v)s") % {"v": "、".join(unknown)}, field="care_events"
        )
    rows = [_clean_cadence(c) for c in cadences]
    version = plan.version if expected_version is None else expected_version
    updated = ServicePlan.objects.filter(pk=plan.pk, version=version).update(
        sla_factor=factor,
        invitations_first=bool(values.get("invitations_first")),
        dedicated_steward=bool(values.get("dedicated_steward")),
        care_events=[e for e in CARE_EVENTS if e in events],
        notes=str(values.get("notes") or "").strip(),
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if updated != 1:
        raise DomainError(_("该服务方案已被他人修改，请刷新后再改。"))
    plan.cadences.all().delete()
    VisitCadence.objects.bulk_create(
        VisitCadence(plan=plan, sort=i, **row) for i, row in enumerate(rows)
    )
    plan.refresh_from_db()
    audit.record(
        actor,
        "grading.plan.changed",
        plan,
        {"subject": str(plan.subject), "sla_factor": str(factor or ""), "cadences": rows,
         "care_events": plan.care_events},
    )  # fmt: skip
    return plan


def _clean_cadence(raw: dict[str, Any]) -> dict[str, Any]:
    visitor = str(raw.get("visitor") or "")
    if visitor not in VisitCadence.Visitor.values:
        raise DomainError(_("请选择拜访人。"), field="cadences")
    key = str(raw.get("policy_key") or "")
    if key and key not in CADENCE_PARAMETERS:
        raise DomainError(_("制度参数 %(k)s 不能用作拜访频次。") % {"k": key}, field="cadences")
    try:
        times, months = int(raw.get("times") or 1), int(raw.get("per_months") or 1)
    except (TypeError, ValueError):
        raise DomainError(_("拜访次数和间隔月数应为整数。"), field="cadences") from None
    if not key and not (1 <= times <= 31 and 1 <= months <= 24):
        raise DomainError(_("拜访频次应为每 1–24 个月 1–31 次。"), field="cadences")
    return {"visitor": visitor, "times": times, "per_months": months, "policy_key": key}


# --- inputs the office records -------------------------------------------------------------------
@transaction.atomic
def set_fee_standing(
    customer: Customer, *, status: str, arrears_months: int = 0, note: str = "", actor: Any,
    expected_version: int | None = None,
) -> FeeStanding:  # fmt: skip
    if status not in FeeStanding.Status.values:
        raise DomainError(_("缴费状况无效。"), field="status")
    try:
        months = int(arrears_months or 0)
    except (TypeError, ValueError):
        raise DomainError(_("欠费月数应为整数。"), field="arrears_months") from None
    if status != FeeStanding.Status.ARREARS:
        months = 0
    elif not 0 <= months <= 240:
        raise DomainError(_("欠费月数应在 0 到 240 之间。"), field="arrears_months")
    row, created = FeeStanding.objects.get_or_create(
        customer=customer, defaults={"community_id": customer.community_id}
    )
    old = (row.status, row.arrears_months)
    version = row.version if expected_version is None or created else expected_version
    count = FeeStanding.objects.filter(pk=row.pk, version=version).update(
        status=status, arrears_months=months, note=(note or "").strip()[:200],
        updated_by=_who(actor), updated_at=timezone.now(), version=F("version") + 1,
    )  # fmt: skip
    if count != 1:
        raise DomainError(_("缴费状况已被他人修改，请刷新后再改。"))
    row.refresh_from_db()
    audit.record(
        actor,
        "grading.fee.set",
        customer,
        {"old": list(old), "new": [status, months]},
    )
    return row


@transaction.atomic
def set_flags(customer: Customer, codes: Iterable[str], *, actor: Any, note: str = "") -> dict[str, list[str]]:  # fmt: skip
    """Set the customer's manual flags to exactly `codes`; derived flags cannot be set here."""
    wanted = {str(c).strip() for c in codes if str(c).strip()}
    known = {f.code: f for f in Flag.objects.filter(code__in=wanted)}
    unknown = sorted(wanted - set(known))
    if unknown:
        raise DomainError(_("未知的客户标记：%(v)s") % {"v": "、".join(unknown)}, field="flags")
    derived = sorted(f.name for f in known.values() if f.is_derived)
    if derived:
        raise DomainError(
            _("“%(v)s”取自客户资料，请在客户档案中修改。") % {"v": "、".join(derived)},
            field="flags",
        )
    current = {
        cf.flag.code: cf
        for cf in CustomerFlag.objects.filter(customer=customer).select_related("flag")
    }
    added = sorted(wanted - set(current))
    removed = sorted(set(current) - wanted)
    CustomerFlag.objects.filter(customer=customer, flag__code__in=removed).delete()
    CustomerFlag.objects.bulk_create(
        CustomerFlag(community_id=customer.community_id, customer=customer, flag=known[code],
                     note=(note or "")[:200], set_by=_who(actor))
        for code in added
    )  # fmt: skip
    if added or removed:
        audit.record(actor, "grading.flags.set", customer, {"added": added, "removed": removed})
    return {"added": added, "removed": removed}


# --- decisions -----------------------------------------------------------------------------------
def _locked_row(customer: Customer) -> CustomerGrade:
    try:
        with transaction.atomic():
            CustomerGrade.objects.get_or_create(
                customer=customer, defaults={"community_id": customer.community_id}
            )
    except IntegrityError:  # created by a re-grading at the same moment
        pass
    return CustomerGrade.objects.select_for_update().get(pk=customer.pk)


def _apply(
    customer: Customer, row: CustomerGrade, *, grade: Grade, source: str, rule: GradeRule | None,
    rule_name: str, reason: str, proposed_by: Any, decided_by: Any, approved_by: Any,
    item: GradeReviewItem | None, at: dt.datetime, is_override: bool,
) -> GradeChange:  # fmt: skip
    old_grade_id = row.grade_id
    updated = CustomerGrade.objects.filter(pk=row.pk, version=row.version).update(
        grade=grade, graded_at=at, graded_by=_who(decided_by), is_override=is_override,
        pending_grade=None, pending_source="", pending_reason="", pending_rule=None, pending_by=None,
        pending_at=None, pending_item=None, version=F("version") + 1,
    )  # fmt: skip
    if updated != 1:
        raise DomainError(STALE)
    change = GradeChange.objects.create(
        community_id=customer.community_id, customer=customer, old_grade_id=old_grade_id,
        new_grade=grade, source=source, rule=rule, rule_name=rule_name[:50], reason=reason[:300],
        proposed_by=_who(proposed_by), decided_by=_who(decided_by), approved_by=_who(approved_by),
        review_item=item, at=at,
    )  # fmt: skip
    if item is not None:
        GradeReviewItem.objects.filter(pk=item.pk).update(
            decision=Decision.OVERRIDDEN if is_override else Decision.CONFIRMED,
            decided_grade=grade, reason=reason[:300], decided_by=_who(decided_by),
            decided_at=item.decided_at or at, approved_by=_who(approved_by),
        )  # fmt: skip
    audit.record(
        approved_by or decided_by,
        "grading.grade.changed",
        customer,
        {"old": old_grade_id, "new": grade.pk, "source": source, "reason": reason,
         "decided_by": getattr(decided_by, "pk", None), "approved_by": getattr(approved_by, "pk", None)},
    )  # fmt: skip
    return change


def _approvers() -> list[Any]:
    from linli.org.models import Staff
    from linli.org.roles import ROLE_PERMISSIONS

    roles = [r for r, perms in ROLE_PERMISSIONS.items() if Perm.GRADING_APPROVE_VIP in perms]
    return list(Staff.objects.filter(role__in=roles, is_active=True, community__isnull=True))


def _tell_approvers(community_id: int, grade: Grade, count: int) -> None:
    from linli.notify.services import notify_staff
    from linli.org.models import Community

    community = Community.objects.get(pk=community_id)
    notify_staff(
        _approvers(),
        subject=_("待审批：%(c)s %(n)s 位客户拟定为“%(g)s”") % {"c": community.name, "n": count, "g": grade.name},
        body=_("管理处已确认，按制度须由公司审批后生效。"),
        link="/grading/approvals/",
        kind="grading.approval",
    )  # fmt: skip


def _submit(
    customer: Customer, row: CustomerGrade, *, grade: Grade, source: str, rule: GradeRule | None,
    reason: str, actor: Any, item: GradeReviewItem | None, at: dt.datetime,
) -> CustomerGrade:  # fmt: skip
    updated = CustomerGrade.objects.filter(pk=row.pk, version=row.version).update(
        pending_grade=grade, pending_source=source, pending_reason=reason[:300], pending_rule=rule,
        pending_by=_who(actor), pending_at=at, pending_item=item, version=F("version") + 1,
    )  # fmt: skip
    if updated != 1:
        raise DomainError(STALE)
    if item is not None:
        GradeReviewItem.objects.filter(pk=item.pk).update(
            decision=Decision.AWAITING_APPROVAL, decided_grade=grade, reason=reason[:300],
            decided_by=_who(actor), decided_at=at,
        )  # fmt: skip
    audit.record(
        actor, "grading.grade.submitted", customer, {"grade": grade.pk, "source": source, "reason": reason}
    )  # fmt: skip
    _tell_approvers(customer.community_id, grade, 1)
    row.refresh_from_db()
    return row


@transaction.atomic
def decide_grade(
    customer: Customer, *, grade: Grade | None, actor: Any, reason: str = "",
    expected_version: int | None = None, item: GradeReviewItem | None = None,
    at: dt.datetime | None = None,
) -> CustomerGrade:  # fmt: skip
    """The supervisor confirms the rules' proposal or overrides it (a reason is required).

    A grade that needs company approval (VIP) waits for `approve_grade` unless the decider
    holds grading.approve_vip; nothing changes until then."""
    from linli.grading.selectors import proposal_for

    _require(actor, Perm.GRADING_CONFIRM)
    if grade is None or not grade.is_active:
        raise DomainError(_("请选择一个启用的等级。"), field="grade")
    if customer.anonymised_at:
        raise DomainError(_("该客户资料已匿名化，不再定级。"))
    reason = (reason or "").strip()
    at = at or timezone.now()
    row = _locked_row(customer)
    if expected_version is not None and row.version != expected_version:
        raise DomainError(STALE)
    if row.pending_grade_id:
        raise DomainError(
            _("该客户有一项等级调整正在等待公司审批，审批后才能再调整。"), field="grade"
        )
    proposed_id: int | None
    if item is not None:
        if item.decision != Decision.PENDING:
            raise DomainError(_("该复评条目已处理。"))
        if item.current_grade_id != row.grade_id:
            GradeReviewItem.objects.filter(pk=item.pk).update(decision=Decision.SUPERSEDED)
            raise DomainError(STALE)
        proposed_id, rule = item.proposed_grade_id, item.rule
        rule_name = item.rule_name
    else:
        proposal = proposal_for(customer, at=at)
        proposed_id, rule = proposal.grade_id, proposal.rule
        rule_name = rule.name if rule else ""
    if row.grade_id == grade.pk:
        raise DomainError(_("客户当前已是“%(g)s”，无需调整。") % {"g": grade.name}, field="grade")
    override = grade.pk != proposed_id
    if override and not reason:
        raise DomainError(_("所选等级与规则建议不同，请填写调整理由。"), field="reason")
    source = ChangeSource.OVERRIDE if override else (
        ChangeSource.REVIEW if item is not None else ChangeSource.RULES
    )  # fmt: skip
    rule = None if override else rule
    if grade.needs_approval and Perm.GRADING_APPROVE_VIP not in _perms(actor):
        return _submit(customer, row, grade=grade, source=source, rule=rule, reason=reason,
                       actor=actor, item=item, at=at)  # fmt: skip
    _apply(customer, row, grade=grade, source=source, rule=rule, rule_name="" if override else rule_name,
           reason=reason, proposed_by=actor if override else None, decided_by=actor,
           approved_by=actor if grade.needs_approval else None, item=item, at=at, is_override=override)  # fmt: skip
    row.refresh_from_db()
    return row


@transaction.atomic
def approve_grade(
    customer: Customer,
    *,
    actor: Any,
    approve: bool,
    reason: str = "",
    at: dt.datetime | None = None,
) -> CustomerGrade:
    """A company role approves (or refuses, with a reason) a decision awaiting approval."""
    _require(actor, Perm.GRADING_APPROVE_VIP)
    at = at or timezone.now()
    row = _locked_row(customer)
    if not row.pending_grade_id:
        raise DomainError(_("该客户没有待审批的等级调整。"))
    grade = Grade.objects.get(pk=row.pending_grade_id)
    item = (
        GradeReviewItem.objects.filter(pk=row.pending_item_id).first()
        if row.pending_item_id
        else None
    )
    reason = (reason or "").strip()
    if approve:
        override = row.pending_source == ChangeSource.OVERRIDE
        rule = (
            GradeRule.objects.filter(pk=row.pending_rule_id).first()
            if row.pending_rule_id
            else None
        )
        pending_by = row.pending_by
        _apply(customer, row, grade=grade, source=row.pending_source or ChangeSource.RULES, rule=rule,
               rule_name=rule.name if rule else "", reason=row.pending_reason, proposed_by=pending_by if override else None,
               decided_by=pending_by, approved_by=actor, item=item, at=at, is_override=override)  # fmt: skip
    else:
        if not reason:
            raise DomainError(_("请填写不批准的理由。"), field="reason")
        updated = CustomerGrade.objects.filter(pk=row.pk, version=row.version).update(
            pending_grade=None, pending_source="", pending_reason="", pending_rule=None,
            pending_by=None, pending_at=None, pending_item=None, version=F("version") + 1,
        )  # fmt: skip
        if updated != 1:
            raise DomainError(STALE)
        if item is not None:
            GradeReviewItem.objects.filter(pk=item.pk).update(
                decision=Decision.REJECTED, approved_by=_who(actor),
                reason=(f"{item.reason}；" if item.reason else "") + _("公司意见：") + reason,
            )  # fmt: skip
        audit.record(
            actor, "grading.grade.rejected", customer, {"grade": grade.pk, "reason": reason}
        )
        if row.pending_by:
            from linli.notify.services import notify_staff

            notify_staff(
                [row.pending_by],
                subject=_("“%(g)s”定级未获批准") % {"g": grade.name},
                body=reason,
                link=f"/grading/customers/{customer.pk}/",
                kind="grading.rejected",
            )
    row.refresh_from_db()
    return row


# --- the review ----------------------------------------------------------------------------------
@transaction.atomic
def confirm_items(
    review: GradeReview, item_ids: Iterable[int], *, actor: Any, at: dt.datetime | None = None
) -> dict[str, int]:
    """Confirm the rules' proposals of many review items at once (set-based, in chunks).

    Items whose customer changed grade since the review was prepared are marked superseded;
    proposals that need company approval wait for it unless the actor may approve."""
    _require(actor, Perm.GRADING_CONFIRM)
    at = at or timezone.now()
    can_approve = Perm.GRADING_APPROVE_VIP in _perms(actor)
    counts = {"confirmed": 0, "awaiting": 0, "stale": 0}
    customer_ids: list[int] = []
    awaiting_by_grade: dict[int, int] = defaultdict(int)
    grades = {g.pk: g for g in Grade.objects.all()}
    for chunk in _chunks(sorted(set(item_ids))):
        items = list(
            GradeReviewItem.objects.select_for_update()
            .filter(review=review, pk__in=chunk, decision=Decision.PENDING)
            .order_by("pk")
        )
        if not items:
            continue
        CustomerGrade.objects.bulk_create(
            [CustomerGrade(customer_id=i.customer_id, community_id=i.community_id) for i in items],
            ignore_conflicts=True,
        )
        rows = {
            r.pk: r
            for r in CustomerGrade.objects.select_for_update().filter(
                pk__in=[i.customer_id for i in items]
            )
        }
        groups: dict[tuple[int | None, int], list[GradeReviewItem]] = defaultdict(list)
        stale, pending = [], []
        for item in items:
            row = rows[item.customer_id]
            if row.grade_id != item.current_grade_id or row.pending_grade_id:
                stale.append(item.pk)
            elif grades[item.proposed_grade_id].needs_approval and not can_approve:
                pending.append((item, row))
            else:
                groups[(row.grade_id, item.proposed_grade_id)].append(item)
        for (old, new), group in groups.items():
            ids = [i.customer_id for i in group]
            same_old = Q(grade_id=old) if old else Q(grade__isnull=True)
            updated = CustomerGrade.objects.filter(same_old, pk__in=ids, pending_grade__isnull=True).update(
                grade_id=new, graded_at=at, graded_by=_who(actor), is_override=False, version=F("version") + 1
            )  # fmt: skip
            if updated != len(ids):  # rows are locked: only a bug gets here
                raise DomainError(STALE)
            approved_by = _who(actor) if grades[new].needs_approval else None
            GradeChange.objects.bulk_create(
                [GradeChange(community_id=i.community_id, customer_id=i.customer_id, old_grade_id=old,
                             new_grade_id=new, source=ChangeSource.REVIEW, rule_id=i.rule_id,
                             rule_name=i.rule_name, decided_by=_who(actor), approved_by=approved_by,
                             review_item=i, at=at) for i in group],
                batch_size=500,
            )  # fmt: skip
            GradeReviewItem.objects.filter(pk__in=[i.pk for i in group]).update(
                decision=Decision.CONFIRMED, decided_grade_id=new, decided_by=_who(actor),
                decided_at=at, approved_by=approved_by,
            )  # fmt: skip
            counts["confirmed"] += len(group)
            customer_ids += ids
        for item, row in pending:
            CustomerGrade.objects.filter(pk=row.pk, version=row.version).update(
                pending_grade_id=item.proposed_grade_id, pending_source=ChangeSource.REVIEW,
                pending_reason="", pending_rule_id=item.rule_id, pending_by=_who(actor),
                pending_at=at, pending_item=item, version=F("version") + 1,
            )  # fmt: skip
            GradeReviewItem.objects.filter(pk=item.pk).update(
                decision=Decision.AWAITING_APPROVAL, decided_grade_id=item.proposed_grade_id,
                decided_by=_who(actor), decided_at=at,
            )  # fmt: skip
            awaiting_by_grade[item.proposed_grade_id] += 1
            counts["awaiting"] += 1
        if stale:
            GradeReviewItem.objects.filter(pk__in=stale).update(decision=Decision.SUPERSEDED)
            counts["stale"] += len(stale)
    audit.record(
        actor, "grading.review.confirmed", review, {**counts, "customers": customer_ids[:200]},
        community_id=review.community_id,
    )  # fmt: skip
    for grade_id, count in awaiting_by_grade.items():
        _tell_approvers(review.community_id, grades[grade_id], count)
    return counts


@transaction.atomic
def decide_item(
    item: GradeReviewItem, *, action: str, actor: Any, grade: Grade | None = None,
    reason: str = "", at: dt.datetime | None = None,
) -> GradeReviewItem:  # fmt: skip
    """One review row: confirm the proposal, override it with another grade, or keep the
    current grade — override and keep need a reason."""
    _require(actor, Perm.GRADING_CONFIRM)
    at = at or timezone.now()
    item = GradeReviewItem.objects.select_for_update().get(pk=item.pk)
    if item.decision != Decision.PENDING:
        raise DomainError(_("该复评条目已处理。"))
    reason = (reason or "").strip()
    customer = Customer.objects.get(pk=item.customer_id)
    current = CustomerGrade.objects.filter(pk=item.customer_id).values_list("grade_id", flat=True)
    if current.first() != item.current_grade_id:
        # The customer's grade changed since the review was prepared: the proposal is void.
        GradeReviewItem.objects.filter(pk=item.pk).update(decision=Decision.SUPERSEDED)
        item.refresh_from_db()
        return item
    if action == "confirm" or (
        action == "override" and grade and grade.pk == item.proposed_grade_id
    ):
        counts = confirm_items(item.review, [item.pk], actor=actor, at=at)
        if counts["stale"]:
            raise DomainError(STALE)
    elif action == "override":
        if grade is None:
            raise DomainError(_("请选择调整后的等级。"), field="grade")
        if not reason:
            raise DomainError(_("调整为与规则建议不同的等级时，请填写理由。"), field="reason")
        if grade.pk == item.current_grade_id:
            action = "keep"
        else:
            decide_grade(customer, grade=grade, actor=actor, reason=reason, item=item, at=at)
    elif action != "keep":
        raise DomainError(_("未知的处理方式。"))
    if action == "keep":
        if not reason:
            raise DomainError(_("维持原级时请填写理由。"), field="reason")
        updated = GradeReviewItem.objects.filter(pk=item.pk, decision=Decision.PENDING).update(
            decision=Decision.KEPT, decided_grade_id=item.current_grade_id, reason=reason[:300],
            decided_by=_who(actor), decided_at=at,
        )  # fmt: skip
        if updated != 1:
            raise DomainError(_("该复评条目已处理。"))
        CustomerGrade.objects.filter(pk=item.customer_id).update(is_override=True)
        audit.record(actor, "grading.review.kept", customer, {"item": item.pk, "reason": reason})
    item.refresh_from_db()
    return item
