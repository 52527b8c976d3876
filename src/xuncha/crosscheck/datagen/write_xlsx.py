"""Payment workbooks as county offices send them, and the death register workbook.

One sheet per county: an optional empty first row, a merged title row, a unit row, a
one- or two-row header (the two-row one merges 发放情况 over amount and date), data with
blank rows in it, a 合计 row and a 制表人 signature row. Large workbooks are written in
xlsxwriter's constant_memory mode, which cannot merge cells vertically once a row is
done: there the single-column header labels are left unmerged (same cell values).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from .cells import signature, text_cells, title, unit_line
from .layout import FileSpec
from .model import NUMCELL, Row
from .places import COUNTIES
from .render import Picker, amount_text, date_text, excel_serial, id_value
from .truth import TruthLog
from .world import World

MAX_ROWS = 200_000
"""Rows per workbook; a bigger year is split into volumes (第1册, 第2册 …)."""
CONSTANT_MEMORY_FROM = 50_000
CREATED = dt.datetime(2024, 12, 31, 9, 0, 0)
_WIDTHS = {"seq": 6, "name": 10, "id": 22, "bank": 22, "village": 12, "township": 12}


@dataclass
class SheetReport:
    sheet: str
    header_rows: list[int] = field(default_factory=list)
    first_data_row: int = 0
    last_data_row: int = 0
    data_rows: int = 0


class Formats:
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self.title = wb.add_format({"bold": True, "font_size": 14, "align": "center"})
        self.header = wb.add_format(
            {"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": 1}
        )
        self.money = wb.add_format({"num_format": "0.00"})
        self.date = wb.add_format({"num_format": "yyyy-mm-dd"})
        self.date_slash = wb.add_format({"num_format": "yyyy/m/d"})
        self.id_number = wb.add_format({"num_format": "0"})
        self.text = wb.add_format({"num_format": "@"})


def open_workbook(path: Path, rows: int) -> xlsxwriter.Workbook:
    """A workbook whose bytes depend only on its content (fixed creation time)."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": rows > CONSTANT_MEMORY_FROM})
    wb.set_properties({"created": CREATED, "author": "郴州市移民事务中心"})
    return wb


class RowSheet:
    """A sheet filled row after row (``append``, as a write-only sheet of other
    libraries): the other programs' generators write their plain tables with it."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws, self.row = ws, 0

    def append(self, values: Sequence[Any]) -> None:
        self.ws.write_row(self.row, 0, list(values))  # None: an empty cell
        self.row += 1


def row_workbook(path: Path) -> xlsxwriter.Workbook:
    """A workbook for :class:`RowSheet` sheets: constant memory, dates shown as dates,
    text kept as text (never read as a formula or a number), fixed creation time."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                         "default_date_format": "yyyy-mm-dd"})  # fmt: skip
    wb.set_properties({"created": CREATED})
    return wb


def volumes(world: World, spec_index: int) -> list[list[int]]:
    """Counties grouped into workbooks of at most MAX_ROWS rows."""
    groups: list[list[int]] = [[]]
    size = 0
    for county in world.specs[spec_index].counties:
        n = len(world.sheets.get((spec_index, county), ()))
        if not n:
            continue
        if size and size + n > MAX_ROWS:
            groups.append([])
            size = 0
        groups[-1].append(county)
        size += n
    return groups


def write_payment_workbooks(
    world: World, spec_index: int, out_dir: Path, log: TruthLog
) -> list[tuple[str, list[SheetReport]]]:
    spec = world.specs[spec_index]
    groups = volumes(world, spec_index)
    written = []
    for k, counties in enumerate(groups):
        name = (
            spec.name if len(groups) == 1 else spec.name.replace(".xlsx", f"（第{k + 1}册）.xlsx")
        )
        rows = sum(len(world.sheets[(spec_index, c)]) for c in counties)
        wb = open_workbook(out_dir / name, rows)
        fmts = Formats(wb)
        sheet_writer = PaymentSheet(world, spec_index, fmts, log, name)
        reports = [sheet_writer.write(wb, c) for c in counties]
        wb.close()
        written.append((name, reports))
    return written


class PaymentSheet:
    """Writes one county's sheet of a payment workbook."""

    def __init__(
        self, world: World, spec_index: int, fmts: Formats, log: TruthLog, file: str
    ) -> None:
        self.world = world
        self.spec_index = spec_index
        self.spec: FileSpec = world.specs[spec_index]
        self.fmts = fmts
        self.log = log
        self.file = file
        self.fields = [f for f, _ in self.spec.columns]
        self.col = {f: i for i, f in enumerate(self.fields)}
        self.pick_date = Picker(world.rng, self.spec.dates) if self.spec.has_date else None
        self.pick_amount = Picker(world.rng, self.spec.amounts)

    def write(self, wb: xlsxwriter.Workbook, county: int) -> SheetReport:
        name = COUNTIES[county].name
        ws = wb.add_worksheet(name)
        report = SheetReport(name)
        for f, width in _WIDTHS.items():
            if f in self.col:
                ws.set_column(self.col[f], self.col[f], width)
        r = self._top(ws, name, report)
        rows = self.world.sheets[(self.spec_index, county)]
        r = self._data(ws, r, rows, name, report)
        self._bottom(ws, r, rows, county)
        return report

    def _top(self, ws: Worksheet, county: str, report: SheetReport) -> int:
        spec, fmts = self.spec, self.fmts
        r = 1 if spec.empty_first_row else 0
        last = len(self.fields) - 1
        ws.merge_range(r, 0, r, last, title(spec, county), fmts.title)
        ws.merge_range(r + 1, 0, r + 1, last, unit_line(county))
        r += 2
        labels = [h for _, h in spec.columns]
        if not spec.group:
            for c, label in enumerate(labels):
                ws.write_string(r, c, label, fmts.header)
            report.header_rows = [r + 1]
            return r + 1
        self._two_row_header(ws, r, labels)
        report.header_rows = [r + 1, r + 2]
        return r + 2

    def _two_row_header(self, ws: Worksheet, r: int, labels: list[str]) -> None:
        fmts, a, d = self.fmts, self.col["amount"], self.col["date"]
        for c, label in enumerate(labels):
            if c not in (a, d):
                ws.write_string(r, c, label, fmts.header)
        ws.merge_range(r, a, r, d, self.spec.group, fmts.header)
        for c, label in enumerate(labels):
            if c in (a, d):
                ws.write_string(r + 1, c, label, fmts.header)
            else:
                ws.write_blank(r + 1, c, None, fmts.header)
        if not ws.constant_memory:
            for c, label in enumerate(labels):
                if c not in (a, d):
                    ws.merge_range(r, c, r + 1, c, label, fmts.header)

    def _data(self, ws: Worksheet, r: int, rows: list[Row], sheet: str, rep: SheetReport) -> int:
        rng = self.world.rng
        blank_every = max(40, len(rows) // 3) if self.spec.blank_rows else 0
        rep.first_data_row = r + 1
        for seq, row in enumerate(rows, 1):
            if blank_every and (seq == 6 or rng.randrange(blank_every) == 0):
                r += 1  # a blank row left in the list
            cells = text_cells(self.world, row, seq)
            self._row(ws, r, row, cells)
            if row.rid in self.log.hits:
                self.log.add(row, self.file, sheet, r + 1, cells["name"], cells["id"])
            r += 1
        rep.last_data_row = r
        rep.data_rows = len(rows)
        return r

    def _row(self, ws: Worksheet, r: int, row: Row, cells: dict[str, str]) -> None:
        fmts, col = self.fmts, self.col
        ws.write_number(r, col["seq"], int(cells["seq"]))
        for f in ("county", "township", "village", "name", "bank", "note"):
            if f in col and cells[f]:
                ws.write_string(r, col[f], cells[f])
        person = self.world.persons[row.pid]
        if row.idf == NUMCELL:
            ws.write_number(r, col["id"], id_value(row, person), fmts.id_number)
        elif cells["id"]:
            ws.write_string(r, col["id"], cells["id"], fmts.text)
        style = self.pick_amount()
        if style == "num":
            ws.write_number(r, col["amount"], row.amount, fmts.money)
        else:
            ws.write_string(r, col["amount"], amount_text(row.amount, style))
        if self.pick_date is not None:
            self._date(ws, r, row.date, self.pick_date())

    def _date(self, ws: Worksheet, r: int, ordinal: int, style: str) -> None:
        c, fmts = self.col["date"], self.fmts
        if style in ("cell", "cell_slash"):
            fmt = fmts.date if style == "cell" else fmts.date_slash
            ws.write_number(r, c, excel_serial(ordinal), fmt)
        elif style == "serial":
            ws.write_number(r, c, excel_serial(ordinal))
        else:
            ws.write_string(r, c, date_text(ordinal, style))

    def _bottom(self, ws: Worksheet, r: int, rows: list[Row], county: int) -> None:
        """The 合计 row (count and sum), an empty row and the signature row."""
        ws.write_string(r, 0, "合计")
        ws.write_string(r, self.col["name"], f"共{len(rows)}人")
        ws.write_number(r, self.col["amount"], sum(x.amount for x in rows), self.fmts.money)
        ws.write_string(r + 2, 0, signature(self.world, self.spec_index, county))


def write_death_workbook(world: World, path: Path) -> SheetReport:
    """The death register as the civil-affairs bureau exports it: title, header, data."""
    from .write_registers import DEATH_COLUMNS, death_cells

    deaths = world.regs.deaths
    wb = open_workbook(path, len(deaths))
    fmts = Formats(wb)
    ws = wb.add_worksheet("死亡人员")
    ws.merge_range(0, 0, 0, len(DEATH_COLUMNS) - 1, "郴州市死亡人员信息汇总表", fmts.title)
    for c, label in enumerate(DEATH_COLUMNS):
        ws.write_string(1, c, label, fmts.header)
    ws.set_column(3, 3, 22)
    ws.set_column(5, 5, 40)
    pick = Picker(world.rng, (("cell", 16), ("cn", 2), ("serial", 1), ("dot", 1)))
    for i, entry in enumerate(deaths):
        r = entry.row - 1
        values: list[Any] = death_cells(world, entry, i + 1)
        for c, value in enumerate(values):
            if c == 4:
                _register_date(ws, r, c, entry.date, pick(), fmts)
            elif c == 0:
                ws.write_number(r, c, value)
            elif value:
                ws.write_string(r, c, value)
    wb.close()
    return SheetReport("死亡人员", [2], 3, len(deaths) + 2, len(deaths))


def _register_date(ws: Worksheet, r: int, c: int, ordinal: int, style: str, fmts: Formats) -> None:
    if style == "cell":
        ws.write_number(r, c, excel_serial(ordinal), fmts.date)
    elif style == "serial":
        ws.write_number(r, c, excel_serial(ordinal))
    else:
        ws.write_string(r, c, date_text(ordinal, style))
