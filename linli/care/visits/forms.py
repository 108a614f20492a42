"""Input validation of the visit pages (no saving here: the services do)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.care.visits.models import Visit
from linli.care.visits.services import MAX_COMMITMENTS

RADIO = {"class": "btn-check"}
COMMITMENT_ROWS = 3
SATISFACTION = [("", _("未评")), ("5", "5"), ("4", "4"), ("3", "3"), ("2", "2"), ("1", "1")]


def _now_local() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


class VisitForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("拜访类型"), choices=Visit.Kind.choices, initial=Visit.Kind.REGULAR,
        widget=forms.RadioSelect(attrs=RADIO),
    )  # fmt: skip
    method = forms.ChoiceField(
        label=_("拜访方式"), choices=Visit.Method.choices, initial=Visit.Method.DOOR,
        widget=forms.RadioSelect(attrs=RADIO),
    )  # fmt: skip
    visited_at = forms.DateTimeField(
        label=_("拜访时间"), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )  # fmt: skip
    room = forms.TypedChoiceField(label=_("房间"), coerce=int, required=False, empty_value=None)
    people_met = forms.CharField(
        label=_("接待人"), max_length=200, required=False, help_text=_("例如：业主本人、业主夫人")
    )
    raised = forms.CharField(
        label=_("客户反映的问题与意见"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    satisfaction = forms.TypedChoiceField(
        label=_("满意度"), choices=SATISFACTION, coerce=int, required=False, empty_value=None,
        widget=forms.RadioSelect(attrs=RADIO),
    )  # fmt: skip
    notes = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    item = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, rooms: list[tuple[int, str]] | None = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", {}).setdefault("visited_at", _now_local())
        super().__init__(*args, **kwargs)
        self.fields["room"].choices = [("", _("（按客户当前房间）")), *(rooms or [])]  # type: ignore[attr-defined]
        for n in range(1, COMMITMENT_ROWS + 1):
            self.fields[f"promise_{n}"] = forms.CharField(
                label=_("承诺事项"), max_length=200, required=False,
                widget=forms.TextInput(attrs={"placeholder": _("承诺事项"), "aria-label": _("承诺事项")}),
            )  # fmt: skip
            self.fields[f"promise_{n}_due"] = forms.DateField(
                label=_("承诺期限"),
                required=False,
                widget=forms.DateInput(attrs={"type": "date", "aria-label": _("承诺期限")}),
            )

    def clean_visited_at(self) -> dt.datetime:
        value = self.cleaned_data["visited_at"]
        if value > timezone.now() + dt.timedelta(minutes=10):
            raise forms.ValidationError(_("拜访时间不能晚于现在。"))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for n in range(1, COMMITMENT_ROWS + 1):
            text, due = data.get(f"promise_{n}"), data.get(f"promise_{n}_due")
            if text and not due:
                self.add_error(f"promise_{n}_due", _("请填写承诺期限。"))
            if due and not text:
                self.add_error(f"promise_{n}", _("请填写承诺事项。"))
        return data

    def commitments(self) -> list[tuple[str, dt.date]]:
        rows = []
        for n in range(1, min(COMMITMENT_ROWS, MAX_COMMITMENTS) + 1):
            text, due = (
                self.cleaned_data.get(f"promise_{n}"),
                self.cleaned_data.get(f"promise_{n}_due"),
            )
            if text and due:
                rows.append((text, due))
        return rows

    def promise_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"promise_{n}"], self[f"promise_{n}_due"]) for n in range(1, COMMITMENT_ROWS + 1)
        ]


class TicketForm(forms.Form):
    kind = forms.ChoiceField(label=_("诉求类型"))
    category: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("类别"), queryset=None, empty_label=None
    )
    description = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from linli.tickets.models import Category, Kind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Kind.choices  # type: ignore[attr-defined]
        self.fields["kind"].initial = Kind.REPAIR
        self.fields["category"].queryset = Category.objects.filter(is_active=True)  # type: ignore[attr-defined]


class NeedForm(forms.Form):
    need_type = forms.ChoiceField(label=_("需求类型"))
    description = forms.CharField(label=_("需求内容"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["need_type"].choices = need_type_choices()  # type: ignore[attr-defined]


def need_type_choices() -> list[tuple[str, str]]:
    """The reception chapter's need types (read lazily: that chapter may not be installed)."""
    try:
        from linli.care.reception.models import NeedType
    except ImportError:
        return []
    return [
        (code, name)
        for code, name in NeedType.objects.filter(is_active=True).values_list("code", "name")
    ]


class CommitmentDoneForm(forms.Form):
    note = forms.CharField(label=_("完成情况"), max_length=200, required=False)


class ContactForm(forms.Form):
    method = forms.ChoiceField(
        label=_("联系方式"), choices=Visit.Method.choices, initial=Visit.Method.PHONE
    )
    note = forms.CharField(label=_("联系情况"), max_length=200, required=False)


class HandoverForm(forms.Form):
    area: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("片区"), queryset=None)
    new_steward: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("新物管员"), queryset=None
    )
    note = forms.CharField(
        label=_("交接说明"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, areas: Any, stewards: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas  # type: ignore[attr-defined]
        self.fields["area"].label_from_instance = lambda a: (  # type: ignore[attr-defined]
            f"{a.community.code} {a.name}（{a.steward.display_name if a.steward else _('无物管员')}）"
        )
        self.fields["new_steward"].queryset = stewards  # type: ignore[attr-defined]
        self.fields["new_steward"].label_from_instance = lambda s: (  # type: ignore[attr-defined]
            f"{s.community.code if s.community else ''} {s.display_name}"
        )


class GenerateForm(forms.Form):
    month = forms.DateField(
        label=_("月份"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
