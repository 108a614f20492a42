from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.portal.selectors import Household
from linli.portal.services import RESIDENT_KINDS
from linli.tickets.models import Category, Kind, ReturnVisit


class MobileForm(forms.Form):
    mobile = forms.CharField(
        label=_("手机号"),
        max_length=30,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": _("物业登记的手机号")}
        ),
        error_messages={"required": _("请填写手机号。")},
    )


class LoginForm(MobileForm):
    code = forms.CharField(
        label=_("验证码"),
        max_length=10,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "placeholder": _("6 位数字"),
                "maxlength": "6",
            }
        ),
        error_messages={"required": _("请填写短信验证码。")},
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


KIND_CHOICES = [(k.value, k.label) for k in RESIDENT_KINDS]


class TicketForm(forms.Form):
    room = forms.TypedChoiceField(
        label=_("房屋"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择房屋。")},
    )
    kind = forms.ChoiceField(
        label=_("类型"), choices=KIND_CHOICES, widget=forms.RadioSelect, initial=Kind.REPAIR
    )
    category = forms.ModelChoiceField(
        label=_("类别"),
        queryset=Category.objects.filter(is_active=True),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("请选择类别。")},
    )
    description = forms.CharField(
        label=_("描述"),
        max_length=2000,
        widget=forms.Textarea(
            attrs={
                "rows": 5,
                "placeholder": _("请描述问题的位置和情况，例如：3 号楼 2 单元 5 楼楼道灯不亮"),
            }
        ),
        error_messages={"required": _("请描述您遇到的问题。")},
    )
    photos = PhotosField(label=_("照片"), required=False)

    def __init__(self, *args: Any, household: Household, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        room = self.fields["room"]
        assert isinstance(room, forms.TypedChoiceField)
        room.choices = [
            (r.pk, f"{r.community.name} {r.code}" if len(household.communities) > 1 else r.code)
            for r in household.rooms
        ]
        if len(household.rooms) == 1:
            self.fields["room"].initial = household.rooms[0].pk


class RatingForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("您对这次处理满意吗？"),
        coerce=int,
        choices=ReturnVisit.Satisfaction.choices,  # 很满意 … 不满意
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择满意程度。")},
    )
    words = forms.CharField(
        label=_("您的意见（选填）"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("还有什么想告诉我们的？")}),
    )
