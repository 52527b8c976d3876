"""CSV files into ``raw``, every line accounted for.

DuckDB reads the file in strict mode; an as-of join puts each record on the physical
line a user sees in a text editor (DuckDB drops empty lines, which the scan noted).
A file DuckDB refuses (a malformed quote, mixed line endings, a row wider than the
first ones) or whose records do not fill its lines (quoted cells spanning lines) is
mended line by line (:func:`.records.mend`: a stray quote becomes a plain character,
reported with its line) into a copy DuckDB then reads the same way. Either way the
lines balance: those before the data, one row per record, and the further lines of
cells that hold line breaks (``SheetReport.lines``).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import duckdb
import pyarrow as pa

from ..roles import HeaderLayout
from .records import REPAIRED, mend, read_records
from .rows import insert_blank_lines, insert_rows, sql_str
from .sources import (
    Mapping,
    SheetReport,
    SourceReport,
    layout_of,
    no_header,
    record_layout,
    require_columns,
    table_width,
)
from .text import (
    MAX_LINE_BYTES,
    SAMPLE_BYTES,
    TextScan,
    check_encoding,
    encoding_label,
    sniff_csv,
)


@dataclass
class _Table:
    """Where a CSV's data is and how it is laid out."""

    path: Path
    delim: str
    header_end: int  # the physical line the header ends on
    sample_width: int  # cells in the widest of the first records
    layout: HeaderLayout

    @property
    def width(self) -> int:
        """The columns read (:func:`table_width`)."""
        return table_width(self.layout, max(self.sample_width, len(self.layout.headers)))

    @property
    def declared(self) -> int:
        """The columns DuckDB is told of (strict, it refuses a wider row)."""
        return max(self.width, self.sample_width)

    @property
    def full(self) -> int:
        """Cells in a whole row: up to the header's last named cell."""
        named = [i for i, h in enumerate(self.layout.headers) if str(h or "").strip()]
        return max(named, default=0) + 1


def load_csv(
    con: duckdb.DuckDBPyConnection,
    report: SourceReport,
    mapping: Mapping,
    scan: TextScan,
    workdir: Path | None = None,
) -> None:
    """Read one CSV into ``raw``; ``workdir`` holds the mended copy if one is needed
    (without it, a file DuckDB refuses is read by Python alone, more slowly)."""
    report.kind, report.encoding = "csv", encoding_label(scan.encoding)
    path = scan.utf8_path
    assert path is not None, "transcode() first"
    try:
        with path.open("r", encoding="utf-8-sig", newline="\n") as f:
            text = f.read(SAMPLE_BYTES)
    except UnicodeDecodeError:
        check_encoding(path, report.file, scan.encoding)
        raise
    delim, records, ends = sniff_csv(text, report.file)
    sheet = SheetReport(sheet="")
    report.sheets.append(sheet)
    layout = layout_of([list(r) for r in records], mapping, report.file, report.dataset)
    if layout is None:
        raise no_header(report.file, "", report.dataset)
    header_end = ends[layout.header_rows[-1]]  # the physical line the header ends on
    require_columns(layout, report.file, "", header_end, report.dataset)
    record_layout(sheet, layout, report.file, [list(r) for r in records])
    table = _Table(path, delim, header_end, max((len(r) for r in records), default=1), layout)
    blanks = [b for b in scan.blank_lines if b > header_end]
    shifts = {b - header_end - i: i + 1 for i, b in enumerate(blanks)}
    expected = scan.lines - header_end - len(blanks)
    if _read(con, report, sheet, table, path, header_end, shifts, expected):
        insert_blank_lines(con, report, sheet, blanks)
        sheet.lines = _account(scan.lines, header_end, expected + len(blanks), 0)
        return
    # A file DuckDB refused may hold bytes that are not UTF-8: say where. Else mend it.
    if not scan.validated:
        check_encoding(path, report.file, scan.encoding)
    if workdir is None or not _insert_mended(con, report, sheet, table, scan.lines, workdir):
        _insert_exact(con, report, sheet, table, scan.lines)


def _read(
    con: duckdb.DuckDBPyConnection,
    report: SourceReport,
    sheet: SheetReport,
    table: _Table,
    path: Path,
    skip: int,
    shifts: dict[int, int],
    expected: int,
    parallel: bool = True,
) -> bool:
    """Whether DuckDB read ``path`` (after ``skip`` lines) into ``expected`` records,
    inserted with their physical line numbers; if not, nothing of it is left in ``raw``.

    DuckDB reads in strict mode: a malformed quote, a row wider than the first records
    or mixed line endings make it fail (its lenient mode would join lines at a stray
    quote without a word).

    Record k (1-based after the header) is on line header_end + k + s, where s counts the
    lines before it that are no record of their own (empty lines DuckDB drops, further
    lines of cells with line breaks): ``shifts`` maps the first record each count
    applies to to the count, and an as-of join on that threshold gives s.
    """
    header_end = table.header_end
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(table.declared)) + "}"
    relation = f"""(SELECT *, row_number() OVER () AS _rec FROM read_csv({sql_str(str(path))},
        header=false, skip={skip}, columns={columns}, delim={sql_str(table.delim)},
        quote='"', escape='"', auto_detect=false, null_padding=true, strict_mode=true,
        parallel={str(parallel).lower()}, max_line_size={MAX_LINE_BYTES}, encoding='utf-8'))"""
    line = f"_rec + {header_end}"
    try:
        if shifts:  # (the common case needs no join)
            con.execute("CREATE OR REPLACE TEMP TABLE _shift (t BIGINT, s BIGINT)")
            con.executemany("INSERT INTO _shift VALUES (?, ?)", [[t, s] for t, s in shifts.items()])
            relation = f"""(SELECT r.*, r._rec + {header_end} + coalesce(x.s, 0) AS _line
                FROM {relation} r ASOF LEFT JOIN _shift x ON r._rec >= x.t)"""
            line = "_line"
        insert_rows(con, report, sheet, table.layout, table.width, relation, line)
        # fetchall, not fetchone: DuckDB refuses further work while a result is unfinished.
        (rows,) = con.execute("SELECT count(*) FROM raw WHERE src = ?", [report.src]).fetchall()[0]
        if rows == expected:
            return True
    except duckdb.Error:
        pass
    finally:
        con.execute("DROP TABLE IF EXISTS _shift")
    con.execute("DELETE FROM raw WHERE src = ?", [report.src])
    return False


def _account(lines: int, before: int, rows: int, continued: int) -> dict[str, int]:
    """A CSV's line account; it must balance (every line read, skipped or in the header)."""
    if before + rows + continued != lines:
        raise AssertionError(f"line account off: {lines} != {before} + {rows} + {continued}")
    return {"lines": lines, "before_data": before, "rows": rows, "continued": continued}


def _insert_mended(
    con: duckdb.DuckDBPyConnection,
    report: SourceReport,
    sheet: SheetReport,
    table: _Table,
    lines: int,
    workdir: Path,
) -> bool:
    """Read the file through a mended copy (:func:`mend`); False if DuckDB refused even
    that, with nothing left in ``raw``."""
    copy = workdir / f"src{report.src}-mended.csv"
    try:
        with (
            table.path.open("r", encoding="utf-8-sig", newline="\n") as f,
            copy.open("w", encoding="utf-8", newline="\n") as out,
        ):
            after_header = islice(f, table.header_end, None)
            done = mend(
                after_header, out, table.delim, table.full, table.declared, table.header_end + 1
            )
        if not _read(
            con, report, sheet, table, copy, 0, done.shifts, done.records, not done.multiline
        ):
            return False
    finally:
        copy.unlink(missing_ok=True)
    sheet.problem(REPAIRED, done.repaired)
    sheet.lines = _account(lines, table.header_end, done.records, done.continued)
    return True


def _insert_exact(
    con: duckdb.DuckDBPyConnection,
    report: SourceReport,
    sheet: SheetReport,
    table: _Table,
    lines: int,
) -> None:
    """The slowest path, all in Python (:func:`read_records`), for a file DuckDB refuses
    even mended: every line after the header is a record, the continuation of a cell
    holding line breaks, or an empty line; a malformed quote is read as a plain
    character and reported with its line."""
    width = table.width
    rows: list[list[str | None]] = []
    starts: list[int] = []
    repaired: list[int] = []
    continued = 0
    with table.path.open("r", encoding="utf-8-sig", newline="\n") as f:
        after_header = islice(f, table.header_end, None)
        for rec in read_records(after_header, table.delim, table.full, table.header_end + 1):
            starts.append(rec.line)
            continued += rec.end - rec.line
            if rec.repaired:
                repaired.append(rec.line)
            cells: list[str | None] = list(rec.fields[:width])
            rows.append(cells + [None] * (width - len(cells)))
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in range(width)]
    arrays = {f"c{c}": pa.array(list(v), pa.string()) for c, v in enumerate(columns)}
    con.register("_exact", pa.table({**arrays, "_line": pa.array(starts, pa.int64())}))
    try:
        insert_rows(con, report, sheet, table.layout, width, "_exact", "_line")
    finally:
        con.unregister("_exact")
    sheet.problem(REPAIRED, repaired)
    sheet.lines = _account(lines, table.header_end, len(starts), continued)
