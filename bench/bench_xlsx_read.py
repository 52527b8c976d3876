"""xlsx read speed: the engine's Excel ingest (fastexcel → Arrow → DuckDB) in rows a
second, against openpyxl's read-only mode in the same invocation.

Measured twice: one sheet holding every row, and the common layout of one sheet per
county (sheets are parsed in parallel, one per core).

    python bench/bench_xlsx_read.py [--rows 300000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

import duckdb
import openpyxl
import xlsxwriter

from xuncha.crosscheck.idnumber import make_id
from xuncha.crosscheck.ingest import Mapping, SourceReport, create_raw_table, load_source

HEADERS = [
    "序号",
    "姓名",
    "身份证号码",
    "乡镇",
    "村（社区）",
    "银行账号",
    "发放金额",
    "发放日期",
    "备注",
]


COUNTIES = ["北湖区", "苏仙区", "资兴市", "桂阳县", "宜章县", "永兴县"]


def build(path: Path, rows: int, sheets: int) -> None:
    """``rows`` payment rows, split over ``sheets`` county sheets."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    born = dt.date(1950, 1, 1)
    per_sheet = -(-rows // sheets)
    for i in range(rows):
        if i % per_sheet == 0:
            county = COUNTIES[i // per_sheet % len(COUNTIES)]
            ws = wb.add_worksheet(f"{county}{i // per_sheet}" if sheets > len(COUNTIES) else county)
            ws.write(0, 0, "郴州市2021年水库移民直补资金发放花名册")
            ws.write(1, 0, f"填报单位：{county}移民事务中心　单位：元")
            ws.write_row(2, 0, HEADERS)
        r = i % per_sheet + 3
        ws.write_number(r, 0, i + 1)
        ws.write_string(r, 1, f"张{i % 9973}")
        ws.write_string(r, 2, make_id("431003", born + dt.timedelta(days=i % 20000), i % 1000))
        ws.write_string(r, 3, "五里牌镇")
        ws.write_string(r, 4, "某某村")
        ws.write_string(r, 5, f"62170{i:014d}")
        ws.write_number(r, 6, 600)
        ws.write_datetime(r, 7, dt.datetime(2021, 3, 5), date)
        ws.write_string(r, 8, "")
    wb.close()


def ingest(path: Path) -> float:
    con = duckdb.connect()
    create_raw_table(con)
    t0 = time.perf_counter()
    report = SourceReport(src=1, path=str(path), file=path.name, dataset="payments")
    load_source(con, report, Mapping(), path.parent)
    seconds = time.perf_counter() - t0
    assert report.error is None, report.error
    return seconds


def openpyxl_read(path: Path) -> float:
    t0 = time.perf_counter()
    wb = openpyxl.load_workbook(path, read_only=True)
    n = sum(1 for ws in wb.worksheets for _ in ws.iter_rows(values_only=True))
    assert n > 0
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=300_000)
    args = ap.parse_args()
    print(f"xlsx rows: {args.rows:,} × {len(HEADERS)} columns (target ≥ 200,000 rows/s)")
    with tempfile.TemporaryDirectory() as tmp:
        for sheets in (1, len(COUNTIES)):
            path = Path(tmp) / f"2021年发放表_{sheets}.xlsx"
            build(path, args.rows, sheets)
            ours = min(ingest(path) for _ in range(3))
            theirs = openpyxl_read(path)
            print(f"one workbook, {sheets} sheet(s):")
            print(
                f"  xuncha ingest (fastexcel → DuckDB): {ours:6.2f} s  {args.rows / ours:>10,.0f} rows/s"
            )
            print(
                f"  openpyxl read-only, values only:     {theirs:6.2f} s  {args.rows / theirs:>10,.0f} rows/s"
            )
            print(f"  ratio openpyxl / xuncha:             {theirs / ours:6.1f}")


if __name__ == "__main__":
    main()
