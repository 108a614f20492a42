"""The questionnaire editor's text outline: what a researcher types, one line per question.

    # 客户服务 [service]
    前台接待的礼貌与效率
    !报修响应速度（权重 2）
    单选：您是否愿意向亲友推荐？ | 愿意 | 不确定 | 不愿意
    多选：您最希望改进哪些方面？ | 保洁 | 绿化 | 收费
    文字：您对我们的意见和建议

`#` starts a part (its service dimension's code in brackets, optional); a plain line is a
5-level satisfaction question; `单选：`, `多选：`, `文字：` make the other kinds; a leading `!`
makes it required; `（权重 n）` at the end sets its weight. Errors name the line.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from linli.core.errors import DomainError

KIND_PREFIXES = {"单选": "single", "多选": "multiple", "文字": "text"}
KIND_NAMES = {v: k for k, v in KIND_PREFIXES.items()}
WEIGHT = re.compile(r"[（(]\s*权重\s*([0-9.]+)\s*[)）]\s*$")
KIND_PREFIX = re.compile(r"^(单选|多选|文字)\s*[:：]\s*(.*)$")
SECTION = re.compile(r"^#\s*(?P<title>[^\[]+?)\s*(?:\[(?P<dimension>[\w-]*)\])?\s*$")


def parse(text: str) -> dict[str, Any]:
    """The outline as questionnaire content; the services validate it (`clean_content`)."""
    sections: list[dict[str, Any]] = []
    intro: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            match = SECTION.match(line)
            if not match:
                raise DomainError(
                    _("第 %(n)s 行：部分标题写法不对。") % {"n": number}, field="outline"
                )
            sections.append(
                {"title": match["title"], "dimension": match["dimension"] or "", "questions": []}
            )
            continue
        if line.startswith(">"):
            intro.append(line[1:].strip())
            continue
        if not sections:
            raise DomainError(_("第 %(n)s 行：题目前面要先写一个以 # 开头的部分标题。") % {"n": number}, field="outline")  # fmt: skip
        question: dict[str, Any] = {"kind": "scale", "required": False, "weight": "1"}
        if line.startswith(("!", "！")):
            question["required"] = True
            line = line[1:].strip()
        weight = WEIGHT.search(line)
        if weight:
            question["weight"] = weight.group(1)
            line = line[: weight.start()].strip()
        kind = KIND_PREFIX.match(line)
        if kind:
            question["kind"] = KIND_PREFIXES[kind.group(1)]
            line = kind.group(2).strip()
        parts = [p.strip() for p in line.split("|")]
        question["text"] = parts[0]
        question["choices"] = parts[1:]
        if question["kind"] in ("scale", "text") and question["choices"]:
            raise DomainError(_("第 %(n)s 行：只有单选、多选题可以用 | 写选项。") % {"n": number}, field="outline")  # fmt: skip
        sections[-1]["questions"].append(question)
    return {"intro": "\n".join(intro), "sections": sections}


def render(content: dict[str, Any]) -> str:
    """Questionnaire content (as `services.export_content`) back as an outline."""
    lines = [f"> {line}" for line in (content.get("intro") or "").splitlines() if line.strip()]
    for section in content["sections"]:
        code = section.get("dimension") or ""
        lines.append(f"# {section['title']}" + (f" [{code}]" if code else ""))
        for q in section["questions"]:
            text = (
                ("!" if q.get("required") else "")
                + (f"{KIND_NAMES[q['kind']]}：" if q["kind"] in KIND_NAMES else "")
                + q["text"]
            )
            if q.get("choices"):
                text += " | " + " | ".join(q["choices"])
            weight = str(q.get("weight", "1"))
            if weight not in ("1", "1.00", "1.0"):
                text += f"（权重 {weight.rstrip('0').rstrip('.') if '.' in weight else weight}）"
            lines.append(text)
        lines.append("")
    return "\n".join(lines).strip() + "\n"
