"""Input validation of the survey pages; the services do the business checks."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.customers.models import Customer
from linli.org.models import Community, Staff
from linli.surveys.models import Invitation, QuestionnaireVersion, SurveyRound


class PlanForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("方案名称"), max_length=100)
    purpose = forms.CharField(
        label=_("调查目的"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例如：了解业主对各项服务的满意程度，找出需要改进的方面。"),
    )  # fmt: skip
    community = forms.ModelChoiceField(label=_("管理处"), queryset=Community.objects.none())

    def __init__(self, *args: Any, user: Any, office: bool, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"year": timezone.localdate().year, "community": user.community_id}
        )
        super().__init__(*args, **kwargs)
        if office:
            field = cast(forms.ModelChoiceField, self.fields["community"])
            field.queryset = Community.objects.visible_to(user)
        else:
            del self.fields["community"]


class RoundForm(forms.Form):
    name = forms.CharField(label=_("轮次名称"), max_length=100)
    communities = forms.ModelMultipleChoiceField(
        label=_("调查小区"), queryset=Community.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    questionnaire_version = forms.ModelChoiceField(
        label=_("问卷（已批准的版本）"), queryset=QuestionnaireVersion.objects.none()
    )
    method = forms.ChoiceField(label=_("样本量"), choices=SurveyRound.Method.choices)
    strata = forms.ChoiceField(label=_("分层抽样"), choices=SurveyRound.Strata.choices)
    special_flag = forms.ChoiceField(
        label=_("保证比例的特殊群体"), required=False,
        choices=[("", _("（无）")), *Customer.CareFlag.choices],
    )  # fmt: skip
    owners_only = forms.BooleanField(label=_("只调查业主（不含租户）"), required=False)
    channels = forms.MultipleChoiceField(
        label=_("发放渠道"), choices=Invitation.Channel.choices, widget=forms.CheckboxSelectMultiple,
        initial=["link", "paper"],
    )  # fmt: skip
    staff = forms.ModelMultipleChoiceField(
        label=_("调查人员"), queryset=Staff.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}), help_text=_("按住 Ctrl 可多选"),
    )  # fmt: skip
    starts_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: Any, plan: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        communities = Community.objects.visible_to(user)
        if plan.community_id:
            communities = communities.filter(pk=plan.community_id)
        cast(forms.ModelMultipleChoiceField, self.fields["communities"]).queryset = communities
        staff = (
            Staff.objects.visible_to(user)
            .filter(is_active=True)
            .order_by("community_id", "username")
        )
        if plan.community_id:
            staff = staff.filter(community_id=plan.community_id)
        cast(forms.ModelMultipleChoiceField, self.fields["staff"]).queryset = staff
        cast(
            forms.ModelChoiceField, self.fields["questionnaire_version"]
        ).queryset = QuestionnaireVersion.objects.filter(
            status=QuestionnaireVersion.Status.APPROVED
        ).select_related("questionnaire")


class PlanDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("批准")), ("reject", _("退回"))])
    note = forms.CharField(label=_("审批意见"), max_length=200, required=False)


class OutlineForm(forms.Form):
    name = forms.CharField(label=_("问卷名称"), max_length=100)
    outline = forms.CharField(
        label=_("问卷内容"),
        widget=forms.Textarea(attrs={"rows": 22, "class": "font-monospace", "spellcheck": "false"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("问卷文件（.json，由“导出”生成）"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > 512 * 1024:
            raise forms.ValidationError(_("文件太大（上限 512 KB）。"))
        return upload


class KeyInLookupForm(forms.Form):
    room = forms.CharField(label=_("房号或问卷编号"), max_length=30)
