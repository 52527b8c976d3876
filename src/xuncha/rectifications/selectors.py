"""Reads of the ledger: completion rates per unit, round, kind of unit and overall."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from django.db.models import Count, Q

from xuncha.accounts.access import restrict_figures
from xuncha.accounts.models import User
from xuncha.units.models import UnitKind

from .models import RectificationItem, Status

Grouping = Literal["unit", "round", "unit_kind", "overall"]
_FIELDS = {"unit": ("unit_id", "unit__name"), "round": ("round_id", "round__name"),
           "unit_kind": ("unit__kind", "unit__kind"), "overall": (None, None)}  # fmt: skip


@dataclass(frozen=True)
class Completion:
    key: object
    label: str
    total: int
    closed: int

    @property
    def rate(self) -> Decimal | None:
        """Closed over total as a percentage with two decimals (43 → 40 is 93.02)."""
        if not self.total:
            return None
        return (Decimal(100 * self.closed) / self.total).quantize(Decimal("0.01"), ROUND_HALF_UP)


def completion(*, user: User, by: Grouping = "overall", **filters: object) -> list[Completion]:
    """Items rectified (closed out) over items fed back, grouped as asked."""
    items = restrict_figures(RectificationItem.objects.filter(**filters), user)
    counts = {"total": Count("id"), "closed": Count("id", filter=Q(status=Status.CLOSED))}
    key, label = _FIELDS[by]
    if key is None or label is None:
        row = items.aggregate(**counts)
        return [Completion("overall", "合计", row["total"], row["closed"])]
    rows = items.values(key, label).annotate(**counts).order_by(label)
    labels = dict(UnitKind.choices) if by == "unit_kind" else {}
    return [
        Completion(r[key], labels.get(r[label], r[label]), r["total"], r["closed"]) for r in rows
    ]
