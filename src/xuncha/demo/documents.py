"""The demo's official documents (公文): every kind for one inspected unit of the demo
city, written into ``<out>/公文/`` and each DOCX checked against GB/T 9704.

The unit is one whose round has everything a document is made of (signed working
papers, leads, immediate items, accepted plans and progress), so that no kind is left
empty (:func:`demo_unit`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Count

from xuncha.common.errors import ServiceError
from xuncha.documents.kinds import KINDS
from xuncha.documents.official.verify import verify
from xuncha.documents.services import render_documents
from xuncha.findings.models import Finding, ImmediateItem, Lead
from xuncha.findings.selectors import paper_signed_q
from xuncha.planning.models import Assignment
from xuncha.rectifications.models import RectificationItem

ENOUGH = 6  # signed findings that make a report worth reading


@dataclass
class DemoDocuments:
    assignment: Assignment | None
    files: list[Path] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # "file: check, detail" per failed check
    skipped: list[str] = field(default_factory=list)  # kinds with nothing to render, and why
    warnings: list[str] = field(default_factory=list)


def _counts(model: type, **filters: object) -> dict[tuple[int, int], int]:
    rows = (
        model._default_manager.filter(**filters)  # type: ignore[attr-defined]
        .order_by()
        .values("round_id", "unit_id")
        .annotate(n=Count("id"))
    )
    return {(r["round_id"], r["unit_id"]): r["n"] for r in rows}


def demo_unit() -> Assignment | None:
    """The inspected unit with every kind's material and at least :data:`ENOUGH` signed
    findings (else the most), the fewest findings in all first: a full report, and not
    forty working papers to render."""
    signed = _counts(Finding, **{"pk__in": Finding.objects.filter(paper_signed_q()).values("pk")})
    needs = [
        _counts(Lead),
        _counts(ImmediateItem),
        _counts(RectificationItem, plan_accepted_at__isnull=False),
    ]
    total = _counts(Finding)
    best = max(
        (key for key in signed if all(key in n for n in needs)),
        key=lambda key: (min(signed[key], ENOUGH), -total[key], key),
        default=None,
    )
    if best is None:
        return None
    return Assignment.objects.select_related("round", "unit", "team").get(
        round_id=best[0], unit_id=best[1]
    )


def write_demo_documents(out: Path, *, today: dt.date) -> DemoDocuments:
    """Every kind for the demo unit into ``out``; each DOCX verified."""
    from xuncha.commands import write_files

    a = demo_unit()
    result = DemoDocuments(a)
    if a is None:
        return result
    for kind in KINDS:
        try:
            rendered = render_documents(kind=kind, round=a.round, unit=a.unit, today=today)
        except ServiceError as err:
            result.skipped.append(f"{KINDS[kind].label}：{err}")
            continue
        result.warnings += rendered.warnings
        for name, data in rendered.files:
            if name.endswith(".docx"):
                result.failed += [f"{name}：{c.name}，{c.detail}" for c in verify(data).failures]
        result.files += write_files(out, rendered.files)
    return result


def summary(r: DemoDocuments, out: Path) -> str:
    if r.assignment is None:
        return "   公文：演示数据中没有材料齐全的被巡察单位，未生成。"
    docx = sum(1 for f in r.files if f.suffix == ".docx")
    verdict = (
        "均符合 GB/T 9704 版式检查"
        if not r.failed
        else f"{len(r.failed)} 项版式检查不符合：" + "；".join(r.failed[:5])
    )
    lines = [
        f"   公文（{r.assignment.round.name}·{r.assignment.unit.name}）：{docx} 份，{verdict}"
        + ("；另有整改台账（Excel）" if len(r.files) > docx else "")
        + f"。文件在 {out.resolve()}/"
    ]
    lines += [f"     未生成 {s}" for s in r.skipped]
    lines += [f"     注意：{w}" for w in r.warnings[:3]]
    return "\n".join(lines)
