"""The findings list exported to Excel, as filtered."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from xuncha.common.choices import REGISTRY
from xuncha.common.exports import workbook

from . import selectors
from .choices import Category, Source, Subcategory
from .models import Finding

HEADERS = [
    ("序号", 6), ("被巡察单位", 20), ("上级单位", 16), ("轮次", 12), ("巡察组", 12),
    ("问题类别", 14), ("具体类别", 18), ("问题来源", 12), ("问题描述", 50),
    ("涉及金额（元）", 14), ("记录日期", 12), ("反馈日期", 12), ("定性依据", 40), ("责任指向", 30),
    ("整改状态", 14),
]  # fmt: skip


def _rows(findings: QuerySet[Finding]) -> Iterator[list[Any]]:
    categories, subs = dict(Category.choices), dict(Subcategory.choices)
    # The ledger's status labels through the badge registry: findings never imports the ledger.
    sources, statuses = dict(Source.choices), dict(REGISTRY["rectification"].choices)
    rows = selectors.finding_export_rows(findings)
    for n, f in enumerate(rows.iterator(chunk_size=2000), start=1):
        status = getattr(f, "item_status", None)
        yield [
            n, f.unit.name, f.unit.parent.name if f.unit.parent else "", f.round.name, f.team.name,
            categories.get(f.category, f.category), subs.get(f.subcategory, f.subcategory),
            sources.get(f.source, f.source), f.description, float(f.amount),
            timezone.localtime(f.created_at).date().isoformat(),
            f.fed_back_on.isoformat() if f.fed_back_on else "", f.basis, f.responsible,
            statuses.get(status, status) if status else "未反馈",
        ]  # fmt: skip


def findings_workbook(findings: QuerySet[Finding]) -> bytes:
    return workbook("问题清单", HEADERS, _rows(findings))
