"""Every write to indicator systems. Assessments and scores: :mod:`.assessment`.

Versioning rule: a version no assessment uses may be replaced in place; once an
assessment uses it, it is frozen, and an import makes the next version instead.
"""

from __future__ import annotations

from django.db import transaction

from xuncha.accounts.access import allowed
from xuncha.accounts.models import User
from xuncha.common.errors import PermissionDenied

from .indicators import VersionSpec, shipped
from .models import Dimension, Indicator, IndicatorSystem, IndicatorVersion


def _fill(version: IndicatorVersion, spec: VersionSpec) -> None:
    dims = Dimension.objects.bulk_create([
        Dimension(version=version, name=d.name, points=d.points, order=n)
        for n, d in enumerate(spec.dimensions, 1)
    ])  # fmt: skip
    Indicator.objects.bulk_create([
        Indicator(dimension=dim, name=i.name, kind=i.kind, points=i.points,
                  veto_threshold=i.veto_threshold, evidence_required=i.evidence_required,
                  prefill=i.prefill, order=n)
        for dim, d in zip(dims, spec.dimensions, strict=True)
        for n, i in enumerate(d.indicators, 1)
    ])  # fmt: skip


def indicator_version_import(
    *, spec: VersionSpec, system_name: str, note: str = "", by: User | None
) -> IndicatorVersion:
    """Store ``spec`` as the system's current version (creating the system if new).

    The system's latest version is replaced if no assessment uses it; a frozen one is
    kept, and ``spec`` becomes the next version. ``by=None`` only for the shipped
    systems installed by the command line."""
    if by is not None and not allowed(by, "indicators.manage"):
        raise PermissionDenied("只有巡察办可以管理评估指标体系。")
    with transaction.atomic():
        system, created = IndicatorSystem.objects.get_or_create(
            name=system_name.strip(), defaults={"note": note}
        )
        if note and not created and system.note != note:
            system.note = note
            system.save(update_fields=["note", "updated_at"])
        latest = (
            IndicatorVersion.objects.select_for_update()
            .filter(system=system)
            .order_by("-number")
            .first()
        )
        if latest is not None and not latest.frozen:
            latest.dimensions.all().delete()
            version = latest
        else:
            version = IndicatorVersion(system=system, number=(latest.number + 1) if latest else 1)
        version.grade_good, version.grade_fair = spec.grade_good, spec.grade_fair
        version.grade_average = spec.grade_average
        if by is not None:
            version._history_user = by  # type: ignore[attr-defined]
        version.save()
        _fill(version, spec)
    return version


def indicator_systems_install_shipped(*, by: User | None) -> list[IndicatorVersion]:
    """Install the shipped model systems not yet present (by name); the installed versions."""
    present = set(IndicatorSystem.objects.values_list("name", flat=True))
    return [
        indicator_version_import(spec=spec, system_name=name, note=note, by=by)
        for name, (note, spec) in shipped().items()
        if name not in present
    ]
