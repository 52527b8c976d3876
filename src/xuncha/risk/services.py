"""Writes of the risk app: the shipped catalogue and model, model versions, classification
(bulk: every unit of the model's kinds at once) and the office's overrides.

A unit's stored ``Unit.risk_level`` is always its effective level: the office's override if
there is one, else the level of the current classification.
"""

from __future__ import annotations

import json
from typing import cast

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, Max
from django.db.models.functions import Coalesce

from xuncha.accounts.access import allowed
from xuncha.accounts.models import User
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.units.models import RiskLevel, Unit

from .engine import Result, classify_arrays
from .models import (
    Classification,
    Indicator,
    IndicatorValue,
    LevelOverride,
    RiskModel,
    UnitLevel,
)  # fmt: skip
from .spec import (
    LEVEL_NAMES,
    LEVELS,
    Spec,
    SpecError,
    parse_spec,
    shipped_catalogue,
    shipped_model_text,
)

BATCH = 5000


def _office(by: User | None) -> None:
    """The office manages the model and the levels; ``by=None`` is the system (demo, CLI)."""
    if by is not None and not allowed(by, "risk.manage"):
        raise PermissionDenied("只有巡察办可以管理风险模型和研判等级。")


def _reason(reason: str, what: str) -> str:
    if not reason or not reason.strip():
        raise ServiceError(f"请填写{what}的理由。")
    return reason.strip()


def known_indicators() -> dict[str, str]:
    """The catalogue in the database: code -> direction (what :func:`parse_spec` checks)."""
    return dict(Indicator.objects.values_list("code", "direction"))


def install_catalogue() -> None:
    """The shipped indicators missing from the catalogue (existing ones are left as the
    office has them)."""
    for d in shipped_catalogue():
        Indicator.objects.get_or_create(
            code=d["code"],
            defaults=dict(
                name=d["name"], unit_label=d.get("unit", ""), direction=d["direction"],
                source=d["source"], department=d.get("department", ""),
                description=d.get("description", ""),
            ),
        )  # fmt: skip


@transaction.atomic
def install_shipped(by: User | None = None) -> RiskModel:
    """The shipped indicator catalogue and the shipped model (version 1, active if no model
    is). Running it again adds what is missing and changes nothing else."""
    _office(by)
    install_catalogue()
    spec = parse_spec(shipped_model_text(), known_indicators())
    model = RiskModel.objects.filter(name=spec.name).order_by("version").first()
    if model is None:
        model = RiskModel.objects.create(
            name=spec.name, version=1, spec=spec.to_json(), note="随系统提供", created_by=by,
            active=not RiskModel.objects.filter(active=True).exists(),
        )  # fmt: skip
    return model


def model_new_version(*, by: User | None, model: RiskModel, spec_text: str, note: str) -> RiskModel:
    """A new version of ``model`` from TOML (checked whole; a SpecError's message is the
    user's). The old versions and their classifications stay as they were; the new one is
    not active until :func:`model_activate`."""
    _office(by)
    note = _reason(note, "模型变更")
    try:
        spec = parse_spec(spec_text, known_indicators())
    except SpecError as err:
        raise ServiceError(f"模型定义有误：{err}") from err
    with transaction.atomic():
        top = RiskModel.objects.select_for_update().filter(name=model.name).aggregate(
            v=Max("version")
        )["v"]  # fmt: skip
        return RiskModel.objects.create(
            name=model.name, version=(top or 0) + 1, spec=spec.to_json(), note=note[:300],
            created_by=by,
        )  # fmt: skip


@transaction.atomic
def model_activate(*, by: User | None, model: RiskModel) -> RiskModel:
    _office(by)
    RiskModel.objects.filter(active=True).exclude(pk=model.pk).update(active=False)
    if not model.active:
        model.active = True
        model.save(update_fields=["active", "updated_at"])
    return model


# Classification ---------------------------------------------------------------------


def _read_values(spec: Spec, year: int, unit_ids: np.ndarray) -> dict[str, np.ndarray]:
    """Indicator values of ``year`` as arrays aligned with the sorted ``unit_ids``."""
    ids = dict(Indicator.objects.filter(code__in=spec.codes).values_list("pk", "code"))
    sql, params = (
        IndicatorValue.objects.filter(year=year, indicator_id__in=list(ids))
        .values_list("unit_id", "indicator_id", "value").query.sql_with_params()
    )  # fmt: skip
    with connection.cursor() as cursor:  # plain rows: no model layer over 600,000 of them
        cursor.execute(sql, params)
        data = np.array(cursor.fetchall(), dtype=np.float64).reshape(-1, 3)
    values = {code: np.full(len(unit_ids), np.nan) for code in spec.codes}
    if not len(data):
        return values
    units = data[:, 0].astype(np.int64)
    pos = np.minimum(np.searchsorted(unit_ids, units), len(unit_ids) - 1)
    data = data[unit_ids[pos] == units]  # units of other kinds are not classified
    pos = pos[unit_ids[pos] == units]
    for pk, code in ids.items():
        sel = data[:, 1] == pk
        values[code][pos[sel]] = data[sel, 2]
    return values


def _unit_levels(c: Classification, unit_ids: np.ndarray, res: Result, spec: Spec) -> None:
    """Every unit's row: one COPY on PostgreSQL, one prepared INSERT run over all rows
    (executemany) on SQLite; the ORM's bulk_create spent most of its time compiling each
    batch's SQL."""
    codes = res.codes
    names = np.asarray(LEVELS, dtype=object)[res.levels].tolist()
    reasons = [r.reason for r in spec.must]
    contrib = res.contributions.tolist()
    missing_any = cast(list[bool], np.any(res.missing, axis=1).tolist())
    raised_any = cast(list[bool], np.any(res.raised, axis=1).tolist())
    scores = res.scores.tolist()
    elevated = res.elevated.tolist()
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    empty = dumps([])

    def row(i: int, pk: int) -> tuple[int | float | str | bool, ...]:
        why = [reasons[j] for j in np.flatnonzero(res.raised[i])] if raised_any[i] else []
        gaps = [codes[j] for j in np.flatnonzero(res.missing[i])] if missing_any[i] else []
        return (c.pk, pk, scores[i], names[i], dumps(dict(zip(codes, contrib[i], strict=True))),
                dumps(why) if why else empty, dumps(gaps) if gaps else empty, elevated[i])  # fmt: skip

    table = connection.ops.quote_name(UnitLevel._meta.db_table)
    columns = "classification_id, unit_id, score, level, contributions, reasons, missing, elevated"
    ids = unit_ids.tolist()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # COPY: one stream, no statement per row
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for i, pk in enumerate(ids):
                    copy.write_row(row(i, pk))
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
        for start in range(0, len(ids), BATCH):
            cursor.executemany(
                sql, [row(i, ids[i]) for i in range(start, min(start + BATCH, len(ids)))]
            )


def effective_counts(c: Classification) -> dict[str, int]:
    """Units per effective level (override, else the model's) in a classification."""
    rows = (
        UnitLevel.objects.filter(classification=c)
        .annotate(effective=Coalesce("unit__risk_override__level", "level"))
        .values("effective").annotate(n=Count("pk")).values_list("effective", "n")
    )  # fmt: skip
    counts = dict.fromkeys(LEVELS, 0) | dict(rows)
    return {lv: counts[lv] for lv in LEVELS}


def _apply_levels(c: Classification) -> None:
    """Unit.risk_level := override, else this classification's level: one UPDATE joined to
    the classification's rows (only units whose level changes are written), one per level
    for the overrides."""
    unit = connection.ops.quote_name(Unit._meta.db_table)
    rows = connection.ops.quote_name(UnitLevel._meta.db_table)
    override = connection.ops.quote_name(LevelOverride._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {unit} SET risk_level = ul.level FROM {rows} ul "
            f"WHERE ul.unit_id = {unit}.id AND ul.classification_id = %s "
            f"AND {unit}.risk_level <> ul.level "
            f"AND NOT EXISTS (SELECT 1 FROM {override} o WHERE o.unit_id = {unit}.id)",
            [c.pk],
        )
    for lv in LEVELS:
        Unit.objects.filter(risk_override__level=lv).exclude(risk_level=lv).update(risk_level=lv)


def classify(*, by: User | None, year: int, model: RiskModel | None = None) -> Classification:
    """Classify every unit of the model's kinds (the active model by default) on the
    indicator values of ``year``; the result becomes the current classification and each
    unit's stored level its effective level (overrides are kept and win)."""
    _office(by)
    model = model or RiskModel.objects.filter(active=True).first()
    if model is None:
        raise ServiceError("还没有启用的风险模型：请先安装随系统提供的模型或启用一个版本。")
    spec = Spec.from_json(model.spec)
    unit_ids = np.array(
        Unit.objects.filter(kind__in=spec.kinds).order_by("pk").values_list("pk", flat=True),
        dtype=np.int64,
    )
    if not len(unit_ids):
        raise ServiceError(f"没有「{model.name}」研判的单位类型（{'、'.join(spec.kinds)}）的单位。")
    values = _read_values(spec, year, unit_ids)
    if all(np.isnan(v).all() for v in values.values()):
        raise ServiceError(f"{year} 年度还没有本模型任何指标的数值：请先导入部门数据或推算指标。")
    res = classify_arrays(spec, values, n=len(unit_ids))
    with transaction.atomic():
        Classification.objects.filter(current=True).update(current=False)
        c = Classification.objects.create(
            model=model, year=year, by=by, units=len(unit_ids), current=True
        )
        _unit_levels(c, unit_ids, res, spec)
        _apply_levels(c)
        c.counts = effective_counts(c)
        c.save(update_fields=["counts", "updated_at"])
    return c


# Overrides --------------------------------------------------------------------------


def _model_level(unit: Unit) -> str | None:
    return (
        UnitLevel.objects.filter(classification__current=True, unit=unit)
        .values_list("level", flat=True).first()
    )  # fmt: skip


def _recount_current() -> None:
    c = Classification.objects.filter(current=True).first()
    if c is not None:
        c.counts = effective_counts(c)
        c.save(update_fields=["counts", "updated_at"])


@transaction.atomic
def override(*, by: User, unit: Unit, level: str, reason: str) -> LevelOverride:
    """Set the office's level for a unit, over the model's (a second override replaces the
    first; both stay in the history)."""
    _office(by)
    reason = _reason(reason, "调整等级")
    if level not in LEVELS:
        raise ServiceError(f"未知的等级「{level}」，可选：{'、'.join(LEVEL_NAMES.values())}。")
    o = LevelOverride.objects.select_for_update().filter(unit=unit).first()
    if o is None:
        if _model_level(unit) == level:  # the form opens at the unit's level: unchanged
            raise ServiceError(
                f"「{unit.name}」按模型研判已是{RiskLevel(level).label}，无需人工调整；"
                "请选择要调整成的等级。"
            )
        o = LevelOverride(unit=unit)
    elif o.level == level:
        raise ServiceError(f"「{unit.name}」已调整为{RiskLevel(level).label}。")
    o.level, o.reason, o.by = level, reason[:500], by
    o._history_user = by  # type: ignore[attr-defined]
    o._change_reason = reason[:100]  # type: ignore[attr-defined]
    o.save()
    Unit.objects.filter(pk=unit.pk).update(risk_level=level)
    unit.risk_level = level
    _recount_current()
    return o


@transaction.atomic
def override_withdraw(*, by: User, unit: Unit, reason: str) -> None:
    """Withdraw the office's level: the unit goes back to the current classification's
    level (or keeps its stored level if no classification covers it)."""
    _office(by)
    reason = _reason(reason, "撤销调整")
    o = LevelOverride.objects.select_for_update().filter(unit=unit).first()
    if o is None:
        raise ServiceError(f"「{unit.name}」的等级没有人工调整，无需撤销。")
    o._history_user = by  # type: ignore[attr-defined]
    o._change_reason = reason[:100]  # type: ignore[attr-defined]
    o.delete()
    level = _model_level(unit)
    if level is not None:
        Unit.objects.filter(pk=unit.pk).update(risk_level=level)
        unit.risk_level = level
    _recount_current()
