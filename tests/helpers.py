"""Helpers for building small, deliberately messy input files and reading them back."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import duckdb

from xuncha.crosscheck.ingest import Mapping, SourceReport, create_raw_table, load_source


def write_csv(path: Path, lines: Sequence[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def write_xlsx(path: Path, sheets: dict[str, Callable[[Any, Any], None]]) -> Path:
    """Each sheet is built by a function (workbook, worksheet) -> None."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    for name, build in sheets.items():
        build(wb, wb.add_worksheet(name))
    wb.close()
    return path


def load(path: Path, dataset: str = "payments", mapping: Mapping | None = None):
    """Ingest one file; return its report and its raw rows (sheet, row, kind, cells…)."""
    con = duckdb.connect()
    create_raw_table(con)
    report = SourceReport(src=1, path=str(path), file=path.name, dataset=dataset)
    load_source(con, report, mapping or Mapping(), path.parent)
    rows = con.execute(
        "SELECT sheet, row_no, kind, name, id_number, amount, payment_date, county "
        "FROM raw ORDER BY sheet, row_no"
    ).fetchall()
    return report, rows
