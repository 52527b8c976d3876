"""The ledger exported to Excel in its customary layout (整改台账), as filtered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from xuncha.common.exports import workbook

from . import selectors
from .models import RectificationItem, Status

# The customary columns. 整改目标 and 责任部门 have no field of their own in the ledger
# yet: they are left empty for the unit to fill in rather than guessed.
HEADERS = [
    ("序号", 6), ("整改单位", 20), ("反馈问题", 40), ("整改目标", 20), ("整改措施", 40),
    ("责任领导", 10), ("责任部门", 14), ("完成时限", 12), ("整改进展", 40), ("佐证材料", 24),
    ("销号日期", 12), ("状态", 12),
]  # fmt: skip


def _rows(items: QuerySet[RectificationItem]) -> Iterator[list[Any]]:
    files = selectors.evidence_names(items)
    labels = dict(Status.choices)
    rows = selectors.item_export_rows(items)
    for n, item in enumerate(rows.iterator(chunk_size=2000), start=1):
        closed = timezone.localtime(item.closed_at).date() if item.closed_at else None
        yield [
            n, item.unit.name, item.finding.description, item.goal, item.measures, item.owner,
            item.department,
            _date(item.deadline), getattr(item, "progress", None) or "",
            "、".join(files.get(item.pk, [])), _date(closed), labels.get(item.status, item.status),
        ]  # fmt: skip


def _date(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def ledger_workbook(items: QuerySet[RectificationItem]) -> bytes:
    return workbook("整改台账", HEADERS, _rows(items))
