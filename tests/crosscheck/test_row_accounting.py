"""No silent row loss: every line of a CSV is read, skipped with its reason, or part of
the header; a malformed quote is repaired and reported with its line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import load
from xuncha.crosscheck import check
from xuncha.crosscheck.ingest import csvload
from xuncha.crosscheck.ingest.records import REPAIRED

HEADER = "姓名,身份证号码,发放金额,发放日期"


def _id(i: int) -> str:
    return f"43010219800101{i:04d}"


def _lines(n: int, damaged: dict[int, str] | None = None) -> list[str]:
    """A header and ``n`` data rows; ``damaged`` replaces the name of row i (1-based)."""
    damaged = damaged or {}
    return [HEADER] + [
        f"{damaged.get(i, f'人{i}')},{_id(i)},600,2021-01-01" for i in range(1, n + 1)
    ]


def _write(path: Path, lines: list[str], encoding: str = "utf-8", eol: str = "\n") -> Path:
    path.write_bytes((eol.join(lines) + eol).encode(encoding))
    return path


def _refused(*args: object, **kwargs: object) -> bool:
    raise AssertionError("this path must not be taken")


def _both_ways(path: Path):
    """Load ``path`` through the mended copy read by DuckDB, and again by Python alone;
    the two must agree row for row (report and rows of the first)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(csvload, "_insert_exact", _refused)
        report, rows = load(path)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(csvload, "_insert_mended", lambda *a: False)
        slow_report, slow_rows = load(path)
    assert slow_rows == rows
    assert slow_report.sheets[0].lines == report.sheets[0].lines
    assert slow_report.sheets[0].problem_rows == report.sheets[0].problem_rows
    return report, rows


def _balanced(report) -> dict[str, int]:
    """The sheet's line account, checked against the rows actually read."""
    (sheet,) = report.sheets
    account = sheet.lines
    assert account is not None
    assert account["before_data"] + account["rows"] + account["continued"] == account["lines"]
    return account


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_stray_quote_in_row_50_of_200_loses_nothing(tmp_path: Path, encoding: str) -> None:
    path = _write(tmp_path / "q.csv", _lines(200, {50: '"张三'}), encoding)
    report, rows = _both_ways(path)
    assert report.error is None
    assert len(rows) == 200
    assert [r[4] for r in rows] == [_id(i) for i in range(1, 201)]
    assert [r[1] for r in rows] == list(range(2, 202))  # each row on its own line
    assert rows[49][3] == '"张三'  # the quote read as a plain character
    (sheet,) = report.sheets
    assert sheet.problems == {REPAIRED: 1}
    assert sheet.problem_rows[REPAIRED] == [51]  # line 51: data row 50
    assert "第 51 行" in sheet.problem_notes()[0]
    assert _balanced(report) == {"lines": 201, "before_data": 1, "rows": 200, "continued": 0}


def test_two_stray_quotes_do_not_join_the_rows_between(tmp_path: Path) -> None:
    # Read leniently, the quote on line 11 would open a cell closed by the one on line 14.
    path = _write(tmp_path / "q.csv", _lines(30, {10: '"张三', 13: '李四"'}))
    report, rows = _both_ways(path)
    assert [r[4] for r in rows] == [_id(i) for i in range(1, 31)]
    assert report.sheets[0].problem_rows[REPAIRED] == [11]
    _balanced(report)


@pytest.mark.parametrize(
    ("name", "read", "reported"),
    [
        ('"张"三', '"张"三', True),  # a quoted cell followed by more text
        ('"张三" 之妻', '"张三" 之妻', True),
        ('张"三', '张"三', False),  # a quote inside a cell is a plain character anyway
        ('"张三"', "张三", False),  # well-formed
        ('"张""三"', '张"三', False),  # an escaped quote
    ],
)
def test_quote_in_the_middle(tmp_path: Path, name: str, read: str, reported: bool) -> None:
    report, rows = _both_ways(_write(tmp_path / "m.csv", _lines(20, {7: name})))
    assert len(rows) == 20
    assert rows[6][3] == read
    assert report.sheets[0].problem_rows.get(REPAIRED, []) == ([8] if reported else [])
    _balanced(report)


@pytest.mark.parametrize("final_newline", [True, False])
def test_unterminated_quote_on_the_last_line(tmp_path: Path, final_newline: bool) -> None:
    lines = _lines(10, {10: '"赵六'})
    path = tmp_path / "u.csv"
    path.write_text("\n".join(lines) + ("\n" if final_newline else ""), encoding="utf-8")
    report, rows = _both_ways(path)
    assert [r[4] for r in rows] == [_id(i) for i in range(1, 11)]
    assert rows[-1][1] == 11 and rows[-1][3] == '"赵六'
    assert report.sheets[0].problem_rows[REPAIRED] == [11]
    _balanced(report)


def test_mixed_line_endings(tmp_path: Path) -> None:
    lines = _lines(40, {5: '"王五"', 6: '"1,200"'})
    text = "".join(ln + ("\r\n" if i % 3 else "\n") for i, ln in enumerate(lines))
    path = tmp_path / "e.csv"
    path.write_text(text, encoding="utf-8", newline="")
    report, rows = _both_ways(path)
    assert [r[4] for r in rows] == [_id(i) for i in range(1, 41)]
    assert [r[1] for r in rows] == list(range(2, 42))
    assert all(not r[6].endswith("\r") for r in rows)  # the date, last on each line
    assert rows[4][3] == "王五" and rows[5][3] == "1,200"
    assert not report.sheets[0].problems
    _balanced(report)


def test_cells_with_line_breaks_and_empty_lines_are_accounted(tmp_path: Path) -> None:
    lines = [HEADER, f'"王\n五",{_id(1)},600,2021-01-01', "", f'李四,{_id(2)},"备注\n续",', ""]
    path = _write(tmp_path / "b.csv", lines)
    report, rows = _both_ways(path)
    assert [(r[1], r[2], r[3]) for r in rows] == [
        (2, "data", "王\n五"), (4, "blank", None), (5, "data", "李四"), (7, "blank", None)
    ]  # fmt: skip
    assert not report.sheets[0].problems
    assert _balanced(report) == {"lines": 7, "before_data": 1, "rows": 4, "continued": 2}


def test_clean_file_accounts_its_empty_lines(tmp_path: Path) -> None:
    lines = _lines(30)
    lines[10:10] = ["", ",,,"]
    report, rows = load(_write(tmp_path / "c.csv", lines))
    assert sum(r[2] == "data" for r in rows) == 30
    assert [r[1] for r in rows if r[2] == "blank"] == [11, 12]
    assert _balanced(report) == {"lines": 33, "before_data": 1, "rows": 32, "continued": 0}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    n=st.integers(min_value=1, max_value=60),
    damage=st.dictionaries(st.integers(min_value=1, max_value=60), st.floats(0, 1), max_size=6),
    crlf=st.lists(st.booleans(), min_size=61, max_size=61),
)
def test_random_quote_damage_loses_no_line(
    tmp_path: Path, n: int, damage: dict[int, float], crlf: list[bool]
) -> None:
    """A quote put anywhere in any lines (one a line): every data line is still a row,
    on its own line, its cells exactly as written."""
    lines = _lines(n)
    for row, where in damage.items():
        if row <= n:
            at = int(where * len(lines[row]))
            lines[row] = lines[row][:at] + '"' + lines[row][at:]
    path = tmp_path / "h.csv"
    path.write_text(
        "".join(ln + ("\r\n" if crlf[i] else "\n") for i, ln in enumerate(lines)),
        encoding="utf-8",
        newline="",
    )
    report, rows = _both_ways(path)
    assert report.error is None, report.error
    account = _balanced(report)
    assert account["rows"] == n and account["continued"] == 0
    assert [r[1] for r in rows] == list(range(2, n + 2))
    assert [",".join(c or "" for c in r[3:7]) for r in rows] == lines[1:]


def test_a_stray_quote_on_every_line(tmp_path: Path) -> None:
    """Each line looks ahead one line only (a whole row follows): all read, all reported."""
    path = _write(tmp_path / "all.csv", _lines(3000, {i: f'"人{i}' for i in range(1, 3001)}))
    report, rows = _both_ways(path)
    assert [r[4] for r in rows] == [_id(i) for i in range(1, 3001)]
    (sheet,) = report.sheets
    assert sheet.problems == {REPAIRED: 3000}
    assert len(sheet.problem_rows[REPAIRED]) == 100  # the first 100 named, all counted
    assert "等" in sheet.problem_notes()[0] and "共 3000 行" in sheet.problem_notes()[0]


def test_skipped_rows_are_named_in_the_manifest(tmp_path: Path) -> None:
    lines = _lines(20)
    lines[5:5] = ["", "合计,,12000,"]
    out = tmp_path / "out"
    check({"payments": [_write(tmp_path / "s.csv", lines)]}, out=out)
    (source,) = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["inputs"]
    (sheet,) = source["sheets"]
    assert sheet["rows_skipped"] == {"空行": 1, "合计/小计行": 1}
    assert sheet["rows_skipped_at"] == {"空行": [6], "合计/小计行": [7]}
    assert sheet["lines"] == {"lines": 23, "before_data": 1, "rows": 22, "continued": 0}
