"""Workbook cells without a value (error cells, formulas never calculated) and headers
naming a role twice are data problems, counted and reported, never read as empty."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest

from helpers import load, write_csv
from xuncha.crosscheck import check
from xuncha.crosscheck.idnumber import make_id
from xuncha.crosscheck.ingest import SKIP_REASONS
from xuncha.crosscheck.ingest.cells import FormulaScan, duplicate_roles
from xuncha.crosscheck.roles import find_header

ERRORS = ["#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!"]


def _id(i: int) -> str:
    return make_id("431003", dt.date(1960, 1, 1) + dt.timedelta(days=i), 100 + i % 800)


def _workbook(path: Path, *, offset: int = 0) -> Path:
    """A payment list (openpyxl saves formulas without a result, as programs do): rows
    1-50 of data have an ID looked up by a formula, rows 51-57 an error cell as ID,
    rows 58-64 an error cell as amount, and rows 65-70 are clean. ``offset`` empty
    columns on the left."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "苏仙区"
    pad = [None] * offset
    ws.append([*pad, "2021年发放表"])
    ws.append([*pad, "序号", "姓名", "身份证号码", "发放金额", "发放日期"])
    for i in range(1, 71):
        ident: object = _id(i)
        amount: object = 600
        if i <= 50:
            ident = f"=VLOOKUP(B{i + 2},户籍!A:B,2,0)"
        elif i <= 57:
            ident = ERRORS[i - 51]
        elif i <= 64:
            amount = ERRORS[i - 58]
        ws.append([*pad, i, f"人{i}", ident, amount, "2021-03-05"])
    wb.save(path)
    return path


@pytest.mark.parametrize("offset", [0, 2])
def test_formula_and_error_cells_are_counted_not_read_as_empty(tmp_path: Path, offset: int) -> None:
    report, rows = load(_workbook(tmp_path / "发放.xlsx", offset=offset))
    assert report.error is None
    (sheet,) = report.sheets
    kinds = {r[1]: r[2] for r in rows}
    assert [n for n, k in kinds.items() if k == "unreadable"] == list(range(3, 60))
    assert sheet.problems["身份证号码单元格是没有保存计算结果的公式"] == 50
    assert sheet.problem_rows["身份证号码单元格是没有保存计算结果的公式"] == list(range(3, 53))
    for i, text in enumerate(ERRORS):
        assert sheet.problem_rows[f"身份证号码单元格是错误值 {text}"] == [53 + i]
        assert sheet.problem_rows[f"金额单元格是错误值 {text}"] == [60 + i]
    amounts = {r[1]: r[5] for r in rows}
    assert [amounts[60 + i] for i in range(7)] == ERRORS  # unreadable, not absent
    assert all(kinds[n] == "data" for n in range(60, 73))


def test_no_false_missing_id_hits_and_reported_in_manifest(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = check({"payments": [_workbook(tmp_path / "发放.xlsx")]}, out=out)
    assert result.count("invalid_id") == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    (sheet,) = manifest["inputs"][0]["sheets"]
    assert sheet["rows_skipped"] == {SKIP_REASONS["unreadable"]: 57}
    assert sheet["rows_used"] == 13
    problems = {p["reason"]: p for p in sheet["problems"]}
    assert problems["身份证号码单元格是没有保存计算结果的公式"]["count"] == 50
    assert problems["金额单元格是错误值 #VALUE!"]["rows"] == [61]
    assert "金额无法识别的行" in " ".join(result.data_problems)


def test_text_formula_with_empty_result_is_a_value() -> None:
    scan = FormulaScan(head=5)
    xml = (
        b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="str"><f>""</f>'
        b'<v></v></c><c r="C1"><f>1/0</f><v></v></c><c r="D1"><f t="shared" si="0"/></c>'
    )
    # Fed in two pieces, cut inside a cell: each cell is seen once, whole.
    scan.feed(xml[:70])
    scan.feed(xml[70:] + b"</row></sheetData>")
    scan.finish()
    assert scan.cells == [(0, 2), (0, 3)]
    assert scan.first_cols == {0: 0}


def test_duplicate_id_columns_are_reported(tmp_path: Path) -> None:
    lines = ["姓名,身份证号码,身份证号码,发放金额", "张三,430102198001010011,1,600"]
    report, _ = load(write_csv(tmp_path / "d.csv", lines))
    (sheet,) = report.sheets
    (reason,) = sheet.problems
    assert "多列都可识别为身份证号码" in reason and "第2列" in reason and "第3列" in reason
    assert sheet.problem_rows[reason] == [1]


def test_household_head_and_payee_columns_are_not_duplicates() -> None:
    layout = find_header([["户主姓名", "户主身份证号码", "移民姓名", "移民身份证号码", "补助金额"]])
    assert layout is not None
    assert duplicate_roles(layout) == []


def test_merged_cells_of_a_table_not_starting_in_column_a(tmp_path: Path) -> None:
    """The reader's columns start at the first column holding a value (here C); the
    XML's merged ranges are placed on the same columns."""
    path = tmp_path / "偏移.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([None, None, "姓名", "身份证号码", "发放金额", "发放日期"])
    for i in range(1, 4):
        ws.append([None, None, f"人{i}", _id(i), 600, "2021-06-01" if i == 1 else None])
    ws.merge_cells("F2:F4")  # one payment date over the three rows
    wb.save(path)
    report, rows = load(path)
    assert report.error is None
    assert [(r[1], r[3], r[6]) for r in rows] == [
        (n, f"人{n - 1}", "2021-06-01") for n in (2, 3, 4)
    ]
