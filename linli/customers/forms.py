from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.customers.models import Customer, Occupancy, Room, Secrecy
from linli.customers.parsing import ParseError, parse_room_code
from linli.org.models import Area, Community


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class CustomerForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    care_flags = forms.MultipleChoiceField(
        label=_("特殊关怀"),
        choices=Customer.CareFlag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tags_text = forms.CharField(
        label=_("标签"), required=False, max_length=200, help_text=_("多个标签用逗号分隔")
    )

    class Meta:
        model = Customer
        fields = [
            "kind", "name", "gender", "id_type", "id_number", "mobile", "phone_other", "email", "address",
            "birthday", "birthday_lunar", "emergency_contact_name", "emergency_contact_phone", "vehicles",
            "preferences", "care_flags", "care_notes", "notes", "is_important", "is_committee_member",
        ]  # fmt: skip
        widgets = {
            "birthday": DateInput(),
            "preferences": forms.Textarea(attrs={"rows": 2}),
            "care_notes": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["tags_text"].initial = "，".join(self.instance.tags or [])

    def values(self) -> dict[str, Any]:
        data = {f: self.cleaned_data[f] for f in self.Meta.fields if f in self.cleaned_data}
        data["tags"] = [
            t.strip()
            for t in self.cleaned_data.get("tags_text", "").replace("，", ",").split(",")
            if t.strip()
        ]
        return data


class NewCustomerForm(CustomerForm):
    """A new file: the customer and, usually, the room they belong to."""

    community = forms.ModelChoiceField(
        label=_("小区"), queryset=Community.objects.none(), to_field_name="code"
    )
    room_code = forms.CharField(
        label=_("房号"), max_length=50, required=False, help_text=_("例如 3-2-501")
    )
    role = forms.ChoiceField(
        label=_("身份"), choices=Occupancy.Role.choices, initial=Occupancy.Role.OWNER
    )
    move_in = forms.DateField(label=_("入住日期"), required=False, widget=DateInput())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["community"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Community.objects.visible_to(user)
        if not user.is_company_wide:
            field.initial = user.community.code if user.community else None
            field.widget = forms.HiddenInput()
        self.order_fields(["community", "room_code", "role", "move_in"])

    def clean_room_code(self) -> str:
        raw = self.cleaned_data.get("room_code", "")
        if not raw:
            return ""
        try:
            return parse_room_code(raw).code
        except ParseError as error:
            raise forms.ValidationError(str(error)) from error


class SecrecyForm(forms.Form):
    level = forms.TypedChoiceField(label=_("密级"), choices=Secrecy.choices, coerce=int)
    until = forms.DateField(
        label=_("解密日期"), required=False, widget=DateInput(), help_text=_("留空表示长期")
    )
    reason = forms.CharField(label=_("定密理由"), max_length=200)


class UnmaskForm(forms.Form):
    field = forms.CharField(max_length=50)
    reason = forms.CharField(label=_("查看原因"), max_length=300)


class OccupancyForm(forms.Form):
    room_code = forms.CharField(label=_("房号"), max_length=50, help_text=_("例如 3-2-501"))
    role = forms.ChoiceField(label=_("身份"), choices=Occupancy.Role.choices)
    move_in = forms.DateField(label=_("入住日期"), required=False, widget=DateInput())
    is_primary = forms.BooleanField(label=_("主要联系人"), required=False)
    notes = forms.CharField(label=_("备注"), max_length=200, required=False)

    def clean_room_code(self) -> str:
        try:
            return parse_room_code(self.cleaned_data["room_code"]).code
        except ParseError as error:
            raise forms.ValidationError(str(error)) from error


class OccupancyEditForm(forms.ModelForm):
    class Meta:
        model = Occupancy
        fields = ["role", "is_primary", "move_in", "move_out", "notes"]
        widgets = {"move_in": DateInput(), "move_out": DateInput()}


class MoveOutForm(forms.Form):
    on = forms.DateField(label=_("迁出日期"), widget=DateInput())
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class RoomForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Room
        fields = [
            "floor",
            "floor_area",
            "use",
            "status",
            "area",
            "lease_end",
            "renovation_end",
            "notes",
        ]
        widgets = {
            "lease_end": DateInput(),
            "renovation_end": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, community_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Area.objects.filter(community_id=community_id)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def values(self) -> dict[str, Any]:
        data = {f: self.cleaned_data[f] for f in self.Meta.fields if f != "area"}
        area = self.cleaned_data.get("area")
        data["area_id"] = area.pk if area else None
        return data


class NewRoomForm(RoomForm):
    code = forms.CharField(
        label=_("房号"), max_length=50, help_text=_("楼栋-单元-房号，例如 3-2-501；商铺 S-12")
    )

    def clean_code(self) -> str:
        try:
            return parse_room_code(self.cleaned_data["code"]).code
        except ParseError as error:
            raise forms.ValidationError(str(error)) from error


class CustomerFilterForm(forms.Form):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=50,
        widget=forms.TextInput(
            attrs={"placeholder": _("姓名、拼音、首字母、手机尾号、房号"), "type": "search"}
        ),
    )
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

    def __init__(self, *args: Any, user: Any, community_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            Area.objects.visible_to(user).in_community(community_id).select_related("community")
        )

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = dict(self.cleaned_data)
        data["area"] = data["area"].pk if data.get("area") else None
        return {k: v for k, v in data.items() if v not in (None, "", False)}


class RoomFilterForm(forms.Form):
    q = forms.CharField(
        label=_("房号"),
        required=False,
        max_length=50,
        widget=forms.TextInput(
            attrs={"placeholder": _("房号，例如 3-2 或 3-2-501"), "type": "search"}
        ),
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

    def __init__(self, *args: Any, user: Any, community_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Area.objects.visible_to(user).in_community(community_id)

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = dict(self.cleaned_data)
        data["area"] = data["area"].pk if data.get("area") else None
        return {k: v for k, v in data.items() if v not in (None, "", False)}
