"""Writes to the unit hierarchy."""

from __future__ import annotations

from xuncha.common.errors import ServiceError

from .models import RiskLevel, Unit, UnitKind


def unit_create(
    *, name: str, code: str, kind: str, parent: Unit | None = None,
    risk_level: str = RiskLevel.GENERAL,
) -> Unit:  # fmt: skip
    """A unit under ``parent``; its county is derived from the hierarchy."""
    if not name.strip() or not code.strip():
        raise ServiceError("单位名称和编码不能为空。")
    if kind not in UnitKind.values:
        raise ServiceError(f"未知的单位类型「{kind}」。")
    if Unit.objects.filter(code=code.strip()).exists():
        raise ServiceError(f"单位编码「{code}」已存在。")
    unit = Unit(
        name=name.strip(), code=code.strip(), kind=kind, parent=parent, risk_level=risk_level
    )
    unit.county = parent.county if parent is not None and kind != UnitKind.COUNTY else None
    unit.save()
    if kind == UnitKind.COUNTY:
        unit.county = unit
        unit.save(update_fields=["county"])
    return unit
