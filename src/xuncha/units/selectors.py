"""Reads of the unit hierarchy."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from .models import SUPERIOR_LEVELS, RiskLevel, Unit


def lineages(units: Iterable[Unit]) -> dict[int, list[int]]:
    """Each unit's id followed by its ancestors' ids, for all the units at once: one
    query per level of the hierarchy (a few), however many units."""
    units = list(units)
    chains = {u.pk: [u.pk] for u in units}
    next_up = {u.pk: u.parent_id for u in units}
    while pending := {pk: p for pk, p in next_up.items() if p is not None and p not in chains[pk]}:
        for pk, parent_id in pending.items():
            chains[pk].append(parent_id)
        parents = Unit.objects.filter(pk__in=set(pending.values())).values_list("pk", "parent_id")
        up = dict(parents)
        next_up = {pk: up.get(parent_id) for pk, parent_id in pending.items()}
    return chains


def conflicting(unit: Unit, others: Iterable[Unit]) -> list[Unit]:
    """The ``others`` that are the unit itself, above it or below it (回避 either way),
    in the order given: :func:`in_conflict` for many units in a few queries."""
    others = list(others)
    chains = lineages([unit, *others])
    return [o for o in others if o.pk in chains[unit.pk] or unit.pk in chains[o.pk]]


def in_conflict(home: Unit, inspected: Unit) -> bool:
    """回避: a cadre may not inspect their own unit, a unit above it, or one below it."""
    return bool(conflicting(home, [inspected]))


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
        found = Q(name__icontains=q) | Q(code__startswith=q)
        for level in range(1, SUPERIOR_LEVELS + 1):
            found |= Q(**{"parent__" * level + "name__icontains": q})
        units = units.filter(found)
    return units.order_by("code")


def unit_detail(*, pk: int) -> Unit:
    """A unit with its superiors up to the city (for the breadcrumbs and the path)."""
    units = Unit.objects.select_related("__".join(["parent"] * SUPERIOR_LEVELS), "county")
    return get_object_or_404(units, pk=pk)


def unit_superiors(unit: Unit) -> list[Unit]:
    """The unit's superiors, top first (read from what :func:`unit_detail` fetched)."""
    chain: list[Unit] = []
    parent = unit.parent
    while parent is not None and len(chain) < SUPERIOR_LEVELS:
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
