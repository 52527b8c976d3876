"""The self-check task list exported to Excel, as filtered (one row per task)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from xuncha.common.exports import workbook
from xuncha.units.models import UnitKind

from .models import SelfCheckTask, TaskStatus

HEADERS = [
    ("序号", 6), ("自查单位", 20), ("单位类型", 10), ("共性问题", 30), ("自查时限", 12),
    ("状态", 12), ("巡察情况", 10), ("自查结论", 14), ("自查情况及整改措施", 40), ("报告时间", 16),
    ("证据材料", 24), ("退回原因", 24),
]  # fmt: skip


def _evidence_names(tasks: QuerySet[SelfCheckTask]) -> dict[int, list[str]]:
    """Each task's evidence file names, for all ``tasks`` in one query."""
    through = SelfCheckTask.evidence.through
    rows = (through.objects.filter(selfchecktask_id__in=tasks.order_by().values("pk"))
            .order_by("id").values_list("selfchecktask_id", "evidence__original_name"))  # fmt: skip
    out: dict[int, list[str]] = {}
    for task_id, name in rows:
        out.setdefault(task_id, []).append(name)
    return out


def _rows(tasks: QuerySet[SelfCheckTask]) -> Iterator[list[Any]]:
    files = _evidence_names(tasks)
    kinds, states = dict(UnitKind.choices), dict(TaskStatus.choices)
    for n, t in enumerate(tasks.iterator(chunk_size=2000), start=1):
        found = "" if t.found is None else ("发现同类问题" if t.found else "未发现同类问题")
        answered = (
            timezone.localtime(t.answered_at).strftime("%Y-%m-%d %H:%M") if t.answered_at else ""
        )
        yield [
            n, t.unit.name, str(kinds.get(t.unit.kind, t.unit.kind)), t.problem.title,
            t.deadline.isoformat(), str(states.get(t.status, t.status)),
            "已巡察" if t.inspected else "未巡先改", found, t.measures, answered,
            "、".join(files.get(t.pk, [])), t.returned_reason,
        ]  # fmt: skip


def task_workbook(tasks: QuerySet[SelfCheckTask]) -> bytes:
    return workbook("自查自纠任务", HEADERS, _rows(tasks))
