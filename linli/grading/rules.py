"""Grading rules: a fixed vocabulary of inputs, validation of stored conditions, evaluation.

A rule's conditions are JSON: `[{"input": "total_area", "op": ">=", "value": 180}, …]`, all of
which must hold. Rules are tried in priority order; the first that matches proposes its grade,
and when none matches the default grade is proposed. One evaluator (this module) serves the
background re-grading, the customer page's explanation and the rule preview, so they agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core.errors import DomainError

NUMBER, BOOL, CHOICE, FLAGS = "number", "bool", "choice", "flags"


@dataclass(frozen=True)
class Input:
    code: str
    label: str | Promise
    kind: str
    unit: str | Promise = ""
    choices: tuple[tuple[str, str | Promise], ...] = ()
    help: str | Promise = ""


def _fee_choices() -> tuple[tuple[str, Any], ...]:
    from linli.grading.models import FeeStanding

    return tuple(FeeStanding.Status.choices)


def _kind_choices() -> tuple[tuple[str, Any], ...]:
    from linli.customers.models import Customer

    return tuple(Customer.Kind.choices)


INPUTS: dict[str, Input] = {
    i.code: i
    for i in (
        Input("rooms", gettext_lazy("名下房间数"), NUMBER, gettext_lazy("套"),
              help=gettext_lazy("当前以业主或单位身份登记的房间")),
        Input("total_area", gettext_lazy("名下建筑面积合计"), NUMBER, "㎡"),
        Input("years", gettext_lazy("成为客户年限"), NUMBER, gettext_lazy("年"),
              help=gettext_lazy("自首次入住（含已迁出的房间）起满的整年数")),
        Input("fee_status", gettext_lazy("缴费状况"), CHOICE),
        Input("arrears_months", gettext_lazy("欠费月数"), NUMBER, gettext_lazy("个月")),
        Input("complaints_12m", gettext_lazy("近期投诉次数"), NUMBER, gettext_lazy("次"),
              help=gettext_lazy("统计期由制度参数 grading.complaints.window_months 决定（默认 12 个月），不含已撤销的投诉")),
        Input("committee", gettext_lazy("业主委员会成员"), BOOL),
        Input("important", gettext_lazy("重要客户（管理处指定）"), BOOL),
        Input("owner", gettext_lazy("是业主"), BOOL, help=gettext_lazy("名下有房间（业主或单位身份）")),
        Input("kind", gettext_lazy("客户类型"), CHOICE),
        Input("flags", gettext_lazy("客户标记"), FLAGS),
    )
}  # fmt: skip

OPS: dict[str, tuple[str, ...]] = {
    NUMBER: (">=", ">", "<=", "<", "=", "!="),
    BOOL: ("=",),
    CHOICE: ("=", "!=", "in", "not_in"),
    FLAGS: ("has", "lacks"),
}
OP_LABELS: dict[str, str | Promise] = {
    ">=": "≥",
    ">": ">",
    "<=": "≤",
    "<": "<",
    "=": "=",
    "!=": "≠",
    "in": gettext_lazy("属于"),
    "not_in": gettext_lazy("不属于"),
    "has": gettext_lazy("有"),
    "lacks": gettext_lazy("没有"),
}
ALL_OPS = tuple(dict.fromkeys(op for ops in OPS.values() for op in ops))


def input_choices(code: str) -> tuple[tuple[str, Any], ...]:
    if code == "fee_status":
        return _fee_choices()
    if code == "kind":
        return _kind_choices()
    if code == "flags":
        from linli.grading.models import Flag

        return tuple(Flag.objects.filter(is_active=True).values_list("code", "name"))
    return INPUTS[code].choices


def complaints_window_months(at: dt.datetime | None = None) -> int:
    from linli import policy

    return int(policy.value("grading.complaints.window_months", at=at))


def input_label(code: str, *, at: dt.datetime | None = None) -> str:
    if code == "complaints_12m":
        return _("近 %(n)s 个月投诉次数") % {"n": complaints_window_months(at)}
    item = INPUTS.get(code)
    return str(item.label) if item else code


# --- validation --------------------------------------------------------------------------------
def _number(raw: Any, label: str) -> int | float:
    if isinstance(raw, bool):
        raise DomainError(_("“%(label)s”的取值应为数字。") % {"label": label}, field="conditions")
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(
            _("“%(label)s”的取值“%(raw)s”不是数字。") % {"label": label, "raw": raw},
            field="conditions",
        ) from None
    if not value.is_finite() or value < 0:
        raise DomainError(
            _("“%(label)s”的取值应为不小于 0 的数字。") % {"label": label}, field="conditions"
        )
    return int(value) if value == value.to_integral_value() else float(value)


def _bool(raw: Any, label: str) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in {"true", "1", "yes", "是"}:
        return True
    if text in {"false", "0", "no", "否"}:
        return False
    raise DomainError(_("“%(label)s”的取值应为“是”或“否”。") % {"label": label}, field="conditions")


def _codes(raw: Any) -> list[str]:
    if isinstance(raw, list | tuple):
        items = raw
    else:
        items = str(raw).replace("，", ",").replace("、", ",").split(",")
    return [str(i).strip() for i in items if str(i).strip()]


def clean_condition(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise DomainError(_("每个条件应包含 input、op、value 三项。"), field="conditions")
    extra = set(raw) - {"input", "op", "value"}
    if extra:
        raise DomainError(
            _("条件中有无法识别的项：%(keys)s。") % {"keys": "、".join(sorted(map(str, extra)))},
            field="conditions",
        )
    code = str(raw.get("input", "")).strip()
    if code not in INPUTS:
        raise DomainError(
            _("规则引用了不存在的条件项“%(name)s”。可用的条件项：%(known)s。")
            % {"name": code, "known": "、".join(f"{c}（{INPUTS[c].label}）" for c in INPUTS)},
            field="conditions",
        )
    spec = INPUTS[code]
    label = input_label(code)
    op = str(raw.get("op", "")).strip()
    if op not in OPS[spec.kind]:
        raise DomainError(
            _("“%(label)s”不能用比较方式“%(op)s”；可用：%(ops)s。")
            % {"label": label, "op": op, "ops": " ".join(OPS[spec.kind])},
            field="conditions",
        )
    value: Any = raw.get("value")
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DomainError(_("请填写“%(label)s”的取值。") % {"label": label}, field="conditions")
    if spec.kind == NUMBER:
        value = _number(value, label)
    elif spec.kind == BOOL:
        value = _bool(value, label)
    else:
        allowed = dict(input_choices(code))
        by_label = {str(label): code for code, label in allowed.items()}
        chosen = [c if c in allowed else by_label.get(c, c) for c in _codes(value)]
        unknown = [c for c in chosen if c not in allowed]
        if unknown or not chosen:
            raise DomainError(
                _("“%(label)s”没有取值“%(v)s”；可选：%(known)s。")
                % {
                    "label": label,
                    "v": "、".join(unknown) or str(value),
                    "known": "、".join(f"{c}（{n}）" for c, n in allowed.items()),
                },
                field="conditions",
            )
        if op in ("=", "!=") and len(chosen) != 1:
            raise DomainError(
                _("“%(label)s” %(op)s 只能取一个值；多个值请用“属于”。")
                % {"label": label, "op": op},
                field="conditions",
            )
        value = chosen[0] if op in ("=", "!=") else chosen
    return {"input": code, "op": op, "value": value}


def clean_conditions(raw: Any) -> list[dict[str, Any]]:
    """Validate a rule's conditions; raise DomainError naming the offending input."""
    if not isinstance(raw, list | tuple):
        raise DomainError(_("规则条件应为条件列表。"), field="conditions")
    conditions = [clean_condition(item) for item in raw]
    if not conditions:
        raise DomainError(
            _("规则至少需要一个条件；不满足任何规则的客户取默认等级。"), field="conditions"
        )
    return conditions


# --- evaluation --------------------------------------------------------------------------------
@dataclass
class Facts:
    """The inputs of one customer at one moment."""

    rooms: int = 0
    total_area: Decimal = Decimal(0)
    years: int = 0
    fee_status: str = "unknown"
    arrears_months: int = 0
    complaints_12m: int = 0
    committee: bool = False
    important: bool = False
    owner: bool = False
    kind: str = "person"
    flags: frozenset[str] = field(default_factory=frozenset)

    def get(self, code: str) -> Any:
        return getattr(self, code)

    def as_json(self) -> dict[str, Any]:
        return {
            "rooms": self.rooms,
            "total_area": float(self.total_area),
            "years": self.years,
            "fee_status": self.fee_status,
            "arrears_months": self.arrears_months,
            "complaints_12m": self.complaints_12m,
            "committee": self.committee,
            "important": self.important,
            "owner": self.owner,
            "kind": self.kind,
            "flags": sorted(self.flags),
        }


def _number_test(op: str, limit: Decimal) -> Callable[[Any], bool]:
    return {
        ">=": lambda v: v >= limit,
        ">": lambda v: v > limit,
        "<=": lambda v: v <= limit,
        "<": lambda v: v < limit,
        "=": lambda v: v == limit,
        "!=": lambda v: v != limit,
    }[op]


def compile_condition(condition: Mapping[str, Any]) -> Callable[[Facts], bool]:
    code, op, value = condition["input"], condition["op"], condition["value"]
    kind = INPUTS[code].kind
    if kind == NUMBER:
        test = _number_test(op, Decimal(str(value)))
        return lambda facts: test(Decimal(facts.get(code)))
    if kind == BOOL:
        return lambda facts: bool(facts.get(code)) == bool(value)
    if kind == FLAGS:
        wanted = frozenset(value)
        if op == "has":
            return lambda facts: bool(wanted & facts.flags)
        return lambda facts: not (wanted & facts.flags)
    options = frozenset([value] if isinstance(value, str) else value)
    if op in ("=", "in"):
        return lambda facts: facts.get(code) in options
    return lambda facts: facts.get(code) not in options


@dataclass(frozen=True)
class CompiledRule:
    pk: int
    name: str
    grade_id: int
    conditions: tuple[dict[str, Any], ...]
    tests: tuple[Callable[[Facts], bool], ...]
    priority: int = 0

    def matches(self, facts: Facts) -> bool:
        return all(test(facts) for test in self.tests)


@dataclass(frozen=True)
class Ruleset:
    rules: tuple[CompiledRule, ...]
    default_grade_id: int | None

    def propose(self, facts: Facts) -> tuple[int | None, CompiledRule | None]:
        for rule in self.rules:
            if rule.matches(facts):
                return rule.grade_id, rule
        return self.default_grade_id, None


def load_ruleset() -> Ruleset:
    """The active rules of active grades, in order; a stored rule that no longer validates (a
    flag deleted since) is skipped rather than failing a whole re-grading."""
    from linli.grading.models import Grade, GradeRule

    compiled = []
    rows = GradeRule.objects.filter(is_active=True, grade__is_active=True).order_by(
        "priority", "-grade__rank", "pk"
    )
    for rule in rows:
        try:
            conditions = clean_conditions(rule.conditions)
        except DomainError:
            continue
        compiled.append(
            compile_rule(rule.pk, rule.name, rule.grade_id, conditions, priority=rule.priority)
        )
    default = Grade.objects.filter(is_default=True, is_active=True).values_list("pk", flat=True)
    return Ruleset(rules=tuple(compiled), default_grade_id=default.first())


def compile_rule(
    pk: int, name: str, grade_id: int, conditions: Iterable[dict[str, Any]], *, priority: int = 0
) -> CompiledRule:
    conditions = tuple(conditions)
    return CompiledRule(
        pk=pk,
        name=name,
        grade_id=grade_id,
        conditions=conditions,
        tests=tuple(compile_condition(c) for c in conditions),
        priority=priority,
    )


def with_candidate(ruleset: Ruleset, candidate: CompiledRule, *, replaces: int | None) -> Ruleset:
    """The ruleset as it would be with `candidate` saved (in place of rule `replaces`)."""
    rules = [r for r in ruleset.rules if r.pk != replaces]
    position = next((i for i, r in enumerate(rules) if r.priority > candidate.priority), len(rules))
    rules.insert(position, candidate)
    return Ruleset(rules=tuple(rules), default_grade_id=ruleset.default_grade_id)


# --- explanation -------------------------------------------------------------------------------
def _value_text(code: str, value: Any) -> str:
    spec = INPUTS[code]
    if spec.kind == BOOL:
        return _("是") if value else _("否")
    if spec.kind in (CHOICE, FLAGS):
        labels = dict(input_choices(code))
        items = [value] if isinstance(value, str) else list(value)
        return "、".join(str(labels.get(v, v)) for v in items) or "—"
    if isinstance(value, Decimal | float):
        value = Decimal(str(value)).normalize()
        value = format(value, "f")
    unit = str(spec.unit)
    return f"{value} {unit}".strip() if unit else str(value)


def describe_condition(condition: Mapping[str, Any]) -> str:
    """A condition in words: 名下建筑面积合计 ≥ 180 ㎡."""
    code = condition["input"]
    if code not in INPUTS:
        return f"{code} {condition.get('op', '')} {condition.get('value', '')}"
    label = input_label(code)
    op = OP_LABELS.get(condition["op"], condition["op"])
    return f"{label} {op} {_value_text(code, condition['value'])}"


def describe_rule(conditions: Iterable[Mapping[str, Any]]) -> str:
    return _("且").join(describe_condition(c) for c in conditions)


def explain(rule: CompiledRule, facts: Facts) -> list[dict[str, Any]]:
    """Each condition of a rule, the customer's actual value, and whether it holds."""
    return [
        {
            "input": c["input"],
            "text": describe_condition(c),
            "actual": _value_text(c["input"], facts.get(c["input"])),
            "ok": test(facts),
        }
        for c, test in zip(rule.conditions, rule.tests, strict=True)
    ]


def facts_from_json(data: Mapping[str, Any]) -> Facts:
    return Facts(
        rooms=int(data.get("rooms", 0)),
        total_area=Decimal(str(data.get("total_area", 0))),
        years=int(data.get("years", 0)),
        fee_status=str(data.get("fee_status", "unknown")),
        arrears_months=int(data.get("arrears_months", 0)),
        complaints_12m=int(data.get("complaints_12m", 0)),
        committee=bool(data.get("committee")),
        important=bool(data.get("important")),
        owner=bool(data.get("owner")),
        kind=str(data.get("kind", "person")),
        flags=frozenset(data.get("flags", [])),
    )


def facts_text(facts: Facts) -> list[tuple[str, str]]:
    """(label, value) of every input, for the customer page."""
    return [(input_label(code), _value_text(code, facts.get(code))) for code in INPUTS]
