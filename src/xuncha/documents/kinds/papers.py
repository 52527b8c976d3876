"""问题底稿: one working paper per finding, whether signed or not (the paper says which
sign-offs it still lacks): the problem, its 定性依据 and 责任指向, every supporting
material (evidence files, talk records, cross-check suspects with file, sheet and row)
and the three sign-offs."""

from __future__ import annotations

from django.utils import timezone

from xuncha.documents import selectors as s
from xuncha.findings.models import Finding
from xuncha.findings.selectors import Materials, materials_for

from .base import (
    Built,
    Context,
    Document,
    NothingToRender,
    Scope,
    base_name,
    cn_date,
    common_doc,
    section,
    top,
    yuan,
)
from .problems import sentence

SIGNERS = (("handler", "承办人"), ("deputy", "副组长审核"), ("leader", "组长审签"))


def build(scope: Scope) -> Built:
    findings = s.findings(scope.assignment)
    if not findings:
        raise NothingToRender(f"{scope.where}没有问题，无法生成问题底稿。")
    built = Built()
    missing = []
    materials = materials_for(findings)
    for f in findings:
        paper = getattr(f, "paper", None)
        if paper is None:
            missing.append(f)
        number = paper.number if paper is not None else f"问题{f.pk}"
        built.documents.append(
            Document(
                base_name(scope, "问题底稿", number), _paper(scope, f, number, materials[f.pk])
            )
        )
    if missing:
        built.warnings.append(
            f"{len(missing)} 个问题尚未建立问题底稿（文件以问题编号命名）："
            + "；".join(f.description[:30] for f in missing)
        )
    return built


def _paper(scope: Scope, f: Finding, number: str, m: Materials) -> Context:
    ctx = common_doc(scope, title=f"问题底稿（{number}）", date=scope.today)
    ctx["intro"] = [f"被巡察单位：{scope.assignment.unit.name}。问题来源：{f.get_source_display()}。"
                    f"问题类别：{f.get_category_display()}（{f.get_subcategory_display()}）。"]  # fmt: skip
    summary = [sentence(f.description)]
    if f.amount:
        summary.append(f"涉及金额{yuan(f.amount)}。")
    ctx["sections"] = [
        section(f"{top(1)}问题概述", summary),
        section(f"{top(2)}定性依据", [sentence(f.basis) or "未填写。"]),
        section(f"{top(3)}责任指向", [sentence(f.responsible) or "未填写。"]),
        section(f"{top(4)}支撑材料", _materials(m)),
        section(f"{top(5)}审核签字", _signatures(f)),
    ]
    return ctx


def _materials(m: Materials) -> list[str]:
    lines = [f"证据材料：《{e['name']}》（{e['size']:,}字节，SHA-256 {e['sha256'][:16]}…）。"
             for e in m["evidence"]]  # fmt: skip
    lines += [f"谈话记录：{cn_date(t['date'])}，{t['interviewee']}"
              + (f"（{t['position']}）" if t["position"] else "") + "。" for t in m["talks"]]  # fmt: skip
    lines += [
        f"数据比对疑点第{x['number']}号：{x['file']}" + (f"「{x['sheet']}」" if x["sheet"] else "")
        + f"第{x['row']}行，{x['rule']}，{x['name'] or '（无姓名）'}"
        + (f"，{yuan(x['amount'])}" if x["amount"] is not None else "") + "。"
        for x in m["suspects"]
    ]  # fmt: skip
    return [f"{n}.{line}" for n, line in enumerate(lines, start=1)] or ["暂无支撑材料。"]


def _signatures(f: Finding) -> list[str]:
    paper = getattr(f, "paper", None)
    if paper is None:
        return ["尚未建立问题底稿，未签字。"]
    out = []
    for who, label in SIGNERS:
        cadre = getattr(paper, f"{who}_signed_by")
        at = getattr(paper, f"{who}_signed_at")
        when = f"（{cn_date(timezone.localtime(at).date())}）" if at else ""
        out.append(f"{label}：{cadre.name}{when}" if cadre else f"{label}：未签字")
    return out
