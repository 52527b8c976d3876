"""Messy payment data with ground truth: the reservoir-resettlement direct subsidy.

水库移民直补资金 (600 yuan per person per year) in Chenzhou, 2019-2024: payment lists
from county offices in xlsx and CSV (GBK and UTF-8), a death register and a payroll
register, with every mess DESIGN.md lists, and ``truth.csv`` naming each payment row a
correct engine must flag, rule by rule. The same seed always gives the same bytes.

The engine is tested against this truth, so the generator only plants what the rules
define unambiguously (see :mod:`.truth` for the rules and :mod:`.plant` for how damaged
IDs stay linkable).
"""

from __future__ import annotations

import gc
import json
import random
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .layout import csv_layout, xlsx_layout
from .model import ID_FORM_NAMES, STANDARD, Row
from .plant import Damager, plant_duplicates, plant_over
from .population import build_payees
from .registers import (
    fill_deaths,
    fill_payroll,
    plant_deceased,
    plant_legit_deaths,
    plant_namesakes,
    plant_payroll,
    plant_payroll_near,
)
from .truth import RULES, TruthLog, compute_hits
from .world import World
from .write_csv import write_payment_csv
from .write_registers import lay_out, write_death_csv, write_payroll_csv
from .write_xlsx import write_death_workbook, write_payment_workbooks

__all__ = ["RULES", "DatagenConfig", "GeneratedSet", "generate"]


@dataclass(frozen=True)
class DatagenConfig:
    payments: int = 5000  # total payment rows across all payment files (approx, ±5%)
    seed: int = 20231001
    xlsx: bool = True  # False => CSV only (the 2,000,000-row benchmark uses CSV only)
    deaths: int | None = None  # death register rows; default about payments/4
    payroll: int | None = None  # payroll register rows; default about payments/6
    hit_rate: float = 0.03  # rough share of payment rows that are true hits of some rule


@dataclass(frozen=True)
class GeneratedSet:
    out_dir: Path
    payments: list[Path]
    deaths: list[Path]
    payroll: list[Path]
    truth: Path  # truth.csv
    standard: int  # 600
    counts: dict[str, int] = field(default_factory=dict)  # truth rows per rule

    def files(self) -> dict[str, list[Path]]:
        """The input files by dataset kind, as the workbench uploads them."""
        return {"payments": self.payments, "deaths": self.deaths, "payroll": self.payroll}

    @property
    def params(self) -> dict[str, int]:
        """The rule parameters the data were made for."""
        return {"standard": self.standard}


@dataclass(frozen=True)
class Plan:
    """How many of each planted case; small sets still get every rule."""

    deceased: int
    payroll: int
    duplicates: int
    over: int
    damaged: int
    legit_deaths: int
    payroll_near: int
    namesakes: int


def plan(config: DatagenConfig, payees: int) -> Plan:
    hits = config.hit_rate * config.payments
    cap = max(1, payees // 12)

    def n(share: float, least: int) -> int:
        return min(cap, max(least, round(hits * share)))

    return Plan(
        deceased=n(0.1, 3),
        payroll=n(0.1, 3),
        duplicates=n(0.12, 3),
        over=n(0.08, 2),
        damaged=n(0.3, 12),
        legit_deaths=n(0.1, 3),
        payroll_near=n(0.06, 2),
        namesakes=n(0.08, 4),
    )


def build(config: DatagenConfig) -> World:
    """Everyone, every payment row and both registers, with all cases planted."""
    if config.payments < 200:
        raise ValueError("payments must be at least 200")
    specs = xlsx_layout() if config.xlsx else csv_layout()
    world = World(rng=random.Random(config.seed), specs=specs)
    extra = round(config.payments * config.hit_rate * 0.12)  # rows added by duplicates
    payees = build_payees(world, config.payments - extra)
    p = plan(config, len(payees))
    kinds: dict[str, list[Row]] = {}
    for (spec, _), rows in world.sheets.items():
        kinds.setdefault(specs[spec].kind, []).extend(rows)
    order = [k for k in ("xlsx", "gbk", "utf8") if k in kinds]
    plant_deceased(world, payees, p.deceased, order)
    plant_legit_deaths(world, payees, p.legit_deaths)
    plant_payroll(world, payees, p.payroll, order)
    plant_payroll_near(world, payees, p.payroll_near)
    plant_namesakes(world, payees, p.namesakes)
    plant_duplicates(world, kinds, p.duplicates)
    plant_over(world, kinds, p.over)
    fill_deaths(world, config.deaths if config.deaths is not None else config.payments // 4)
    fill_payroll(world, config.payroll if config.payroll is not None else config.payments // 6)
    Damager(world).plant(kinds, p.damaged)
    return world


def generate_program(out_dir: Path, *, payments: int, seed: int, xlsx: bool) -> GeneratedSet:
    """The reservoir program's generator, as :meth:`..programs.Program.generate` calls it."""
    return generate(out_dir, DatagenConfig(payments=payments, seed=seed, xlsx=xlsx))


def generate(out_dir: Path, config: DatagenConfig = DatagenConfig()) -> GeneratedSet:
    """Write the data set into ``out_dir`` (created if needed) and return what was written.

    The cyclic garbage collector is paused meanwhile: the generator makes millions of
    small objects and no cycles, and the collector's passes over them would otherwise
    take a third of the time of the large benchmark.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _generate(Path(out_dir), config)
    finally:
        if was_enabled:
            gc.enable()


def _generate(out_dir: Path, config: DatagenConfig) -> GeneratedSet:
    out_dir.mkdir(parents=True, exist_ok=True)
    world = build(config)
    reg_files = lay_out(world, config.xlsx)
    log = TruthLog(world, compute_hits(world))
    files: list[dict[str, Any]] = []
    payments: list[Path] = []
    for i, spec in enumerate(world.specs):
        if spec.fmt == "xlsx":
            for name, sheets in write_payment_workbooks(world, i, out_dir, log):
                payments.append(out_dir / name)
                files.append(_file_entry(name, "payments", spec.fmt, "", spec.year, spec.has_date))
                files[-1]["sheets"] = [asdict(s) for s in sheets]
        else:
            header = write_payment_csv(world, i, out_dir, log)
            payments.append(out_dir / spec.name)
            files.append(_csv_entry(world, i, header))
    deaths = out_dir / reg_files.deaths
    if reg_files.deaths_xlsx:
        sheet = write_death_workbook(world, deaths)
        files.append(_file_entry(deaths.name, "deaths", "xlsx", "", None, True))
        files[-1]["sheets"] = [asdict(sheet)]
    else:
        write_death_csv(world, deaths)
        files.append(_register_csv_entry(deaths.name, "deaths", "gbk", len(world.regs.deaths)))
    payroll = out_dir / reg_files.payroll
    write_payroll_csv(world, payroll, reg_files.payroll_encoding)
    files.append(
        _register_csv_entry(
            payroll.name, "payroll", reg_files.payroll_encoding, len(world.regs.stints)
        )
    )
    truth = out_dir / "truth.csv"
    counts = log.write(truth)
    _write_manifest(out_dir, config, world, log, counts, files)
    return GeneratedSet(out_dir, payments, [deaths], [payroll], truth, STANDARD, counts)


def _file_entry(
    name: str, role: str, fmt: str, encoding: str, year: int | None, has_date: bool
) -> dict[str, Any]:
    return {
        "file": name,
        "role": role,
        "format": fmt,
        "encoding": encoding,
        "year": year,
        "has_date": has_date,
    }


def _csv_entry(world: World, spec_index: int, header: int) -> dict[str, Any]:
    spec = world.specs[spec_index]
    n = sum(len(world.sheets.get((spec_index, c), ())) for c in spec.counties)
    entry = _file_entry(spec.name, "payments", "csv", spec.encoding, spec.year, spec.has_date)
    entry["sheets"] = [{"sheet": "", "header_rows": [header], "data_rows": n}]
    return entry


def _register_csv_entry(name: str, role: str, encoding: str, n: int) -> dict[str, Any]:
    entry = _file_entry(name, role, "csv", encoding, None, True)
    entry["sheets"] = [{"sheet": "", "header_rows": [1], "data_rows": n}]
    return entry


def _write_manifest(
    out_dir: Path,
    config: DatagenConfig,
    world: World,
    log: TruthLog,
    counts: dict[str, int],
    files: list[dict[str, Any]],
) -> None:
    """datagen.json: the config, what was planted, truth counts and the files."""
    rows = [r for sheet in world.sheets.values() for r in sheet]
    forms = Counter(ID_FORM_NAMES[r.idf] for r in rows)
    manifest = {
        "config": asdict(config),
        "standard": STANDARD,
        "counts": {
            "payment_rows": len(rows),
            "death_rows": len(world.regs.deaths),
            "payroll_rows": len(world.regs.stints),
            "people": len(world.persons),
            "hit_rows": len(log.hits),
            "truth_rows": sum(counts.values()),
            "rules": counts,
        },
        "id_forms": {name: forms[name] for name in ID_FORM_NAMES},
        "planted": dict(sorted(world.stats.items())),
        "files": files,
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2)
    (out_dir / "datagen.json").write_text(text + "\n", encoding="utf-8")
