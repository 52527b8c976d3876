"""Payment lists as CSV: GBK from Excel's "save as CSV", UTF-8 (with or without BOM)
from newer systems. Some carry a title line, blank lines of commas or a 合计 line.

No field ever holds a line break, so a truth row's line number is the physical line.
"""

from __future__ import annotations

import csv
from operator import itemgetter
from pathlib import Path
from typing import Any

from .cells import FIELDS, row_values, title
from .render import Picker, amount_text, date_text
from .truth import TruthLog
from .world import World

_BATCH = 20_000


def write_payment_csv(world: World, spec_index: int, out_dir: Path, log: TruthLog) -> int:
    """Write one CSV payment file; return the line number of its header."""
    spec = world.specs[spec_index]
    fields = [f for f, _ in spec.columns]
    blank = [""] * len(fields)
    head: list[list[str]] = [[title(spec), *blank[1:]]] if spec.title_line else []
    head.append([h for _, h in spec.columns])
    terminator = "\r\n" if spec.encoding == "gbk" else "\n"
    with (out_dir / spec.name).open("w", encoding=spec.encoding, newline="") as fh:
        if spec.quote_all:
            writer = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator=terminator)
        else:
            writer = csv.writer(fh, lineterminator=terminator)
        writer.writerows(head)
        total = _write_rows(world, spec_index, writer, log, len(head))
        if spec.total_line:
            last = list(blank)
            last[0], last[fields.index("amount")] = "合计", f"{total:.2f}"
            writer.writerow(last)
    return len(head)


def _write_rows(world: World, spec_index: int, writer: Any, log: TruthLog, line: int) -> int:
    """Write the data lines (and blank ones); return the sum of the amounts."""
    spec = world.specs[spec_index]
    rnd = world.rng.random
    select = itemgetter(*[FIELDS.index(f) for f, _ in spec.columns])
    dates = Picker(world.rng, spec.dates).table if spec.has_date else [""]
    amounts = Picker(world.rng, spec.amounts).table
    blank = [""] * len(spec.columns)
    lines: list[Any] = []
    seq = total = 0
    for county in spec.counties:
        for row in world.sheets.get((spec_index, county), ()):
            if spec.blank_rows and (seq == 4 or rnd() < 0.006):
                lines.append(blank)
                line += 1
            seq += 1
            line += 1
            style = amounts[int(rnd() * len(amounts))]
            if row.amount >= 1000 and "dec" in amounts:
                style = "dec"  # a big amount gets its thousands separator: 1,200.00
            amount = amount_text(row.amount, style)
            style = dates[int(rnd() * len(dates))]
            values = row_values(
                world, row, seq, amount, date_text(row.date, style) if style else ""
            )
            lines.append(select(values))
            total += row.amount
            if row.rid in log.hits:
                log.add(row, spec.name, "", line, values[4], values[5])
            if len(lines) >= _BATCH:
                writer.writerows(lines)
                lines.clear()
    writer.writerows(lines)
    return total
