"""Reads of the unit hierarchy."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from .models import RiskLevel, Unit


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


def unit_list(*, kind: str = "", risk_level: str = "", county_id: int | None = None,
              q: str = "") -> QuerySet[Unit]:  # fmt: skip
    units = Unit.objects.select_related("parent", "county")
    if kind:
        units = units.filter(kind=kind)
    if risk_level:
        units = units.filter(risk_level=risk_level)
    if county_id:
        units = units.filter(county_id=county_id)
    if q := q.strip():
        # A unit is found by its own name or code, or by a superior's name (a village by
        # its township or county).
        units = units.filter(
            Q(name__icontains=q) | Q(code__startswith=q) | Q(parent__name__icontains=q)
            | Q(parent__parent__name__icontains=q) | Q(parent__parent__parent__name__icontains=q)
        )  # fmt: skip
    return units.order_by("code")


def unit_detail(*, pk: int) -> Unit:
    """A unit with its superiors up to the city (for the breadcrumbs and the path)."""
    units = Unit.objects.select_related("parent__parent__parent", "county")
    return get_object_or_404(units, pk=pk)


def unit_superiors(unit: Unit) -> list[Unit]:
    """The unit's superiors, top first (read from what :func:`unit_detail` fetched)."""
    chain: list[Unit] = []
    parent = unit.parent
    while parent is not None and len(chain) < 3:
        chain.append(parent)
        parent = parent.parent if Unit.parent.is_cached(parent) else None
    return chain[::-1]


def unit_children(unit: Unit) -> QuerySet[Unit]:
    return unit.children.order_by("code")


def risk_counts(units: QuerySet[Unit]) -> list[tuple[str, int]]:
    """How many of the units are in each risk level (seed 004: 859 / 388 / 170)."""
    # order_by() first: an ordering field would otherwise join the GROUP BY.
    grouped = units.order_by().values_list("risk_level").annotate(n=Count("id"))
    counts = dict(grouped.values_list("risk_level", "n"))
    return [(label, counts.get(value, 0)) for value, label in RiskLevel.choices]
