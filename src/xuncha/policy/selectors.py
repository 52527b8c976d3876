"""Reads of the land-compensation standard: the shipped default merged with what the
office loaded."""

from __future__ import annotations

from django.db.models import QuerySet

from .landcomp import Coefficient, StandardSet, ZonePrice, default_standards
from .models import StandardVersion, TableKind


def _rows(version: StandardVersion) -> tuple[list[ZonePrice], list[Coefficient]]:
    where = version.file_name
    if version.kind == TableKind.ZONES:
        zones = [ZonePrice(r.county, r.zone, r.price, r.effective, f"{where} 第{r.row}行")
                 for r in version.zone_rows.all()]  # fmt: skip
        return zones, []
    coefs = [Coefficient(r.land_class, r.coefficient.normalize(), r.effective, f"{where} 第{r.row}行")
             for r in version.coefficient_rows.all()]  # fmt: skip
    return [], coefs


def loaded_versions() -> QuerySet[StandardVersion]:
    return StandardVersion.objects.select_related("loaded_by").prefetch_related(
        "zone_rows", "coefficient_rows"
    )


def stored_standards() -> StandardSet:
    """The default with every loaded table applied in load order. Each was checked
    against the 不得低于 rule when loaded; should a later default be higher, the
    higher price stays (``strict=False``)."""
    standards = default_standards()
    for version in loaded_versions():
        zones, coefs = _rows(version)
        standards = standards.merged(zones, coefs, source=version.file_name, strict=False)
    return standards
