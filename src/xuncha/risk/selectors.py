"""Reads of the risk app: effective levels (the office's override over the model's),
elevated units, a unit's profile and a classification's rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from xuncha.units.models import Unit

from .models import Classification, IndicatorValue, LevelOverride, RiskModel, UnitLevel


def active_model() -> RiskModel | None:
    return RiskModel.objects.filter(active=True).first()


def current_classification() -> Classification | None:
    return Classification.objects.filter(current=True).select_related("model").first()


def elevated_unit_ids() -> set[int]:
    """Units the current classification suggests for elevated inspection (提级巡察), on
    their effective level: a unit the office lowered below the rule's level drops out, one
    it raised to that level comes in if the rule's condition holds on its values."""
    c = current_classification()
    if c is None:
        return set()
    from .engine import rule_holds
    from .spec import LEVELS, Spec

    spec = Spec.from_json(c.model.spec)
    overrides = dict(
        LevelOverride.objects.filter(unit__risk_levels__classification=c).values_list(
            "unit_id", "level"
        )
    )
    result = set(
        UnitLevel.objects.filter(classification=c, elevated=True)
        .exclude(unit_id__in=list(overrides))
        .values_list("unit_id", flat=True)
    )
    if not overrides or not spec.elevate:
        return result
    rank = {lv: i for i, lv in enumerate(LEVELS)}
    values: dict[tuple[int, str], float] = {
        (u, code): v
        for u, code, v in IndicatorValue.objects.filter(
            unit_id__in=list(overrides), year=c.year,
            indicator__code__in=[r.indicator for r in spec.elevate],
        ).values_list("unit_id", "indicator__code", "value")
    }  # fmt: skip
    for unit_id, level in overrides.items():
        for r in spec.elevate:
            v = values.get((unit_id, r.indicator))
            if rank[level] >= rank[r.level] and v is not None and rule_holds(r, v):
                result.add(unit_id)
    return result


def effective_level(unit: Unit) -> str:
    """The office's override if there is one, else the current classification's level,
    else the unit's stored level."""
    o = LevelOverride.objects.filter(unit=unit).first()
    if o is not None:
        return o.level
    c = current_classification()
    if c is not None:
        row = UnitLevel.objects.filter(classification=c, unit=unit).first()
        if row is not None:
            return row.level
    return unit.risk_level


@dataclass
class ProfileValue:
    indicator: str  # code
    name: str
    unit_label: str
    year: int
    value: float
    source: str
    batch_id: int | None


@dataclass
class Profile:
    unit: Unit
    values: list[ProfileValue]  # by indicator code, then year descending
    years: list[int]
    current: UnitLevel | None
    override: LevelOverride | None
    override_history: list[Any]  # simple_history records, newest first
    effective: str


def unit_profile(unit: Unit) -> Profile:
    values = [
        ProfileValue(v.indicator.code, v.indicator.name, v.indicator.unit_label, v.year,
                     v.value, v.source, v.batch_id)
        for v in IndicatorValue.objects.filter(unit=unit).select_related("indicator")
        .order_by("indicator__code", "-year")
    ]  # fmt: skip
    c = current_classification()
    current = (
        UnitLevel.objects.filter(classification=c, unit=unit).first() if c is not None else None
    )
    override = LevelOverride.objects.filter(unit=unit).select_related("by").first()
    history = list(
        LevelOverride.history.filter(unit_id=unit.pk).select_related("history_user")
        .order_by("-history_date", "-history_id")
    )  # fmt: skip
    effective = override.level if override else (current.level if current else unit.risk_level)
    years = sorted({v.year for v in values}, reverse=True)
    return Profile(unit, values, years, current, override, history, effective)


def classification_rows(
    classification: Classification,
    level: str | None = None,
    county: int | None = None,
    q: str | None = None,
) -> QuerySet[UnitLevel]:
    """The classification's units with their override (``unit.risk_override``), filtered
    by effective level, county and a text in the unit's name or code; highest score first."""
    rows = UnitLevel.objects.filter(classification=classification).select_related(
        "unit", "unit__parent", "unit__county", "unit__risk_override"
    )
    if level:
        rows = rows.filter(
            Q(unit__risk_override__level=level) | Q(unit__risk_override__isnull=True, level=level)
        )
    if county:
        rows = rows.filter(unit__county_id=county)
    if q and q.strip():
        rows = rows.filter(Q(unit__name__icontains=q.strip()) | Q(unit__code__icontains=q.strip()))
    return rows.order_by("-score", "unit__code")
