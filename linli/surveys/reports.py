"""《客户调研报告》: the figures of a round (company-wide or one office), charts drawn with
matplotlib in Noto Sans CJK, written as a PDF (WeasyPrint, fonts embedded) and a Word file
(python-docx). Generated in the background with progress (`generate`)."""

from __future__ import annotations

import base64
import datetime as dt
import io
import logging
import random
import traceback
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.audit.services import record
from linli.core.errors import DomainError
from linli.org.roles import Perm
from linli.surveys import followups, results
from linli.surveys.models import (
    AuditCheck,
    CommentFollowUp,
    Rectification,
    Response,
    SurveyReport,
    SurveyRound,
)
from linli.surveys.services import _require

logger = logging.getLogger(__name__)
FONT = "Noto Sans CJK SC"
BLUE, RED, GREEN, GREY = "#1f5f8b", "#c0392b", "#198754", "#8a96a3"


@dataclass
class ReportData:
    round: SurveyRound
    scope: str
    generated_at: dt.datetime
    per: list[results.Rates]
    total: results.Rates
    overall: results.Result
    by_community: dict[str, results.Result]
    trend: list[tuple[SurveyRound, results.Result]]
    target: Decimal
    return_target: Decimal
    strengths: list[results.QuestionResult]
    weaknesses: list[results.QuestionResult]
    missed: list[str]
    comments: list[tuple[str, str, str]]  # dimension, community, text
    words: dict[str, list[tuple[str, int]]]
    rectifications: list[Rectification]
    audit: dict[str, int]
    charts: dict[str, str] = field(default_factory=dict)  # name → PNG as base64


def collect(round_: SurveyRound, community: Any = None) -> ReportData:
    invitations = round_.invitations.all()
    responses = Response.objects.filter(round=round_)
    if community is not None:
        invitations, responses = (
            invitations.filter(community=community),
            responses.filter(community=community),
        )
    per, total = results.rates(round_, invitations)
    overall = results.score_round(round_, responses=responses)[""]
    by_community = results.score_round(round_, by="community", responses=responses)
    trend = [
        (r, results.score_round(r, responses=Response.objects.filter(community=community) if community else None)[""])
        for r, _result in results.trend(round_)
    ]  # fmt: skip
    target = results.target()
    scored = [q for q in overall.questions if q.percent is not None]
    ranked = sorted(scored, key=lambda q: (q.percent, -q.number))
    comments_qs = CommentFollowUp.objects.filter(round=round_).select_related("answer", "community")
    audits = AuditCheck.objects.filter(round=round_)
    fixes = Rectification.objects.filter(round=round_).select_related("community")
    if community is not None:
        comments_qs, audits, fixes = (
            comments_qs.filter(community=community), audits.filter(community=community), fixes.filter(community=community),
        )  # fmt: skip
    every_comment = [(c.dimension, c.community.name, c.answer.text) for c in comments_qs]
    weak_dimensions = {
        name
        for name, t in overall.dimensions.items()
        if t.percent is not None and t.percent < target
    }
    rng = random.Random(round_.seed or round_.pk)  # the same selection each time the report is made
    picked = [c for c in every_comment if c[0] in weak_dimensions][:8]
    others = [c for c in every_comment if c[0] not in weak_dimensions]
    picked += rng.sample(others, k=min(8, len(others)))
    return ReportData(
        round=round_, scope=community.name if community else _("全公司"), generated_at=timezone.now(),
        per=per, total=total, overall=overall, by_community=by_community, trend=trend, target=target,
        return_target=results.return_target(), strengths=list(reversed(ranked[-3:])), weaknesses=ranked[:3],
        missed=overall.below_target(target), comments=picked[:16],
        words=followups.word_frequencies([(d, t) for d, _c, t in every_comment], top=10),
        rectifications=list(fixes), audit={
            "checks": audits.count(), "failed": audits.filter(result=AuditCheck.Result.FAILED).count(),
            "pending": audits.filter(result=AuditCheck.Result.PENDING).count(),
        },
    )  # fmt: skip


# --- charts ---------------------------------------------------------------------------------------
def _figure(height: float) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["font.family"] = ["Noto Sans CJK SC", "Noto Sans CJK JP", "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    fig, ax = plt.subplots(figsize=(6.4, height), dpi=160)
    ax.spines[["top", "right"]].set_visible(False)
    return plt, fig, ax


def _png(plt: Any, fig: Any) -> str:
    out = io.BytesIO()
    fig.tight_layout()
    fig.savefig(out, format="png")
    plt.close(fig)
    return base64.b64encode(out.getvalue()).decode()


def bar_chart(rows: list[tuple[str, Decimal | None]], target: Decimal, title: str) -> str:
    shown = [(name, float(value)) for name, value in rows if value is not None]
    plt, fig, ax = _figure(0.45 * max(len(shown), 2) + 0.9)
    names = [n for n, _v in shown][::-1]
    values = [v for _n, v in shown][::-1]
    bars = ax.barh(
        names, values, color=[RED if v < float(target) else BLUE for v in values], height=0.6
    )
    ax.axvline(float(target), color=GREEN, linestyle="--", linewidth=1)
    ax.text(
        float(target),
        len(names) - 0.4,
        _("目标 %(t)s%%") % {"t": target},
        color=GREEN,
        fontsize=8,
        ha="center",
    )
    ax.bar_label(bars, labels=[f"{v:.1f}%" for v in values], padding=3, fontsize=8)
    ax.set_xlim(0, 105)
    ax.set_title(title, fontsize=11, loc="left")
    ax.tick_params(labelsize=9)
    return _png(plt, fig)


def trend_chart(trend: list[tuple[SurveyRound, results.Result]], target: Decimal) -> str:
    plt, fig, ax = _figure(2.6)
    labels = [r.starts_on.strftime("%Y-%m") for r, _res in trend]
    values = [
        float(res.overall.percent) if res.overall.percent is not None else None for _r, res in trend
    ]
    ax.plot(labels, values, marker="o", color=BLUE, linewidth=2)
    for x, v in zip(labels, values, strict=True):
        if v is not None:
            ax.annotate(
                f"{v:.1f}%",
                (x, v),
                textcoords="offset points",
                xytext=(0, 7),
                ha="center",
                fontsize=8,
            )
    ax.axhline(float(target), color=GREEN, linestyle="--", linewidth=1)
    low = min([v for v in values if v is not None] + [float(target)]) - 5
    ax.set_ylim(max(0, low), 100)
    ax.set_title(_("总体满意率走势"), fontsize=11, loc="left")
    ax.tick_params(labelsize=9)
    return _png(plt, fig)


def draw_charts(data: ReportData) -> None:
    data.charts["dimensions"] = bar_chart(
        [(n, t.percent) for n, t in data.overall.dimensions.items()],
        data.target,
        _("各服务维度满意率"),
    )
    if len(data.by_community) > 1:
        data.charts["communities"] = bar_chart(
            [(n, r.overall.percent) for n, r in data.by_community.items()],
            data.target,
            _("各小区总体满意率"),
        )
    if len(data.trend) > 1:
        data.charts["trend"] = trend_chart(data.trend, data.target)


# --- documents ------------------------------------------------------------------------------------
def pdf_bytes(data: ReportData) -> bytes:
    from weasyprint import HTML

    context = {"d": data, "font": FONT, "summary": summary_text(data), "method": method_text(data),
               "strengths": strengths_text(data), "audit": audit_text(data)}  # fmt: skip
    html = render_to_string("surveys/report/report.html", context)
    return HTML(string=html).write_pdf()


def docx_bytes(data: ReportData) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    doc = Document()
    for style_name in ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid"):
        style = doc.styles[style_name]
        style.font.name = FONT
        style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    doc.styles["Normal"].font.size = Pt(10.5)
    section = doc.sections[0]
    section.left_margin = section.right_margin = Cm(2.2)
    r = data.round

    def table(header: list[str], rows: list[list[Any]], widths: list[float] | None = None) -> None:
        t = doc.add_table(rows=1, cols=len(header))
        t.style = "Table Grid"
        for cell, text in zip(t.rows[0].cells, header, strict=True):
            cell.text = text
            cell.paragraphs[0].runs[0].font.bold = True
        for row in rows:
            cells = t.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = "—" if value is None else str(value)
        if widths:
            for row in t.rows:
                for cell, width in zip(row.cells, widths, strict=True):
                    cell.width = Cm(width)
        doc.add_paragraph()

    def picture(name: str) -> None:
        if name in data.charts:
            doc.add_picture(io.BytesIO(base64.b64decode(data.charts[name])), width=Cm(15.5))

    def pct(value: Decimal | None) -> str:
        return "—" if value is None else f"{value}%"

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(_("客户调研报告"))
    run.font.size, run.font.bold = Pt(24), True
    run.font.color.rgb = RGBColor(0x1F, 0x5F, 0x8B)
    sub = doc.add_paragraph(f"{r.name} · {data.scope}")
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    meta = doc.add_paragraph(_("调查期间 %(a)s 至 %(b)s　报告生成 %(at)s") % {
        "a": r.starts_on, "b": r.ends_on, "at": timezone.localtime(data.generated_at).strftime("%Y-%m-%d %H:%M")})  # fmt: skip
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER

    doc.add_heading(_("一、调查概况"), level=1)
    doc.add_paragraph(summary_text(data))
    doc.add_heading(_("二、调查方法与样本"), level=1)
    doc.add_paragraph(method_text(data))
    doc.add_paragraph(_("意见调查表发放/回收一览表："))
    table([_("小区"), _("样本户"), _("已发放"), _("发放率"), _("已回收"), _("回收率")],
          [[p.label, p.sample, p.issued, pct(p.issue_rate), p.returned, pct(p.return_rate)] for p in data.per]
          + [[_("合计"), data.total.sample, data.total.issued, pct(data.total.issue_rate), data.total.returned, pct(data.total.return_rate)]])  # fmt: skip
    doc.add_heading(_("三、调查结果"), level=1)
    picture("dimensions")
    table([_("服务维度"), _("有效回答"), _("满意"), _("满意率"), _("是否达标")],
          [[n, int(t.valid), int(t.satisfied), pct(t.percent), _("达标") if t.percent is not None and t.percent >= data.target else _("未达标")]
           for n, t in data.overall.dimensions.items()])  # fmt: skip
    picture("communities")
    picture("trend")
    doc.add_paragraph(_("客户意见调查统计表："))
    table([_("题号"), _("题目"), _("很满意"), _("满意"), _("较满意"), _("一般"), _("不满意"), _("弃权"), _("满意率")],
          [[q.number, q.question.text, *q.tally.counts.values(), q.tally.abstained, pct(q.percent)] for q in data.overall.questions],
          [1.1, 5.4, 1.3, 1.2, 1.3, 1.1, 1.3, 1.1, 1.6])  # fmt: skip
    doc.add_heading(_("四、优势与不足"), level=1)
    for line in strengths_text(data):
        doc.add_paragraph(line, style="List Bullet")
    doc.add_heading(_("五、客户意见摘录"), level=1)
    for dimension, community, text in data.comments:
        doc.add_paragraph(f"【{dimension}·{community}】{text}", style="List Bullet")
    if not data.comments:
        doc.add_paragraph(_("本轮没有书面意见。"))
    doc.add_heading(_("六、改进措施"), level=1)
    if data.rectifications:
        table([_("小区"), _("项目"), _("满意率"), _("整改期限"), _("整改措施"), _("状态")],
              [[x.community.name, x.dimension, f"{x.rate}%", x.due_on, x.measures or _("（待管理处提交）"), x.get_status_display()] for x in data.rectifications])  # fmt: skip
    else:
        doc.add_paragraph(_("总体及各服务维度均达到公司目标，无需整改；继续保持并关注个别意见。"))
    doc.add_paragraph(audit_text(data))
    props = doc.core_properties
    props.title, props.author = f"{_('客户调研报告')} {r.name} {data.scope}", _("邻里客户关系管理")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def summary_text(d: ReportData) -> str:
    overall = d.overall.overall.percent
    verdict = _("达到") if overall is not None and overall >= d.target else _("未达到")
    return _(
        "本轮调查范围为%(scope)s，按制度抽取样本 %(sample)s 户，发放 %(issued)s 份，回收有效问卷 %(returned)s 份，"
        "回收率 %(rate)s。总体满意率 %(overall)s，%(verdict)s公司目标（%(target)s%%）。"
    ) % {"scope": d.scope, "sample": d.total.sample, "issued": d.total.issued, "returned": d.total.returned,
         "rate": f"{d.total.return_rate}%" if d.total.return_rate is not None else "—",
         "overall": f"{overall}%" if overall is not None else "—", "verdict": verdict, "target": d.target}  # fmt: skip


def method_text(d: ReportData) -> str:
    design, r = d.round.design or {}, d.round
    parts = [_("抽样方式：%(m)s，%(s)s分层，随机种子 %(seed)s；") % {"m": r.get_method_display(), "s": r.get_strata_display(), "seed": r.seed}]  # fmt: skip
    if design.get("n0"):
        parts.append(_("样本量按 n = z²p(1−p)/e² 计算（置信度 %(c)s%%，误差 ±%(e)s%%，n₀ = %(n0)s），总体 %(N)s 户经有限总体修正后为 %(n)s 户；") % {
            "c": design.get("confidence"), "e": design.get("margin"), "n0": design.get("n0"), "N": r.population, "n": r.sample_target})  # fmt: skip
    parts.append(
        _(
            "满意率 =（很满意 + 满意 + 较满意）÷ 有效回答，未回收问卷和空白题按弃权处理，不计入分母。"
        )
    )
    return "".join(parts)


def strengths_text(d: ReportData) -> list[str]:
    lines = [
        _("做得好的：%(q)s（%(p)s%%）") % {"q": q.question.text, "p": q.percent}
        for q in d.strengths
    ]
    lines += [
        _("需改进的：%(q)s（%(p)s%%）") % {"q": q.question.text, "p": q.percent}
        for q in d.weaknesses
    ]
    for name in d.missed:
        label = _("总体满意率") if name == "overall" else name
        lines.append(_("未达公司目标：%(n)s") % {"n": label})
    return lines


def audit_text(d: ReportData) -> str:
    a = d.audit
    if not a["checks"]:
        return _("真实性核查：尚未抽取核查对象。")
    return _("真实性核查：抽查 %(n)s 户/份，不属实 %(f)s，待核查 %(p)s。") % {"n": a["checks"], "f": a["failed"], "p": a["pending"]}  # fmt: skip


# --- the background job ---------------------------------------------------------------------------
def start(
    round_: SurveyRound, *, actor: Any, community: Any = None, enqueue: bool = True
) -> SurveyReport:
    _require(actor, Perm.SURVEYS_REPORT if community is None else Perm.SURVEYS_OFFICE_PLAN)
    if round_.status not in (SurveyRound.Status.CLOSED, SurveyRound.Status.REPORTED):
        raise DomainError(_("回收结束后才能生成调研报告。"))
    if SurveyReport.objects.filter(round=round_, community=community, status__in=[SurveyReport.Status.QUEUED, SurveyReport.Status.RUNNING]).exists():  # fmt: skip
        raise DomainError(_("这份报告正在生成，请稍候。"))
    with transaction.atomic():
        report = SurveyReport.objects.create(round=round_, community=community, created_by=actor)
        record(
            actor, "surveys.report.started", round_, {"community": getattr(community, "pk", None)}
        )
        if enqueue:
            from linli.surveys.tasks import make_report

            pk = report.pk
            transaction.on_commit(lambda: make_report.enqueue(pk))
    return report


def generate(report_id: int) -> SurveyReport:
    """Claim a queued report (compare-and-set), build it step by step with progress, file it
    with the round and tell the roles it goes to."""
    started = timezone.now()
    if not SurveyReport.objects.filter(pk=report_id, status=SurveyReport.Status.QUEUED).update(status=SurveyReport.Status.RUNNING):  # fmt: skip
        return SurveyReport.objects.get(pk=report_id)
    report = SurveyReport.objects.select_related("round", "community").get(pk=report_id)

    def step(progress: int, label: str) -> None:
        SurveyReport.objects.filter(pk=report_id).update(progress=progress, step=label)

    try:
        step(10, str(_("汇总数据")))
        data = collect(report.round, report.community)
        step(40, str(_("绘制图表")))
        draw_charts(data)
        step(60, str(_("生成 PDF")))
        pdf = pdf_bytes(data)
        step(85, str(_("生成 Word")))
        docx = docx_bytes(data)
        stem = f"report-{report.round_id}-{report.community.code if report.community else 'company'}-{report.pk}"
        report.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
        report.docx.save(f"{stem}.docx", ContentFile(docx), save=False)
        finished = timezone.now()
        SurveyReport.objects.filter(pk=report_id).update(
            status=SurveyReport.Status.DONE, progress=100, step="", pdf=report.pdf.name, docx=report.docx.name,
            finished_at=finished, seconds=(finished - started).total_seconds(),
        )  # fmt: skip
        if report.community is None:
            SurveyRound.objects.filter(pk=report.round_id, status=SurveyRound.Status.CLOSED).update(status=SurveyRound.Status.REPORTED)  # fmt: skip
        distribute(report)
    except Exception:
        logger.exception("survey report %s failed", report_id)
        SurveyReport.objects.filter(pk=report_id).update(status=SurveyReport.Status.FAILED, error=traceback.format_exc()[-4000:], finished_at=timezone.now())  # fmt: skip
    report.refresh_from_db()
    return report


def distribute(report: SurveyReport) -> int:
    """To management and departments (POLICY Ch.7): the company leaders and the HQ customer
    supervisor for a company report; the office's manager and supervisor for an office report."""
    from linli.notify.services import notify_staff
    from linli.org.models import Staff
    from linli.org.roles import Role

    leaders = Staff.objects.filter(is_active=True, role__in=[Role.GENERAL_MANAGER, Role.GM_ASSISTANT, Role.HR_ADMIN_MANAGER, Role.HQ_CUSTOMER_SUPERVISOR])  # fmt: skip
    office = Staff.objects.filter(
        is_active=True, role__in=[Role.OFFICE_MANAGER, Role.OFFICE_CUSTOMER_SUPERVISOR]
    )
    if report.community_id:
        office = office.filter(community_id=report.community_id)
    recipients = list(office) if report.community_id else list(leaders) + list(office)
    scope = report.community.name if report.community else _("全公司")
    return notify_staff(
        recipients, kind="surveys.report", subject=_("客户调研报告：%(r)s（%(s)s）") % {"r": report.round.name, "s": scope},
        body=_("报告已生成，可在调查轮次页面下载 Word 和 PDF。"), link=reverse("surveys:reports", args=[report.round_id]),
        dedupe_key=f"surveys.report:{report.pk}",
    )  # fmt: skip
