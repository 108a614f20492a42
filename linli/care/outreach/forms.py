from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.care.outreach.models import Event, Notice
from linli.customers.models import Building, Unit

LOCAL = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=LOCAL, **kwargs)


class NoticeForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Notice.Kind.choices)
    title = forms.CharField(label=_("标题"), max_length=100)
    body = forms.CharField(
        label=_("内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=300,
        help_text=_("短信正文，写清原因、影响范围和注意事项（300 字以内）"),
    )  # fmt: skip
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DateTimeInput())
    buildings = forms.ModelMultipleChoiceField(
        label=_("整栋通知"), queryset=Building.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    units = forms.ModelMultipleChoiceField(
        label=_("按单元通知"), queryset=Unit.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    def __init__(self, *args: Any, community_id: int, **kwargs: Any) -> None:
        now = timezone.localtime().replace(second=0, microsecond=0)
        kwargs.setdefault("initial", {"starts_at": now, "ends_at": now + dt.timedelta(hours=4)})
        super().__init__(*args, **kwargs)
        buildings = cast(forms.ModelMultipleChoiceField, self.fields["buildings"])
        buildings.queryset = Building.objects.filter(community_id=community_id).order_by("code")
        units = cast(forms.ModelMultipleChoiceField, self.fields["units"])
        units.queryset = (
            Unit.objects.filter(community_id=community_id)
            .select_related("building")
            .order_by("building__code", "code")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("buildings") and not data.get("units"):
            self.add_error("buildings", _("请至少选择一个楼栋或单元。"))
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] < data["starts_at"]:
            self.add_error("ends_at", _("结束时间不能早于开始时间。"))
        return data


class EventForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = ["kind", "title", "starts_at", "place", "capacity", "audience", "description"]
        widgets = {"starts_at": DateTimeInput(), "description": forms.Textarea(attrs={"rows": 3})}


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("评价"), coerce=int, required=False, empty_value=None,
        choices=[("", "—")] + [(i, "★" * i) for i in range(5, 0, -1)],
    )  # fmt: skip
    feedback = forms.CharField(label=_("意见反馈"), required=False, max_length=1000,
                               widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip


class TemplateForm(forms.Form):
    care_event = forms.CharField(widget=forms.HiddenInput)
    occasion = forms.CharField(widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=500
    )


class DoneForm(forms.Form):
    note = forms.CharField(label=_("备注"), required=False, max_length=200)
