"""Classification, vectorised: every unit's score, level and why, from arrays of values.

The engine knows nothing of the database: ``values`` maps each indicator code to a float
array over the units (NaN where a unit has no value). :mod:`xuncha.risk.services` reads
the values, calls :func:`classify_arrays` and writes the result in bulk.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .spec import LEVELS, Rule, Spec, SpecIndicator

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt,
    "==": operator.eq, "!=": operator.ne,
}  # fmt: skip


def rule_holds(rule: Rule, value: float) -> bool:
    """The rule's condition on one value (a missing value never satisfies a rule)."""
    return value == value and bool(_OPS[rule.op](value, rule.value))


def _holds(rule: Rule, x: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.asarray(_OPS[rule.op](x, rule.value), dtype=bool) & ~np.isnan(x)


@dataclass
class Result:
    """Per unit (rows, in the order of the input arrays)."""

    codes: list[str]  # the model's indicators, the columns of ``contributions``/``missing``
    scores: np.ndarray  # float64, 0–100: the sum of the row's contributions
    score_levels: np.ndarray  # int8 index into LEVELS, from the score alone
    levels: np.ndarray  # int8 index into LEVELS, after the must-rules
    contributions: np.ndarray  # float64 (n, k): weight × normalised value × 100
    missing: np.ndarray  # bool (n, k)
    raised: np.ndarray  # bool (n, m): must-rule j raised row i's level
    elevated: np.ndarray  # bool: an elevation rule holds at the model's level

    @property
    def level_names(self) -> np.ndarray:
        return np.asarray(LEVELS, dtype=object)[self.levels]

    def counts(self) -> dict[str, int]:
        n = np.bincount(self.levels, minlength=len(LEVELS))
        return {lv: int(n[i]) for i, lv in enumerate(LEVELS)}


def normalise(ind: SpecIndicator, x: np.ndarray) -> np.ndarray:
    """0–1 with 1 the most risk; NaN stays NaN (missing is filled by :func:`_fill`)."""
    present = ~np.isnan(x)
    out = np.full(x.shape, np.nan)
    if ind.normalise == "fixed":
        assert ind.lo is not None and ind.hi is not None
        out = np.clip((x - ind.lo) / (ind.hi - ind.lo), 0.0, 1.0)
    elif ind.normalise == "minmax" and present.any():
        lo, hi = np.nanmin(x), np.nanmax(x)
        out[present] = (x[present] - lo) / (hi - lo) if hi > lo else 0.0
    elif ind.normalise == "rank" and present.any():
        v = x[present]
        _uniq, inverse, counts = np.unique(v, return_inverse=True, return_counts=True)
        start = np.cumsum(counts) - counts
        avg = start + (counts - 1) / 2.0  # ties share their average rank
        out[present] = avg[inverse] / (len(v) - 1) if len(v) > 1 else 0.0
    if ind.direction == "lower":
        out = 1.0 - out
    return out


def _fill(ind: SpecIndicator, norm: np.ndarray, missing: np.ndarray) -> np.ndarray:
    if not missing.any():
        return norm
    if ind.missing == "worst":
        fill = 1.0
    elif ind.missing == "median" and not missing.all():
        fill = float(np.median(norm[~missing]))
    else:
        fill = 0.0
    return np.where(missing, fill, norm)


def classify_arrays(spec: Spec, values: Mapping[str, np.ndarray], n: int | None = None) -> Result:
    """Score and level every row. An indicator absent from ``values`` is missing for all."""
    if n is None:
        n = len(next(iter(values.values()))) if values else 0
    codes = spec.codes
    contributions = np.empty((n, len(codes)))
    missing = np.empty((n, len(codes)), dtype=bool)
    raw: dict[str, np.ndarray] = {}
    for j, ind in enumerate(spec.indicators):
        x = np.asarray(values.get(ind.code, np.full(n, np.nan)), dtype=np.float64)
        raw[ind.code] = x
        missing[:, j] = np.isnan(x)
        contributions[:, j] = _fill(ind, normalise(ind, x), missing[:, j]) * ind.weight * 100.0
    # Four decimals are what a page shows and what is stored; the score is their sum, so
    # the stored contributions add up to the stored score and the level follows from it.
    contributions = np.round(contributions, 4)
    scores = contributions.sum(axis=1)
    score_levels = (scores >= spec.watch).astype(np.int8) + (scores >= spec.high).astype(np.int8)
    levels = score_levels.copy()
    raised = np.zeros((n, len(spec.must)), dtype=bool)
    for j, rule in enumerate(spec.must):
        floor = np.int8(LEVELS.index(rule.at_least))
        hit = _holds(rule, raw[rule.indicator]) & (score_levels < floor)
        raised[:, j] = hit
        levels = np.where(hit, np.maximum(levels, floor), levels).astype(np.int8)
    elevated = np.zeros(n, dtype=bool)
    for rule in spec.elevate:
        elevated |= (levels >= LEVELS.index(rule.level)) & _holds(rule, raw[rule.indicator])
    return Result(codes, scores, score_levels, levels, contributions, missing, raised, elevated)


def classify_loop(spec: Spec, rows: list[dict[str, float]]) -> list[tuple[float, str]]:
    """The same model, one unit at a time in plain Python (fixed normalisation only): the
    baseline bench/bench_classify.py times the vectorised engine against."""
    out = []
    for row in rows:
        score = 0.0
        for ind in spec.indicators:
            v = row.get(ind.code)
            if v is None or v != v:
                norm = 1.0 if ind.missing == "worst" else 0.0
            else:
                assert ind.lo is not None and ind.hi is not None
                norm = min(1.0, max(0.0, (v - ind.lo) / (ind.hi - ind.lo)))
                norm = 1.0 - norm if ind.direction == "lower" else norm
            score += ind.weight * norm * 100.0
        level = 2 if score >= spec.high else 1 if score >= spec.watch else 0
        for rule in spec.must:
            v = row.get(rule.indicator)
            if v is not None and rule_holds(rule, v):
                level = max(level, LEVELS.index(rule.at_least))
        out.append((score, LEVELS[level]))
    return out
