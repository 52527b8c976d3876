"""Document kinds: each builds the context of the one generic template (see
docs/documents.md and the shipped template) from a round's data for one inspected unit.

``KINDS`` maps a kind's code to its :class:`~.base.Kind`: the report, feedback,
immediate, plan, progress and notice make one document per unit, the working papers
one per finding, the transfer letters one per receiver; the ledger is the workbench's
Excel export. A kind with nothing to say raises :class:`~.base.NothingToRender`.

The 督办函 (:mod:`.supervision`) is one 督办 record's, not a round's unit's, so it is not
in ``KINDS``: its letter page renders it (``supervision.render_letter``)."""

from __future__ import annotations

from . import feedback, immediate, leads, ledger, notice, papers, plan, progress, report
from .base import Built, Context, Document, Kind, NothingToRender, Scope

KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind("report", "巡察报告", report.build),
        Kind("feedback", "反馈意见", feedback.build),
        Kind("papers", "问题底稿", papers.build),
        Kind("leads", "线索移交函", leads.build),
        Kind("immediate", "立行立改交办单", immediate.build),
        Kind("plan", "整改方案", plan.build),
        Kind("progress", "整改情况报告", progress.build),
        Kind("notice", "巡察公告", notice.build),
        Kind("ledger", "整改台账", ledger.build),
    )
}

__all__ = ["KINDS", "Built", "Context", "Document", "Kind", "NothingToRender", "Scope"]
