"""The problems as the report and the feedback print them: only findings whose working
paper is signed three times, grouped by the three focuses, each in three parts (现象 +
定性依据 + 责任指向) with its amount and the material that supports it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from xuncha.findings.models import Finding
from xuncha.findings.selectors import Materials

from .base import Context, cn_date, grouped, item, second, subsection, yuan

SUSPECTS_NAMED = 10  # suspects named one by one in a problem's material; the rest counted


def signed(finding: Finding) -> bool:
    paper = getattr(finding, "paper", None)
    return bool(paper is not None and paper.signed)


def split_signed(findings: list[Finding]) -> tuple[list[Finding], list[Finding]]:
    """(signed, unsigned): only the signed go into a report or a feedback."""
    return [f for f in findings if signed(f)], [f for f in findings if not signed(f)]


def unsigned_warning(unsigned: list[Finding], what: str) -> list[str]:
    """「2 个问题底稿未完成签字，未写入报告：…」, or nothing."""
    if not unsigned:
        return []
    named = "；".join(_short(f) for f in unsigned)
    return [f"{len(unsigned)} 个问题底稿未完成签字，未写入{what}：{named}"]


def _short(f: Finding) -> str:
    paper = getattr(f, "paper", None)
    number = f"{paper.number} " if paper is not None else ""
    text = f.description.strip().replace("\n", " ")
    return f"{number}{text[:30]}{'…' if len(text) > 30 else ''}"


def sentence(text: str) -> str:
    """The text as one paragraph ending in a full stop."""
    text = " ".join(text.split())
    return text if not text or text[-1] in "。！？；：.!?" else text + "。"


def material_text(m: Materials) -> str:
    """佐证材料：the evidence files, the talks and the cross-check suspects by name."""
    parts = []
    if m["evidence"]:
        parts.append("证据材料" + "".join(f"《{e['name']}》" for e in m["evidence"]))
    if m["talks"]:
        talks = (cn_date(t["date"]) + t["interviewee"]
                 + (f"（{t['position']}）" if t["position"] else "") for t in m["talks"])  # fmt: skip
        parts.append("谈话记录" + "、".join(talks))
    if m["suspects"]:
        rows = m["suspects"]
        named = "、".join(
            f"{s['file']}" + (f"「{s['sheet']}」" if s["sheet"] else "") + f"第{s['row']}行"
            for s in rows[:SUSPECTS_NAMED]
        )
        more = f"等{len(rows)}条" if len(rows) > SUSPECTS_NAMED else f"共{len(rows)}条"
        parts.append(f"数据比对疑点（{named}{more}）")
    return "佐证材料：" + ("；".join(parts) + "。" if parts else "无。")


def problem_paragraphs(f: Finding, m: Materials | None) -> list[str]:
    out = []
    if f.amount:
        out.append(f"涉及金额{yuan(f.amount)}。")
    out.append("定性依据：" + (sentence(f.basis) or "未填写。"))
    out.append("责任指向：" + (sentence(f.responsible) or "未填写。"))
    if m is not None:
        out.append(material_text(m))
    return out


def problem_subsections(
    findings: list[Finding], materials: dict[int, Materials] | None
) -> list[Context]:
    """（一）群众身边不正之风和腐败问题：共N个，涉及金额X元; then 1. 2. … each problem,
    with its supporting material when ``materials`` are given (the report)."""
    subsections = []
    for n, (_code, label, rows) in enumerate(grouped(findings), start=1):
        amount = sum(f.amount for f in rows)
        summary = f"共{len(rows)}个问题" + (f"，涉及金额{yuan(amount)}。" if amount else "。")
        items = [
            item(f"{i}.{sentence(f.description)}",
                 problem_paragraphs(f, None if materials is None else materials[f.pk]))
            for i, f in enumerate(rows, start=1)
        ]  # fmt: skip
        subsections.append(subsection(f"{second(n)}{label}", [summary], items))
    return subsections


def problem_figures(findings: list[Finding], materials: dict[int, Materials]) -> dict[str, Any]:
    """The numbers the problems' part prints beyond each problem's amount, as figures
    (label, value, source): per focus its count and amount, per problem citing
    suspects their count."""
    source = "xuncha.documents.selectors."
    out: dict[str, Any] = {}
    for code, label, rows in grouped(findings):
        out[f"{code}_problems"] = {"label": f"{label}（个）", "value": str(len(rows)),
                                   "source": source + "findings"}  # fmt: skip
        out[f"{code}_amount"] = {"label": f"{label}涉及金额（元）",
                                 "value": f"{sum((f.amount for f in rows), Decimal(0)):.2f}",
                                 "source": source + "findings"}  # fmt: skip
    for n, f in enumerate(findings, start=1):
        if suspects := len(materials[f.pk]["suspects"]):
            out[f"problem_{n}_suspects"] = {"label": f"问题{n}的数据比对疑点（条）",
                                            "value": str(suspects),
                                            "source": source + "materials_for"}  # fmt: skip
    return out


def problem_record(f: Finding) -> dict[str, Any]:
    """A problem as the report's content keeps it for the review's checks."""
    return {"finding": f.pk, "category": f.category, "subcategory": f.subcategory,
            "text": f.description, "basis": f.basis, "responsible": f.responsible,
            "paper_signed": signed(f), "amount": f"{f.amount:.2f}"}  # fmt: skip
