from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from linli.org.models import Community, Department, Staff
from linli.org.roles import COMPANY_ROLES, OFFICE_ROLES, Role


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _("用户名或密码不正确。注意区分大小写。"),
        "inactive": _("该账号已停用。"),
    }


class StaffFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=50)
    role = forms.ChoiceField(
        label=_("岗位"), required=False, choices=[("", _("全部岗位")), *Role.choices]
    )
    community = forms.ModelChoiceField(
        label=_("小区"),
        required=False,
        queryset=Community.objects.none(),
        to_field_name="code",
        empty_label=_("全部小区"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["community"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Community.objects.visible_to(user)


class StaffForm(forms.ModelForm):
    """Create or edit a staff account; the office manager may only manage office roles of their office."""

    password = forms.CharField(
        label=_("初始密码"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("新建时必填；编辑时留空表示不修改。"),
    )

    class Meta:
        model = Staff
        fields = [
            "username",
            "name",
            "role",
            "community",
            "department",
            "phone",
            "employee_no",
            "is_active",
        ]

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["name"].required = True
        self.fields["role"].required = True
        communities = Community.objects.visible_to(actor)
        community_field = self.fields["community"]
        department_field = self.fields["department"]
        assert isinstance(community_field, forms.ModelChoiceField)
        assert isinstance(department_field, forms.ModelChoiceField)
        community_field.queryset = communities
        department_field.queryset = Department.objects.visible_to(actor)
        if not actor.is_company_wide:
            role_field = self.fields["role"]
            assert isinstance(role_field, forms.ChoiceField)
            role_field.choices = [("", "---------")] + [
                (value, label)
                for value, label in Role.choices
                if value in OFFICE_ROLES or value == Role.RECEPTIONIST
            ]
            community_field.empty_label = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role, community = data.get("role"), data.get("community")
        if role in OFFICE_ROLES and community is None:
            self.add_error("community", _("管理处岗位必须选择所属管理处。"))
        if role in COMPANY_ROLES and community is not None:
            self.add_error("community", _("公司岗位不属于任何管理处，请留空。"))
        department = data.get("department")
        if department is not None and department.community_id not in (
            None,
            getattr(community, "pk", None),
        ):
            self.add_error("department", _("部门不属于所选管理处。"))
        if not self.instance.pk and not data.get("password"):
            self.add_error("password", _("新建账号必须设置初始密码。"))
        return data


class SwitchCommunityForm(forms.Form):
    community = forms.CharField(required=False, max_length=10)


class ParameterChangeForm(forms.Form):
    value = forms.CharField(label=_("新取值"), max_length=200)
    effective_from = forms.DateTimeField(
        label=_("生效时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("留空表示立即生效"),
    )
    community = forms.ModelChoiceField(
        label=_("仅适用于小区"),
        required=False,
        queryset=Community.objects.none(),
        to_field_name="code",
        empty_label=_("全公司"),
    )
    clear_override = forms.BooleanField(label=_("取消该小区的单独设置"), required=False)
    reason = forms.CharField(
        label=_("修改原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, user: Any, allow_community: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["community"]
        assert isinstance(field, forms.ModelChoiceField)
        if allow_community:
            field.queryset = Community.objects.visible_to(user)
        else:
            del self.fields["community"]
            del self.fields["clear_override"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("clear_override"):
            if not data.get("community"):
                self.add_error("community", _("请选择要取消单独设置的小区。"))
            self.errors.pop("value", None)
            data["value"] = None
        return data
