"""Ingest: read the files users were given into one DuckDB table of raw cells.

Every row keeps where it came from (file, sheet, the row number the user sees in
Excel or the line number in a CSV) and is classified (data, blank, total, signature,
repeated header, no identity) so that skipped rows are counted with their reason.
Cells stay text here; :mod:`xuncha.crosscheck.normalize` turns them into values.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ..errors import InputError
from .excel import load_workbook
from .rows import SKIP_REASONS, create_raw_table
from .sources import Mapping, SheetReport, SourceReport, sha256_of, sniff_kind
from .text import load_csv

__all__ = [
    "SKIP_REASONS",
    "Mapping",
    "SheetReport",
    "SourceReport",
    "create_raw_table",
    "load_source",
]


def load_source(
    con: duckdb.DuckDBPyConnection,
    report: SourceReport,
    mapping: Mapping,
    workdir: Path,
    seen: dict[str, str] | None = None,
) -> None:
    """Read one file into ``raw``; on a bad file, record the error and add nothing.

    ``seen`` maps the SHA-256 of files already read to their names: a file given
    twice (the same bytes under two names) is skipped, or its rows would count twice.
    """
    path = Path(report.path)
    try:
        report.size = path.stat().st_size
        report.sha256 = sha256_of(path)
        if seen is not None:
            if report.sha256 in seen:
                raise InputError(
                    f"与「{seen[report.sha256]}」内容完全相同，已跳过，以免重复计算。",
                    file=report.file,
                )
            seen[report.sha256] = report.file
        report.kind = sniff_kind(path)
        if report.kind == "empty":
            raise InputError("文件为空（0 字节），没有可读取的内容。", file=report.file)
        if report.kind == "encrypted":
            raise InputError(
                "工作簿设有打开密码，无法读取。请去除密码后另存再提交。", file=report.file
            )
        if report.kind in ("xlsx", "xls"):
            load_workbook(con, report, mapping)
        else:
            load_csv(con, report, mapping, workdir)
    except InputError as err:
        con.execute("DELETE FROM raw WHERE src = ?", [report.src])
        report.error = str(err)
    except OSError as err:
        report.error = str(InputError(f"无法读取文件（{err.strerror or err}）。", file=report.file))
