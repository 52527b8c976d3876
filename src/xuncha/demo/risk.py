"""The demo city's risk levels, computed the way the office computes them: four
departments send their workbooks (xuncha.risk.datagen writes them, messy as real ones
are), each is uploaded, its proposed column mapping confirmed, the rows that match no
unit or several resolved as a user would (choose the unit, or skip with a reason), and
imported through the same service the import page uses; then the shipped model
classifies every village and community, and each unit's level is the computed one.

The generator plants the data for seed 004's shares, so the model finds 859 general,
388 watch and 170 high of the 1,417 villages and communities — by computing, not by
being told.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from xuncha.accounts.models import User
from xuncha.common.errors import ServiceError
from xuncha.risk import importing, services
from xuncha.risk.datagen import DepartmentData, DepartmentFile, write_department_workbooks
from xuncha.risk.models import Classification, ImportBatch
from xuncha.units.models import Unit

SKIP_REASON = "该村已撤并，不再单独统计，跳过"


@dataclass(frozen=True)
class SeededRisk:
    """What :func:`seed_risk` did: the imported batches, the rows resolved by hand, the
    classification and the data's planted truth (to check the model against)."""

    batches: list[ImportBatch]
    chosen: int  # rows the user matched to a unit by hand
    skipped: int  # rows the user skipped with a reason
    classification: Classification
    data: DepartmentData


def seed_risk(
    office: User, villages: list[Unit], folder: Path | str | None = None, *, seed: int,
    year: int,
) -> SeededRisk:  # fmt: skip
    """Generate the departments' workbooks for ``villages`` (in ``folder``, or a temporary
    one), import each as the office would, and classify with the shipped model for
    ``year``; the villages' ``risk_level`` (in the database and on the objects passed) is
    then the computed one. Raises ServiceError if a workbook needs more than the
    resolutions a user would make (so a change to the generator or the import shows)."""
    services.install_shipped(by=None)
    units = [(v.code, v.name, _name(v.parent), _name(v.county)) for v in villages]
    if folder is None:
        with tempfile.TemporaryDirectory(prefix="xuncha-risk-") as tmp:
            return seed_risk(office, villages, tmp, seed=seed, year=year)
    data = write_department_workbooks(folder, units, year=year, seed=seed)
    by_code = {v.code: v for v in villages}
    batches, chosen, skipped = [], 0, 0
    for f in data.files:
        batch, c, s = import_file(office, f, data, year=year, units=by_code)
        batches.append(batch)
        chosen, skipped = chosen + c, skipped + s
    classification = services.classify(by=office, year=year)
    levels = dict(
        Unit.objects.filter(pk__in=[v.pk for v in villages]).values_list("pk", "risk_level")
    )
    for v in villages:
        v.risk_level = levels[v.pk]
    return SeededRisk(batches, chosen, skipped, classification, data)


def import_file(
    office: User, f: DepartmentFile, data: DepartmentData, *, year: int, units: dict[str, Unit]
) -> tuple[ImportBatch, int, int]:
    """One department's workbook through the import service, as the office does it on the
    page: upload, confirm the mapping, resolve the planted rows (the unit chosen from
    ``units`` by code, or skipped with :data:`SKIP_REASON`), import. Returns the batch and
    how many rows were chosen by hand and skipped."""
    batch = importing.stage(by=office, department=f.department, year=year,
                            data=f.path.read_bytes(), name=f.path.name)  # fmt: skip
    _confirm_mapping(office, batch, f.columns)
    chosen = skipped = 0
    for row in importing.preview(batch).pending:
        code = data.resolutions.get((f.path.name, row.row))
        if code is None:
            raise ServiceError(
                f"{f.path.name} 第 {row.row} 行：{row.problem}（演示数据不应如此）。"
            )
        if code:
            importing.resolve(by=office, batch=batch, row=row.row, unit=units[code])
            chosen += 1
        else:
            importing.resolve(by=office, batch=batch, row=row.row, skip_reason=SKIP_REASON)
            skipped += 1
    return importing.commit(by=office, batch=batch), chosen, skipped


def _name(unit: Unit | None) -> str:
    return unit.name if unit is not None else ""


def _confirm_mapping(office: User, batch: ImportBatch, columns: dict[str, str]) -> None:
    """Confirm the proposed mapping, as the user does on the batch page; where it differs
    from what the department's columns mean, the user's correction (as on the page)."""
    proposed = dict(batch.mapping)
    mapping = {label: columns.get(label, role) for label, role in proposed.items()}
    importing.set_mapping(by=office, batch=batch, mapping=mapping)


def refresh_derived(year: int) -> None:
    """The indicators derived from Xuncha's own data (petitions, findings, rounds), once
    the city's rounds are seeded; the shipped model does not weigh them, they fill the
    units' profiles."""
    try:
        from xuncha.risk import derived
    except ImportError:  # pragma: no cover - until the risk app's derived indicators land
        return
    derived.refresh(year)


def summary() -> str:
    """The demo's risk line for `xuncha demo`'s printout: the imports and the counts."""
    from xuncha.risk.models import BatchStatus
    from xuncha.risk.spec import LEVEL_NAMES

    c = Classification.objects.filter(current=True).select_related("model").first()
    if c is None:
        return "   风险研判：尚未研判"
    departments = list(
        ImportBatch.objects.filter(status=BatchStatus.IMPORTED)
        .order_by("pk").values_list("department", flat=True)
    )  # fmt: skip
    counts = "、".join(f"{name} {c.counts.get(level, 0)} 个" for level, name in LEVEL_NAMES.items())
    return (
        f"   风险研判：{'、'.join(departments)}的数据导入后，按「{c.model}」研判 {c.year} 年度"
        f" {c.units} 个村（社区）：{counts}"
    )
