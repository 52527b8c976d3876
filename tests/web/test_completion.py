"""Completion rates come out of the data exactly: seed 000's 43 problems, 40 rectified."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from web.factories import FindingFactory, UnitFactory
from xuncha.rectifications.models import RectificationItem, Status
from xuncha.rectifications.selectors import completion
from xuncha.units.models import UnitKind


def ledger(world, unit, total: int, closed: int) -> None:
    for i in range(total):
        finding = FindingFactory(team=world.team, round=world.team.round, unit=unit)
        item = RectificationItem.objects.create(finding=finding, round=finding.round,
                                                team=world.team, unit=unit)  # fmt: skip
        if i < closed:
            RectificationItem.objects.filter(pk=item.pk).update(
                status=Status.CLOSED, closed_by=world.users["office"], closed_at=timezone.now()
            )


def test_yiyang_93_02_percent(world) -> None:
    village = UnitFactory(kind=UnitKind.VILLAGE)
    ledger(world, world.unit, 30, 28)
    ledger(world, village, 13, 12)
    overall = completion(user=world.users["leader"])[0]
    assert (overall.total, overall.closed, overall.rate) == (43, 40, Decimal("93.02"))
    by_kind = {
        c.label: (c.total, c.closed) for c in completion(user=world.users["office"], by="unit_kind")
    }
    assert by_kind == {"乡镇（街道）": (30, 28), "村": (13, 12)}
    # A liaison counts only its own unit; a team member only its team's items.
    own = completion(user=world.users["unit"])[0]
    assert (own.total, own.closed, own.rate) == (30, 28, Decimal("93.33"))
    assert completion(user=world.users["other_team"])[0].total == 0
    assert completion(user=world.users["office"], round=world.team.round)[0].total == 43


def test_no_items_no_rate(world) -> None:
    assert completion(user=world.users["office"])[0].rate is None
