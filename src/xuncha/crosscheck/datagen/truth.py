"""The ground truth: which payment rows each rule must flag, computed from true identity.

The rules, exactly as the engine implements them:

* ``deceased_payee``: the payee is in the death register and the payment date is after
  the date of death (date unknown: the payment year is after the year of death);
* ``payroll_payee``: the payee is on the payroll and employed on the payment date,
  start <= date <= end, no end = still employed (date unknown: the whole year);
* ``duplicate_payment``: the person is paid more than once in one calendar year; every
  row of the group;
* ``over_standard``: the person's total for the year exceeds 600; every row of it;
* ``invalid_id``: the ID as written is not a valid number (harmless variants and legacy
  15-digit numbers are valid).

Rows whose ID is empty or 17 digits cannot be linked; they are kept out of the
identity rules, and plant.py makes sure that changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .model import ID_FORM_NAMES, INVALID, UNLINKABLE, DeathEntry, Row, Stint
from .world import World

RULES = ("deceased_payee", "payroll_payee", "duplicate_payment", "over_standard", "invalid_id")
COLUMNS = (
    "rule",
    "file",
    "sheet",
    "row",
    "person_id",
    "name",
    "raw_id",
    "id_form",
    "year",
    "date",
    "amount",
    "register_file",
    "register_sheet",
    "register_row",
)


@dataclass(frozen=True)
class Hit:
    rule: str
    register: DeathEntry | Stint | None = None


def _employed(stint: Stint, row: Row) -> bool:
    lo, hi = row.bounds()
    end = stint.end if stint.end is not None else hi
    return stint.start <= lo and hi <= end


def _register_hits(world: World, row: Row) -> list[Hit]:
    hits = []
    death = world.regs.death_of.get(row.pid)
    if death is not None:
        died = dt.date.fromordinal(death.date)
        if (row.date > death.date) if row.date else (row.year > died.year):
            hits.append(Hit("deceased_payee", death))
    for stint in world.regs.stints_of.get(row.pid, ()):
        if _employed(stint, row):
            hits.append(Hit("payroll_payee", stint))
            break
    return hits


def compute_hits(world: World) -> dict[int, list[Hit]]:
    """rid -> the rules the row is a hit of (rows with no hit are left out)."""
    hits: dict[int, list[Hit]] = {}
    groups: dict[tuple[int, int], list[Row]] = {}
    for rows in world.sheets.values():
        for row in rows:
            if row.idf in INVALID:
                hits.setdefault(row.rid, []).append(Hit("invalid_id"))
                if row.idf in UNLINKABLE:
                    continue
            groups.setdefault((row.pid, row.year), []).append(row)
            if row.pid in world.regs.death_of or row.pid in world.regs.stints_of:
                found = _register_hits(world, row)
                if found:
                    hits.setdefault(row.rid, []).extend(found)
    for group in groups.values():
        if len(group) > 1:
            for row in group:
                hits.setdefault(row.rid, []).append(Hit("duplicate_payment"))
        if group[0].amount > 600 or (len(group) > 1 and sum(r.amount for r in group) > 600):
            for row in group:
                hits.setdefault(row.rid, []).append(Hit("over_standard"))
    _check_unlinkable(world, groups)
    return hits


def _check_unlinkable(world: World, groups: dict[tuple[int, int], list[Row]]) -> None:
    """An unlinkable row must stand alone, or the truth would depend on the engine."""
    for rows in world.sheets.values():
        for row in rows:
            if row.idf in UNLINKABLE and ((row.pid, row.year) in groups or world.regs.has(row.pid)):
                raise RuntimeError(f"unlinkable row {row.rid} is not alone")


class TruthLog:
    """Collects truth rows as the writers place payment rows in files."""

    def __init__(self, world: World, hits: dict[int, list[Hit]]) -> None:
        self.world = world
        self.hits = hits
        self.records: list[tuple[str | int, ...]] = []

    def add(self, row: Row, file: str, sheet: str, line: int, name: str, raw_id: str) -> None:
        """Record the truth rows of one payment row (call only for rows in ``hits``)."""
        person = self.world.persons[row.pid]
        date = dt.date.fromordinal(row.date).isoformat() if row.date else ""
        base = (person.id18, name, raw_id, ID_FORM_NAMES[row.idf], row.year, date, row.amount)
        for hit in self.hits[row.rid]:
            reg = hit.register
            ref = (reg.file, reg.sheet, reg.row) if reg is not None else ("", "", "")
            self.records.append((hit.rule, file, sheet, line, *base, *ref))

    def write(self, path: Path) -> dict[str, int]:
        """Write truth.csv sorted by rule, file, sheet and row; return counts per rule."""
        order = {rule: i for i, rule in enumerate(RULES)}
        self.records.sort(key=lambda r: (order[str(r[0])], r[1], r[2], r[3]))
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(COLUMNS)
            writer.writerows(self.records)
        return {rule: sum(1 for r in self.records if r[0] == rule) for rule in RULES}
