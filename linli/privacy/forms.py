"""Input validation for the secrecy chapter's pages (services do the writing)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.customers.models import Building, Customer, Occupancy, Room, Secrecy
from linli.org.models import Area, Community, Staff
from linli.privacy.models import AccessLog, ExportRequest, Incident, SubjectRequest

DATE_INPUT = {"type": "date"}
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class DateTimeLocalField(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d"], **kwargs)


# --- grants -----------------------------------------------------------------------------------
class GrantRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("查阅事由"),
        max_length=300,
        min_length=2,
        widget=_textarea(),
        help_text=_("例如：上门维修需联系业主、处理投诉需核对资料。审批人将看到这段说明。"),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审批结果"), choices=[("approve", _("批准")), ("reject", _("驳回"))]
    )
    note = forms.CharField(label=_("审批意见"), max_length=300, required=False)

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == "approve"


class ExportDecisionForm(DecisionForm):
    unmasked = forms.BooleanField(label=_("同意导出明文"), required=False)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), max_length=300, min_length=2)


# --- filters shared by the register and the exports ---------------------------------------------
class FilterForm(forms.Form):
    """A list's filters read from the query string: JSON-friendly values and a summary."""

    community = forms.ModelChoiceField(
        label=_("小区"),
        queryset=Community.objects.none(),
        required=False,
        empty_label=_("全部小区"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self._scope("community", Community.objects.visible_to(user))
        for name, model in (("area", Area), ("building", Building)):
            if name in self.fields:
                self._scope(name, model.objects.visible_to(user))

    def _scope(self, name: str, queryset: Any) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = queryset

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        community = data.get("community")
        for name in ("area", "building"):
            value = data.get(name)
            if community and value is not None and value.community_id != community.pk:
                self.add_error(name, _("不属于所选小区。"))
        return data

    def community_id(self, default: int | None) -> int | None:
        """The chosen community; without the parameter, the one of the community switcher."""
        if not self.user.is_company_wide:
            return self.user.community_id
        if "community" in self.data:
            community = self.cleaned_data.get("community")
            return community.pk if community else None
        return default

    def filters(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if name == "community" or value in (None, "", False):
                continue
            if hasattr(value, "pk"):
                value = value.pk
            elif isinstance(value, dt.date):
                value = value.isoformat()
            result[name] = value
        return result

    def describe(self, community_id: int | None) -> str:
        parts = []
        community = Community.objects.filter(pk=community_id).first() if community_id else None
        parts.append(f"{_('小区')}：{community.name if community else _('全部小区')}")
        for name, value in self.cleaned_data.items():
            if name == "community" or value in (None, "", False):
                continue
            field = self.fields[name]
            if isinstance(field, forms.BooleanField):
                parts.append(str(field.label))
                continue
            if isinstance(field, forms.ChoiceField) and not isinstance(
                field, forms.ModelChoiceField
            ):
                value = dict(field.choices).get(value, value)  # type: ignore[arg-type]
            parts.append(f"{field.label}：{value}")
        return "；".join(parts)


class AccessLogFilterForm(FilterForm):
    actor = forms.CharField(label=_("查阅人"), required=False, max_length=50)
    customer = forms.CharField(label=_("客户"), required=False, max_length=50)
    action = forms.ChoiceField(
        label=_("动作"), required=False, choices=[("", _("全部动作")), *AccessLog.Action.choices]
    )
    date_from = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs=DATE_INPUT)
    )
    date_to = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs=DATE_INPUT)
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("截止日期不能早于起始日期。"))
        return data


class CustomerFilterForm(FilterForm):
    q = forms.CharField(label=_("搜索"), required=False, max_length=50)
    area = forms.ModelChoiceField(
        label=_("片区"), required=False, queryset=Area.objects.none(), empty_label=_("全部片区")
    )
    role = forms.ChoiceField(
        label=_("身份"), required=False, choices=[("", _("全部身份")), *Occupancy.Role.choices]
    )
    secrecy = forms.TypedChoiceField(
        label=_("密级"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("全部密级")), *Secrecy.choices],
    )
    care_flag = forms.ChoiceField(
        label=_("特殊关怀"), required=False, choices=[("", _("全部")), *Customer.CareFlag.choices]
    )
    incomplete = forms.BooleanField(label=_("资料不完整"), required=False)
    overdue = forms.BooleanField(label=_("超期未建档"), required=False)
    important = forms.BooleanField(label=_("重要客户"), required=False)


class RoomFilterForm(FilterForm):
    q = forms.CharField(label=_("房号"), required=False, max_length=50)
    building = forms.ModelChoiceField(
        label=_("楼栋"), required=False, queryset=Building.objects.none()
    )
    area = forms.ModelChoiceField(
        label=_("片区"), required=False, queryset=Area.objects.none(), empty_label=_("全部片区")
    )
    use = forms.ChoiceField(
        label=_("用途"), required=False, choices=[("", _("全部用途")), *Room.Use.choices]
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *Room.Status.choices]
    )
    empty = forms.BooleanField(label=_("无住户"), required=False)


class OccupancyFilterForm(FilterForm):
    q = forms.CharField(label=_("房号"), required=False, max_length=50)
    area = forms.ModelChoiceField(
        label=_("片区"), required=False, queryset=Area.objects.none(), empty_label=_("全部片区")
    )
    role = forms.ChoiceField(
        label=_("身份"), required=False, choices=[("", _("全部身份")), *Occupancy.Role.choices]
    )
    include_past = forms.BooleanField(label=_("含已迁出"), required=False)


FILTER_FORMS: dict[str, type[FilterForm]] = {
    ExportRequest.Kind.CUSTOMERS: CustomerFilterForm,
    ExportRequest.Kind.ROOMS: RoomFilterForm,
    ExportRequest.Kind.OCCUPANCIES: OccupancyFilterForm,
    ExportRequest.Kind.ACCESS_LOG: AccessLogFilterForm,
}


class ExportRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("用途"),
        max_length=300,
        min_length=2,
        widget=_textarea(2),
        help_text=_("写明为什么需要这份数据、交给谁使用。审批人和导出文件都会显示用途。"),
    )
    unmasked = forms.BooleanField(
        label=_("申请导出明文（证件号码、手机等不隐藏）"),
        required=False,
        help_text=_("仅在确有必要时勾选；审批人可以只批准隐藏敏感信息的版本。"),
    )

    def __init__(self, *args: Any, can_unmask: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_unmask:
            del self.fields["unmasked"]


# --- disclosures ------------------------------------------------------------------------------
DISCLOSURE_FIELDS = [
    ("name", _("姓名")),
    ("room", _("房号")),
    ("mobile", _("手机")),
    ("id_number", _("证件号码")),
    ("address", _("通讯地址")),
    ("occupancy", _("入住与迁出记录")),
    ("vehicles", _("车辆")),
    ("emergency_contact", _("紧急联系人")),
]


class DisclosureForm(forms.Form):
    organisation = forms.CharField(
        label=_("来函单位"), max_length=100, help_text=_("例如：某某区公安分局某某派出所")
    )
    letter_reference = forms.CharField(label=_("公函文号"), max_length=100)
    investigator_name = forms.CharField(label=_("经办人"), max_length=50)
    investigator_id = forms.CharField(
        label=_("经办人证件号"), max_length=40, help_text=_("警官证、工作证或身份证号码")
    )
    purpose = forms.CharField(label=_("用途"), max_length=300, widget=_textarea(2))
    requested = forms.MultipleChoiceField(
        label=_("所需信息"),
        choices=DISCLOSURE_FIELDS,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    fields_other = forms.CharField(label=_("其他所需信息"), max_length=120, required=False)
    letter = forms.FileField(
        label=_("公函扫描件"),
        required=False,
        help_text=_("PDF、JPEG 或 PNG，不超过 10 MB"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        labels = dict(DISCLOSURE_FIELDS)
        chosen = [str(labels[code]) for code in data.get("requested") or []]
        if data.get("fields_other"):
            chosen.append(data["fields_other"].strip())
        if not chosen:
            self.add_error("requested", _("请勾选或填写所需信息。"))
        data["fields_requested"] = "、".join(chosen)[:300]
        return data


class ReleaseForm(forms.Form):
    note = forms.CharField(
        label=_("实际提供的内容"),
        max_length=300,
        min_length=2,
        widget=_textarea(2),
        help_text=_("例如：提供了姓名、房号和入住日期的书面材料一页，由经办人当面签收。"),
    )


# --- incidents --------------------------------------------------------------------------------
class IncidentForm(forms.Form):
    community = forms.ModelChoiceField(
        label=_("小区"),
        queryset=Community.objects.none(),
        required=False,
        empty_label=_("公司层面（不限小区）"),
    )
    title = forms.CharField(label=_("事件"), max_length=100)
    severity = forms.ChoiceField(
        label=_("严重程度"), choices=Incident.Severity.choices, initial=Incident.Severity.LOW
    )
    description = forms.CharField(
        label=_("经过"),
        widget=_textarea(5),
        help_text=_("何时、何地、何种信息、可能的途径、已经采取的措施。"),
    )
    discovered_at = DateTimeLocalField(label=_("发现时间"))
    occurred_at = DateTimeLocalField(label=_("发生时间"), required=False)
    affected_count = forms.IntegerField(label=_("涉及客户数"), min_value=0, initial=0)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user.is_company_wide:
            field = self.fields["community"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = Community.objects.visible_to(user)
        else:
            del self.fields["community"]
        self.fields["discovered_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name}（{obj.get_role_display()}）"


class IncidentActionForm(forms.Form):
    description = forms.CharField(label=_("整改措施"), max_length=300)
    owner = StaffChoiceField(
        label=_("责任人"), queryset=Staff.objects.none(), empty_label=_("请选择")
    )
    due_on = forms.DateField(label=_("完成期限"), widget=forms.DateInput(attrs=DATE_INPUT))

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = owners


class ActionDoneForm(forms.Form):
    result = forms.CharField(label=_("完成情况"), max_length=300, min_length=2)


class IncidentCloseForm(forms.Form):
    conclusion = forms.CharField(
        label=_("结案结论"),
        widget=_textarea(3),
        min_length=2,
        help_text=_("原因、影响范围、处理结果、防止再次发生的措施。"),
    )


# --- data-subject requests --------------------------------------------------------------------
class CustomerSearchForm(forms.Form):
    q = forms.CharField(label=_("查找客户"), max_length=50, required=False)


class SubjectRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("请求类型"), choices=SubjectRequest.Kind.choices)
    details = forms.CharField(
        label=_("请求内容"),
        widget=_textarea(3),
        help_text=_("客户要求查阅、更正或删除的具体内容，以及核实身份的方式。"),
    )
    received_on = forms.DateField(label=_("收到日期"), widget=forms.DateInput(attrs=DATE_INPUT))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()


class SubjectCloseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("办理结果"),
        choices=[
            (SubjectRequest.Status.DONE, _("已办结")),
            (SubjectRequest.Status.REFUSED, _("不予办理")),
        ],
    )
    outcome = forms.CharField(
        label=_("办理情况"),
        widget=_textarea(3),
        min_length=2,
        help_text=_("查阅：提供了哪些信息、以何种方式；更正：改了哪些字段；不予办理：理由。"),
    )

    def __init__(self, *args: Any, subject: SubjectRequest | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if (
            subject is not None
            and subject.kind == SubjectRequest.Kind.DELETE
            and subject.customer.anonymised_at is None
        ):
            # A deletion is done only by anonymising (above); here it can only be refused.
            field = self.fields["status"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(SubjectRequest.Status.REFUSED, _("不予办理"))]


class EraseForm(forms.Form):
    confirm_name = forms.CharField(
        label=_("请输入客户姓名以确认"),
        max_length=100,
        help_text=_("匿名化后无法恢复。"),
    )
