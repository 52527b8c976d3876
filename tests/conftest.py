"""Shared test helpers: build small, deliberately messy input files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from xuncha.crosscheck.idnumber import make_id


@pytest.fixture
def ids() -> dict[str, str]:
    """A few valid ID numbers with known owners."""
    return {
        "zhang": make_id("431003", dt.date(1950, 1, 2), 123),
        "li": make_id("431003", dt.date(1960, 5, 6), 456),
        "wang": make_id("431081", dt.date(1970, 7, 8), 789),
        "zhao": make_id("431081", dt.date(1971, 7, 8), 781),
        "old": make_id("432822", dt.date(1941, 3, 9), 335),  # a code no longer current
    }


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


@pytest.fixture
def csv_file(tmp_path: Path) -> Callable[..., Path]:
    def make(name: str, lines: Sequence[str], encoding: str = "utf-8") -> Path:
        return write_csv(tmp_path / name, lines, encoding)

    return make
