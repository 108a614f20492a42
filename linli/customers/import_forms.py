"""Forms of the Excel import: the upload, and the column mapping of the preview page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from linli.customers import importer
from linli.customers.models import ImportJob
from linli.org.models import Community

TARGET_CHOICES = [("", _("— 不导入 —")), *((t.key, t.label) for t in importer.TARGETS)]


class UploadForm(forms.Form):
    community = forms.ModelChoiceField(
        label=_("小区"), queryset=Community.objects.none(), empty_label=_("请选择小区")
    )
    file = forms.FileField(
        label=_("业主信息登记表（.xlsx）"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    create_rooms = forms.BooleanField(
        label=_("自动创建缺少的楼栋、单元和房间"),
        required=False,
        help_text=_("新接管的小区请勾选。不勾选时，系统中没有的房间会作为错误列出。"),
    )

    def __init__(self, *args: Any, user: Any, current: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        field = self.fields["community"]
        assert isinstance(field, forms.ModelChoiceField)
        if user.is_company_wide:
            field.queryset = Community.objects.visible_to(user).filter(is_active=True)
            field.initial = current
        else:
            del self.fields["community"]
        self.fields["file"].help_text = _("单个文件不超过 %(mb)s MB。") % {
            "mb": importer.max_upload_mb()
        }

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        try:
            importer.check_size(upload.size or 0)
        except importer.ImportFileError as error:
            raise ValidationError(error.message) from None
        return upload

    def chosen_community(self) -> Any:
        if "community" in self.fields:
            return self.cleaned_data["community"]
        return self.user.community


class MappingForm(forms.Form):
    """Sheet, header row, options and one select per column (`col_A` … ) of the chosen sheet."""

    sheet = forms.ChoiceField(label=_("工作表"))
    header_row = forms.IntegerField(
        label=_("表头所在行"), min_value=1, max_value=importer.HEADER_SCAN_ROWS
    )
    create_rooms = forms.BooleanField(label=_("自动创建缺少的楼栋、单元和房间"), required=False)

    def __init__(self, *args: Any, job: ImportJob, sample: importer.Sample, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"sheet": job.sheet, "header_row": job.header_row, "create_rooms": job.create_rooms},
        )
        super().__init__(*args, **kwargs)
        self.job, self.sample = job, sample
        sheet_field = self.fields["sheet"]
        assert isinstance(sheet_field, forms.ChoiceField)
        sheet_field.choices = [(name, name) for name in sample.sheet_names]
        for column in sample.columns:
            self.fields[f"col_{column.letter}"] = forms.ChoiceField(
                label=column.header or column.letter,
                choices=TARGET_CHOICES,
                required=False,
                initial=column.target,
            )

    def columns(self) -> list[tuple[importer.ColumnInfo, forms.BoundField]]:
        return [(c, self[f"col_{c.letter}"]) for c in self.sample.columns]

    def mapping(self) -> dict[str, str]:
        return {
            name[4:]: value
            for name, value in self.cleaned_data.items()
            if name.startswith("col_") and value
        }

    def layout_changed(self) -> bool:
        data = self.cleaned_data
        return data.get("sheet") != self.job.sheet or data.get("header_row") != self.job.header_row

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not self.layout_changed():
            problems = importer.mapping_problems(self.mapping())
            if problems:
                raise ValidationError(problems)
        return data

    def options(self) -> dict[str, Any]:
        """What changed, for `importer.preview_import`."""
        data = self.cleaned_data
        options: dict[str, Any] = {"create_rooms": data["create_rooms"]}
        if data["sheet"] != self.job.sheet:
            options["sheet"] = data["sheet"]
        elif data["header_row"] != self.job.header_row:
            options["header_row"] = data["header_row"]
        else:
            options["mapping"] = self.mapping()
        return options
