"""Input validation of the grading pages; the services do the business checks."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.grading.models import FeeStanding, Flag, Grade, GradeReviewItem, VisitCadence
from linli.grading.plans import CARE_EVENTS, cadence_parameter_choices
from linli.grading.rules import ALL_OPS, INPUTS, OP_LABELS, input_label


class ColourInput(forms.TextInput):
    input_type = "color"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"class": "form-control-color", **(attrs or {})})


class GradeForm(forms.Form):
    code = forms.CharField(label=_("代码"), max_length=20, help_text=_("小写字母或数字，如 vip、a"))
    name = forms.CharField(label=_("名称"), max_length=30)
    rank = forms.IntegerField(label=_("级别高低"), min_value=0, max_value=1000,
                              help_text=_("数字越大等级越高，用于排序和判断升级/降级"))  # fmt: skip
    colour = forms.CharField(label=_("颜色"), max_length=7, widget=ColourInput)
    needs_approval = forms.BooleanField(label=_("定为此等级需公司审批（如 VIP）"), required=False)
    is_default = forms.BooleanField(label=_("默认等级（没有规则命中时）"), required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @classmethod
    def for_grade(cls, grade: Grade | None, data: Any = None) -> GradeForm:
        initial = {f: getattr(grade, f) for f in (
            "code", "name", "rank", "colour", "needs_approval", "is_default", "is_active", "description", "version",
        )} if grade else {"colour": "#1f5f8b", "is_active": True}  # fmt: skip
        return cls(data, initial=initial)


class FlagForm(forms.Form):
    code = forms.CharField(label=_("代码"), max_length=20)
    name = forms.CharField(label=_("名称"), max_length=30)
    source = forms.ChoiceField(label=_("来源"), choices=Flag.Source.choices)
    colour = forms.CharField(label=_("颜色"), max_length=7, widget=ColourInput)
    sort = forms.IntegerField(label=_("排序"), min_value=0, max_value=1000, initial=0)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    description = forms.CharField(label=_("说明"), max_length=200, required=False)

    @classmethod
    def for_flag(cls, flag: Flag | None, data: Any = None) -> FlagForm:
        initial = {f: getattr(flag, f) for f in (
            "code", "name", "source", "colour", "sort", "is_active", "description",
        )} if flag else {"colour": "#0d6efd", "is_active": True, "source": Flag.Source.MANUAL}  # fmt: skip
        return cls(data, initial=initial)


def _input_choices() -> list[tuple[str, Any]]:
    return [("", _("（不用此行）"))] + [(code, input_label(code)) for code in INPUTS]


class ConditionForm(forms.Form):
    # Plain text fields behind the selects: an unknown input reaches the service, which names it.
    input = forms.CharField(label=_("条件项"), required=False, widget=forms.Select)
    op = forms.CharField(
        label=_("比较"),
        required=False,
        widget=forms.Select(choices=[(op, OP_LABELS[op]) for op in ALL_OPS]),
    )
    value = forms.CharField(label=_("取值"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = self.fields["input"].widget
        assert isinstance(widget, forms.Select)
        widget.choices = _input_choices()


ConditionFormSet = forms.formset_factory(ConditionForm, extra=0, max_num=12, absolute_max=12)


class RuleForm(forms.Form):
    name = forms.CharField(label=_("规则名称"), max_length=50)
    grade = forms.ModelChoiceField(label=_("建议等级"), queryset=Grade.objects.none())
    priority = forms.IntegerField(label=_("顺序"), min_value=0, max_value=100000,
                                  help_text=_("数字小的先判断；第一条满足的规则决定建议等级"))  # fmt: skip
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["grade"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Grade.objects.filter(is_active=True).order_by("-rank")


def conditions_of(formset: Any) -> list[dict[str, Any]]:
    """The filled rows of the conditions formset, as rule conditions."""
    rows = []
    for form in formset.forms:
        data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
        if data.get("input"):
            rows.append(
                {"input": data["input"], "op": data.get("op", ""), "value": data.get("value", "")}
            )
    return rows


def condition_initial(conditions: list[dict[str, Any]], blank: int = 2) -> list[dict[str, Any]]:
    """Stored conditions as the editor shows them: Chinese labels for choices and yes/no."""
    from linli.grading.rules import input_choices

    rows = []
    for c in conditions:
        value = c.get("value")
        if isinstance(value, bool):
            value = "是" if value else "否"
        elif isinstance(value, str | list) and c.get("input") in INPUTS:
            labels = {code: str(label) for code, label in input_choices(c["input"])}
            items = [value] if isinstance(value, str) else value
            value = ",".join(labels.get(str(v), str(v)) for v in items)
        rows.append({"input": c.get("input", ""), "op": c.get("op", ""), "value": value})
    return rows + [{} for _ in range(blank)]


class CadenceForm(forms.Form):
    visitor = forms.ChoiceField(
        label=_("拜访人"), required=False, choices=[("", "—"), *VisitCadence.Visitor.choices]
    )
    times = forms.IntegerField(label=_("次数"), required=False, min_value=1, max_value=31)
    per_months = forms.IntegerField(label=_("每几个月"), required=False, min_value=1, max_value=24)
    policy_key = forms.ChoiceField(label=_("按制度参数"), required=False, choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["policy_key"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = cadence_parameter_choices()


CadenceFormSet = forms.formset_factory(CadenceForm, extra=0, max_num=12, absolute_max=12)


class PlanForm(forms.Form):
    sla_factor = forms.DecimalField(
        label=_("投诉处理时限系数"), required=False, min_value=0.1, max_value=2, decimal_places=2,
        help_text=_("诉求的响应、解决时限乘以此系数（如 0.5 即时限减半）；留空表示不调整"),
    )  # fmt: skip
    invitations_first = forms.BooleanField(label=_("社区活动优先邀请"), required=False)
    dedicated_steward = forms.BooleanField(label=_("专属物管员"), required=False)
    care_events = forms.MultipleChoiceField(
        label=_("关怀活动"), required=False, choices=list(CARE_EVENTS.items()),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )  # fmt: skip
    notes = forms.CharField(
        label=_("其他服务内容"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DecideForm(forms.Form):
    grade = forms.ModelChoiceField(label=_("等级"), queryset=Grade.objects.none())
    reason = forms.CharField(
        label=_("理由"), required=False, max_length=300,
        help_text=_("与规则建议不同时必填"),
    )  # fmt: skip
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["grade"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Grade.objects.filter(is_active=True).order_by("-rank")


class ApproveForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("批准")), ("reject", _("不批准"))])
    reason = forms.CharField(label=_("意见"), required=False, max_length=300)


class FeeForm(forms.Form):
    status = forms.ChoiceField(label=_("缴费状况"), choices=FeeStanding.Status.choices)
    arrears_months = forms.IntegerField(
        label=_("欠费月数"), required=False, min_value=0, max_value=240, initial=0
    )
    note = forms.CharField(
        label=_("备注"), required=False, max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("备注（如：已电话催缴）")}),
    )  # fmt: skip
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class FlagsForm(forms.Form):
    flags = forms.MultipleChoiceField(
        label=_("人工标记"), required=False, choices=(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )  # fmt: skip
    note = forms.CharField(label=_("备注"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["flags"]
        assert isinstance(field, forms.MultipleChoiceField)
        # Accept any code: unknown or derived codes reach the service, which explains why not.
        posted = self.data.getlist("flags") if hasattr(self.data, "getlist") else []
        field.choices = [(c, c) for c in posted]
        field.choices += list(
            Flag.objects.filter(is_active=True, source=Flag.Source.MANUAL).values_list(
                "code", "name"
            )
        )


class ItemDecisionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("confirm", _("确认")), ("override", _("调整")), ("keep", _("维持原级"))]
    )
    grade = forms.ModelChoiceField(label=_("等级"), queryset=Grade.objects.none(), required=False)
    reason = forms.CharField(label=_("理由"), required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["grade"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Grade.objects.filter(is_active=True)


class ReviewFilterForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("处理"), required=False,
        choices=[("", _("全部")), *GradeReviewItem.Decision.choices],
    )  # fmt: skip
    direction = forms.ChoiceField(
        label=_("变动"), required=False,
        choices=[("", _("升降不限")), ("up", _("升级")), ("down", _("降级")), ("new", _("首次定级"))],
    )  # fmt: skip
    proposed_grade = forms.ChoiceField(label=_("建议等级"), required=False, choices=())
    q = forms.CharField(label=_("姓名"), required=False, max_length=50)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["proposed_grade"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("建议等级不限"))] + [
            (str(g.pk), g.name) for g in Grade.objects.order_by("-rank")
        ]
        q = self.fields["q"]
        q.widget.attrs["placeholder"] = _("姓名")

    def filters(self) -> dict[str, Any]:
        if not self.is_bound:
            return {"decision": GradeReviewItem.Decision.PENDING}
        if not self.is_valid():
            return {"decision": GradeReviewItem.Decision.PENDING}
        return dict(self.cleaned_data)
