"""Reads of the unit hierarchy."""

from __future__ import annotations

from .models import Unit


def unit_lineage(unit: Unit) -> list[int]:
    """The unit's id and those of all its ancestors (a hierarchy is a few levels deep)."""
    ids = [unit.pk]
    parent_id = unit.parent_id
    while parent_id is not None and parent_id not in ids:
        ids.append(parent_id)
        parent_id = Unit.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
    return ids


def in_conflict(home: Unit, inspected: Unit) -> bool:
    """回避: a cadre may not inspect their own unit, a unit above it, or one below it."""
    return home.pk in unit_lineage(inspected) or inspected.pk in unit_lineage(home)
