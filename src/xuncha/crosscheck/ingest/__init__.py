"""Ingest: read the files users were given into one DuckDB table of raw cells.

Every row keeps where it came from (file, sheet, the row number the user sees in
Excel or the line number in a CSV) and is classified (data, blank, total, signature,
repeated header, no identity) so that skipped rows are counted with their reason.
Cells stay text here; :mod:`xuncha.crosscheck.normalize` turns them into values.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ..errors import InputError
from .csvload import load_csv
from .excel import load_workbook
from .rows import SKIP_REASONS, create_raw_table
from .sources import (
    PROBLEM_ROWS,
    Mapping,
    SheetReport,
    SourceReport,
    not_table,
    sha256_of,
    sniff_kind,
)
from .text import TextScan, scan_text, transcode

__all__ = [
    "SKIP_REASONS",
    "Mapping",
    "Prepared",
    "SheetReport",
    "SourceReport",
    "create_raw_table",
    "identify_source",
    "load_source",
    "mark_duplicate",
    "note_skipped_rows",
    "prepare_source",
    "readable_kind",
]


@dataclass
class Prepared:
    """What reading a file needs no database for (:func:`identify_source`, then
    :func:`prepare_source`), or the error it met."""

    scan: TextScan | None = None  # a CSV's pass over its bytes
    error: InputError | None = None

    @property
    def transcode(self) -> bool:
        """A CSV that must be turned into UTF-8 before DuckDB can read it."""
        return self.error is None and self.scan is not None and self.scan.utf8_path is None


def readable_kind(path: Path, file: str) -> str:
    """:func:`sniff_kind`, refusing an empty file, a password-protected workbook, a file
    that is no table (:func:`not_table`) and a workbook under the other Excel extension."""
    with path.open("rb") as f:
        head = f.read(8192)
    kind = sniff_kind(path, head)
    if kind == "empty":
        raise InputError("文件为空（0 字节），没有可读取的内容。", file=file)
    if kind == "encrypted":
        raise InputError("工作簿设有打开密码，无法读取。请去除密码后另存再提交。", file=file)
    if kind == "csv":
        not_table(head, file)
    suffix = path.suffix.lower().lstrip(".")
    if kind in ("xls", "xlsx") and suffix in ("xls", "xlsx") and suffix != kind:
        raise InputError(
            f"文件内容是 {kind} 格式，扩展名却是 .{suffix}。请把扩展名改为 .{kind}，"
            "或用 Excel 打开后另存为 .xlsx，再提交。",
            file=file,
        )
    return kind


def identify_source(report: SourceReport) -> Prepared:
    """Size, kind, SHA-256 and, for a CSV, its encoding and (UTF-8) its lines: one read
    of the file, which releases the GIL while hashing, so several files are identified
    at once. A CSV in another encoding (GBK) is hashed later, in the pass that
    transcodes it (:func:`prepare_source`), not read twice."""
    path = Path(report.path)
    try:
        report.size = path.stat().st_size
        report.kind = readable_kind(path, report.file)
        if report.kind == "csv":
            scan = scan_text(path, report.file)
            report.sha256 = scan.sha256
            return Prepared(scan=scan)
        report.sha256 = sha256_of(path)
        return Prepared()
    except InputError as err:
        if not report.sha256:  # the manifest names a skipped file by its hash too
            report.sha256 = sha256_of(path)
        return Prepared(error=err)
    except OSError as err:
        return Prepared(
            error=InputError(f"无法读取文件（{err.strerror or err}）。", file=report.file)
        )


def prepare_source(report: SourceReport, workdir: Path, prepared: Prepared) -> None:
    """The UTF-8 copy of a CSV in another encoding (GBK), and its SHA-256 from the same
    pass: the costly, database-free part of reading, safe to run on a helper thread
    ahead of the inserts."""
    if not prepared.transcode:
        return
    assert prepared.scan is not None
    path = Path(report.path)
    try:
        prepared.scan = transcode(prepared.scan, path, report.file, workdir, report.src)
        report.sha256 = prepared.scan.sha256
    except InputError as err:
        prepared.error = err
    except OSError as err:
        prepared.error = InputError(f"无法读取文件（{err.strerror or err}）。", file=report.file)
    if prepared.error is not None and not report.sha256:
        with contextlib.suppress(OSError):  # the manifest names a skipped file by its hash
            report.sha256 = sha256_of(path)


def mark_duplicate(report: SourceReport, prepared: Prepared, seen: dict[str, str]) -> None:
    """A file given twice (the same bytes under two names) is skipped, or its rows
    would count twice. ``seen`` maps the SHA-256 of the files before it, in the order
    given, to their names (decided in that order even when files are read at once)."""
    if prepared.error is not None or not report.sha256:
        return
    if report.sha256 in seen:
        prepared.error = InputError(
            f"与「{seen[report.sha256]}」内容完全相同，已跳过，以免重复计算。", file=report.file
        )
    else:
        seen[report.sha256] = report.file


def load_source(
    con: duckdb.DuckDBPyConnection,
    report: SourceReport,
    mapping: Mapping,
    workdir: Path,
    prepared: Prepared | None = None,
    *,
    note_skipped: bool = True,
) -> None:
    """Read one file into ``raw``; on a bad file, record the error and add nothing.

    ``prepared`` is the result of :func:`identify_source` (and, for a CSV, of
    :func:`prepare_source`) if they were run ahead. ``note_skipped=False`` leaves the
    skipped rows to :func:`note_skipped_rows`, called once for all files (one scan of
    ``raw`` instead of one a file).
    """
    if prepared is None:
        prepared = identify_source(report)
    prepare_source(report, workdir, prepared)
    try:
        if prepared.error is not None:
            raise prepared.error
        if report.kind in ("xlsx", "xls"):
            load_workbook(con, report, mapping)
        else:
            assert prepared.scan is not None
            load_csv(con, report, mapping, prepared.scan, workdir)
    except InputError as err:
        con.execute("DELETE FROM raw WHERE src = ?", [report.src])
        report.error = str(err)
        return
    if note_skipped:
        note_skipped_rows(con, [report])


def note_skipped_rows(con: duckdb.DuckDBPyConnection, reports: list[SourceReport]) -> None:
    """The first rows each sheet skipped, by reason: a skipped row is named, not only
    counted (the rows are few; one query reads ``raw`` once for all ``reports``)."""
    found = con.execute(
        f"""SELECT src, sheet, kind, list(row_no ORDER BY row_no)[1:{PROBLEM_ROWS}]
        FROM raw WHERE src IN (SELECT unnest(?::INTEGER[])) AND kind <> 'data' GROUP BY ALL""",
        [[r.src for r in reports]],
    ).fetchall()
    sheets = {(r.src, s.sheet): s for r in reports for s in r.sheets}
    for src, sheet, kind, rows in found:
        sheets[(src, sheet)].skipped_rows[SKIP_REASONS[kind]] = rows
