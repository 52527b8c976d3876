"""Reads for indicator systems and assessments."""

from __future__ import annotations

from django.db.models import Max, QuerySet

from .indicators import DimensionSpec, IndicatorSpec, VersionSpec
from .models import IndicatorSystem, IndicatorVersion


def indicator_systems() -> QuerySet[IndicatorSystem]:
    """Every system with its latest version number."""
    return IndicatorSystem.objects.annotate(latest=Max("versions__number")).order_by("name")


def current_version(system: IndicatorSystem) -> IndicatorVersion | None:
    """The version new assessments use: the latest."""
    return system.versions.order_by("-number").first()


def version_spec(version: IndicatorVersion) -> VersionSpec:
    """A stored version as its declaration (for the Excel export)."""
    dims = []
    for dim in version.dimensions.prefetch_related("indicators").order_by("order", "id"):
        dims.append(DimensionSpec(dim.name, dim.points, [
            IndicatorSpec(i.name, i.kind, i.points, i.veto_threshold, i.evidence_required, i.prefill)
            for i in sorted(dim.indicators.all(), key=lambda x: (x.order, x.id))
        ]))  # fmt: skip
    return VersionSpec(dims, version.grade_good, version.grade_fair, version.grade_average)
