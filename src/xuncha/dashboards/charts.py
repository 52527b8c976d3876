"""What the figures page's charts draw, as plain data for ``json_script``: the page's
static script (figures.js) hands it to ECharts, so no script is inline (staff CSP)."""

from __future__ import annotations

from typing import Any

from xuncha.findings.choices import Category, Source
from xuncha.planning.selectors import CoverageRow
from xuncha.rectifications.selectors import Completion

from . import links
from .selectors import Figures, Period, RoundTrend

Chart = dict[str, Any]


def bars(title: str, pairs: list[tuple[str, int]], hrefs: list[str]) -> Chart:
    return {"kind": "bar", "title": title, "labels": [p[0] for p in pairs],
            "series": [{"name": "数量", "values": [p[1] for p in pairs]}], "links": hrefs}  # fmt: skip


def _rate(c: Completion | CoverageRow) -> float:
    return float(c.rate or 0)


def ranking(rows: list[Completion], period: Period) -> Chart:
    """Completion rate per unit, best first (the top 30: the table has them all)."""
    top = rows[:30]
    return {"kind": "hbar", "title": "各单位整改完成率（%）", "labels": [c.label for c in top],
            "series": [{"name": "完成率", "values": [_rate(c) for c in top]}],
            "links": [links.ledger(period, unit_id=c.key) for c in top], "max": 100}  # fmt: skip


def trend(rows: list[RoundTrend], period: Period) -> Chart:
    return {
        "kind": "trend", "title": "各轮次问题数与整改完成率", "labels": [r.name for r in rows],
        "series": [{"name": "发现问题", "values": [r.findings for r in rows]},
                   {"name": "整改完成率（%）", "values": [_rate(r.rectification) for r in rows]}],
        "links": [links.findings(period, round_id=r.round_id) for r in rows],
    }  # fmt: skip


def coverage(title: str, rows: list[CoverageRow], filter_name: str) -> Chart:
    return {"kind": "bar", "title": title, "labels": [r.label for r in rows],
            "series": [{"name": "覆盖率", "values": [_rate(r) for r in rows]}], "max": 100,
            "links": [links.units(**{filter_name: r.key}) for r in rows]}  # fmt: skip


def figure_charts(f: Figures, period: Period) -> dict[str, Chart]:
    # Figures lists each choice in its declared order (selectors._by).
    categories = [links.findings(period, category=v) for v in Category.values]
    sources = [links.findings(period, source=v) for v in Source.values]
    return {
        "by_category": bars("问题类别", f.findings_by_category, categories),
        "by_source": bars("问题来源", f.findings_by_source, sources),
        "by_channel": bars("信访举报渠道", f.petitions_by_channel, []),
        "by_receiver": bars("线索移交", f.leads_by_receiver, []),
    }
