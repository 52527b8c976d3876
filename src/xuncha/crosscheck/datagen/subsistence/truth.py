"""truth.csv: the rows each rule must flag, from true identity and each rule's definition."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from ..model import (
    CLEAN,
)
from .model import NOT_HOLDERS, RULES, UNLINKABLE, VEHICLE_LIMIT, Data, Pay


def truth_rules(data: Data, row: Pay) -> list[str]:
    """The register rules ``row`` is a hit of, by each rule's definition: a register
    row held on the payment date (registered on or before it, not ended before it), or,
    with no date, the whole payment year; a death before the date (or a year before)."""
    lo, hi = row.bounds()
    found = []
    for kind, rule in (("deaths", "deceased_payee"), ("payroll", "payroll_payee"),
                       ("vehicles", "vehicle_owner"), ("companies", "company_holder")):  # fmt: skip
        for e in data.regs_of.get((kind, row.pid), ()):
            if kind == "deaths":
                hit = lo > e.start if row.date else row.year > dt.date.fromordinal(e.start).year
            else:
                hit = e.start <= lo and (e.end is None or e.end >= hi)
                if kind == "vehicles":
                    hit = hit and e.value > VEHICLE_LIMIT
                if kind == "companies":
                    hit = hit and e.position not in NOT_HOLDERS
            if hit:
                found.append(rule)
                break
    return found


def write_truth(data: Data, path: Path) -> dict[str, int]:
    for kind, entries in data.regs.items():
        for e in entries:
            data.regs_of.setdefault((kind, e.pid), []).append(e)
    records: list[tuple[str, str, str, int, str]] = []
    groups: dict[tuple[int, int], list[Pay]] = {}
    for row in data.rows:
        file, sheet, line = row.loc
        id18 = data.people[row.pid].id18
        if row.idf != CLEAN:
            records.append(("invalid_id", file, sheet, line, id18))
            if row.idf in UNLINKABLE:
                continue
        groups.setdefault((row.pid, row.year), []).append(row)
        if row.pid in data.registered:
            records.extend((rule, file, sheet, line, id18) for rule in truth_rules(data, row))
    for group in groups.values():
        if len(group) > 1:
            records.extend(("duplicate_payment", *r.loc, data.people[r.pid].id18) for r in group)
    order = {rule: i for i, rule in enumerate(RULES)}
    records.sort(key=lambda r: (order[r[0]], r[1], r[2], r[3]))
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(("rule", "file", "sheet", "row", "person_id"))
        writer.writerows(records)
    return {rule: sum(1 for r in records if r[0] == rule) for rule in RULES}
