"""Writes: loading a zone-price or coefficients table as a new stored version."""

from __future__ import annotations

import hashlib

from django.db import transaction

from xuncha.accounts.models import User
from xuncha.common.errors import ServiceError

from . import selectors, tables
from .landcomp import StandardError
from .models import CoefficientRow, StandardVersion, TableKind, ZonePriceRow


def _row_number(where: str) -> int:
    return int(where.rsplit("第", 1)[1].removesuffix("行"))


def standard_table_load(
    *, kind: str, data: bytes, file_name: str, by: User, name: str = ""
) -> StandardVersion:
    """Read the table (in the sandbox), check it whole against the standard in force
    (a price or coefficient below it is refused, naming the row) and keep it; any
    problem is a ServiceError and nothing is stored."""
    if kind not in TableKind.values:
        raise ServiceError(f"未知的表格类型「{kind}」。")
    digest = hashlib.sha256(data).hexdigest()
    earlier = StandardVersion.objects.filter(kind=kind, sha256=digest).first()
    if earlier is not None:
        raise ServiceError(
            f"「{file_name}」与 {earlier.created_at:%Y-%m-%d} 导入的「{earlier.file_name}」内容相同，未重复导入。"
        )
    try:
        if kind == TableKind.ZONES:
            zones, coefs = tables.load_zone_prices(data, name=file_name), []
        else:
            zones, coefs = [], tables.load_coefficients(data, name=file_name)
        with transaction.atomic():
            selectors.stored_standards().merged(zones, coefs, source=file_name)
            effective = min([z.effective for z in zones] + [c.effective for c in coefs])
            label = TableKind(kind).label
            version = StandardVersion.objects.create(
                kind=kind, name=name.strip()[:200] or f"{label}（{file_name}）"[:200],
                effective=effective, file_name=file_name[:255], sha256=digest, loaded_by=by,
            )  # fmt: skip
            ZonePriceRow.objects.bulk_create(
                ZonePriceRow(version=version, county=z.county, zone=z.zone, price=z.price,
                             effective=z.effective, row=_row_number(z.where)) for z in zones
            )  # fmt: skip
            CoefficientRow.objects.bulk_create(
                CoefficientRow(version=version, land_class=c.land_class, coefficient=c.coefficient,
                               effective=c.effective, row=_row_number(c.where)) for c in coefs
            )  # fmt: skip
    except (tables.TableError, StandardError) as err:
        raise ServiceError(f"「{file_name}」未导入：{err}" if isinstance(err, StandardError)
                           else str(err)) from err  # fmt: skip
    return version
