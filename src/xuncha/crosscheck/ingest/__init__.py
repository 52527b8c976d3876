"""Ingest: read the files users were given into one DuckDB table of raw cells.

Every row keeps where it came from (file, sheet, the row number the user sees in
Excel or the line number in a CSV) and is classified (data, blank, total, signature,
repeated header, no identity) so that skipped rows are counted with their reason.
Cells stay text here; :mod:`xuncha.crosscheck.normalize` turns them into values.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from ..errors import InputError
from .excel import load_workbook
from .rows import SKIP_REASONS, create_raw_table
from .sources import Mapping, SheetReport, SourceReport, sha256_of, sniff_kind
from .text import SAMPLE_BYTES, TextScan, detect_encoding, load_csv, scan_text

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
    "prepare_source",
    "readable_kind",
]


@dataclass
class Prepared:
    """What reading a file needs no database for (:func:`identify_source`, then
    :func:`prepare_source`), or the error it met."""

    encoding: str | None = None  # a CSV's codec, from its first megabyte
    scan: TextScan | None = None
    error: InputError | None = None

    @property
    def transcode(self) -> bool:
        """A CSV that must be turned into UTF-8 before DuckDB can read it."""
        return self.error is None and self.encoding not in (None, "utf-8", "utf-8-sig")


def readable_kind(path: Path, file: str) -> str:
    """:func:`sniff_kind`, refusing an empty file and a password-protected workbook."""
    kind = sniff_kind(path)
    if kind == "empty":
        raise InputError("文件为空（0 字节），没有可读取的内容。", file=file)
    if kind == "encrypted":
        raise InputError("工作簿设有打开密码，无法读取。请去除密码后另存再提交。", file=file)
    return kind


def identify_source(report: SourceReport) -> Prepared:
    """Size, SHA-256, kind and, for a CSV, its encoding: one cheap read of the file
    (hashing releases the GIL, so several files are identified at once)."""
    path = Path(report.path)
    try:
        report.size = path.stat().st_size
        report.sha256 = sha256_of(path)
        report.kind = readable_kind(path, report.file)
        if report.kind == "csv":
            with path.open("rb") as f:
                return Prepared(encoding=detect_encoding(f.read(SAMPLE_BYTES), report.file))
        return Prepared()
    except InputError as err:
        return Prepared(error=err)
    except OSError as err:
        return Prepared(
            error=InputError(f"无法读取文件（{err.strerror or err}）。", file=report.file)
        )


def prepare_source(report: SourceReport, workdir: Path, prepared: Prepared) -> None:
    """The database-free first half of reading a CSV (line count, empty lines, and the
    UTF-8 copy of a GBK file), safe to run on a helper thread ahead of the inserts."""
    if prepared.error is not None or prepared.encoding is None:
        return
    try:
        prepared.scan = scan_text(
            Path(report.path), report.file, workdir, report.src, prepared.encoding
        )
    except InputError as err:
        prepared.error = err
    except OSError as err:
        prepared.error = InputError(f"无法读取文件（{err.strerror or err}）。", file=report.file)


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
) -> None:
    """Read one file into ``raw``; on a bad file, record the error and add nothing.

    ``prepared`` is the result of :func:`identify_source` (and, for a CSV, of
    :func:`prepare_source`) if they were run ahead.
    """
    if prepared is None:
        prepared = identify_source(report)
    if prepared.scan is None:
        prepare_source(report, workdir, prepared)
    try:
        if prepared.error is not None:
            raise prepared.error
        if report.kind in ("xlsx", "xls"):
            load_workbook(con, report, mapping)
        else:
            assert prepared.scan is not None
            load_csv(con, report, mapping, prepared.scan)
    except InputError as err:
        con.execute("DELETE FROM raw WHERE src = ?", [report.src])
        report.error = str(err)
