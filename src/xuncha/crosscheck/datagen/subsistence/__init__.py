"""Messy data with ground truth for the 低保/特困 program (program ``subsistence``).

Chenzhou's minimum living allowance and extreme-poverty support lists, 2021-2024: one
row per person per year (the year's total, which varies by family: the allowance tops
a family's income up to the local standard), xlsx workbooks with a sheet per county,
title, unit, 合计 and signature rows, GBK and UTF-8 CSV, a list without a payment date
(its 年度 column says the year), text dates, units in amounts, damaged ID numbers;
and the registers it is checked against: deaths, the public payroll, motor vehicles
(mostly cheap motorbikes and used small cars, some above the limit, some at exactly
the limit) and market entities (legal representatives, shareholders, and supervisors
who are neither).

One row per person-year, not per month: the shared rule ``duplicate_payment`` counts
payments per person and year, so a monthly list would make everyone a duplicate.

``truth.csv`` is computed from true identity with each rule's definition (see
:func:`.truth.truth_rules`), never by running the engine. Damaged IDs are put only on rows of
people who are in no register and paid once in that year, so whether the engine links
such a row or not changes no other rule's truth.
"""

from __future__ import annotations

import gc
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from .model import VEHICLE_LIMIT, Data
from .plant import plant_damage, plant_payees, plant_registers
from .truth import write_truth
from .write import write_payments, write_registers


@dataclass(frozen=True)
class SubsistenceSet:
    out_dir: Path
    inputs: dict[str, list[Path]]
    truth: Path
    counts: dict[str, int]
    params: dict[str, Decimal]

    def files(self) -> dict[str, list[Path]]:
        return self.inputs


def generate_subsistence(out: Path, *, payments: int, seed: int, xlsx: bool) -> SubsistenceSet:
    """Write the data set into ``out``: about ``payments`` payment rows (at least 200)."""
    if payments < 200:
        raise ValueError("payments must be at least 200")
    was = gc.isenabled()
    gc.disable()
    try:
        return _generate(Path(out), payments, seed, xlsx)
    finally:
        if was:
            gc.enable()


def _generate(out: Path, payments: int, seed: int, xlsx: bool) -> SubsistenceSet:
    out.mkdir(parents=True, exist_ok=True)
    data = Data(random.Random(seed))
    plant_payees(data, payments)
    plant_registers(data, max(3, payments // 300))
    plant_damage(data, max(7, payments // 120))
    inputs = {"payments": write_payments(data, out, xlsx)}
    inputs |= write_registers(data, out, xlsx)
    truth = out / "truth.csv"
    counts = write_truth(data, truth)
    return SubsistenceSet(out, inputs, truth, counts, {"vehicle_value_limit": VEHICLE_LIMIT})
