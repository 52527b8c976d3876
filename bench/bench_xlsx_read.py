"""xlsx read speed: the engine's Excel ingest (fastexcel → Arrow → DuckDB) in rows a
second, against openpyxl's read-only mode in the same invocation.

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


def build(path: Path, rows: int) -> None:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("苏仙区")
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write(0, 0, "郴州市2021年水库移民直补资金发放花名册")
    ws.write(1, 0, "填报单位：苏仙区移民事务中心　单位：元")
    ws.write_row(2, 0, HEADERS)
    born = dt.date(1950, 1, 1)
    for i in range(rows):
        r = i + 3
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
    n = sum(1 for _ in wb.active.iter_rows(values_only=True))
    assert n > 0
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=300_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "2021年发放表.xlsx"
        build(path, args.rows)
        ours = min(ingest(path) for _ in range(3))
        theirs = openpyxl_read(path)
    print(f"xlsx rows: {args.rows:,} × {len(HEADERS)} columns")
    print(
        f"xuncha ingest (fastexcel → DuckDB): {ours:6.2f} s  {args.rows / ours:>10,.0f} rows/s  (target ≥ 200,000)"
    )
    print(
        f"openpyxl read-only, values only:     {theirs:6.2f} s  {args.rows / theirs:>10,.0f} rows/s"
    )
    print(f"ratio openpyxl / xuncha:             {theirs / ours:6.1f}")


if __name__ == "__main__":
    main()
