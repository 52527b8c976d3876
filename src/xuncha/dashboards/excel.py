"""The figures as an Excel workbook (the sheet leaders forward)."""

from __future__ import annotations

from typing import IO

import xlsxwriter

from .selectors import Figures
from .supervision import SupervisionFigures


def figures_rows(f: Figures) -> list[tuple[str, object]]:
    """The figures in the order the seeds report them."""
    rate = f.rectification.rate
    rows: list[tuple[str, object]] = [
        ("巡察轮次", f.rounds), ("巡察单位（个）", f.units_covered), ("个别谈话（人次）", f.talks),
        ("受理信访举报（件）", f.petitions),
    ]  # fmt: skip
    rows += [(f"　{label}", n) for label, n in f.petitions_by_channel]
    rows += [("　其中转为问题（件）", f.petitions_to_findings), ("发现问题（个）", f.findings)]
    rows += [(f"　其中：{label}", n) for label, n in f.findings_by_category]
    rows += [(f"　来源：{label}", n) for label, n in f.findings_by_source]
    rows += [("移交问题线索（件）", f.leads)]
    rows += [(f"　移交{label}", n) for label, n in f.leads_by_receiver]
    rows += [
        ("交办立行立改事项（个）", f.immediate_assigned), ("已完成立行立改事项（个）", f.immediate_done),
        ("反馈问题整改事项（个）", f.rectification.total), ("已整改销号（个）", f.rectification.closed),
        ("整改完成率", f"{rate}%" if rate is not None else "—"),
        ("涉及金额（元）", f.money_involved), ("追回资金（元）", f.money_recovered),
        ("数据比对疑点（条）", f.suspects), ("　核实属实（条）", f.suspects_confirmed),
        ("　待核实（条）", f.suspects_pending), ("　违规发放金额（元）", f.improper_amount),
        ("　已追回（元）", f.improper_recovered),
    ]  # fmt: skip
    return rows


def _rate(rate: object) -> str:
    return f"{rate}%" if rate is not None else "—"


def supervision_rows(s: SupervisionFigures) -> list[tuple[str, object]]:
    """The 整改督查 figures, as the page shows them (the parts the user counts)."""
    rows: list[tuple[str, object]] = [("整改完成率按单位类型", "")]
    rows += [(f"　{c.label}（{c.closed}/{c.total}）", _rate(c.rate)) for c in s.by_kind]
    if a := s.assessments:
        rows += [("评估单位（个）", a.units), ("　已确定等次（个）", a.graded)]
        rows += [(f"　等次：{label}（个）", n) for _value, label, n in a.grades]
        rows += [("　平均得分", a.average if a.average is not None else "—"),
                 ("　列入回头看（个）", a.follow_ups)]  # fmt: skip
    rows += [
        ("今日红牌（个）", s.cards.red), ("今日黄牌（个）", s.cards.yellow),
        ("累计亮牌：红牌（张）", s.cards.recorded_red), ("累计亮牌：黄牌（张）", s.cards.recorded_yellow),
        ("　其中尚未撤牌（张）", s.cards.open),
    ]  # fmt: skip
    if sig := s.signals:
        rows += [("虚假整改疑点（条，本期间发现）", sig.total)]
        rows += [(f"　{label}（条）", n) for _value, label, n in sig.by_status]
        rows += [(f"　{label}：发现／确认（条）", f"{n} / {c}") for _v, label, n, c in sig.by_kind]
    made, revised = s.rules_total
    rows += [("建章立制：新建（项）", made), ("建章立制：修订（项）", revised)]
    if c := s.selfchecks:
        if c.problems is not None:
            rows += [("共性问题（个，本期间确定）", c.problems)]
        rows += [("推送自查任务（个，本期间推送）", c.tasks)]
        rows += [(f"　{label}（个）", n) for _value, label, n in c.by_status]
        rows += [("　逾期未报告（个）", c.overdue)]
    return rows


def figures_workbook(f: Figures, out: IO[bytes], sup: SupervisionFigures | None = None) -> None:
    from xuncha.crosscheck.report import TEXT_ONLY

    # Labels are text, never formulas or links (a period or category named "=…").
    wb = xlsxwriter.Workbook(out, {"in_memory": True, **TEXT_ONLY})
    ws = wb.add_worksheet("巡察工作数据")
    bold = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    cell = wb.add_format({"border": 1})
    money = wb.add_format({"border": 1, "num_format": "#,##0.00"})
    ws.set_column(0, 0, 32)
    ws.set_column(1, 1, 16)
    ws.write_string(0, 0, f"巡察工作数据（{f.period.label}）", bold)
    ws.write_row(2, 0, ["项目", "数值"], head)
    rows = figures_rows(f) + (supervision_rows(sup) if sup is not None else [])
    for r, (label, value) in enumerate(rows, start=3):
        ws.write_string(r, 0, label, cell)
        if isinstance(value, int | float) or hasattr(value, "as_tuple"):
            ws.write_number(r, 1, float(value), money if "元" in label else cell)  # type: ignore[arg-type]
        else:
            ws.write_string(r, 1, str(value), cell)
    wb.close()
