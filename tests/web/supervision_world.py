"""Helpers for the follow-up, reverse-check and supervisor's-day tests: a small indicator
system whose grade a test can steer, and closed ledger items."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from web.factories import ledger_item
from xuncha.common.models import Evidence
from xuncha.rectifications.models import ProgressReport, RectificationItem, Status
from xuncha.supervision import services
from xuncha.supervision.indicators import DimensionSpec, IndicatorSpec, VersionSpec
from xuncha.supervision.models import IndicatorKind, IndicatorVersion, PrefillKey

# 60 points from the completion rate, 40 scored by hand, a veto at 1 item not as reported.
SMALL = VersionSpec([
    DimensionSpec("整改任务完成", Decimal(100), [
        IndicatorSpec("反馈问题整改完成率", IndicatorKind.DEDUCTION, Decimal(60),
                      prefill=PrefillKey.COMPLETION_RATE),
        IndicatorSpec("整改工作组织有力", IndicatorKind.DEDUCTION, Decimal(40)),
        IndicatorSpec("整改报告与事实不符", IndicatorKind.VETO, Decimal(0), veto_threshold=1,
                      prefill=PrefillKey.NOT_AS_REPORTED),
    ]),
])  # fmt: skip


def small_system(world: Any, name: str = "回头看测试体系") -> IndicatorVersion:
    return services.indicator_version_import(spec=SMALL, system_name=name, by=world.users["office"])


def closed_item(world: Any, **kwargs: Any) -> RectificationItem:
    """A ledger item closed by the office with one evidence file (as close-out needs)."""
    item = ledger_item(world, **kwargs)
    report = ProgressReport.objects.create(
        item=item, text="已整改完毕", done=True, reported_by=world.users["unit"]
    )
    report.evidence.add(Evidence.objects.create(
        file="evidence/00/x", original_name="照片.jpg", content_type="image/jpeg", size=1,
        sha256="0" * 64, uploaded_by=world.users["unit"],
    ))  # fmt: skip
    RectificationItem.objects.filter(pk=item.pk).update(
        status=Status.CLOSED, closed_by=world.users["office"], closed_at=timezone.now(),
        done_reported_by=world.users["unit"],
    )  # fmt: skip
    item.refresh_from_db()
    return item
