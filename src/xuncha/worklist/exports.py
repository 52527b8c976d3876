"""The month's list and the responsibility breakdown as text-only workbooks
(:func:`xuncha.common.exports.workbook`: nothing a spreadsheet would run as a formula)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from xuncha.common.exports import workbook

from .models import TaskItem
from .selectors import Line

LIST_HEADERS = [
    ("序号", 6), ("任务内容", 40), ("牵头领导", 10), ("牵头部门", 14), ("责任人", 10),
    ("完成时限", 12), ("时间节点", 30), ("状态", 10), ("最新进展", 40), ("延续自", 14),
]  # fmt: skip
BREAKDOWN_HEADERS = [("分解维度", 10), ("名称", 20), ("未完成", 8), ("其中逾期", 8), ("已审结", 8)]


def _milestones(item: TaskItem) -> str:
    return "；".join(
        f"{m.what}（{m.due:%Y-%m-%d}{'，已完成' if m.done_at else ''}）"
        for m in item.milestones.all()
    )


def _latest(item: TaskItem) -> str:
    reports = list(item.reports.all())  # newest first (the model's ordering)
    if not reports:
        return ""
    r = reports[0]
    return f"{r.created_at:%Y-%m-%d} 完成{r.percent}%：{r.text}"


def list_workbook(items: Iterable[TaskItem], today: dt.date) -> bytes:
    """One row per item; ``items`` should prefetch milestones and reports."""
    rows = []
    for item in items:
        status = item.get_status_display() + ("（逾期）" if item.is_overdue(today) else "")
        origin = str(item.carried_from) if item.carried_from_id else ""
        rows.append([
            str(item.number), item.what, item.lead_leader.display_name, item.lead_department,
            item.responsible.display_name, f"{item.deadline:%Y-%m-%d}", _milestones(item),
            status, _latest(item), origin,
        ])  # fmt: skip
    return workbook("任务清单", LIST_HEADERS, rows)


def breakdown_workbook(lines: Iterable[Line]) -> bytes:
    return workbook(
        "责任分解", BREAKDOWN_HEADERS,
        ([line.dimension, line.name, line.unfinished, line.overdue, line.closed] for line in lines),
    )  # fmt: skip
