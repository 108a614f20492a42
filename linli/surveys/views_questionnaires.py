"""Questionnaires: the list, a version's preview as the resident sees it, the outline editor,
new versions, approval, export and import as a file."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.errors import DomainError
from linli.core.http import permission_required
from linli.org.roles import Perm
from linli.surveys import outline, selectors, services
from linli.surveys.forms import ImportForm, OutlineForm
from linli.surveys.models import Dimension, Scale
from linli.surveys.views import _form_error

STARTER = """> 尊敬的业主/住户：为了改进服务，请您花几分钟填写这份问卷。
# 客户服务 [service]
!前台接待的礼貌与效率
报修响应速度（权重 2）
# 总体评价
单选：您是否愿意向亲友推荐本小区的物业服务？ | 愿意 | 不确定 | 不愿意
文字：您对我们的意见和建议
"""


def _dimensions() -> list[Dimension]:
    return list(Dimension.objects.filter(is_active=True))


@permission_required(Perm.SURVEYS_VIEW)
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    return render(request, "surveys/questionnaires.html", {"questionnaires": selectors.questionnaires(), "import_form": ImportForm()})  # fmt: skip


@permission_required(Perm.SURVEYS_VIEW)
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.access_version(pk)
    from linli.surveys.models import Section

    sections = Section.objects.filter(questionnaire_version=version).select_related("dimension").prefetch_related("questions")  # fmt: skip
    numbered, n = [], 0
    for section in sections:
        rows = []
        for q in section.questions.all():
            n += 1
            rows.append({"q": q, "number": n})
        numbered.append({"section": section, "rows": rows})
    return render(request, "surveys/version_detail.html", {"version": version, "sections": numbered, "scale": Scale.choices})  # fmt: skip


@permission_required(Perm.SURVEYS_DESIGN)
def questionnaire_create(request: HttpRequest) -> HttpResponse:
    form = OutlineForm(request.POST or None, initial={"outline": STARTER})
    if request.method == "POST" and form.is_valid():
        try:
            content = outline.parse(form.cleaned_data["outline"])
            version = services.create_questionnaire(actor=request.user, name=form.cleaned_data["name"], content=content)  # fmt: skip
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("问卷已保存为草稿（第 1 版）。"))
            return redirect("surveys:version", version.pk)
    return render(
        request,
        "surveys/outline_form.html",
        {"form": form, "version": None, "dimensions": _dimensions()},
    )


@permission_required(Perm.SURVEYS_DESIGN)
def version_edit(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.access_version(pk)
    if not version.is_editable:
        messages.error(request, _("此版本已批准或已被调查使用，不能修改；请另存为新版本。"))
        return redirect("surveys:version", version.pk)
    initial = {"name": version.questionnaire.name, "outline": outline.render(services.export_content(version)), "version": version.version}  # fmt: skip
    form = OutlineForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            content = outline.parse(form.cleaned_data["outline"])
            services.save_version(version, actor=request.user, content=content,
                                  expected_version=form.cleaned_data.get("version") or version.version)  # fmt: skip
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("surveys:version", version.pk)
    return render(
        request,
        "surveys/outline_form.html",
        {"form": form, "version": version, "dimensions": _dimensions()},
    )


@require_POST
@permission_required(Perm.SURVEYS_DESIGN)
def version_copy(request: HttpRequest, pk: int) -> HttpResponse:
    copy = services.new_version(selectors.access_version(pk), actor=request.user)
    messages.success(request, _("已另存为第 %(n)s 版（草稿）。") % {"n": copy.number})
    return redirect("surveys:version_edit", copy.pk)


@require_POST
@permission_required(Perm.SURVEYS_APPROVE)
def version_approve(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.access_version(pk)
    try:
        services.approve_version(version, actor=request.user)
        messages.success(request, _("问卷已批准，可以在调查轮次中选用。"))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("surveys:version", version.pk)


@permission_required(Perm.SURVEYS_VIEW)
def version_export(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.access_version(pk)
    body = json.dumps(services.export_content(version), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    name = f"{version.questionnaire.name}-v{version.number}.json"
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    return response


@require_POST
@permission_required(Perm.SURVEYS_DESIGN)
def questionnaire_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("surveys:questionnaires")
    try:
        data = json.loads(form.cleaned_data["file"].read().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        messages.error(request, _("文件不是有效的问卷文件：%(error)s") % {"error": error})
        return redirect("surveys:questionnaires")
    if not isinstance(data, dict) or data.get("format") != "linli-questionnaire/1":
        messages.error(
            request, _("文件不是由本系统导出的问卷（缺少 format: linli-questionnaire/1）。")
        )
        return redirect("surveys:questionnaires")
    try:
        version = services.create_questionnaire(
            actor=request.user, name=str(data.get("name", "")), content=data
        )
    except DomainError as error:
        messages.error(request, _("导入失败：%(error)s") % {"error": error.message})
        return redirect("surveys:questionnaires")
    messages.success(request, _("已导入为新问卷的草稿，请检查后提交批准。"))
    return redirect("surveys:version", version.pk)
