from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.org.models import Department, Staff
from linli.tickets.models import (
    Category,
    Cause,
    Channel,
    Kind,
    ReturnVisit,
    Severity,
    Status,
    Validity,
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    widget = MultipleFileInput(
        attrs={"accept": "image/jpeg,image/png,image/webp", "multiple": True}
    )

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class IntakeForm(forms.Form):
    community = forms.CharField(widget=forms.HiddenInput, required=False)
    customer = forms.IntegerField(widget=forms.HiddenInput, required=False)
    room_code = forms.CharField(
        label=_("房号"), max_length=50, required=False, help_text=_("例如 3-2-501")
    )
    kind = forms.ChoiceField(
        label=_("类型"),
        choices=Kind.choices,
        initial=Kind.REPAIR,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    channel = forms.ChoiceField(label=_("渠道"), choices=Channel.choices, initial=Channel.PHONE)
    category = forms.ModelChoiceField(
        label=_("类别"), queryset=Category.objects.filter(is_active=True), empty_label=None
    )
    severity = forms.ChoiceField(
        label=_("严重程度"), choices=Severity.choices, initial=Severity.ORDINARY
    )
    title = forms.CharField(
        label=_("标题"), max_length=100, required=False, help_text=_("可留空，自动取内容开头")
    )
    description = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 4}))
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=40, required=False)
    photos = PhotosField(label=_("照片"), required=False)


class DispatchForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("处理人"), queryset=Staff.objects.none(), required=False
    )
    department = forms.ModelChoiceField(
        label=_("责任部门"), queryset=Department.objects.none(), required=False
    )
    coordinator = forms.ModelChoiceField(
        label=_("协调人（多部门时）"), queryset=Staff.objects.none(), required=False
    )
    note = forms.CharField(label=_("派单说明"), max_length=300, required=False)

    def __init__(self, *args: Any, ticket: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = (
            Staff.objects.filter(is_active=True)
            .exclude(role="")
            .filter(
                Q(community_id=ticket.community_id)
                | Q(
                    community__isnull=True,
                    role__in=["engineering_manager", "hq_customer_supervisor"],
                )
            )
            .order_by("community_id", "role", "username")
        )
        for name in ("assignee", "coordinator"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = people
            field.label_from_instance = lambda s: f"{s.display_name}（{s.get_role_display()}）"  # type: ignore[method-assign,assignment]
        department = self.fields["department"]
        assert isinstance(department, forms.ModelChoiceField)
        department.queryset = Department.objects.filter(
            Q(community_id=ticket.community_id) | Q(community__isnull=True)
        )


class NoteForm(forms.Form):
    body = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 2}))
    to_customer = forms.BooleanField(label=_("发给客户（短信）"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因/说明"), max_length=300)


class OptionalNoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class ValidityForm(forms.Form):
    validity = forms.ChoiceField(
        label=_("有效性"), choices=[(Validity.VALID, _("有效")), (Validity.INVALID, _("无效"))]
    )
    reason = forms.CharField(label=_("无效原因"), max_length=300, required=False)


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("处理结果"), widget=forms.Textarea(attrs={"rows": 3}))
    cause = forms.ModelChoiceField(
        label=_("原因类别"), queryset=Cause.objects.filter(is_active=True), required=False
    )
    corrective_action = forms.CharField(
        label=_("纠正措施"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ReturnVisitForm(forms.Form):
    method = forms.ChoiceField(
        label=_("回访方式"), choices=ReturnVisit.Method.choices, initial=ReturnVisit.Method.PHONE
    )
    satisfaction = forms.TypedChoiceField(
        label=_("满意度"),
        choices=ReturnVisit.Satisfaction.choices,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    words = forms.CharField(
        label=_("客户意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class HandOverForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("移交给"), queryset=Staff.objects.none())
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args: Any, ticket: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Staff.objects.filter(
            is_active=True, community_id=ticket.community_id
        ).exclude(role="")


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("书面答复"), widget=forms.Textarea(attrs={"rows": 4}))


class TicketFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=50,
                        widget=forms.TextInput(attrs={"placeholder": _("编号、标题、联系人、房号"), "type": "search"}))  # fmt: skip
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部类型")), *Kind.choices]
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *Status.choices]
    )
    severity = forms.ChoiceField(
        label=_("严重程度"), required=False, choices=[("", _("全部程度")), *Severity.choices]
    )
    level = forms.ChoiceField(
        label=_("级别"),
        required=False,
        choices=[("", _("全部级别")), ("office", _("管理处级")), ("company", _("公司级"))],
    )
    category = forms.ModelChoiceField(
        label=_("类别"), required=False, queryset=Category.objects.all(), empty_label=_("全部类别")
    )
    open = forms.BooleanField(label=_("未办结"), required=False)
    overdue = forms.BooleanField(label=_("已超时"), required=False)
    mine = forms.BooleanField(label=_("我的"), required=False)
    since = forms.DateField(
        label=_("起"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("止"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = dict(self.cleaned_data)
        data["category"] = data["category"].pk if data.get("category") else None
        return {k: v for k, v in data.items() if v not in (None, "", False)}
