"""Input validation only; the services decide and save."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.care.reception.models import Channel, NeedStatus, NeedType, Outcome, Topic
from linli.care.reception.selectors import EntryFilters, NeedFilters

ENTRY_OUTCOMES = [
    (Outcome.ANSWERED.value, Outcome.ANSWERED.label),
    (Outcome.FOLLOW_UP.value, Outcome.FOLLOW_UP.label),
    (Outcome.REFERRED.value, Outcome.REFERRED.label),
]
DATE = forms.DateInput(attrs={"type": "date"})
BLANK = [("", _("全部"))]


def _staff_choices(user: Any, community_id: int | None) -> Any:
    from linli.org.models import Staff

    rows = Staff.objects.visible_to(user).filter(is_active=True).exclude(role="")
    if community_id:
        rows = rows.filter(community_id=community_id)
    return rows.order_by("community__code", "name", "username")


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name}（{obj.get_role_display()}）"


class EntryForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("渠道"), choices=Channel.choices, initial=Channel.PHONE, widget=forms.RadioSelect
    )
    received_at = forms.DateTimeField(
        label=_("接待时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    room = forms.IntegerField(required=False, widget=forms.HiddenInput)
    caller_name = forms.CharField(
        label=_("来访人/来电人"), max_length=50, required=False,
        help_text=_("未在客户库中找到时填写"),
    )  # fmt: skip
    caller_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    topic = forms.ChoiceField(label=_("类别"), choices=Topic.choices, initial=Topic.ENQUIRY)
    subject = forms.CharField(
        label=_("事由"), max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("一句话说明来意"), "autocomplete": "off"}),
    )  # fmt: skip
    outcome = forms.ChoiceField(
        label=_("处理结果"), choices=ENTRY_OUTCOMES, initial=Outcome.ANSWERED
    )
    reply = forms.CharField(
        label=_("答复/处理情况"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    rings = forms.IntegerField(label=_("响铃次数"), required=False, min_value=0, max_value=99)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            now = timezone.localtime().replace(second=0, microsecond=0)
            self.fields["received_at"].initial = now


class EntryFilterForm(forms.Form):
    date_from = forms.DateField(label=_("从"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("到"), required=False, widget=DATE)
    channel = forms.ChoiceField(label=_("渠道"), required=False, choices=BLANK + Channel.choices)
    outcome = forms.ChoiceField(
        label=_("处理结果"), required=False, choices=BLANK + Outcome.choices
    )
    handled_by = StaffChoiceField(
        label=_("接待人"), required=False, queryset=None, empty_label=_("全部接待人")
    )
    open = forms.BooleanField(label=_("只看待跟进"), required=False)
    q = forms.CharField(
        label=_("搜索"), required=False,
        widget=forms.TextInput(attrs={"placeholder": _("事由、来电人、房号")}),
    )  # fmt: skip

    def __init__(self, *args: Any, user: Any, community_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handled_by"].queryset = _staff_choices(user, community_id)  # type: ignore[attr-defined]

    def filters(self) -> EntryFilters:
        if not self.is_bound or not self.is_valid():
            return EntryFilters()
        d = self.cleaned_data
        return EntryFilters(
            date_from=d["date_from"], date_to=d["date_to"], channel=d["channel"],
            outcome=d["outcome"], handled_by=d["handled_by"].pk if d["handled_by"] else None,
            open_only=d["open"], q=d["q"].strip(),
        )  # fmt: skip


class CloseEntryForm(forms.Form):
    reply = forms.CharField(
        label=_("跟进情况"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class TicketFromEntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("诉求类型"))
    category: forms.ModelChoiceField = forms.ModelChoiceField(label=_("类别"), queryset=None)
    severity = forms.ChoiceField(label=_("严重程度"))
    description = forms.CharField(label=_("诉求内容"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from linli.tickets.models import Category, Kind, Severity

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Kind.choices  # type: ignore[attr-defined]
        self.fields["severity"].choices = Severity.choices  # type: ignore[attr-defined]
        self.fields["category"].queryset = Category.objects.filter(is_active=True)  # type: ignore[attr-defined]


class NeedTypeChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            queryset=NeedType.objects.filter(is_active=True), to_field_name="code", **kwargs
        )


class NeedForm(forms.Form):
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    need_type = NeedTypeChoiceField(label=_("需求类型"))
    description = forms.CharField(
        label=_("需求内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    assignee = StaffChoiceField(
        label=_("负责人"), required=False, queryset=None,
        help_text=_("不选则交给房间所在片区的物管员"),
    )  # fmt: skip
    due_on = forms.DateField(
        label=_("办理期限"), required=False, widget=DATE,
        help_text=_("不填则按制度参数的默认时限"),
    )  # fmt: skip

    def __init__(self, *args: Any, user: Any, community_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _staff_choices(user, community_id)  # type: ignore[attr-defined]


class NeedStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("改为"), choices=NeedStatus.choices)
    result = forms.CharField(
        label=_("办理结果"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=500)
    version = forms.IntegerField(widget=forms.HiddenInput)


class NeedAssignForm(forms.Form):
    assignee = StaffChoiceField(label=_("负责人"), queryset=None)
    due_on = forms.DateField(label=_("办理期限"), required=False, widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, community_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _staff_choices(user, community_id)  # type: ignore[attr-defined]


class NeedFeedbackForm(forms.Form):
    feedback = forms.CharField(
        label=_("客户反馈"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class NeedFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=BLANK + NeedStatus.choices)
    need_type = forms.ModelChoiceField(
        label=_("类型"), required=False, queryset=NeedType.objects.all(),
        to_field_name="code", empty_label=_("全部类型"),
    )  # fmt: skip
    assignee = StaffChoiceField(
        label=_("负责人"), required=False, queryset=None, empty_label=_("全部负责人")
    )
    open = forms.BooleanField(label=_("只看未办结"), required=False)
    overdue = forms.BooleanField(label=_("只看超期"), required=False)
    date_from = forms.DateField(label=_("登记从"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("到"), required=False, widget=DATE)

    def __init__(self, *args: Any, user: Any, community_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _staff_choices(user, community_id)  # type: ignore[attr-defined]

    def filters(self) -> NeedFilters:
        if not self.is_bound or not self.is_valid():
            return NeedFilters()
        d = self.cleaned_data
        return NeedFilters(
            status=d["status"], need_type=d["need_type"].code if d["need_type"] else "",
            assignee=d["assignee"].pk if d["assignee"] else None, open_only=d["open"],
            overdue_only=d["overdue"], date_from=d["date_from"], date_to=d["date_to"],
        )  # fmt: skip


GROUPS = [("type", _("按类型")), ("community", _("按小区")), ("month", _("按月份"))]


class NeedReportForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False)
    group = forms.ChoiceField(label=_("分组"), choices=GROUPS, required=False)

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        # The year box always shows the year the figures are for.
        if data is not None and not data.get("year"):
            data = data.copy()
            data["year"] = str(timezone.localdate().year)
        super().__init__(data, initial={"year": timezone.localdate().year}, **kwargs)

    def values(self) -> tuple[int, str]:
        year, group = timezone.localdate().year, "type"
        if self.is_bound and self.is_valid():
            year = self.cleaned_data["year"] or year
            group = self.cleaned_data["group"] or group
        return year, group


class DayForm(forms.Form):
    day = forms.DateField(label=_("日期"), required=False, widget=DATE)

    def chosen_day(self) -> dt.date:
        if self.is_bound and self.is_valid() and self.cleaned_data["day"]:
            return min(self.cleaned_data["day"], timezone.localdate())
        return timezone.localdate()


class CheckForm(forms.Form):
    day = forms.DateField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("备注"), required=False, max_length=500)
