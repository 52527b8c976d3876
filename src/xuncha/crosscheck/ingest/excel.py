"""Excel workbooks (xlsx, xls) through fastexcel: calamine in Rust, straight to Arrow.

Every sheet is read as text with no header and no skipped rows, so index i is the
row the user sees as i + 1; the header is then found among the first rows.
"""

from __future__ import annotations

import contextlib
import html
import os
import queue
import re
import threading
import zipfile
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from typing import IO, Any

import duckdb

from ..errors import InputError
from ..roles import HEAD_ROWS
from . import guard
from .cells import FormulaScan, SheetXml, error_cells, unread_cells
from .rows import insert_rows, mark_unread_cells
from .sources import (
    Mapping,
    SheetReport,
    SourceReport,
    column_index,
    layout_of,
    no_header,
    record_layout,
    require_columns,
    table_width,
)


def reader_error(err: BaseException) -> None:
    """Re-raise what is not a reader failure. The readers are Rust: a panic on a broken
    file arrives as pyo3's PanicException, a BaseException, and must be refused like
    any broken file, not end the process with a traceback."""
    if isinstance(err, (KeyboardInterrupt, SystemExit, GeneratorExit)):
        raise err


OPEN_FAILED = "无法打开工作簿：文件已损坏，或不是有效的 Excel 文件"


@contextlib.contextmanager
def reader_failures(file: str, what: str = OPEN_FAILED) -> Iterator[None]:
    """A reader's failure in the block (fastexcel's own error types, a panic) as an
    InputError "``what``（the library's reason）" naming ``file``; an InputError passes."""
    try:
        yield
    except InputError:
        raise
    except BaseException as err:
        reader_error(err)
        raise InputError(f"{what}（{short_error(err)}）。", file=file) from err


def open_workbook(source: str | bytes, file: str, what: str = OPEN_FAILED) -> tuple[Any, list[str]]:
    """fastexcel's reader of a workbook and its sheet names, after the bomb checks
    (:func:`.guard.check_archive`); InputError ``what`` if it cannot be opened."""
    import fastexcel

    guard.check_archive(source, file)  # zip bombs, before any parser
    with reader_failures(file, what):
        reader = fastexcel.read_excel(source)
        return reader, reader.sheet_names


def short_error(err: BaseException) -> str:
    """The first line of a library's error, for a user message."""
    text = str(err).strip()
    return (text.splitlines()[0] if text else type(err).__name__)[:160]


def _reason(error: str) -> str:
    """A sheet's error without the file and sheet it names (the caller names them)."""
    return error.split("：", 1)[1] if error.startswith("文件「") else error


def load_workbook(con: duckdb.DuckDBPyConnection, report: SourceReport, mapping: Mapping) -> None:
    reader, names = open_workbook(report.path, report.file)
    report.encoding = report.kind
    members = sheet_members(report.path) if report.kind == "xlsx" else {}
    oversized = guard.oversized_sheets(report.path, report.file, members)
    hidden = {name for name, (_, is_hidden) in members.items() if is_hidden}
    with ThreadPoolExecutor(1) as scan:
        merges = scan.submit(_merged_ranges, report.path, members)
        _load_sheets(con, report, mapping, reader, names, oversized, merges, hidden)


def _load_sheets(
    con: duckdb.DuckDBPyConnection,
    report: SourceReport,
    mapping: Mapping,
    reader: Any,
    names: list[str],
    oversized: dict[str, str],
    merges: Future[dict[str, SheetXml]],
    hidden: set[str],
) -> None:
    for name, parsed in zip(
        names, _parse_sheets(reader, report.path, names, skip=set(oversized)), strict=True
    ):
        sheet = SheetReport(sheet=name, hidden=name in hidden)
        report.sheets.append(sheet)
        try:
            if name in oversized:
                raise guard.too_far(report.file, oversized[name], sheet=name)
            if isinstance(parsed, Exception):
                raise InputError(
                    f"无法读取（{short_error(parsed)}）。", file=report.file, sheet=name
                ) from parsed
            _load_sheet(con, parsed, report, sheet, mapping, merges.result().get(name, SheetXml()))
        except InputError as err:
            sheet.error = str(err)
    if not any(s.error is None for s in report.sheets):
        reasons = "；".join(f"「{s.sheet}」{_reason(s.error)}" for s in report.sheets if s.error)
        raise InputError(f"没有一个工作表可以读取：{reasons}", file=report.file)


_MERGE = re.compile(rb'<mergeCell ref="([A-Z]+\d+):([A-Z]+\d+)"')
_CELL = re.compile(r"([A-Z]+)(\d+)")

Range = tuple[int, int, int, int]  # first row, first column, last row, last column (0-based)


def _cell_range(first: bytes, last: bytes) -> Range:
    (c1, r1), (c2, r2) = (_CELL.fullmatch(x.decode()).groups() for x in (first, last))  # type: ignore[union-attr]
    return int(r1) - 1, column_index(c1), int(r2) - 1, column_index(c2)


_ZIP_ERRORS = (KeyError, OSError, ValueError, AttributeError, zipfile.BadZipFile)
"""What a workbook laid out otherwise than Excel lays it out raises here: the scans
below then find nothing, and the reader decides."""


def sheet_members(path: str) -> dict[str, tuple[str, bool]]:
    """Sheet name → (its XML member, whether it is hidden) in an xlsx zip, from
    workbook.xml and its relationships."""
    try:
        with zipfile.ZipFile(path) as z:
            rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
            book = z.read("xl/workbook.xml").decode("utf-8", "replace")
    except _ZIP_ERRORS:
        return {}
    targets = dict(re.findall(r'Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
    targets |= {k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="([^"]+)"', rels)}
    members = {}
    for tag in re.findall(r"<sheet [^>]*>", book):
        name, rid = re.search(r'name="([^"]*)"', tag), re.search(r'r:id="([^"]+)"', tag)
        if name and rid:
            target = targets.get(rid.group(1), "").lstrip("/")
            member = target if target.startswith("xl/") else f"xl/{target}"
            hidden = re.search(r'state="(?:hidden|veryHidden)"', tag) is not None
            members[html.unescape(name.group(1))] = (member, hidden)
    return members


def _merged_ranges(path: str, members: dict[str, tuple[str, bool]]) -> dict[str, SheetXml]:
    """Each sheet's merged ranges (<mergeCell>, after the sheet's data) and its formula
    cells without a saved value (:class:`FormulaScan`, in the data): the XML is
    decompressed throughout, on a thread of its own while the sheets are parsed."""
    found: dict[str, SheetXml] = {}
    if not members:
        return found
    try:
        with zipfile.ZipFile(path) as z:
            for name, (member, _) in members.items():
                with z.open(member) as f:
                    found[name] = _sheet_xml(f)
    except _ZIP_ERRORS:
        return {}
    return found


def _sheet_xml(f: IO[bytes]) -> SheetXml:
    """One sheet's :class:`SheetXml`: its data fed to a :class:`FormulaScan`, what follows
    ``</sheetData>`` kept for the merged ranges."""
    tail, after, formulas = b"", False, FormulaScan(head=HEAD_ROWS)
    while chunk := f.read(1 << 22):
        if after:
            tail += chunk
            continue
        formulas.feed(chunk)
        joined = tail[-16:] + chunk
        if (at := joined.find(b"</sheetData>")) >= 0:
            tail, after = joined[at:], True
        else:
            tail = chunk[-16:]
    formulas.finish()
    ranges = [_cell_range(a, b) for a, b in _MERGE.findall(tail)] if after else []
    return SheetXml(ranges, formulas.cells, formulas.first_cols)


def _fill_merged(batch: Any, ranges: list[Range], first_data_row: int, width: int) -> Any:
    """The sheet with each merged range of its data rows filled down from the range's
    first row (Excel keeps the value in the top-left cell only: a payment date merged
    over a village's rows belongs to every one of them). Filled down only, never across:
    a value merged over several columns is one cell's, not the next column's role."""
    import numpy as np
    import pyarrow as pa

    ranges = [r for r in ranges if r[0] >= first_data_row and r[1] < width and r[2] > r[0]]
    if not ranges:
        return batch
    columns = list(batch.columns)
    for col in sorted({c for _, c1, _, c2 in ranges for c in range(c1, min(c2, width - 1) + 1)}):
        rows = np.arange(batch.num_rows, dtype=np.int64)
        for r1, c1, r2, c2 in ranges:
            if c1 <= col <= c2:
                rows[r1 : min(r2, batch.num_rows - 1) + 1] = r1
        # (indices from the buffer: pa.array() on a numpy array would import pandas)
        indices = pa.Array.from_buffers(pa.int64(), len(rows), [None, pa.py_buffer(rows)])
        columns[col] = columns[col].take(indices)
    return pa.RecordBatch.from_arrays(columns, schema=batch.schema)


def _parse_sheets(reader: Any, path: str, names: list[str], skip: set[str]) -> Iterator[Any]:
    """Each sheet as an Arrow batch and its error cells (:func:`error_cells`), or the
    exception that stopped it, in order.

    Parsing is the slow part and fastexcel releases the GIL, so sheets are parsed on
    as many threads as there are cores (a county per sheet is the common layout),
    each thread with its own reader (one reader is not safe to share; opening one
    parses the shared strings, so the one already open is handed to the first thread),
    and at most
    one sheet per thread waits in memory for its turn to be inserted.
    """
    import fastexcel

    local = threading.local()
    spare: queue.SimpleQueue[Any] = queue.SimpleQueue()
    spare.put(reader)

    def parse(name: str) -> Any:
        if name in skip:
            return None
        try:
            if not hasattr(local, "reader"):
                try:
                    local.reader = spare.get_nowait()
                except queue.Empty:
                    local.reader = fastexcel.read_excel(path)
            # (lazily loaded for the error cells, which it reads as empty: as fast)
            batch, errors = local.reader.load_sheet(
                name, header_row=None, skip_rows=0, dtypes="string"
            ).to_arrow_with_errors()
            return batch, error_cells(errors)
        except BaseException as err:
            reader_error(err)
            return err

    workers = max(1, min(len(names), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        ahead = iter(names)
        pending = deque(pool.submit(parse, n) for n in islice(ahead, workers))
        while pending:
            result = pending.popleft().result()
            nxt = next(ahead, None)
            if nxt is not None:
                pending.append(pool.submit(parse, nxt))
            yield result


def _load_sheet(
    con: duckdb.DuckDBPyConnection,
    parsed: tuple[Any, list[tuple[int, int, str]]],
    report: SourceReport,
    sheet: SheetReport,
    mapping: Mapping,
    xml: SheetXml,
) -> None:
    batch, errors = parsed
    if batch.num_rows == 0:
        raise InputError("工作表为空。", file=report.file, sheet=sheet.sheet)
    head = [list(r.values()) for r in batch.slice(0, HEAD_ROWS).to_pylist()]
    layout = layout_of(head, mapping, report.file, report.dataset)
    if layout is None:
        raise no_header(report.file, sheet.sheet, report.dataset)
    require_columns(layout, report.file, sheet.sheet, layout.header_rows[-1] + 1, report.dataset)
    record_layout(sheet, layout, report.file, head)
    width = table_width(layout, batch.num_columns)
    # The reader's columns start at the first one holding a value; the XML's at A.
    at = xml.column_offset(layout.header_rows[-1], head[layout.header_rows[-1]])
    merged = [(r1, max(c1 - at, 0), r2, c2 - at) for r1, c1, r2, c2 in xml.merged if c2 >= at]
    formulas = [(r, c - at) for r, c in xml.formulas if c >= at]
    batch = _fill_merged(batch, merged, layout.data_start, width)
    # Register the batch as fastexcel returned it, merged cells filled (building Arrow
    # arrays from Python objects would make pyarrow import pandas when installed);
    # Excel row i+1 is batch row i.
    con.register("_sheet", batch)
    try:
        cols = ", ".join(f'"{name}" AS c{i}' for i, name in enumerate(batch.schema.names[:width]))
        relation = f"""(SELECT * FROM (SELECT {cols}, row_number() OVER () AS _row FROM _sheet)
            WHERE _row > {layout.data_start})"""
        insert_rows(con, report, sheet, layout, width, relation, "_row")
    finally:
        con.unregister("_sheet")
    unread = unread_cells(layout, width, errors, formulas)
    mark_unread_cells(con, report, sheet, unread.key_rows, unread.cells)
    for reason, rows in unread.problems.items():
        sheet.problem(reason, rows)
